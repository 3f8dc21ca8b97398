MODEL (
  name silver.silver_customers,
  kind FULL,
  owner data_engineering,
  grain customer_id,
  tags (silver, customers),
  audits (
    unique_values(columns := (
      customer_id
    )),
    not_null(
      columns := (customer_id, card_type, credit_limit, account_open_date, snapshot_date)
    )
  ),
  description 'The latest snapshot of every customer ever received, with standardized types: the set of known customers. A customer missing from the newest snapshot (the latest snapshot date received for anyone) stays known and current with the values of their own latest snapshot; is_in_latest_snapshot = FALSE flags it and observability.data_quality_metrics counts it (missing_from_snapshot).',
  column_descriptions (
    customer_id = 'Natural key of the customer.',
    first_name = 'First name.',
    last_name = 'Last name.',
    email = 'E-mail address (lower case).',
    age = 'Age in years at the latest snapshot.',
    state = 'US state code.',
    city = 'City.',
    employment_status = 'Employed, Self-Employed, Retired or Unemployed.',
    card_type = 'Card product at the latest snapshot: Standard or Premium.',
    credit_limit = 'Credit limit in USD at the latest snapshot.',
    account_open_date = 'Date the account was opened.',
    source_customer_segment = 'Segment label sent by the source system (not used by gold).',
    first_snapshot_date = 'Date of the first snapshot that listed the customer.',
    snapshot_date = 'Date of the latest snapshot that listed the customer.',
    snapshot_count = 'Number of snapshots that listed the customer.',
    ingestion_timestamp = 'When the latest snapshot row was loaded.',
    source_file = 'Landing-zone file of the latest snapshot row.',
    is_in_latest_snapshot = 'TRUE when the newest snapshot received (the latest snapshot_date of any customer) lists the customer; FALSE = missing from it, the values are those of an older snapshot.'
  ),
  columns (
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
    source_customer_segment VARCHAR,
    first_snapshot_date DATE,
    snapshot_date DATE,
    snapshot_count INT,
    ingestion_timestamp TIMESTAMP,
    source_file VARCHAR,
    is_in_latest_snapshot BOOLEAN
  )
);

WITH silver_customer_snapshots AS (
  SELECT
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
    source_customer_segment,
    snapshot_date,
    ingestion_timestamp,
    source_file
  FROM silver.silver_customer_snapshots
), snapshots_ranked AS (
  SELECT
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
    source_customer_segment,
    MIN(snapshot_date) OVER (PARTITION BY customer_id) AS first_snapshot_date,
    snapshot_date,
    COUNT(*) OVER (PARTITION BY customer_id) AS snapshot_count,
    ingestion_timestamp,
    source_file,
    snapshot_date = MAX(snapshot_date) OVER () AS is_in_latest_snapshot
  FROM silver_customer_snapshots
  QUALIFY
    ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY snapshot_date DESC) = 1
)
SELECT
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
  source_customer_segment::VARCHAR AS source_customer_segment,
  first_snapshot_date::DATE AS first_snapshot_date,
  snapshot_date::DATE AS snapshot_date,
  snapshot_count::INT AS snapshot_count,
  ingestion_timestamp::TIMESTAMP AS ingestion_timestamp,
  source_file::VARCHAR AS source_file,
  is_in_latest_snapshot::BOOLEAN AS is_in_latest_snapshot
FROM snapshots_ranked