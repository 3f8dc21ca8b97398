-- Observability tables the pipeline writes (spec 2, 3.3, 5.6, 12.1).
-- load_history has the same columns as the local loader's observability.load_history
-- (ingestion/load_history.py); `c360 ingest --gateway snowflake` fills it from
-- INFORMATION_SCHEMA.COPY_HISTORY so one dashboard query serves both gateways.

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

-- Spec 3.3, verbatim.
CREATE TABLE IF NOT EXISTS {{ database }}.observability.data_quality_metrics (
  run_id STRING,
  run_timestamp TIMESTAMP_NTZ,
  layer STRING,
  table_name STRING,
  check_type STRING,
  records_checked INT,
  records_failed INT,
  failure_rate FLOAT
);

-- Spec 12.1's morning checklist reads these columns.
CREATE TABLE IF NOT EXISTS {{ database }}.observability.pipeline_run_metadata (
  run_id STRING,
  run_timestamp TIMESTAMP_NTZ,
  status STRING,
  models_run INT,
  models_failed INT,
  duration_seconds FLOAT
);
