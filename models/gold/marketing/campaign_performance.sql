MODEL (
  name gold.campaign_performance,
  kind FULL,
  grain (campaign_name, customer_id),
  tags (gold, marketing, campaign),
  audits (
    unique_combination_of_columns(columns := (campaign_name, customer_id)),
    not_null(columns := (campaign_name, customer_id, treatment_group, offer_date))
  ),
  description 'Pre/post spend of every customer in a campaign (spec 3.8, user story 6), measured against the level right before the offer. Pre = average monthly spend over the 2 complete calendar months before the offer month (months 14-15 for a month-16 offer): the level the customer had fallen to when the offer went out, not its earlier, higher spend. Post = average monthly spend over the 2 months after the offer month (months 17-18; the offer lands on day 1 of the offer month, spending responds from the next month, and spec 3.8 measures months 17-18), computed as their spend divided by the months observed, where a month in progress counts as the share of its days the data covers, so one day of a new month weighs 1/30 of a month instead of being scaled up 30 times. The offer month itself is in neither window. Months without spend count as 0. A customer is retained (resumed spending) when its post average is at least its pre average and above 0: the decline stopped and it spends at least what it spent right before the offer. Group results, retention rates, ROI and the significance test are in campaign_performance_summary.',
  column_descriptions (
    campaign_name = 'Campaign identifier (retention_offer_month16).',
    customer_id = 'Natural key of the customer.',
    treatment_group = 'treatment or control.',
    offer_date = 'Day the offer was made.',
    offer_type = 'What was offered.',
    cost_per_customer = 'Cost of the offer for this customer if treated, USD.',
    customer_segment = 'Current segment of the customer.',
    pre_campaign_avg_spend = 'Average monthly spend in the 2 complete months before the offer month, USD.',
    post_campaign_avg_spend = 'Average monthly spend in the 2 months after the offer month, USD: their spend divided by the months observed (a month in progress counts as the share of its days covered); NULL until a post month has data.',
    post_months_observed = 'Post months with data so far (0-2).',
    spend_lift = 'post_campaign_avg_spend - pre_campaign_avg_spend, USD per month.',
    spend_lift_pct = 'spend_lift relative to pre_campaign_avg_spend, percent.',
    is_retained = 'TRUE when the customer resumed spending: post_campaign_avg_spend at least pre_campaign_avg_spend and above 0 (its decline stopped); NULL until both are measurable.'
  ),
  columns (
    campaign_name VARCHAR,
    customer_id VARCHAR,
    treatment_group VARCHAR,
    offer_date DATE,
    offer_type VARCHAR,
    cost_per_customer DECIMAL(10, 2),
    customer_segment VARCHAR,
    pre_campaign_avg_spend DECIMAL(12, 2),
    post_campaign_avg_spend DECIMAL(12, 2),
    post_months_observed INT,
    spend_lift DECIMAL(12, 2),
    spend_lift_pct DECIMAL(12, 2),
    is_retained BOOLEAN
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
    days_observed,
    days_in_month
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
    SUM(
      IFF(
        metric_mom_spend_change.month > campaign_windows.offer_month,
        metric_mom_spend_change.monthly_spend,
        NULL
      )
    ) / NULLIF(
      SUM(
        IFF(
          metric_mom_spend_change.month > campaign_windows.offer_month,
          metric_mom_spend_change.days_observed / metric_mom_spend_change.days_in_month,
          NULL
        )
      ),
      0
    ) AS post_campaign_avg_spend,
    COUNT_IF(metric_mom_spend_change.month > campaign_windows.offer_month) AS post_months_observed
  FROM campaign_windows
  INNER JOIN metric_mom_spend_change
    ON campaign_windows.customer_id = metric_mom_spend_change.customer_id
    AND metric_mom_spend_change.month >= DATEADD(MONTH, -2, campaign_windows.offer_month)::DATE
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
  )::DECIMAL(12, 2) AS spend_lift_pct,
  (
    ROUND(spend_around_offer.post_campaign_avg_spend, 2) >= ROUND(spend_around_offer.pre_campaign_avg_spend, 2)
    AND ROUND(spend_around_offer.post_campaign_avg_spend, 2) > 0
  )::BOOLEAN AS is_retained
FROM campaign_windows
LEFT JOIN spend_around_offer
  ON campaign_windows.campaign_name = spend_around_offer.campaign_name
  AND campaign_windows.customer_id = spend_around_offer.customer_id
LEFT JOIN customer_segments
  ON campaign_windows.customer_id = customer_segments.customer_id