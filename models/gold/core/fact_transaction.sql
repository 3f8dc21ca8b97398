MODEL (
  name gold.fact_transaction,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column ingestion_timestamp
  ),
  grain transaction_id,
  tags (gold, core, fact),
  audits (
    unique_values(columns := (transaction_id, transaction_key)),
    not_null(
      columns := (
        transaction_key,
        transaction_id,
        customer_id,
        customer_key,
        date_key,
        merchant_category_key,
        transaction_date,
        transaction_amount
      )
    ),
    assert_transaction_amounts_positive,
    assert_fact_keys_exist
  ),
  description 'One row per valid transaction (spec 4.2 plus customer_id): deduplicated, from known customers, with a positive amount. customer_key is the dim_customer version valid at the transaction time; date_key and merchant_category_key come from their dimensions, so no foreign key is ever NULL (unknown members are -1). Incremental by load time (ingestion_timestamp), like silver: each run adds the rows loaded since the last one, late or on time; the hour in progress is re-processed until it is complete. Queries by transaction time filter transaction_date.',
  column_descriptions (
    transaction_key = 'Surrogate key of the transaction (engine hash of transaction_id; unique, not referenced by other tables).',
    transaction_id = 'Natural key of the transaction.',
    customer_id = 'Natural key of the customer (join here for whole-history questions).',
    customer_key = 'dim_customer version valid when the transaction happened; -1 if none.',
    date_key = 'dim_date key of the transaction day (YYYYMMDD).',
    merchant_category_key = 'dim_merchant_category key: 1-20, 0 Uncategorized, -1 Unknown.',
    transaction_date = 'When the transaction happened.',
    transaction_amount = 'Amount in USD, always > 0.',
    merchant_name = 'Merchant name.',
    channel = 'Online, In-Store or Mobile.',
    ingestion_timestamp = 'When the kept copy of the row was loaded into bronze: the model''s time column (incremental by load time).',
    source_file = 'Landing-zone file of the kept copy.'
  ),
  columns (
    transaction_key BIGINT,
    transaction_id VARCHAR,
    customer_id VARCHAR,
    customer_key BIGINT,
    date_key INT,
    merchant_category_key INT,
    transaction_date TIMESTAMP,
    transaction_amount DECIMAL(10, 2),
    merchant_name VARCHAR,
    channel VARCHAR,
    ingestion_timestamp TIMESTAMP,
    source_file VARCHAR
  )
);

WITH silver_transactions AS (
  SELECT
    transaction_id,
    customer_id,
    transaction_date,
    transaction_amount,
    merchant_name,
    merchant_category,
    channel,
    ingestion_timestamp,
    source_file
  FROM silver.silver_transactions
  WHERE
    ingestion_timestamp BETWEEN @start_ts AND @end_ts AND is_valid_for_facts
), silver_customer_history AS (
  SELECT
    customer_key,
    customer_id,
    valid_from,
    valid_to
  FROM silver.silver_customer_history
), dim_date AS (
  SELECT
    date_key,
    calendar_date
  FROM gold.dim_date
), dim_merchant_category AS (
  SELECT
    category_key,
    category_name
  FROM gold.dim_merchant_category
), transactions_keyed AS (
  SELECT
    HASH(silver_transactions.transaction_id) % 9223372036854775807 AS transaction_key,
    silver_transactions.transaction_id,
    silver_transactions.customer_id,
    COALESCE(silver_customer_history.customer_key, -1) AS customer_key,
    COALESCE(dim_date.date_key, -1) AS date_key,
    COALESCE(dim_merchant_category.category_key, -1) AS merchant_category_key,
    silver_transactions.transaction_date,
    silver_transactions.transaction_amount,
    silver_transactions.merchant_name,
    silver_transactions.channel,
    silver_transactions.ingestion_timestamp,
    silver_transactions.source_file
  FROM silver_transactions
  LEFT JOIN silver_customer_history
    ON silver_transactions.customer_id = silver_customer_history.customer_id
    AND silver_transactions.transaction_date >= silver_customer_history.valid_from
    AND silver_transactions.transaction_date < COALESCE(silver_customer_history.valid_to, '9999-12-31'::DATE)
  LEFT JOIN dim_date
    ON silver_transactions.transaction_date::DATE = dim_date.calendar_date
  LEFT JOIN dim_merchant_category
    ON silver_transactions.merchant_category = dim_merchant_category.category_name
)
SELECT
  transaction_key::BIGINT AS transaction_key,
  transaction_id::VARCHAR AS transaction_id,
  customer_id::VARCHAR AS customer_id,
  customer_key::BIGINT AS customer_key,
  date_key::INT AS date_key,
  merchant_category_key::INT AS merchant_category_key,
  transaction_date::TIMESTAMP AS transaction_date,
  transaction_amount::DECIMAL(10, 2) AS transaction_amount,
  merchant_name::VARCHAR AS merchant_name,
  channel::VARCHAR AS channel,
  ingestion_timestamp::TIMESTAMP AS ingestion_timestamp,
  source_file::VARCHAR AS source_file
FROM transactions_keyed