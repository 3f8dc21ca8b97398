MODEL (
  name gold.metric_mom_spend_change,
  kind INCREMENTAL_BY_UNIQUE_KEY (
    unique_key (customer_id, month)
  ),
  grain (customer_id, month),
  tags (gold, marketing, metric),
  audits (
    unique_combination_of_columns(
      columns := (customer_id, month),
      condition := @recomputed_customers_only('changes')
    ),
    not_null(
      columns := (
        customer_id,
        month,
        monthly_spend,
        projected_monthly_spend,
        transaction_count,
        days_observed,
        is_complete_month
      ),
      condition := @recomputed_customers_only('changes')
    ),
    assert_one_month_in_progress
  ),
  description 'Hero metric 2 (spec 3.6): spend per customer per calendar month with the change from the prior month. Every month from the later of the account opening and the start of the data to the month in progress is present; a month without spend counts as 0. The month in progress (the data ends before its last day) is flagged is_complete_month = FALSE and its mom_change_pct compares the month-to-date run rate (projected_monthly_spend) with the prior month, so a partial month does not read as a decline. Rules that need whole months use complete months only. Incremental: each run recomputes every month of the customers gold.customer_changes lists for the processed interval (a new data day lists everyone: the month in progress and days_observed move with the clock), from customer_monthly_spend; the other customers'' rows stay. A customer''s months are replaced whole (the pre-statement deletes them first): facts are only added and the clock only moves forward, so months are normally only added, but an account opening corrected to a later month removes months, which a merge alone would keep.',
  column_descriptions (
    customer_id = 'Natural key of the customer.',
    month = 'First day of the calendar month.',
    monthly_spend = 'Sum of transaction amounts in the month (month to date for the month in progress); 0 without spend.',
    transaction_count = 'Number of transactions in the month.',
    days_observed = 'Days of the month covered by the data (the whole month once it is complete).',
    days_in_month = 'Calendar days in the month.',
    is_complete_month = 'TRUE when the data covers the whole month.',
    projected_monthly_spend = 'monthly_spend for complete months; month-to-date spend scaled to the whole month for the month in progress.',
    prior_month_spend = 'Spend of the previous month (NULL for the first month).',
    mom_change_pct = 'Percent change from the prior month: (projected_monthly_spend - prior_month_spend) / prior_month_spend * 100; NULL when the prior month had no spend.'
  ),
  columns (
    customer_id VARCHAR,
    month DATE,
    monthly_spend DECIMAL(12, 2),
    transaction_count INT,
    days_observed INT,
    days_in_month INT,
    is_complete_month BOOLEAN,
    projected_monthly_spend DECIMAL(12, 2),
    prior_month_spend DECIMAL(12, 2),
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
), customer_monthly_spend AS (
  SELECT
    customer_id,
    month,
    monthly_spend,
    transaction_count
  FROM gold.customer_monthly_spend
), silver_customers AS (
  SELECT
    customer_id,
    account_open_date
  FROM silver.silver_customers
), data_clock AS (
  SELECT
    first_data_month,
    as_of_date
  FROM gold.data_clock
), dim_date AS (
  SELECT
    month_start_date
  FROM gold.dim_date
), calendar_months AS (
  /* every month of the data, up to the month in progress (a few dozen rows) */
  SELECT DISTINCT
    dim_date.month_start_date AS month,
    data_clock.as_of_date
  FROM dim_date
  CROSS JOIN data_clock
  WHERE
    dim_date.month_start_date >= data_clock.first_data_month
    AND dim_date.month_start_date < data_clock.as_of_date
), customer_months AS (
  SELECT
    silver_customers.customer_id,
    calendar_months.month,
    calendar_months.as_of_date
  FROM silver_customers
  INNER JOIN customer_changes
    ON silver_customers.customer_id = customer_changes.customer_id
  INNER JOIN calendar_months
    ON calendar_months.month >= DATE_TRUNC('MONTH', silver_customers.account_open_date)::DATE
), monthly_totals AS (
  SELECT
    customer_id,
    month,
    monthly_spend,
    transaction_count
  FROM customer_monthly_spend
), months_measured AS (
  SELECT
    customer_months.customer_id,
    customer_months.month,
    COALESCE(monthly_totals.monthly_spend, 0) AS monthly_spend,
    COALESCE(monthly_totals.transaction_count, 0) AS transaction_count,
    DATEDIFF(
      DAY,
      customer_months.month,
      LEAST(DATEADD(MONTH, 1, customer_months.month)::DATE, customer_months.as_of_date)
    ) AS days_observed,
    DATEDIFF(DAY, customer_months.month, DATEADD(MONTH, 1, customer_months.month)::DATE) AS days_in_month
  FROM customer_months
  LEFT JOIN monthly_totals
    ON customer_months.customer_id = monthly_totals.customer_id
    AND customer_months.month = monthly_totals.month
), months_projected AS (
  SELECT
    customer_id,
    month,
    monthly_spend,
    transaction_count,
    days_observed,
    days_in_month,
    days_observed = days_in_month AS is_complete_month,
    monthly_spend * days_in_month / days_observed AS projected_monthly_spend,
    LAG(monthly_spend) OVER (PARTITION BY customer_id ORDER BY month) AS prior_month_spend
  FROM months_measured
)
SELECT
  customer_id::VARCHAR AS customer_id,
  month::DATE AS month,
  monthly_spend::DECIMAL(12, 2) AS monthly_spend,
  transaction_count::INT AS transaction_count,
  days_observed::INT AS days_observed,
  days_in_month::INT AS days_in_month,
  is_complete_month::BOOLEAN AS is_complete_month,
  projected_monthly_spend::DECIMAL(12, 2) AS projected_monthly_spend,
  prior_month_spend::DECIMAL(12, 2) AS prior_month_spend,
  ROUND(
    (
      projected_monthly_spend - prior_month_spend
    ) / NULLIF(prior_month_spend, 0) * 100,
    2
  )::DECIMAL(12, 2) AS mom_change_pct
FROM months_projected