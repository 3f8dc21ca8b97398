MODEL (
  name silver.silver_campaign_assignments,
  kind FULL,
  owner data_engineering,
  grain (campaign_name, customer_id),
  tags (silver, marketing),
  audits (
    unique_combination_of_columns(columns := (campaign_name, customer_id)),
    not_null(columns := (campaign_name, customer_id, treatment_group, offer_date)),
    accepted_values(column := treatment_group, is_in := ('treatment', 'control'))
  ),
  description 'Campaign membership from the marketing system, standardized: one row per campaign and customer (the latest load wins when a list is re-sent).',
  column_descriptions (
    campaign_name = 'Campaign identifier, e.g. retention_offer_month16.',
    customer_id = 'Customer in the campaign.',
    treatment_group = 'treatment (received the offer) or control (did not).',
    offer_date = 'Day the offer was made (first day of month 16 for the retention offer).',
    offer_type = 'What was offered, e.g. $50 cashback on next $500 spend.',
    cost_per_customer = 'Cost of the offer per treated customer, USD.',
    ingestion_timestamp = 'When the row was loaded into bronze.',
    source_file = 'Landing-zone file of the row.'
  ),
  columns (
    campaign_name VARCHAR,
    customer_id VARCHAR,
    treatment_group VARCHAR,
    offer_date DATE,
    offer_type VARCHAR,
    cost_per_customer DECIMAL(10, 2),
    ingestion_timestamp TIMESTAMP,
    source_file VARCHAR
  )
);

WITH bronze_campaign_assignments AS (
  SELECT
    campaign_name,
    customer_id,
    treatment_group,
    offer_date,
    offer_type,
    cost_per_customer,
    ingestion_timestamp,
    source_file
  FROM bronze.bronze_campaign_assignments
), assignments_standardized AS (
  SELECT
    TRIM(campaign_name) AS campaign_name,
    UPPER(TRIM(customer_id)) AS customer_id,
    LOWER(TRIM(treatment_group)) AS treatment_group,
    offer_date,
    TRIM(offer_type) AS offer_type,
    cost_per_customer,
    ingestion_timestamp,
    source_file
  FROM bronze_campaign_assignments
  WHERE
    NOT campaign_name IS NULL AND NOT customer_id IS NULL
  QUALIFY
    ROW_NUMBER() OVER (
      PARTITION BY TRIM(campaign_name), UPPER(TRIM(customer_id))
      ORDER BY ingestion_timestamp DESC, source_file DESC
    ) = 1
)
SELECT
  campaign_name::VARCHAR AS campaign_name,
  customer_id::VARCHAR AS customer_id,
  treatment_group::VARCHAR AS treatment_group,
  offer_date::DATE AS offer_date,
  offer_type::VARCHAR AS offer_type,
  cost_per_customer::DECIMAL(10, 2) AS cost_per_customer,
  ingestion_timestamp::TIMESTAMP AS ingestion_timestamp,
  source_file::VARCHAR AS source_file
FROM assignments_standardized