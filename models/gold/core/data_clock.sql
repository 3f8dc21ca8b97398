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
    last_transaction_at = 'Time of the latest transaction in the facts.'
  )
);

WITH customer_monthly_spend AS (
  SELECT
    month,
    last_transaction_at
  FROM gold.customer_monthly_spend
), clock_measured AS (
  /* the data ends at the last transaction day: the next day is the as-of date */
  SELECT
    MIN(month) AS first_data_month,
    MAX(last_transaction_at) AS last_transaction_at,
    DATEADD(DAY, 1, MAX(last_transaction_at)::DATE)::DATE AS as_of_date
  FROM customer_monthly_spend
)
SELECT
  as_of_date::DATE AS as_of_date,
  DATE_TRUNC('MONTH', as_of_date::DATE)::DATE AS current_month_start,
  first_data_month::DATE AS first_data_month,
  last_transaction_at::TIMESTAMP AS last_transaction_at
FROM clock_measured