MODEL (
  name observability.data_quality_metrics,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column run_timestamp,
    lookback 6
  ),
  owner data_engineering,
  grain (run_timestamp, table_name, check_type),
  tags (observability, data_quality),
  audits (
    unique_combination_of_columns(columns := (run_timestamp, table_name, check_type)),
    not_null(
      columns := (
        run_id,
        run_timestamp,
        layer,
        table_name,
        check_type,
        records_checked,
        records_failed,
        failure_rate
      )
    )
  ),
  description 'Data-quality counts of spec 3.3, one row per bronze load (run_timestamp = the load time that bronze stamps on every row of a file) and check, counted from what silver and the fact already store rather than re-derived: duplicate = rows received minus the copies silver kept (extra copies within a file, across files and re-sent files, of any age); null = kept transactions whose merchant category was missing (set to Uncategorized); referential = kept transactions of unknown customers; range = kept transactions with a zero or negative amount; for gold.fact_transaction, referential = facts of the load holding an unknown-member key (-1). Incremental by load time; a restatement of silver (late file, late customer snapshot) re-measures the loads it touches. Customer snapshots are checked by the blocking audits of silver_customer_snapshots instead.',
  column_descriptions (
    run_id = 'Execution time of the SQLMesh run that last measured the load.',
    run_timestamp = 'Load time of the measured rows (bronze ingestion_timestamp); the model''s time column.',
    layer = 'Layer of the checked table: silver or gold.',
    table_name = 'Checked table (silver_transactions or fact_transaction).',
    check_type = 'duplicate, null (missing category), referential (unknown customer / unknown-member key) or range (non-positive amount).',
    records_checked = 'Rows the check looked at: rows received for duplicate, kept (new) transactions for the other checks.',
    records_failed = 'Rows failing the check (they are kept and flagged, never dropped silently).',
    failure_rate = 'records_failed / records_checked (0 when nothing was checked).'
  )
);

WITH bronze_transactions AS (
  SELECT
    transaction_id,
    ingestion_timestamp
  FROM bronze.bronze_transactions
  WHERE
    ingestion_timestamp BETWEEN @start_ts AND @end_ts
), silver_transactions AS (
  SELECT
    ingestion_timestamp,
    is_category_missing,
    is_known_customer,
    is_positive_amount
  FROM silver.silver_transactions
  WHERE
    ingestion_timestamp BETWEEN @start_ts AND @end_ts
), fact_transaction AS (
  SELECT
    ingestion_timestamp,
    customer_key,
    merchant_category_key,
    date_key
  FROM gold.fact_transaction
  WHERE
    ingestion_timestamp BETWEEN @start_ts AND @end_ts
), rows_received AS (
  SELECT
    ingestion_timestamp,
    COUNT(*) AS received
  FROM bronze_transactions
  WHERE
    NOT transaction_id IS NULL
  GROUP BY
    ingestion_timestamp
), rows_kept AS (
  SELECT
    ingestion_timestamp,
    COUNT(*) AS kept,
    COUNT_IF(COALESCE(is_category_missing, FALSE)) AS missing_category,
    COUNT_IF(NOT COALESCE(is_known_customer, FALSE)) AS unknown_customer,
    COUNT_IF(NOT COALESCE(is_positive_amount, FALSE)) AS non_positive_amount
  FROM silver_transactions
  GROUP BY
    ingestion_timestamp
), facts_loaded AS (
  SELECT
    ingestion_timestamp,
    COUNT(*) AS loaded,
    COUNT_IF(customer_key = -1 OR merchant_category_key = -1 OR date_key = -1) AS unknown_members
  FROM fact_transaction
  GROUP BY
    ingestion_timestamp
), loads_measured AS (
  SELECT
    rows_received.ingestion_timestamp,
    rows_received.received,
    COALESCE(rows_kept.kept, 0) AS kept,
    COALESCE(rows_kept.missing_category, 0) AS missing_category,
    COALESCE(rows_kept.unknown_customer, 0) AS unknown_customer,
    COALESCE(rows_kept.non_positive_amount, 0) AS non_positive_amount,
    COALESCE(facts_loaded.loaded, 0) AS facts_loaded,
    COALESCE(facts_loaded.unknown_members, 0) AS unknown_members
  FROM rows_received
  LEFT JOIN rows_kept
    ON rows_received.ingestion_timestamp = rows_kept.ingestion_timestamp
  LEFT JOIN facts_loaded
    ON rows_received.ingestion_timestamp = facts_loaded.ingestion_timestamp
), checks_unpivoted AS (
  SELECT
    ingestion_timestamp,
    'silver' AS layer,
    'silver_transactions' AS table_name,
    'duplicate' AS check_type,
    received AS records_checked,
    received - kept AS records_failed
  FROM loads_measured
  UNION ALL
  SELECT
    ingestion_timestamp,
    'silver' AS layer,
    'silver_transactions' AS table_name,
    'null' AS check_type,
    kept AS records_checked,
    missing_category AS records_failed
  FROM loads_measured
  UNION ALL
  SELECT
    ingestion_timestamp,
    'silver' AS layer,
    'silver_transactions' AS table_name,
    'referential' AS check_type,
    kept AS records_checked,
    unknown_customer AS records_failed
  FROM loads_measured
  UNION ALL
  SELECT
    ingestion_timestamp,
    'silver' AS layer,
    'silver_transactions' AS table_name,
    'range' AS check_type,
    kept AS records_checked,
    non_positive_amount AS records_failed
  FROM loads_measured
  UNION ALL
  SELECT
    ingestion_timestamp,
    'gold' AS layer,
    'fact_transaction' AS table_name,
    'referential' AS check_type,
    facts_loaded AS records_checked,
    unknown_members AS records_failed
  FROM loads_measured
)
SELECT
  @execution_ts::VARCHAR AS run_id,
  ingestion_timestamp::TIMESTAMP AS run_timestamp,
  layer::VARCHAR AS layer,
  table_name::VARCHAR AS table_name,
  check_type::VARCHAR AS check_type,
  records_checked::INT AS records_checked,
  records_failed::INT AS records_failed,
  IFF(
    records_checked = 0 AND NOT records_failed IS NULL,
    0,
    records_failed / records_checked
  )::DOUBLE AS failure_rate
FROM checks_unpivoted