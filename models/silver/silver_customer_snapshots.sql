MODEL (
  name silver.silver_customer_snapshots,
  kind VIEW,
  owner data_engineering,
  allow_partials FALSE,
  grain (customer_id, snapshot_date),
  tags (silver, customers),
  audits (
    unique_combination_of_columns(columns := (customer_id, snapshot_date)),
    not_null(columns := (customer_id, snapshot_date, card_type, credit_limit))
  ),
  description 'Every customer snapshot received, standardized and deduplicated: one row per customer per snapshot date. The input of the SCD2 history and of silver_customers.',
  column_descriptions (
    customer_id = 'Natural key of the customer (CUST + 8 digits).',
    first_name = 'First name, trimmed.',
    last_name = 'Last name, trimmed.',
    email = 'E-mail address, trimmed and lower-cased.',
    age = 'Age in years at the snapshot.',
    state = 'US state code, upper-cased.',
    city = 'City, trimmed.',
    employment_status = 'Employed, Self-Employed, Retired or Unemployed.',
    card_type = 'Card product: Standard or Premium.',
    credit_limit = 'Credit limit in USD.',
    account_open_date = 'Date the account was opened.',
    source_customer_segment = 'Segment label sent by the source system (kept for comparison; gold uses the rule-based segment).',
    snapshot_date = 'Date the snapshot describes: from the file name customers_YYYY-MM-DD, else the load date.',
    ingestion_timestamp = 'When the loader appended the row to bronze.',
    source_file = 'Landing-zone file the row came from.'
  )
);

WITH bronze_customers AS (
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
    customer_segment,
    ingestion_timestamp,
    source_file
  FROM bronze.bronze_customers
), customers_standardized AS (
  SELECT
    UPPER(TRIM(customer_id)) AS customer_id,
    TRIM(first_name) AS first_name,
    TRIM(last_name) AS last_name,
    LOWER(TRIM(email)) AS email,
    age::INT AS age,
    UPPER(TRIM(state)) AS state,
    TRIM(city) AS city,
    TRIM(employment_status) AS employment_status,
    CASE UPPER(TRIM(card_type))
      WHEN 'PREMIUM'
      THEN 'Premium'
      WHEN 'STANDARD'
      THEN 'Standard'
      ELSE TRIM(card_type)
    END AS card_type,
    credit_limit::DECIMAL(10, 2) AS credit_limit,
    account_open_date::DATE AS account_open_date,
    TRIM(customer_segment) AS source_customer_segment,
    COALESCE(
      TRY_TO_DATE(
        REGEXP_SUBSTR(source_file, 'customers_([0-9]{4}-[0-9]{2}-[0-9]{2})', 1, 1, 'e', 1)
      ),
      ingestion_timestamp::DATE
    ) AS snapshot_date,
    ingestion_timestamp::TIMESTAMP AS ingestion_timestamp,
    source_file
  FROM bronze_customers
  WHERE
    NOT customer_id IS NULL
), snapshots_deduplicated AS (
  /* a re-sent snapshot file: the latest load of a snapshot date wins (corrections) */
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
  FROM customers_standardized
  QUALIFY
    ROW_NUMBER() OVER (
      PARTITION BY customer_id, snapshot_date
      ORDER BY ingestion_timestamp DESC, source_file DESC
    ) = 1
)
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
FROM snapshots_deduplicated