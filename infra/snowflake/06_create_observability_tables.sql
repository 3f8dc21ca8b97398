-- The ingestion side of the observability schema (spec 5.6 "Snowpipe status").
-- load_history has the same columns as the local loader's observability.load_history
-- (ingestion/load_history.py); `c360 ingest --gateway snowflake` fills it from
-- INFORMATION_SCHEMA.COPY_HISTORY so one dashboard query serves both gateways.
-- pipeline_run_metadata, data_quality_metrics and layer_record_counts are created by
-- the build itself (c360/pipeline/observability.py) on either gateway, not here.

CREATE TABLE IF NOT EXISTS {{ database }}.observability.load_history (
  load_id STRING,
  file_name STRING,
  stage_location STRING,
  table_name STRING,
  file_size BIGINT,
  file_etag STRING,
  file_last_modified TIMESTAMP_NTZ,
  status STRING,
  on_error STRING,
  row_parsed BIGINT,
  row_count BIGINT,
  rows_rejected BIGINT,
  error_count BIGINT,
  first_error_message STRING,
  first_error_line_number BIGINT,
  first_error_character_pos BIGINT,
  first_error_column_name STRING,
  pipe_received_time TIMESTAMP_NTZ,
  ingestion_timestamp TIMESTAMP_NTZ,
  last_load_time TIMESTAMP_NTZ,
  latency_seconds DOUBLE,
  load_seconds DOUBLE
);
