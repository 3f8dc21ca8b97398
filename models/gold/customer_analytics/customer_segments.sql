MODEL (
  name gold.customer_segments,
  kind INCREMENTAL_BY_UNIQUE_KEY (
    unique_key customer_id
  ),
  grain customer_id,
  tags (gold, customer_analytics, segmentation),
  depends_on (
    silver.silver_segment_targets
  ),
  audits (
    unique_values(columns := (
      customer_id
    ), condition := @recomputed_customers_only('changes')),
    not_null(
      columns := (customer_id, customer_segment, segment_assigned_date, segment_rule),
      condition := @recomputed_customers_only('changes')
    ),
    accepted_values(
      column := customer_segment,
      is_in := (
        'High-Value Travelers',
        'Stable Mid-Spenders',
        'Budget-Conscious',
        'Declining',
        'New & Growing'
      ),
      condition := @recomputed_customers_only('changes')
    ),
    assert_segment_shares_near_target(blocking := FALSE)
  ),
  description 'Rule-based segmentation of every known customer (spec 3.5), recalculated monthly on a rolling 90-day window: the 3 calendar months (89-92 days) before the month in progress, whose first day is segment_assigned_date, so segments change at a month boundary, not with every batch. Rules, first match wins: (1) Declining: average monthly spend in the window down by the decline threshold or more against the 6 months before it (spend_change_pct <= variable spend_decline_threshold_pct, -30 %) AND the monthly number of transactions too (spend alone is noisy: one large ticket moves it); (2) New & Growing: account younger than 24 months whose window spend is at least 50% above its first 3 months (or younger than 6 months, too new to measure); (3) High-Value Travelers: average monthly spend in the window > $5,000 with > 30% of it in the Travel group; (4) Budget-Conscious: average monthly spend < $1,500; (5) Stable Mid-Spenders: everyone else. On generated portfolios the shares land within 5 points of the target mix (seed silver.silver_segment_targets; audit assert_segment_shares_near_target, which is why the model depends on the seed). Incremental: each run recomputes only the customers gold.customer_changes lists for the processed interval, from their whole history in customer_monthly_spend (a new data day lists everyone, so a new month moves every window at once); the other customers'' rows stay. Every known customer keeps exactly one row.',
  column_descriptions (
    customer_id = 'Natural key of the customer.',
    customer_segment = 'High-Value Travelers, Stable Mid-Spenders, Budget-Conscious, Declining or New & Growing.',
    segment_rule = 'Which rule assigned the segment, with its measured values.',
    segment_assigned_date = 'First day of the month the segmentation describes; the window ends the day before.',
    window_start_date = 'First day of the window (3 calendar months before segment_assigned_date).',
    spend_90d = 'Spend in the window, USD.',
    transactions_90d = 'Transactions in the window.',
    avg_monthly_spend_90d = 'Spend in the window per month, USD.',
    travel_spend_pct_90d = 'Share of the window spend in the Travel group (Airlines, Hotels, Travel, Car Rental), percent.',
    prior_6m_monthly_spend = 'Average monthly spend in the 6 calendar months before the window, USD.',
    spend_change_pct = 'Window monthly spend (avg_monthly_spend_90d) against prior_6m_monthly_spend, percent.',
    transaction_change_pct = 'Window monthly transactions against those of the 6 months before the window, percent.',
    tenure_months = 'Whole months from account opening to segment_assigned_date.',
    growth_since_opening_pct = 'Window monthly spend against the account''s first 3 calendar months, percent (accounts younger than 24 months).'
  ),
  columns (
    customer_id VARCHAR,
    customer_segment VARCHAR,
    segment_rule VARCHAR,
    segment_assigned_date DATE,
    window_start_date DATE,
    spend_90d DECIMAL(14, 2),
    transactions_90d INT,
    avg_monthly_spend_90d DECIMAL(12, 2),
    travel_spend_pct_90d DECIMAL(5, 2),
    prior_6m_monthly_spend DECIMAL(12, 2),
    spend_change_pct DECIMAL(12, 2),
    transaction_change_pct DECIMAL(12, 2),
    tenure_months INT,
    growth_since_opening_pct DECIMAL(12, 2)
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
    transaction_count,
    travel_spend
  FROM gold.customer_monthly_spend
), silver_customers AS (
  SELECT
    customer_id,
    account_open_date
  FROM silver.silver_customers
), data_clock AS (
  SELECT
    current_month_start
  FROM gold.data_clock
), customer_windows AS (
  /* monthly cadence: the window ends where the month in progress begins */
  SELECT
    silver_customers.customer_id,
    silver_customers.account_open_date,
    DATE_TRUNC('MONTH', silver_customers.account_open_date)::DATE AS open_month,
    data_clock.current_month_start AS segment_assigned_date,
    DATEADD(MONTH, -3, data_clock.current_month_start)::DATE AS window_start_date,
    DATEADD(MONTH, -9, data_clock.current_month_start)::DATE AS prior_6m_start_date
  FROM silver_customers
  INNER JOIN customer_changes
    ON silver_customers.customer_id = customer_changes.customer_id
  CROSS JOIN data_clock
), window_spend AS (
  SELECT
    customer_windows.customer_id,
    SUM(
      IFF(
        customer_monthly_spend.month >= customer_windows.window_start_date,
        customer_monthly_spend.monthly_spend,
        0
      )
    ) AS spend_90d,
    SUM(
      IFF(
        customer_monthly_spend.month >= customer_windows.window_start_date,
        customer_monthly_spend.transaction_count,
        0
      )
    ) AS transactions_90d,
    SUM(
      IFF(
        customer_monthly_spend.month >= customer_windows.window_start_date,
        customer_monthly_spend.travel_spend,
        0
      )
    ) AS travel_spend_90d,
    SUM(
      IFF(
        customer_monthly_spend.month >= customer_windows.prior_6m_start_date
        AND customer_monthly_spend.month < customer_windows.window_start_date,
        customer_monthly_spend.monthly_spend,
        0
      )
    ) AS prior_6m_spend,
    SUM(
      IFF(
        customer_monthly_spend.month >= customer_windows.prior_6m_start_date
        AND customer_monthly_spend.month < customer_windows.window_start_date,
        customer_monthly_spend.transaction_count,
        0
      )
    ) AS prior_6m_transactions,
    SUM(
      IFF(
        customer_monthly_spend.month < DATEADD(MONTH, 3, customer_windows.open_month)::DATE
        AND customer_monthly_spend.month < customer_windows.window_start_date,
        customer_monthly_spend.monthly_spend,
        0
      )
    ) AS early_spend_3m
  FROM customer_windows
  INNER JOIN customer_monthly_spend
    ON customer_windows.customer_id = customer_monthly_spend.customer_id
    AND customer_monthly_spend.month >= LEAST(customer_windows.prior_6m_start_date, customer_windows.open_month)
    AND customer_monthly_spend.month < customer_windows.segment_assigned_date
  GROUP BY
    customer_windows.customer_id
), customers_measured AS (
  SELECT
    customer_windows.customer_id,
    customer_windows.segment_assigned_date,
    customer_windows.window_start_date,
    COALESCE(window_spend.spend_90d, 0) AS spend_90d,
    COALESCE(window_spend.transactions_90d, 0) AS transactions_90d,
    COALESCE(window_spend.spend_90d, 0) / 3 AS avg_monthly_spend_90d,
    COALESCE(window_spend.travel_spend_90d, 0) * 100 / NULLIF(window_spend.spend_90d, 0) AS travel_spend_pct_90d,
    COALESCE(window_spend.prior_6m_spend, 0) / 6 AS prior_6m_monthly_spend,
    (
      COALESCE(window_spend.spend_90d, 0) / 3
    ) / NULLIF(window_spend.prior_6m_spend / 6, 0) * 100 - 100 AS spend_change_pct,
    (
      COALESCE(window_spend.transactions_90d, 0) / 3
    ) / NULLIF(window_spend.prior_6m_transactions / 6, 0) * 100 - 100 AS transaction_change_pct,
    DATEDIFF(MONTH, customer_windows.account_open_date, customer_windows.segment_assigned_date) AS tenure_months,
    IFF(
      DATEDIFF(MONTH, customer_windows.account_open_date, customer_windows.segment_assigned_date) < 24,
      COALESCE(window_spend.spend_90d, 0) / NULLIF(window_spend.early_spend_3m, 0) * 100 - 100,
      NULL
    ) AS growth_since_opening_pct
  FROM customer_windows
  LEFT JOIN window_spend
    ON customer_windows.customer_id = window_spend.customer_id
), customers_segmented AS (
  SELECT
    customer_id,
    CASE
      WHEN spend_change_pct <= @spend_decline_threshold_pct
      AND transaction_change_pct <= @spend_decline_threshold_pct
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
      WHEN spend_change_pct <= @spend_decline_threshold_pct
      AND transaction_change_pct <= @spend_decline_threshold_pct
      THEN 'spend ' || ROUND(spend_change_pct, 0)::VARCHAR || '% and transactions ' || ROUND(transaction_change_pct, 0)::VARCHAR || '% vs the 6 months before'
      WHEN tenure_months < 24 AND tenure_months < 6
      THEN 'account opened ' || tenure_months::VARCHAR || ' months ago'
      WHEN tenure_months < 24 AND growth_since_opening_pct >= 50
      THEN 'account ' || tenure_months::VARCHAR || ' months old, spend +' || ROUND(growth_since_opening_pct, 0)::VARCHAR || '% since its first 3 months'
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
    prior_6m_monthly_spend,
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
  ROUND(prior_6m_monthly_spend, 2)::DECIMAL(12, 2) AS prior_6m_monthly_spend,
  ROUND(spend_change_pct, 2)::DECIMAL(12, 2) AS spend_change_pct,
  ROUND(transaction_change_pct, 2)::DECIMAL(12, 2) AS transaction_change_pct,
  tenure_months::INT AS tenure_months,
  ROUND(growth_since_opening_pct, 2)::DECIMAL(12, 2) AS growth_since_opening_pct
FROM customers_segmented