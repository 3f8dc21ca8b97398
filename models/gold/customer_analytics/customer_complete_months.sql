MODEL (
  name gold.customer_complete_months,
  kind INCREMENTAL_BY_UNIQUE_KEY (
    unique_key (customer_id, month)
  ),
  grain (customer_id, month),
  tags (gold, customer_analytics, churn),
  audits (
    unique_combination_of_columns(
      columns := (customer_id, month),
      condition := @recomputed_customers_only('changes')
    ),
    not_null(
      columns := (customer_id, month, months_ago, monthly_spend, transaction_count),
      condition := @recomputed_customers_only('changes')
    )
  ),
  description 'The complete calendar months of every customer (metric_mom_spend_change without the month in progress), numbered back from the latest: months_ago = 1 is the last complete month. The one definition of "the last N complete months" that the churn features and the spend-decline alerts count with. Materialized once per run: both marts, its audits and the serving copy read the table instead of recomputing the window. Incremental like metric_mom_spend_change: the customers gold.customer_changes lists for the processed interval get all their months replaced (the pre-statement deletes them first, then they are numbered again: a new complete month renumbers every month of the customer, and a new month completes only with a clock move, which lists everyone); the other customers'' rows stay.',
  column_descriptions (
    customer_id = 'Natural key of the customer.',
    month = 'First day of the calendar month (a complete month).',
    months_ago = 'Position counted back from the customer''s latest complete month: 1 = the last complete month, 2 = the one before, ...',
    monthly_spend = 'Sum of transaction amounts in the month, USD; 0 without spend.',
    transaction_count = 'Number of transactions in the month.',
    mom_change_pct = 'Percent change from the prior month (metric_mom_spend_change.mom_change_pct); NULL when the prior month had no spend.'
  ),
  columns (
    customer_id VARCHAR,
    month DATE,
    months_ago INT,
    monthly_spend DECIMAL(12, 2),
    transaction_count INT,
    mom_change_pct DECIMAL(12, 2)
  )
);

@delete_from_this_model(
  customer_id IN (
    SELECT
      customer_id
    FROM gold.customer_changes
    WHERE
      changed_at BETWEEN @start_ts AND @end_ts
  )
);

WITH customer_changes AS (
  /* the customers whose inputs changed in the processed interval: only they are recomputed */
  SELECT DISTINCT
    customer_id
  FROM gold.customer_changes
  WHERE
    changed_at BETWEEN @start_ts AND @end_ts
), metric_mom_spend_change AS (
  SELECT
    customer_id,
    month,
    monthly_spend,
    transaction_count,
    is_complete_month,
    mom_change_pct
  FROM gold.metric_mom_spend_change
), complete_months_ranked AS (
  SELECT
    metric_mom_spend_change.customer_id,
    metric_mom_spend_change.month,
    metric_mom_spend_change.monthly_spend,
    metric_mom_spend_change.transaction_count,
    metric_mom_spend_change.mom_change_pct,
    ROW_NUMBER() OVER (
      PARTITION BY metric_mom_spend_change.customer_id
      ORDER BY metric_mom_spend_change.month DESC
    ) AS months_ago
  FROM metric_mom_spend_change
  INNER JOIN customer_changes
    ON metric_mom_spend_change.customer_id = customer_changes.customer_id
  WHERE
    metric_mom_spend_change.is_complete_month
)
SELECT
  customer_id::VARCHAR AS customer_id,
  month::DATE AS month,
  months_ago::INT AS months_ago,
  monthly_spend::DECIMAL(12, 2) AS monthly_spend,
  transaction_count::INT AS transaction_count,
  mom_change_pct::DECIMAL(12, 2) AS mom_change_pct
FROM complete_months_ranked