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
  description 'Every customer snapshot received, standardized and deduplicated: one row per customer per snapshot date. The input of the SCD2 history and of silver_customers. Which copy is kept when a customer appears more than once for one snapshot date: the latest load wins (a re-sent file is a correction), then the later file name; copies inside that one file are decided by their values, never by their order in the file: the higher credit limit, then Premium over Standard, then the remaining columns in ascending order (card type, account open date, age, e-mail, first name, last name, state, city, employment status, source segment), so identical values are the only tie. Copies inside the kept file are flagged: copies_received counts them and has_conflicting_copies marks copies that disagree in any attribute; observability.data_quality_metrics counts both (duplicate, conflict) per load.',
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
    first_ingestion_timestamp = 'When the customer''s snapshot of this date first loaded: a re-sent or corrected copy replaces the row (ingestion_timestamp) but keeps this, so the SCD2 version the snapshot opened is dated by its first arrival whatever the order of the builds.',
    source_file = 'Landing-zone file the row came from.',
    copies_received = 'Rows for this customer and snapshot date in the kept row''s file (same load): 1 = no duplicate. Copies in earlier loads are superseded, not counted.',
    has_conflicting_copies = 'TRUE when those copies disagree in any attribute (after standardization); the kept row follows the rule in the model description.'
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
    snapshot_date DATE,
    ingestion_timestamp TIMESTAMP,
    first_ingestion_timestamp TIMESTAMP,
    source_file VARCHAR,
    copies_received INT,
    has_conflicting_copies BOOLEAN
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
), snapshots_hashed AS (
  /* one value per set of attributes: copies that disagree have different hashes */
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
    source_file,
    HASH(
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
      source_customer_segment
    ) AS attributes_hash
  FROM customers_standardized
), snapshots_deduplicated AS (
  /* a re-sent snapshot file: the latest load of a snapshot date wins (corrections);
     copies inside that file are compared, and decided by their values (see the
     description), so the kept row never depends on the order of the lines in the file */
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
    source_file,
    MIN(ingestion_timestamp) OVER (PARTITION BY customer_id, snapshot_date) AS first_ingestion_timestamp,
    COUNT(*) OVER (PARTITION BY customer_id, snapshot_date, ingestion_timestamp, source_file) AS copies_received,
    MIN(attributes_hash) OVER (PARTITION BY customer_id, snapshot_date, ingestion_timestamp, source_file) <> MAX(attributes_hash) OVER (PARTITION BY customer_id, snapshot_date, ingestion_timestamp, source_file) AS has_conflicting_copies
  FROM snapshots_hashed
  QUALIFY
    ROW_NUMBER() OVER (
      PARTITION BY customer_id, snapshot_date
      ORDER BY ingestion_timestamp DESC, source_file DESC, credit_limit DESC NULLS LAST, card_type = 'Premium' DESC NULLS LAST, card_type, account_open_date, age, email, first_name, last_name, state, city, employment_status, source_customer_segment
    ) = 1
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
  snapshot_date::DATE AS snapshot_date,
  ingestion_timestamp::TIMESTAMP AS ingestion_timestamp,
  first_ingestion_timestamp::TIMESTAMP AS first_ingestion_timestamp,
  source_file::VARCHAR AS source_file,
  copies_received::INT AS copies_received,
  has_conflicting_copies::BOOLEAN AS has_conflicting_copies
FROM snapshots_deduplicated