MODEL (
  name gold.data_clock,
  kind FULL,
  grain as_of_date,
  tags (gold, core, clock),
  audits (
    unique_values(columns := (
      as_of_date
    )),
    not_null(
      columns := (as_of_date, current_month_start, first_data_month, last_transaction_at)
    )
  ),
  description 'The data clock, one row: what "now" means for every mart. The as-of date is the day after the latest transaction in the facts, not the wall clock, so a re-run without new data changes nothing. Marts that measure recency, months in progress or the segmentation window read it instead of computing their own.',
  column_descriptions (
    as_of_date = 'Day after the latest transaction: the data covers every day before it.',
    current_month_start = 'First day of the month of as_of_date: the month in progress (the segmentation window ends the day before; customer_segments.segment_assigned_date).',
    first_data_month = 'First day of the earliest month with a transaction.',
    last_transaction_at = 'Time of the latest transaction in the facts (a future-dated one counts at its load time).'
  ),
  columns (
    as_of_date DATE,
    current_month_start DATE,
    first_data_month DATE,
    last_transaction_at TIMESTAMP
  )
);

WITH fact_transaction AS (
  SELECT
    transaction_date,
    ingestion_timestamp
  FROM gold.fact_transaction
), clock_measured AS (
  /* the data ends at the last transaction day: the next day is the as-of date. A transaction
     dated after its own load (a wrong clock at the source, flagged is_future_dated in silver)
     counts at its load time, so the clock never runs ahead of the loads */
  SELECT
    DATE_TRUNC('MONTH', MIN(transaction_date))::DATE AS first_data_month,
    MAX(LEAST(transaction_date, ingestion_timestamp)) AS last_transaction_at,
    DATEADD(DAY, 1, MAX(LEAST(transaction_date, ingestion_timestamp))::DATE)::DATE AS as_of_date
  FROM fact_transaction
)
SELECT
  as_of_date::DATE AS as_of_date,
  DATE_TRUNC('MONTH', as_of_date::DATE)::DATE AS current_month_start,
  first_data_month::DATE AS first_data_month,
  last_transaction_at::TIMESTAMP AS last_transaction_at
FROM clock_measured