-- Spec 5.2, script 4: the bronze tables — the same columns as ingestion/bronze.py
-- (tests/test_ingest_snowflake.py checks that they match). File columns first, then
-- the load metadata. ingestion_timestamp defaults to SYSDATE() (UTC, no time zone),
-- as the local loader stamps UTC. IF NOT EXISTS, not the spec's OR REPLACE: a re-run
-- of setup must not drop what was loaded.

CREATE TABLE IF NOT EXISTS {{ database }}.bronze.bronze_customers (
  customer_id STRING,
  first_name STRING,
  last_name STRING,
  email STRING,
  age INT,
  state STRING,
  city STRING,
  employment_status STRING,
  card_type STRING,
  credit_limit DECIMAL(10,2),
  account_open_date DATE,
  customer_segment STRING,
  ingestion_timestamp TIMESTAMP_NTZ DEFAULT (SYSDATE()),
  source_file STRING
);

CREATE TABLE IF NOT EXISTS {{ database }}.bronze.bronze_transactions (
  transaction_id STRING,
  customer_id STRING,
  transaction_date TIMESTAMP_NTZ,
  transaction_amount DECIMAL(10,2),
  merchant_name STRING,
  merchant_category STRING,
  channel STRING,
  ingestion_timestamp TIMESTAMP_NTZ DEFAULT (SYSDATE()),
  source_file STRING
);

CREATE TABLE IF NOT EXISTS {{ database }}.bronze.bronze_campaign_assignments (
  campaign_name STRING,
  customer_id STRING,
  treatment_group STRING,
  offer_date DATE,
  offer_type STRING,
  cost_per_customer DECIMAL(10,2),
  ingestion_timestamp TIMESTAMP_NTZ DEFAULT (SYSDATE()),
  source_file STRING
);
