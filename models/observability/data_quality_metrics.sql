MODEL (
  name observability.data_quality_metrics,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column run_timestamp
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
  description 'Data-quality counts of spec 3.3, one row per bronze load (run_timestamp = the load time that bronze stamps on every row of a file) and check, counted from what silver and the fact already store rather than re-derived. silver_transactions: duplicate = rows received (dated within the models'' history and not in the future) minus the copies silver kept (extra copies within a file, across files and re-sent files, of any age); null = kept transactions whose merchant category was missing (set to Uncategorized); referential = kept transactions of unknown customers; range = kept transactions with a zero or negative amount; future = rows received dated more than future_dated_tolerance_minutes after their load (silver flags them is_future_dated when their time comes; counted here from bronze at the load time, because silver cannot hold them earlier); before_start = rows received dated before the models'' start (variable history_start = model_defaults start), which silver never reads and which never trigger a restatement. silver_customer_snapshots: duplicate = extra copies of a customer and snapshot date within the load (copies_received - 1), conflict = kept customer snapshots whose copies disagree (has_conflicting_copies); a snapshot superseded by a later load is counted with that load. silver_customers: missing_from_snapshot = known customers the newest snapshot does not list (is_in_latest_snapshot = FALSE), measured at the last load of the newest snapshot date. gold.fact_transaction: referential = facts of the load holding an unknown-member key (-1). Incremental by load time without a lookback (a big load is measured once, not again every hour after it; the hour in progress is re-measured until it is complete); a restatement of silver (late file, late customer snapshot) re-measures the loads it touches.',
  column_descriptions (
    run_id = 'Execution time of the SQLMesh run that last measured the load.',
    run_timestamp = 'Load time of the measured rows (bronze ingestion_timestamp); the model''s time column.',
    layer = 'Layer of the checked table: silver or gold.',
    table_name = 'Checked table: silver_transactions, silver_customer_snapshots, silver_customers or fact_transaction.',
    check_type = 'duplicate, null (missing category), referential (unknown customer / unknown-member key), range (non-positive amount), future (dated after its load), before_start (dated before the models'' start), conflict (copies of a customer snapshot disagree) or missing_from_snapshot (customer not in the newest snapshot).',
    records_checked = 'Rows the check looked at: rows received for duplicate, future and before_start (for transactions'' duplicate: those dated within the history and not in the future), kept (new) transactions for null/referential/range, kept customer snapshots for conflict, known customers for missing_from_snapshot.',
    records_failed = 'Rows failing the check (they are kept and flagged, never dropped silently).',
    failure_rate = 'records_failed / records_checked (0 when nothing was checked).'
  ),
  columns (
    run_id VARCHAR,
    run_timestamp TIMESTAMP,
    layer VARCHAR,
    table_name VARCHAR,
    check_type VARCHAR,
    records_checked INT,
    records_failed INT,
    failure_rate DOUBLE
  )
);

WITH bronze_transactions AS (
  SELECT
    transaction_id,
    transaction_date,
    ingestion_timestamp
  FROM bronze.bronze_transactions
  WHERE
    ingestion_timestamp BETWEEN @start_ts AND @end_ts
), bronze_customers AS (
  SELECT
    customer_id,
    ingestion_timestamp
  FROM bronze.bronze_customers
  WHERE
    ingestion_timestamp BETWEEN @start_ts AND @end_ts
), silver_transactions AS (
  SELECT
    ingestion_timestamp,
    is_category_missing,
    is_known_customer,
    is_positive_amount,
    is_future_dated
  FROM silver.silver_transactions
  WHERE
    ingestion_timestamp BETWEEN @start_ts AND @end_ts
), silver_customer_snapshots AS (
  /* not limited to the interval: the newest snapshot date is needed too (a small view) */
  SELECT
    snapshot_date,
    copies_received,
    has_conflicting_copies,
    ingestion_timestamp
  FROM silver.silver_customer_snapshots
), silver_customers AS (
  SELECT
    is_in_latest_snapshot
  FROM silver.silver_customers
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
    COUNT(*) AS received,
    COUNT_IF(COALESCE(transaction_date < @history_start_ts(@history_start), FALSE)) AS before_start,
    COUNT_IF(
      COALESCE(
        transaction_date > DATEADD(MINUTE, @future_dated_tolerance_minutes, ingestion_timestamp)::TIMESTAMP,
        FALSE
      )
    ) AS future_dated
  FROM bronze_transactions
  WHERE
    NOT transaction_id IS NULL
  GROUP BY
    ingestion_timestamp
), rows_kept AS (
  SELECT
    ingestion_timestamp,
    COUNT(*) AS kept,
    COUNT_IF(NOT COALESCE(is_future_dated, FALSE)) AS kept_not_future_dated,
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
    rows_received.before_start,
    rows_received.future_dated,
    rows_received.received - rows_received.before_start - rows_received.future_dated AS received_in_history,
    COALESCE(rows_kept.kept, 0) AS kept,
    COALESCE(rows_kept.kept_not_future_dated, 0) AS kept_not_future_dated,
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
), customer_rows_received AS (
  SELECT
    ingestion_timestamp,
    COUNT(*) AS received
  FROM bronze_customers
  WHERE
    NOT customer_id IS NULL
  GROUP BY
    ingestion_timestamp
), snapshots_kept AS (
  SELECT
    ingestion_timestamp,
    COUNT(*) AS kept,
    SUM(copies_received - 1) AS extra_copies,
    COUNT_IF(COALESCE(has_conflicting_copies, FALSE)) AS conflicting
  FROM silver_customer_snapshots
  WHERE
    ingestion_timestamp BETWEEN @start_ts AND @end_ts
  GROUP BY
    ingestion_timestamp
), customer_loads_measured AS (
  SELECT
    customer_rows_received.ingestion_timestamp,
    customer_rows_received.received,
    COALESCE(snapshots_kept.kept, 0) AS kept,
    COALESCE(snapshots_kept.extra_copies, 0) AS extra_copies,
    COALESCE(snapshots_kept.conflicting, 0) AS conflicting
  FROM customer_rows_received
  LEFT JOIN snapshots_kept
    ON customer_rows_received.ingestion_timestamp = snapshots_kept.ingestion_timestamp
), snapshots_dated AS (
  SELECT
    ingestion_timestamp,
    snapshot_date = MAX(snapshot_date) OVER () AS is_newest_snapshot_date
  FROM silver_customer_snapshots
), newest_snapshot_loaded AS (
  /* the last load of the newest snapshot date: where missing customers are counted */
  SELECT
    MAX(ingestion_timestamp) AS ingestion_timestamp
  FROM snapshots_dated
  WHERE
    is_newest_snapshot_date
), customers_measured AS (
  SELECT
    newest_snapshot_loaded.ingestion_timestamp,
    COUNT(*) AS customers,
    COUNT_IF(NOT COALESCE(silver_customers.is_in_latest_snapshot, FALSE)) AS missing_from_snapshot
  FROM newest_snapshot_loaded
  CROSS JOIN silver_customers
  WHERE
    newest_snapshot_loaded.ingestion_timestamp BETWEEN @start_ts AND @end_ts
  GROUP BY
    newest_snapshot_loaded.ingestion_timestamp
), checks_unpivoted AS (
  SELECT
    ingestion_timestamp,
    'silver' AS layer,
    'silver_transactions' AS table_name,
    'duplicate' AS check_type,
    received_in_history AS records_checked,
    received_in_history - kept_not_future_dated AS records_failed
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
    'silver' AS layer,
    'silver_transactions' AS table_name,
    'future' AS check_type,
    received AS records_checked,
    future_dated AS records_failed
  FROM loads_measured
  UNION ALL
  SELECT
    ingestion_timestamp,
    'silver' AS layer,
    'silver_transactions' AS table_name,
    'before_start' AS check_type,
    received AS records_checked,
    before_start AS records_failed
  FROM loads_measured
  UNION ALL
  SELECT
    ingestion_timestamp,
    'silver' AS layer,
    'silver_customer_snapshots' AS table_name,
    'duplicate' AS check_type,
    received AS records_checked,
    extra_copies AS records_failed
  FROM customer_loads_measured
  UNION ALL
  SELECT
    ingestion_timestamp,
    'silver' AS layer,
    'silver_customer_snapshots' AS table_name,
    'conflict' AS check_type,
    kept AS records_checked,
    conflicting AS records_failed
  FROM customer_loads_measured
  UNION ALL
  SELECT
    ingestion_timestamp,
    'silver' AS layer,
    'silver_customers' AS table_name,
    'missing_from_snapshot' AS check_type,
    customers AS records_checked,
    missing_from_snapshot AS records_failed
  FROM customers_measured
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