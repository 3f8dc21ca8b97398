MODEL (
  name silver.silver_transactions,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column ingestion_timestamp
  ),
  owner data_engineering,
  grain transaction_id,
  tags (silver, transactions),
  audits (
    unique_values(columns := (
      transaction_id
    )),
    not_null(columns := (transaction_id, transaction_date, merchant_category, source_file)),
    assert_valid_rows_are_flagged
  ),
  description 'Transactions deduplicated on transaction_id (first occurrence kept: earliest load, then file name, within the batch and against rows already in silver), standardized, missing categories set to Uncategorized. Silver is a function of the rows received, not of how files were grouped into runs: a re-sent copy (a later load) never changes the kept row or its columns. Rows from unknown customers and non-positive amounts are kept and flagged (is_valid_for_facts = FALSE) so they are counted, never silently dropped; gold.fact_transaction takes only valid rows. A transaction dated more than future_dated_tolerance_minutes (config.yaml variable, 5) after its own load is flagged is_future_dated and counted at its load time (data_quality_metrics check future); it goes to the fact if otherwise valid (a wrong clock at the source does not lose the money; the flag keeps it visible, and gold.data_clock never runs ahead of the loads). Rows dated before the models'' start (model_defaults start, C360_HISTORY_START) are never read: data_quality_metrics counts them (before_start). Processed by load time (ingestion_timestamp, which bronze stamps on every row of a file), not by transaction time: a late file is simply the next load, so it costs what an on-time file costs and never restates history; the hour in progress is re-processed until it is complete.',
  column_descriptions (
    transaction_id = 'Natural key of the transaction.',
    customer_id = 'Customer the transaction belongs to, as sent (upper-cased); may be unknown.',
    transaction_date = 'When the transaction happened (time column of the incremental model).',
    transaction_amount = 'Amount in USD as sent; zero or negative amounts are flagged.',
    merchant_name = 'Merchant name, trimmed; NULL when blank.',
    merchant_category = 'Merchant category; Uncategorized when the source sent none.',
    channel = 'Online, In-Store or Mobile.',
    copies_received = 'Rows with this transaction_id and transaction time in the kept copy''s file (1 = no copy within the file). Copies in other files (re-sends) are not counted here, so the value does not depend on which files one run saw; data_quality_metrics counts every extra copy (duplicate).',
    is_category_missing = 'TRUE when the source sent no merchant category.',
    is_known_customer = 'TRUE when customer_id is in silver.silver_customers.',
    is_positive_amount = 'TRUE when transaction_amount > 0.',
    is_future_dated = 'TRUE when transaction_date is more than future_dated_tolerance_minutes (config.yaml variable) after the kept copy''s load time: a wrong clock at the source. Informational: the row reaches silver and the fact only once its time has come.',
    is_valid_for_facts = 'Known customer and positive amount: the row goes to gold.fact_transaction.',
    ingestion_timestamp = 'When the kept copy was loaded into bronze.',
    source_file = 'Landing-zone file of the kept copy.'
  ),
  columns (
    transaction_id VARCHAR,
    customer_id VARCHAR,
    transaction_date TIMESTAMP,
    transaction_amount DECIMAL(12, 2),
    merchant_name VARCHAR,
    merchant_category VARCHAR,
    channel VARCHAR,
    copies_received INT,
    is_category_missing BOOLEAN,
    is_known_customer BOOLEAN,
    is_positive_amount BOOLEAN,
    is_future_dated BOOLEAN,
    is_valid_for_facts BOOLEAN,
    ingestion_timestamp TIMESTAMP,
    source_file VARCHAR
  )
);

WITH bronze_transactions AS (
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
  FROM bronze.bronze_transactions
  WHERE
    ingestion_timestamp BETWEEN @start_ts AND @end_ts
    AND transaction_date >= @history_start_ts(@history_start)
), silver_customers AS (
  SELECT
    customer_id
  FROM silver.silver_customers
), silver_transactions_before_window AS (
  /* rows this model already holds from earlier loads: a re-sent transaction (a later load,
     perhaps with another timestamp) must not come back */
  SELECT
    silver_transactions.transaction_id
  FROM silver.silver_transactions AS silver_transactions
  WHERE
    silver_transactions.ingestion_timestamp < @start_ts
), transactions_standardized AS (
  /* copies_received: copies in one file share its load time, so they always fall in the
     same interval and the count does not depend on how files were grouped into runs */
  SELECT
    TRIM(transaction_id) AS transaction_id,
    UPPER(TRIM(customer_id)) AS customer_id,
    transaction_date,
    transaction_amount,
    NULLIF(TRIM(merchant_name), '') AS merchant_name,
    COALESCE(NULLIF(TRIM(merchant_category), ''), 'Uncategorized') AS merchant_category,
    NULLIF(TRIM(merchant_category), '') IS NULL AS is_category_missing,
    TRIM(channel) AS channel,
    ingestion_timestamp,
    source_file,
    COUNT(*) OVER (
      PARTITION BY TRIM(transaction_id), ingestion_timestamp, source_file, transaction_date
    ) AS copies_received
  FROM bronze_transactions
  WHERE
    NOT transaction_id IS NULL
), transactions_deduplicated AS (
  SELECT
    transaction_id,
    customer_id,
    transaction_date,
    transaction_amount,
    merchant_name,
    merchant_category,
    channel,
    copies_received,
    is_category_missing,
    ingestion_timestamp,
    source_file
  FROM transactions_standardized
  QUALIFY
    ROW_NUMBER() OVER (
      PARTITION BY transaction_id
      ORDER BY ingestion_timestamp, source_file, transaction_date, transaction_amount, merchant_name
    ) = 1
), transactions_flagged AS (
  SELECT
    transactions_deduplicated.transaction_id,
    transactions_deduplicated.customer_id,
    transactions_deduplicated.transaction_date,
    transactions_deduplicated.transaction_amount,
    transactions_deduplicated.merchant_name,
    transactions_deduplicated.merchant_category,
    transactions_deduplicated.channel,
    transactions_deduplicated.copies_received,
    transactions_deduplicated.is_category_missing,
    NOT silver_customers.customer_id IS NULL AS is_known_customer,
    COALESCE(transactions_deduplicated.transaction_amount > 0, FALSE) AS is_positive_amount,
    COALESCE(
      transactions_deduplicated.transaction_date > DATEADD(
        MINUTE,
        @future_dated_tolerance_minutes,
        transactions_deduplicated.ingestion_timestamp
      )::TIMESTAMP,
      FALSE
    ) AS is_future_dated,
    transactions_deduplicated.ingestion_timestamp,
    transactions_deduplicated.source_file
  FROM transactions_deduplicated
  LEFT JOIN silver_customers
    ON transactions_deduplicated.customer_id = silver_customers.customer_id
  LEFT JOIN silver_transactions_before_window
    ON transactions_deduplicated.transaction_id = silver_transactions_before_window.transaction_id
  WHERE
    silver_transactions_before_window.transaction_id IS NULL
)
SELECT
  transaction_id::VARCHAR AS transaction_id,
  customer_id::VARCHAR AS customer_id,
  transaction_date::TIMESTAMP AS transaction_date,
  transaction_amount::DECIMAL(12, 2) AS transaction_amount,
  merchant_name::VARCHAR AS merchant_name,
  merchant_category::VARCHAR AS merchant_category,
  channel::VARCHAR AS channel,
  copies_received::INT AS copies_received,
  is_category_missing::BOOLEAN AS is_category_missing,
  is_known_customer::BOOLEAN AS is_known_customer,
  is_positive_amount::BOOLEAN AS is_positive_amount,
  is_future_dated::BOOLEAN AS is_future_dated,
  (
    is_known_customer AND is_positive_amount
  )::BOOLEAN AS is_valid_for_facts,
  ingestion_timestamp::TIMESTAMP AS ingestion_timestamp,
  source_file::VARCHAR AS source_file
FROM transactions_flagged