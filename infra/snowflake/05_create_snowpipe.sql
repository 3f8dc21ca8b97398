-- Spec 5.2, script 5 (with the error handling of spec 10.1): the auto-ingest pipe for
-- hourly streaming files. {{ sns_topic_arn }} is the bucket's event topic
-- (--sns-topic-arn / C360_SNOWFLAKE_SNS_TOPIC_ARN); no account id is written here.
-- ON_ERROR = CONTINUE: good rows load, bad rows are counted in COPY_HISTORY.
-- source_file = METADATA$FILENAME, the key relative to the landing zone root.

CREATE PIPE IF NOT EXISTS {{ database }}.bronze.transaction_pipe
  AUTO_INGEST = TRUE
  AWS_SNS_TOPIC = {{ sns_topic_arn }}
  COMMENT = 'c360: hourly streaming transactions to bronze (spec 3.1)'
AS
COPY INTO {{ database }}.bronze.bronze_transactions (
  transaction_id, customer_id, transaction_date, transaction_amount,
  merchant_name, merchant_category, channel, source_file
)
FROM (
  SELECT t.$1, t.$2, t.$3, t.$4, t.$5, t.$6, t.$7, METADATA$FILENAME
  FROM @{{ database }}.bronze.landing_stage/transactions/streaming/ t
)
FILE_FORMAT = (FORMAT_NAME = '{{ database }}.bronze.csv_format')
PATTERN = '.*[.]csv([.]gz)?'
ON_ERROR = CONTINUE;
