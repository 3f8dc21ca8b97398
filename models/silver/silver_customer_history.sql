MODEL (
  name silver.silver_customer_history,
  kind SCD_TYPE_2_BY_COLUMN (
    unique_key customer_id,
    columns [card_type, credit_limit],
    updated_at_name effective_date,
    execution_time_as_valid_from TRUE,
    time_data_type DATE,
    batch_size 744
  ),
  owner data_engineering,
  grain (customer_id, valid_from),
  tags (silver, customers, scd2),
  audits (
    not_null(columns := (customer_key, customer_id, card_type, credit_limit, valid_from)),
    unique_values(columns := (
      customer_key
    )),
    assert_scd2_no_gaps_or_overlaps,
    assert_scd2_one_current_row
  ),
  description 'SCD type 2 history of the tracked account attributes (card_type, credit_limit), kept by SQLMesh. Each evaluation merges the latest snapshot at or before the interval end; a changed value closes the open row (valid_to) and opens a new one, both dated with the snapshot that showed the change. The first row of a customer is valid from the account open date. gold.dim_customer is a projection of this table. SQLMesh adds valid_from (first day of the version, inclusive) and valid_to (first day after it, exclusive; NULL while current).',
  column_descriptions (
    customer_key = 'Surrogate key of the version: @stable_key(customer_id, valid_from), identical on every engine.',
    customer_id = 'Natural key of the customer.',
    card_type = 'Card product during the version (tracked).',
    credit_limit = 'Credit limit in USD during the version (tracked).',
    account_open_date = 'Date the account was opened.',
    effective_date = 'Date from which the tracked values hold: the snapshot that first showed them, or the account open date for the first version. SQLMesh copies it into valid_from/valid_to.',
    source_ingestion_timestamp = 'First load time of the snapshot that opened the version (a re-sent or corrected copy of that snapshot keeps it).'
  ),
  columns (
    customer_key BIGINT,
    customer_id VARCHAR,
    card_type VARCHAR,
    credit_limit DECIMAL(10, 2),
    account_open_date DATE,
    effective_date DATE,
    source_ingestion_timestamp TIMESTAMP
  )
);

WITH silver_customer_snapshots AS (
  /* a snapshot dated D describes the customers at D 00:00: an interval ending then sees it */
  SELECT
    customer_id,
    card_type,
    credit_limit,
    account_open_date,
    snapshot_date,
    first_ingestion_timestamp AS ingestion_timestamp
  FROM silver.silver_customer_snapshots
  WHERE
    snapshot_date::TIMESTAMP < DATEADD(SECOND, 1, @end_ts::TIMESTAMP)::TIMESTAMP
), snapshots_sequenced AS (
  SELECT
    customer_id,
    card_type,
    credit_limit,
    account_open_date,
    snapshot_date,
    ingestion_timestamp,
    ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY snapshot_date) AS snapshot_number,
    ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY snapshot_date DESC) AS snapshot_recency,
    LAG(card_type) OVER (PARTITION BY customer_id ORDER BY snapshot_date) AS previous_card_type,
    LAG(credit_limit) OVER (PARTITION BY customer_id ORDER BY snapshot_date) AS previous_credit_limit
  FROM silver_customer_snapshots
), changes_dated AS (
  /* the snapshot where the latest run of unchanged tracked values began */
  SELECT
    customer_id,
    snapshot_date,
    snapshot_number,
    ingestion_timestamp,
    CASE
      WHEN snapshot_number = 1
      THEN LEAST(COALESCE(account_open_date, snapshot_date), snapshot_date)
      ELSE snapshot_date
    END AS effective_date
  FROM snapshots_sequenced
  WHERE
    snapshot_number = 1
    OR card_type IS DISTINCT FROM previous_card_type
    OR credit_limit IS DISTINCT FROM previous_credit_limit
  QUALIFY
    ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY snapshot_date DESC) = 1
), latest_snapshots AS (
  SELECT
    customer_id,
    card_type,
    credit_limit,
    account_open_date
  FROM snapshots_sequenced
  WHERE
    snapshot_recency = 1
)
SELECT
  @stable_key(latest_snapshots.customer_id, changes_dated.effective_date)::BIGINT AS customer_key,
  latest_snapshots.customer_id::VARCHAR AS customer_id,
  latest_snapshots.card_type::VARCHAR AS card_type,
  latest_snapshots.credit_limit::DECIMAL(10, 2) AS credit_limit,
  latest_snapshots.account_open_date::DATE AS account_open_date,
  changes_dated.effective_date::DATE AS effective_date,
  changes_dated.ingestion_timestamp::TIMESTAMP AS source_ingestion_timestamp
FROM latest_snapshots
INNER JOIN changes_dated
  ON latest_snapshots.customer_id = changes_dated.customer_id