MODEL (
  name gold.campaign_performance,
  kind FULL,
  grain (campaign_name, customer_id),
  tags (gold, marketing, campaign),
  audits (
    unique_combination_of_columns(columns := (campaign_name, customer_id)),
    not_null(columns := (campaign_name, customer_id, treatment_group, offer_date))
  ),
  description 'Pre/post spend of every customer in a campaign (spec 3.8, user story 6). Pre = average monthly spend over the 3 calendar months before the offer month; post = average monthly spend over the 2 months after it (the offer lands on day 1 of the offer month, spending responds from the next month; spec 3.8 measures months 17-18 for a month-16 offer). Months without spend count as 0; a post month still in progress counts at its month-to-date run rate. Group results, ROI and the significance test are in campaign_performance_summary.',
  column_descriptions (
    campaign_name = 'Campaign identifier (retention_offer_month16).',
    customer_id = 'Natural key of the customer.',
    treatment_group = 'treatment or control.',
    offer_date = 'Day the offer was made.',
    offer_type = 'What was offered.',
    cost_per_customer = 'Cost of the offer for this customer if treated, USD.',
    customer_segment = 'Current segment of the customer.',
    pre_campaign_avg_spend = 'Average monthly spend in the 3 months before the offer month, USD.',
    post_campaign_avg_spend = 'Average monthly spend in the 2 months after the offer month (run rate for a month in progress), USD; NULL until a post month has data.',
    post_months_observed = 'Post months with data so far (0-2).',
    spend_lift = 'post_campaign_avg_spend - pre_campaign_avg_spend, USD per month.',
    spend_lift_pct = 'spend_lift relative to pre_campaign_avg_spend, percent.'
  )
);

WITH silver_campaign_assignments AS (
  SELECT
    campaign_name,
    customer_id,
    treatment_group,
    offer_date,
    offer_type,
    cost_per_customer
  FROM silver.silver_campaign_assignments
), metric_mom_spend_change AS (
  SELECT
    customer_id,
    month,
    monthly_spend,
    projected_monthly_spend
  FROM gold.metric_mom_spend_change
), customer_segments AS (
  SELECT
    customer_id,
    customer_segment
  FROM gold.customer_segments
), campaign_windows AS (
  SELECT
    silver_campaign_assignments.campaign_name,
    silver_campaign_assignments.customer_id,
    silver_campaign_assignments.treatment_group,
    silver_campaign_assignments.offer_date,
    silver_campaign_assignments.offer_type,
    silver_campaign_assignments.cost_per_customer,
    DATE_TRUNC('MONTH', silver_campaign_assignments.offer_date)::DATE AS offer_month
  FROM silver_campaign_assignments
), spend_around_offer AS (
  SELECT
    campaign_windows.campaign_name,
    campaign_windows.customer_id,
    AVG(
      IFF(
        metric_mom_spend_change.month < campaign_windows.offer_month,
        metric_mom_spend_change.monthly_spend,
        NULL
      )
    ) AS pre_campaign_avg_spend,
    AVG(
      IFF(
        metric_mom_spend_change.month > campaign_windows.offer_month,
        metric_mom_spend_change.projected_monthly_spend,
        NULL
      )
    ) AS post_campaign_avg_spend,
    COUNT_IF(metric_mom_spend_change.month > campaign_windows.offer_month) AS post_months_observed
  FROM campaign_windows
  INNER JOIN metric_mom_spend_change
    ON campaign_windows.customer_id = metric_mom_spend_change.customer_id
    AND metric_mom_spend_change.month >= DATEADD(MONTH, -3, campaign_windows.offer_month)::DATE
    AND metric_mom_spend_change.month <= DATEADD(MONTH, 2, campaign_windows.offer_month)::DATE
    AND metric_mom_spend_change.month <> campaign_windows.offer_month
  GROUP BY
    campaign_windows.campaign_name,
    campaign_windows.customer_id
)
SELECT
  campaign_windows.campaign_name::VARCHAR AS campaign_name,
  campaign_windows.customer_id::VARCHAR AS customer_id,
  campaign_windows.treatment_group::VARCHAR AS treatment_group,
  campaign_windows.offer_date::DATE AS offer_date,
  campaign_windows.offer_type::VARCHAR AS offer_type,
  campaign_windows.cost_per_customer::DECIMAL(10, 2) AS cost_per_customer,
  customer_segments.customer_segment::VARCHAR AS customer_segment,
  ROUND(spend_around_offer.pre_campaign_avg_spend, 2)::DECIMAL(12, 2) AS pre_campaign_avg_spend,
  ROUND(spend_around_offer.post_campaign_avg_spend, 2)::DECIMAL(12, 2) AS post_campaign_avg_spend,
  COALESCE(spend_around_offer.post_months_observed, 0)::INT AS post_months_observed,
  ROUND(
    spend_around_offer.post_campaign_avg_spend - spend_around_offer.pre_campaign_avg_spend,
    2
  )::DECIMAL(12, 2) AS spend_lift,
  ROUND(
    (
      spend_around_offer.post_campaign_avg_spend - spend_around_offer.pre_campaign_avg_spend
    ) * 100 / NULLIF(spend_around_offer.pre_campaign_avg_spend, 0),
    2
  )::DECIMAL(12, 2) AS spend_lift_pct
FROM campaign_windows
LEFT JOIN spend_around_offer
  ON campaign_windows.campaign_name = spend_around_offer.campaign_name
  AND campaign_windows.customer_id = spend_around_offer.customer_id
LEFT JOIN customer_segments
  ON campaign_windows.customer_id = customer_segments.customer_id