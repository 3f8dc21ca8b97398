-- Spec 10.5 monitoring thresholds as Snowflake alerts. GENERATED from c360/pipeline/alerts.py
-- (`python -m c360.pipeline.alerts > infra/snowflake/07_create_alerts.sql`); the same
-- definitions are evaluated locally by `c360 status --alerts`, and tests/test_alerts.py fails
-- when this file and the definitions disagree. Do not edit by hand.
--
-- Placeholders: {{ database }} (C360_SNOWFLAKE_DATABASE), {{ warehouse }}
-- (C360_SNOWFLAKE_WAREHOUSE, runs the conditions), {{ notification_integration }} (the e-mail
-- integration's name, C360_SNOWFLAKE_ALERT_INTEGRATION) and {{ alert_recipients }}
-- (C360_SNOWFLAKE_ALERT_EMAIL: an e-mail address verified in the Snowflake account).
-- Creating a notification integration needs ACCOUNTADMIN (or CREATE INTEGRATION); creating
-- alerts needs EXECUTE ALERT on the account. Alerts are created suspended: each is resumed
-- below. A condition is true when the measured value is above the threshold; the alert then
-- e-mails through the integration (SYSTEM$SEND_EMAIL). To page instead (PagerDuty, Slack),
-- replace the integration by a webhook notification integration and the call by
-- SYSTEM$SEND_SNOWFLAKE_NOTIFICATION: the conditions stay the same.

CREATE NOTIFICATION INTEGRATION IF NOT EXISTS {{ notification_integration }}
  TYPE = EMAIL
  ENABLED = TRUE
  ALLOWED_RECIPIENTS = ({{ alert_recipients }});

-- pipe_failure_rate (critical): Snowpipe failure rate: files that did not load whole (LOAD_FAILED or rows rejected), percent of the files decided in the last hour; fires above 10 % of files.
CREATE OR REPLACE ALERT {{ database }}.observability.pipe_failure_rate_alert
  WAREHOUSE = {{ warehouse }}
  SCHEDULE = '5 MINUTE'
  COMMENT = 'c360 spec 10.5: pipe_failure_rate > 10 (critical)'
  IF (EXISTS (
    SELECT
      1
    FROM (
      SELECT
        100.0 * COUNT_IF(status = 'LOAD_FAILED' OR error_count > 0) / NULLIF(COUNT(*), 0) AS value
      FROM {{ database }}.observability.load_history
      WHERE
        last_load_time > DATEADD(HOUR, -1, SYSDATE())
    ) AS measured
    WHERE
      measured.value > 10
  ))
  THEN CALL SYSTEM$SEND_EMAIL(
    '{{ notification_integration }}',
    {{ alert_recipients }},
    'CRITICAL: c360 pipe_failure_rate above 10 % of files',
    'Snowpipe failure rate: files that did not load whole (LOAD_FAILED or rows rejected), percent of the files decided in the last hour. Threshold: 10 % of files. Action: page the on-call engineer; runbook: pipe stopped or files failing.'
  );
ALTER ALERT {{ database }}.observability.pipe_failure_rate_alert RESUME;

-- failed_pipeline_runs (critical): Pipeline run failure: FAILED builds since the last successful one (a failed blocking audit in gold fails the build); fires above 0 runs.
CREATE OR REPLACE ALERT {{ database }}.observability.failed_pipeline_runs_alert
  WAREHOUSE = {{ warehouse }}
  SCHEDULE = '10 MINUTE'
  COMMENT = 'c360 spec 10.5: failed_pipeline_runs > 0 (critical)'
  IF (EXISTS (
    SELECT
      1
    FROM (
      SELECT
        COUNT(*) AS value
      FROM {{ database }}.observability.pipeline_run_metadata
      WHERE
        status = 'FAILED'
        AND environment = 'prod'
        AND run_timestamp > COALESCE(
          (
            SELECT
              MAX(run_timestamp)
            FROM {{ database }}.observability.pipeline_run_metadata
            WHERE
              status = 'SUCCESS' AND environment = 'prod'
          ),
          CAST('1900-01-01' AS TIMESTAMP)
        )
        AND run_timestamp <= SYSDATE()
    ) AS measured
    WHERE
      measured.value > 0
  ))
  THEN CALL SYSTEM$SEND_EMAIL(
    '{{ notification_integration }}',
    {{ alert_recipients }},
    'CRITICAL: c360 failed_pipeline_runs above 0 runs',
    'Pipeline run failure: FAILED builds since the last successful one (a failed blocking audit in gold fails the build). Threshold: 0 runs. Action: alert the data team; runbook: pipeline run failed.'
  );
ALTER ALERT {{ database }}.observability.failed_pipeline_runs_alert RESUME;

-- duplicate_rate (warning): Data quality, duplicates: extra copies of transactions in the latest load, percent of its rows (data_quality_metrics, check duplicate); fires above 5 % of batch.
CREATE OR REPLACE ALERT {{ database }}.observability.duplicate_rate_alert
  WAREHOUSE = {{ warehouse }}
  SCHEDULE = '60 MINUTE'
  COMMENT = 'c360 spec 10.5: duplicate_rate > 5 (warning)'
  IF (EXISTS (
    SELECT
      1
    FROM (
      SELECT
        100.0 * records_failed / NULLIF(records_checked, 0) AS value
      FROM {{ database }}.observability.data_quality_metrics
      WHERE
        table_name = 'silver_transactions'
        AND check_type = 'duplicate'
        AND run_timestamp <= SYSDATE()
      ORDER BY
        run_timestamp DESC
      LIMIT 1
    ) AS measured
    WHERE
      measured.value > 5
  ))
  THEN CALL SYSTEM$SEND_EMAIL(
    '{{ notification_integration }}',
    {{ alert_recipients }},
    'WARNING: c360 duplicate_rate above 5 % of batch',
    'Data quality, duplicates: extra copies of transactions in the latest load, percent of its rows (data_quality_metrics, check duplicate). Threshold: 5 % of batch. Action: alert the data team, tell the upstream team; runbook: duplicate rate high.'
  );
ALTER ALERT {{ database }}.observability.duplicate_rate_alert RESUME;

-- ingestion_latency (warning): Snowpipe latency: average minutes from a file landing to its load, over the files loaded in the last hour; fires above 15 minutes.
CREATE OR REPLACE ALERT {{ database }}.observability.ingestion_latency_alert
  WAREHOUSE = {{ warehouse }}
  SCHEDULE = '15 MINUTE'
  COMMENT = 'c360 spec 10.5: ingestion_latency > 15 (warning)'
  IF (EXISTS (
    SELECT
      1
    FROM (
      SELECT
        AVG(latency_seconds) / 60.0 AS value
      FROM {{ database }}.observability.load_history
      WHERE
        last_load_time > DATEADD(HOUR, -1, SYSDATE()) AND NOT latency_seconds IS NULL
    ) AS measured
    WHERE
      measured.value > 15
  ))
  THEN CALL SYSTEM$SEND_EMAIL(
    '{{ notification_integration }}',
    {{ alert_recipients }},
    'WARNING: c360 ingestion_latency above 15 minutes',
    'Snowpipe latency: average minutes from a file landing to its load, over the files loaded in the last hour. Threshold: 15 minutes. Action: e-mail data engineering; runbook: pipe stopped or files failing.'
  );
ALTER ALERT {{ database }}.observability.ingestion_latency_alert RESUME;
