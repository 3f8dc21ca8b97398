MODEL (
  name gold.segment_metrics,
  kind FULL,
  grain customer_segment,
  tags (gold, marketing, segmentation),
  audits (
    unique_values(columns := (
      customer_segment
    )),
    not_null(columns := (customer_segment, customers, share_pct, target_share_pct))
  ),
  description 'One row per segment: size and share against the spec 3.5 target mix, spend, value and card mix of its current customers. The segment table of the demo and the dashboard.',
  column_descriptions (
    customer_segment = 'Segment name.',
    segment_assigned_date = 'First day of the month the segmentation describes.',
    customers = 'Current customers in the segment.',
    share_pct = 'Share of all current customers, percent.',
    target_share_pct = 'Share the spec expects for the segment (seed silver.silver_segment_targets), percent; 0 for a segment without a target.',
    avg_monthly_spend_90d = 'Average monthly spend in the 90-day segmentation window, USD.',
    avg_monthly_spend = 'Average of the customers'' average monthly spend over complete months, USD.',
    avg_lifetime_value = 'Average lifetime value, USD.',
    total_lifetime_value = 'Sum of lifetime value, USD.',
    avg_transaction_value = 'Average of the customers'' average transaction value, USD.',
    premium_card_pct = 'Share of customers holding a Premium card, percent.',
    avg_churn_risk_score = 'Average churn risk score 0-100 of the segment''s customers (the churn model, gold.churn_predictions); NULL only before the first `c360 train`.',
    high_churn_risk_customers = 'Customers in the High Risk category (churn_risk_score > 70).'
  ),
  columns (
    customer_segment VARCHAR,
    segment_assigned_date DATE,
    customers INT,
    share_pct DECIMAL(5, 2),
    target_share_pct DECIMAL(5, 2),
    avg_monthly_spend_90d DECIMAL(12, 2),
    avg_monthly_spend DECIMAL(12, 2),
    avg_lifetime_value DECIMAL(14, 2),
    total_lifetime_value DECIMAL(16, 2),
    avg_transaction_value DECIMAL(10, 2),
    premium_card_pct DECIMAL(5, 2),
    avg_churn_risk_score DECIMAL(5, 2),
    high_churn_risk_customers INT
  )
);

WITH customer_360_profile AS (
  SELECT
    customer_id,
    customer_segment,
    card_type,
    lifetime_value,
    avg_transaction_value,
    avg_monthly_spend,
    churn_risk_score,
    churn_risk_category
  FROM gold.customer_360_profile
), customer_segments AS (
  SELECT
    customer_id,
    segment_assigned_date,
    avg_monthly_spend_90d
  FROM gold.customer_segments
), silver_segment_targets AS (
  SELECT
    customer_segment,
    target_share_pct
  FROM silver.silver_segment_targets
), segment_totals AS (
  SELECT
    customer_360_profile.customer_segment,
    MAX(customer_segments.segment_assigned_date) AS segment_assigned_date,
    COUNT(*) AS customers,
    COUNT(*) * 100.0 / SUM(COUNT(*)) OVER () AS share_pct,
    AVG(customer_segments.avg_monthly_spend_90d) AS avg_monthly_spend_90d,
    AVG(customer_360_profile.avg_monthly_spend) AS avg_monthly_spend,
    AVG(customer_360_profile.lifetime_value) AS avg_lifetime_value,
    SUM(customer_360_profile.lifetime_value) AS total_lifetime_value,
    AVG(customer_360_profile.avg_transaction_value) AS avg_transaction_value,
    COUNT_IF(COALESCE(customer_360_profile.card_type = 'Premium', FALSE)) * 100.0 / COUNT(*) AS premium_card_pct,
    AVG(customer_360_profile.churn_risk_score) AS avg_churn_risk_score,
    COUNT_IF(COALESCE(customer_360_profile.churn_risk_category = 'High Risk', FALSE)) AS high_churn_risk_customers
  FROM customer_360_profile
  LEFT JOIN customer_segments
    ON customer_360_profile.customer_id = customer_segments.customer_id
  GROUP BY
    customer_360_profile.customer_segment
)
SELECT
  segment_totals.customer_segment::VARCHAR AS customer_segment,
  segment_totals.segment_assigned_date::DATE AS segment_assigned_date,
  segment_totals.customers::INT AS customers,
  ROUND(segment_totals.share_pct, 2)::DECIMAL(5, 2) AS share_pct,
  COALESCE(silver_segment_targets.target_share_pct, 0)::DECIMAL(5, 2) AS target_share_pct,
  ROUND(segment_totals.avg_monthly_spend_90d, 2)::DECIMAL(12, 2) AS avg_monthly_spend_90d,
  ROUND(segment_totals.avg_monthly_spend, 2)::DECIMAL(12, 2) AS avg_monthly_spend,
  ROUND(segment_totals.avg_lifetime_value, 2)::DECIMAL(14, 2) AS avg_lifetime_value,
  ROUND(segment_totals.total_lifetime_value, 2)::DECIMAL(16, 2) AS total_lifetime_value,
  ROUND(segment_totals.avg_transaction_value, 2)::DECIMAL(10, 2) AS avg_transaction_value,
  ROUND(segment_totals.premium_card_pct, 2)::DECIMAL(5, 2) AS premium_card_pct,
  ROUND(segment_totals.avg_churn_risk_score, 2)::DECIMAL(5, 2) AS avg_churn_risk_score,
  segment_totals.high_churn_risk_customers::INT AS high_churn_risk_customers
FROM segment_totals
LEFT JOIN silver_segment_targets
  ON segment_totals.customer_segment = silver_segment_targets.customer_segment