-- Spec 5.2, script 3: how Snowflake reads the landing bucket.
-- Values: {{ aws_role_arn }} (--aws-role-arn / C360_SNOWFLAKE_S3_ROLE_ARN) and the
-- bucket/prefix from C360_S3_BUCKET / C360_S3_PREFIX. No account id is written here.
-- After the first run: DESC INTEGRATION {{ storage_integration }}; and put its
-- STORAGE_AWS_IAM_USER_ARN and STORAGE_AWS_EXTERNAL_ID in the IAM role's trust policy.
-- IF NOT EXISTS, not OR REPLACE: replacing an integration changes its external id and
-- breaks the trust policy; replacing a stage breaks the pipe that reads it.

CREATE STORAGE INTEGRATION IF NOT EXISTS {{ storage_integration }}
  TYPE = EXTERNAL_STAGE
  STORAGE_PROVIDER = 'S3'
  ENABLED = TRUE
  STORAGE_AWS_ROLE_ARN = {{ aws_role_arn }}
  STORAGE_ALLOWED_LOCATIONS = ({{ landing_url }});

-- The landing zone's CSV files: header line, comma separated, empty field = NULL,
-- UTF-8; a row with too few or too many fields is an error row (rejected, not padded).
CREATE FILE FORMAT IF NOT EXISTS {{ database }}.bronze.csv_format
  TYPE = CSV
  SKIP_HEADER = 1
  FIELD_DELIMITER = ','
  FIELD_OPTIONALLY_ENCLOSED_BY = '"'
  EMPTY_FIELD_AS_NULL = TRUE
  ENCODING = 'UTF8'
  ERROR_ON_COLUMN_COUNT_MISMATCH = TRUE;

-- One stage at the root of the landing zone: METADATA$FILENAME is then the same key
-- (e.g. transactions/streaming/2026/11/27/00/transactions_20261127_000000.csv) that the
-- local loader writes to bronze.source_file, so both gateways record the same names.
CREATE STAGE IF NOT EXISTS {{ database }}.bronze.landing_stage
  STORAGE_INTEGRATION = {{ storage_integration }}
  URL = {{ landing_url }}
  FILE_FORMAT = {{ database }}.bronze.csv_format;

-- The spec's per-entity stages, for browsing (LIST @...) and ad-hoc COPY.
CREATE STAGE IF NOT EXISTS {{ database }}.bronze.customer_stage
  STORAGE_INTEGRATION = {{ storage_integration }}
  URL = {{ customers_url }}
  FILE_FORMAT = {{ database }}.bronze.csv_format;

CREATE STAGE IF NOT EXISTS {{ database }}.bronze.transaction_stage
  STORAGE_INTEGRATION = {{ storage_integration }}
  URL = {{ transactions_url }}
  FILE_FORMAT = {{ database }}.bronze.csv_format;
