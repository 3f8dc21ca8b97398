MODEL (
  name gold.dim_customer,
  kind INCREMENTAL_BY_UNIQUE_KEY (
    unique_key customer_key
  ),
  grain customer_key,
  tags (gold, core, dimension, scd2),
  audits (
    unique_values(columns := (
      customer_key
    )),
    not_null(
      columns := (customer_key, customer_id, valid_from, is_current, card_type, credit_limit),
      condition := @recomputed_customers_only('changes')
    ),
    assert_scd2_no_gaps_or_overlaps,
    assert_scd2_one_current_row,
    assert_all_customers_have_segment,
    assert_dim_customer_covers_history
  ),
  description 'Customer dimension, SCD type 2 on card_type and credit_limit (spec 3.4 / 4.1). The versions are the SCD_TYPE_2_BY_COLUMN history kept by SQLMesh in silver.silver_customer_history; this table adds the static attributes (type 1: the latest snapshot), the rule-based segment (recalculated monthly, same on every version) and the unknown member (customer_key -1, never current) that facts point to when no version matches. Versions are half-open: [valid_from, valid_to), valid_to NULL on the current one. Join facts on customer_key for the version at transaction time, on customer_id for a customer''s whole history. Incremental: each run rewrites every version of the customers gold.customer_changes lists for the processed interval (a snapshot load, a new version, a segment that may have moved with new facts or the clock) and the unknown member; the other rows stay. Versions are never removed (the SCD2 history only opens and closes them), so a merge on customer_key equals a full rebuild.',
  column_descriptions (
    customer_key = 'Surrogate key of the version (stable across engines); -1 is the unknown member.',
    customer_id = 'Natural key of the customer (several rows per customer).',
    first_name = 'First name (static: latest snapshot).',
    last_name = 'Last name (static).',
    email = 'E-mail address (static).',
    age = 'Age in years (static: latest snapshot).',
    state = 'US state code (static).',
    city = 'City (static).',
    employment_status = 'Employed, Self-Employed, Unemployed or Retired (static).',
    card_type = 'Card product during the version: Standard or Premium (tracked).',
    credit_limit = 'Credit limit in USD during the version (tracked).',
    account_open_date = 'Date the account was opened, from the latest snapshot (type 1, the same on every version: a corrected opening date replaces the old one everywhere).',
    customer_segment = 'Current rule-based segment from gold.customer_segments.',
    segment_assigned_date = 'First day of the month the segment describes.',
    valid_from = 'First day of the version (inclusive).',
    valid_to = 'First day after the version (exclusive); NULL for the current version.',
    is_current = 'TRUE for the version in effect now (valid_to IS NULL).',
    effective_timestamp = 'valid_from as a timestamp (spec 3.4).',
    created_timestamp = 'Load time of the snapshot that opened the version.',
    updated_timestamp = 'Load time of the snapshot that closed the version, or of the latest snapshot for the current version.',
    source_system = 'Where the customer came from: ACQUIRED_FINTECH.',
    is_in_latest_snapshot = 'FALSE when the newest customer snapshot did not list the customer (static: silver_customers); the customer stays current with the values of their last snapshot and is counted in data_quality_metrics (missing_from_snapshot). NULL for the unknown member.'
  ),
  columns (
    customer_key BIGINT,
    customer_id VARCHAR,
    first_name VARCHAR,
    last_name VARCHAR,
    email VARCHAR,
    age INT,
    state VARCHAR,
    city VARCHAR,
    employment_status VARCHAR,
    card_type VARCHAR,
    credit_limit DECIMAL(10, 2),
    account_open_date DATE,
    customer_segment VARCHAR,
    segment_assigned_date DATE,
    valid_from DATE,
    valid_to DATE,
    is_current BOOLEAN,
    effective_timestamp TIMESTAMP,
    created_timestamp TIMESTAMP,
    updated_timestamp TIMESTAMP,
    source_system VARCHAR,
    is_in_latest_snapshot BOOLEAN
  )
);

WITH customer_changes AS (
  /* the customers whose inputs changed in the processed interval: only they are recomputed */
  SELECT DISTINCT
    customer_id
  FROM gold.customer_changes
  WHERE
    changed_at BETWEEN @start_ts AND @end_ts
), silver_customer_history AS (
  SELECT
    customer_key,
    customer_id,
    card_type,
    credit_limit,
    valid_from,
    valid_to,
    source_ingestion_timestamp
  FROM silver.silver_customer_history
), silver_customers AS (
  SELECT
    customer_id,
    first_name,
    last_name,
    email,
    age,
    state,
    city,
    employment_status,
    account_open_date,
    is_in_latest_snapshot,
    ingestion_timestamp
  FROM silver.silver_customers
), customer_segments AS (
  SELECT
    customer_id,
    customer_segment,
    segment_assigned_date
  FROM gold.customer_segments
), versions_described AS (
  SELECT
    silver_customer_history.customer_key,
    silver_customer_history.customer_id,
    silver_customers.first_name,
    silver_customers.last_name,
    silver_customers.email,
    silver_customers.age,
    silver_customers.state,
    silver_customers.city,
    silver_customers.employment_status,
    silver_customer_history.card_type,
    silver_customer_history.credit_limit,
    silver_customers.account_open_date,
    customer_segments.customer_segment,
    customer_segments.segment_assigned_date,
    silver_customer_history.valid_from,
    silver_customer_history.valid_to,
    silver_customer_history.valid_to IS NULL AS is_current,
    silver_customer_history.source_ingestion_timestamp AS created_timestamp,
    COALESCE(
      LEAD(silver_customer_history.source_ingestion_timestamp) OVER (
        PARTITION BY silver_customer_history.customer_id
        ORDER BY silver_customer_history.valid_from
      ),
      silver_customers.ingestion_timestamp
    ) AS updated_timestamp,
    silver_customers.is_in_latest_snapshot
  FROM silver_customer_history
  INNER JOIN customer_changes
    ON silver_customer_history.customer_id = customer_changes.customer_id
  LEFT JOIN silver_customers
    ON silver_customer_history.customer_id = silver_customers.customer_id
  LEFT JOIN customer_segments
    ON silver_customer_history.customer_id = customer_segments.customer_id
), unknown_member AS (
  SELECT
    -1 AS customer_key,
    'UNKNOWN' AS customer_id,
    'Unknown' AS first_name,
    'Unknown' AS last_name,
    NULL AS email,
    NULL AS age,
    NULL AS state,
    NULL AS city,
    NULL AS employment_status,
    'Unknown' AS card_type,
    0 AS credit_limit,
    NULL AS account_open_date,
    'Unknown' AS customer_segment,
    NULL AS segment_assigned_date,
    '1900-01-01'::DATE AS valid_from,
    '1900-01-01'::DATE AS valid_to,
    FALSE AS is_current,
    NULL AS created_timestamp,
    NULL AS updated_timestamp,
    NULL AS is_in_latest_snapshot
), dimension_rows AS (
  SELECT
    customer_key,
    customer_id,
    first_name,
    last_name,
    email,
    age,
    state,
    city,
    employment_status,
    card_type,
    credit_limit,
    account_open_date,
    customer_segment,
    segment_assigned_date,
    valid_from,
    valid_to,
    is_current,
    created_timestamp,
    updated_timestamp,
    is_in_latest_snapshot
  FROM versions_described
  UNION ALL
  SELECT
    customer_key,
    customer_id,
    first_name,
    last_name,
    email,
    age,
    state,
    city,
    employment_status,
    card_type,
    credit_limit,
    account_open_date,
    customer_segment,
    segment_assigned_date,
    valid_from,
    valid_to,
    is_current,
    created_timestamp,
    updated_timestamp,
    is_in_latest_snapshot
  FROM unknown_member
)
SELECT
  customer_key::BIGINT AS customer_key,
  customer_id::VARCHAR AS customer_id,
  first_name::VARCHAR AS first_name,
  last_name::VARCHAR AS last_name,
  email::VARCHAR AS email,
  age::INT AS age,
  state::VARCHAR AS state,
  city::VARCHAR AS city,
  employment_status::VARCHAR AS employment_status,
  card_type::VARCHAR AS card_type,
  credit_limit::DECIMAL(10, 2) AS credit_limit,
  account_open_date::DATE AS account_open_date,
  customer_segment::VARCHAR AS customer_segment,
  segment_assigned_date::DATE AS segment_assigned_date,
  valid_from::DATE AS valid_from,
  valid_to::DATE AS valid_to,
  is_current::BOOLEAN AS is_current,
  valid_from::TIMESTAMP AS effective_timestamp,
  created_timestamp::TIMESTAMP AS created_timestamp,
  updated_timestamp::TIMESTAMP AS updated_timestamp,
  'ACQUIRED_FINTECH'::VARCHAR AS source_system,
  is_in_latest_snapshot::BOOLEAN AS is_in_latest_snapshot
FROM dimension_rows