MODEL (
  name gold.customer_segments,
  kind FULL,
  owner analytics_engineering,
  cron '@hourly',
  allow_partials TRUE,
  grain customer_id,
  tags (gold, customer_analytics, segmentation),
  audits (
    unique_values(columns := (
      customer_id
    )),
    not_null(columns := (customer_id, customer_segment, segment_assigned_date, segment_rule)),
    accepted_values(
      column := customer_segment,
      is_in := (
        'High-Value Travelers',
        'Stable Mid-Spenders',
        'Budget-Conscious',
        'Declining',
        'New & Growing'
      )
    ),
    assert_segment_shares_near_target(blocking := FALSE)
  ),
  description 'Rule-based segmentation of every known customer (spec 3.5), recalculated monthly on a rolling 90-day window: the 90 days before the first day of the month in progress (segment_assigned_date), so the segments change at a month boundary, not with every batch. Rules, first match wins: (1) Declining: spend in the window is at least 30% below the daily rate of the 180 days before it AND so is the number of transactions (spend alone is too noisy: one large ticket moves it); (2) New & Growing: account younger than 24 months whose window spend is at least 50% above its first 90 days (or younger than 6 months, too new to measure); (3) High-Value Travelers: average monthly spend in the window > $5,000 and > 30% of it in the Travel group; (4) Budget-Conscious: average monthly spend < $1,500; (5) Stable Mid-Spenders: everyone else. On generated portfolios the shares land within 5 points of 15/40/25/10/10.',
  column_descriptions (
    customer_id = 'Natural key of the customer.',
    customer_segment = 'High-Value Travelers, Stable Mid-Spenders, Budget-Conscious, Declining or New & Growing.',
    segment_rule = 'Which rule assigned the segment, with its measured values.',
    segment_assigned_date = 'First day of the month the segmentation describes; the window ends the day before.',
    window_start_date = 'First day of the 90-day window.',
    spend_90d = 'Spend in the window, USD.',
    transactions_90d = 'Transactions in the window.',
    avg_monthly_spend_90d = 'Spend in the window per average month (x 30.4375 / 90), USD.',
    travel_spend_pct_90d = 'Share of the window spend in the Travel group (Airlines, Hotels, Travel, Car Rental), percent.',
    baseline_monthly_spend = 'Monthly spend rate in the 180 days before the window, USD.',
    spend_change_pct = 'Window spend rate against the baseline rate, percent.',
    transaction_change_pct = 'Window transaction rate against the baseline rate, percent.',
    tenure_months = 'Whole months from account opening to segment_assigned_date.',
    growth_since_opening_pct = 'Window spend rate against the first 90 days of the account, percent (accounts younger than 24 months).'
  )
);

WITH fact_transaction AS (
  SELECT
    customer_id,
    merchant_category_key,
    transaction_date,
    transaction_amount
  FROM gold.fact_transaction
), dim_merchant_category AS (
  SELECT
    category_key,
    is_travel
  FROM gold.dim_merchant_category
), silver_customers AS (
  SELECT
    customer_id,
    account_open_date
  FROM silver.silver_customers
), segmentation_window AS (
  /* monthly cadence: the window ends where the month in progress begins */
  SELECT
    DATE_TRUNC('MONTH', DATEADD(DAY, 1, MAX(transaction_date)::DATE)::DATE)::DATE AS segment_assigned_date
  FROM fact_transaction
), customer_windows AS (
  SELECT
    silver_customers.customer_id,
    silver_customers.account_open_date,
    segmentation_window.segment_assigned_date,
    DATEADD(DAY, -90, segmentation_window.segment_assigned_date)::DATE AS window_start_date,
    DATEADD(DAY, -270, segmentation_window.segment_assigned_date)::DATE AS baseline_start_date,
    DATEADD(DAY, 90, silver_customers.account_open_date)::DATE AS early_end_date,
    IFF(
      silver_customers.account_open_date > DATEADD(MONTH, -24, segmentation_window.segment_assigned_date)::DATE,
      LEAST(
        silver_customers.account_open_date,
        DATEADD(DAY, -270, segmentation_window.segment_assigned_date)::DATE
      ),
      DATEADD(DAY, -270, segmentation_window.segment_assigned_date)::DATE
    ) AS scan_start_date /* young accounts also need their first 90 days, which may precede the baseline */
  FROM silver_customers
  CROSS JOIN segmentation_window
), window_spend AS (
  SELECT
    customer_windows.customer_id,
    SUM(
      IFF(
        fact_transaction.transaction_date >= customer_windows.window_start_date,
        fact_transaction.transaction_amount,
        0
      )
    ) AS spend_90d,
    COUNT_IF(fact_transaction.transaction_date >= customer_windows.window_start_date) AS transactions_90d,
    SUM(
      IFF(
        fact_transaction.transaction_date >= customer_windows.window_start_date
        AND dim_merchant_category.is_travel,
        fact_transaction.transaction_amount,
        0
      )
    ) AS travel_spend_90d,
    SUM(
      IFF(
        fact_transaction.transaction_date >= customer_windows.baseline_start_date
        AND fact_transaction.transaction_date < customer_windows.window_start_date,
        fact_transaction.transaction_amount,
        0
      )
    ) AS baseline_spend_180d,
    COUNT_IF(
      fact_transaction.transaction_date >= customer_windows.baseline_start_date
      AND fact_transaction.transaction_date < customer_windows.window_start_date
    ) AS baseline_transactions_180d,
    SUM(
      IFF(
        fact_transaction.transaction_date < LEAST(customer_windows.early_end_date, customer_windows.window_start_date),
        fact_transaction.transaction_amount,
        0
      )
    ) AS early_spend_90d
  FROM customer_windows
  INNER JOIN fact_transaction
    ON customer_windows.customer_id = fact_transaction.customer_id
    AND fact_transaction.transaction_date >= customer_windows.scan_start_date
    AND fact_transaction.transaction_date < customer_windows.segment_assigned_date
  INNER JOIN dim_merchant_category
    ON fact_transaction.merchant_category_key = dim_merchant_category.category_key
  GROUP BY
    customer_windows.customer_id
), customers_measured AS (
  SELECT
    customer_windows.customer_id,
    customer_windows.segment_assigned_date,
    customer_windows.window_start_date,
    COALESCE(window_spend.spend_90d, 0) AS spend_90d,
    COALESCE(window_spend.transactions_90d, 0) AS transactions_90d,
    COALESCE(window_spend.spend_90d, 0) * 30.4375 / 90 AS avg_monthly_spend_90d,
    COALESCE(window_spend.travel_spend_90d, 0) * 100 / NULLIF(window_spend.spend_90d, 0) AS travel_spend_pct_90d,
    COALESCE(window_spend.baseline_spend_180d, 0) * 30.4375 / 180 AS baseline_monthly_spend,
    (
      COALESCE(window_spend.spend_90d, 0) / 90
    ) / NULLIF(window_spend.baseline_spend_180d / 180, 0) * 100 - 100 AS spend_change_pct,
    (
      COALESCE(window_spend.transactions_90d, 0) / 90
    ) / NULLIF(window_spend.baseline_transactions_180d / 180, 0) * 100 - 100 AS transaction_change_pct,
    DATEDIFF(MONTH, customer_windows.account_open_date, customer_windows.segment_assigned_date) AS tenure_months,
    IFF(
      DATEDIFF(MONTH, customer_windows.account_open_date, customer_windows.segment_assigned_date) < 24,
      COALESCE(window_spend.spend_90d, 0) / NULLIF(window_spend.early_spend_90d, 0) * 100 - 100,
      NULL
    ) AS growth_since_opening_pct
  FROM customer_windows
  LEFT JOIN window_spend
    ON customer_windows.customer_id = window_spend.customer_id
), customers_segmented AS (
  SELECT
    customer_id,
    CASE
      WHEN spend_change_pct <= -30 AND transaction_change_pct <= -30
      THEN 'Declining'
      WHEN tenure_months < 24 AND (
        tenure_months < 6 OR growth_since_opening_pct >= 50
      )
      THEN 'New & Growing'
      WHEN avg_monthly_spend_90d > 5000 AND travel_spend_pct_90d > 30
      THEN 'High-Value Travelers'
      WHEN avg_monthly_spend_90d < 1500
      THEN 'Budget-Conscious'
      ELSE 'Stable Mid-Spenders'
    END AS customer_segment,
    CASE
      WHEN spend_change_pct <= -30 AND transaction_change_pct <= -30
      THEN 'spend ' || ROUND(spend_change_pct, 0)::VARCHAR || '% and transactions ' || ROUND(transaction_change_pct, 0)::VARCHAR || '% vs the prior 180 days'
      WHEN tenure_months < 24 AND tenure_months < 6
      THEN 'account opened ' || tenure_months::VARCHAR || ' months ago'
      WHEN tenure_months < 24 AND growth_since_opening_pct >= 50
      THEN 'account ' || tenure_months::VARCHAR || ' months old, spend +' || ROUND(growth_since_opening_pct, 0)::VARCHAR || '% since its first 90 days'
      WHEN avg_monthly_spend_90d > 5000 AND travel_spend_pct_90d > 30
      THEN '$' || ROUND(avg_monthly_spend_90d, 0)::VARCHAR || '/month, ' || ROUND(travel_spend_pct_90d, 0)::VARCHAR || '% travel'
      WHEN avg_monthly_spend_90d < 1500
      THEN '$' || ROUND(avg_monthly_spend_90d, 0)::VARCHAR || '/month'
      ELSE '$' || ROUND(avg_monthly_spend_90d, 0)::VARCHAR || '/month, no other rule'
    END AS segment_rule,
    segment_assigned_date,
    window_start_date,
    spend_90d,
    transactions_90d,
    avg_monthly_spend_90d,
    travel_spend_pct_90d,
    baseline_monthly_spend,
    spend_change_pct,
    transaction_change_pct,
    tenure_months,
    growth_since_opening_pct
  FROM customers_measured
)
SELECT
  customer_id::VARCHAR AS customer_id,
  customer_segment::VARCHAR AS customer_segment,
  segment_rule::VARCHAR AS segment_rule,
  segment_assigned_date::DATE AS segment_assigned_date,
  window_start_date::DATE AS window_start_date,
  spend_90d::DECIMAL(14, 2) AS spend_90d,
  transactions_90d::INT AS transactions_90d,
  ROUND(avg_monthly_spend_90d, 2)::DECIMAL(12, 2) AS avg_monthly_spend_90d,
  ROUND(travel_spend_pct_90d, 2)::DECIMAL(5, 2) AS travel_spend_pct_90d,
  ROUND(baseline_monthly_spend, 2)::DECIMAL(12, 2) AS baseline_monthly_spend,
  ROUND(spend_change_pct, 2)::DECIMAL(12, 2) AS spend_change_pct,
  ROUND(transaction_change_pct, 2)::DECIMAL(12, 2) AS transaction_change_pct,
  tenure_months::INT AS tenure_months,
  ROUND(growth_since_opening_pct, 2)::DECIMAL(12, 2) AS growth_since_opening_pct
FROM customers_segmented