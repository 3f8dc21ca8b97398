MODEL (
  name gold.campaign_performance_summary,
  kind FULL,
  grain campaign_name,
  tags (gold, marketing, campaign),
  audits (
    unique_values(columns := (
      campaign_name
    )),
    not_null(columns := (campaign_name, treatment_customers, control_customers))
  ),
  description 'A/B result of each campaign (spec 3.8, user story 6), over the customers with a measurable pre and post spend (windows in campaign_performance: the 2 months right before the offer month against the 2 months after it): average pre/post monthly spend, lift and spend change per group, the retention rate per group (share of customers who resumed spending: post average at least the pre average and above 0, campaign_performance.is_retained), the difference in lift (treatment minus control), incremental revenue = that difference x treated customers (per month, as in the spec''s dashboard), campaign cost = cost per treated customer (default $50) x treated customers, ROI = (incremental revenue - cost) / cost (spec 3.8), and a Welch t-test of the lift difference (two-sided p-value; see macros/stats.py for its accuracy).',
  column_descriptions (
    campaign_name = 'Campaign identifier.',
    offer_date = 'Day the offer was made.',
    treatment_customers = 'Customers offered the campaign with a measurable pre and post spend.',
    control_customers = 'Control customers with a measurable pre and post spend.',
    treatment_pre_avg_spend = 'Treatment group: average monthly spend before, USD.',
    treatment_post_avg_spend = 'Treatment group: average monthly spend after, USD.',
    treatment_avg_lift = 'Treatment group: average post - pre, USD per month.',
    control_pre_avg_spend = 'Control group: average monthly spend before, USD.',
    control_post_avg_spend = 'Control group: average monthly spend after, USD.',
    control_avg_lift = 'Control group: average post - pre, USD per month.',
    treatment_spend_change_pct = 'Treatment group: change of the average monthly spend from pre to post (treatment_post_avg_spend against treatment_pre_avg_spend), percent.',
    control_spend_change_pct = 'Control group: change of the average monthly spend from pre to post (control_post_avg_spend against control_pre_avg_spend), percent.',
    treatment_retention_rate_pct = 'Treatment group: share of customers who resumed spending (post average at least the pre average and above 0), percent (spec 3.8 retention rate).',
    control_retention_rate_pct = 'Control group: share of customers who resumed spending (post average at least the pre average and above 0), percent.',
    lift_difference = 'treatment_avg_lift - control_avg_lift: the spend the offer kept per treated customer per month, USD.',
    incremental_revenue = 'lift_difference x treatment_customers, USD per month.',
    campaign_cost = 'Sum of the offer cost over treated customers, USD.',
    roi = '(incremental_revenue - campaign_cost) / campaign_cost (spec 3.8); 3.5 means 350%.',
    roi_pct = 'roi x 100, percent.',
    t_statistic = 'Welch t statistic of the lift difference.',
    degrees_of_freedom = 'Welch-Satterthwaite degrees of freedom.',
    p_value = 'Two-sided p-value of the lift difference.',
    is_significant = 'p_value < 0.05.'
  ),
  columns (
    campaign_name VARCHAR,
    offer_date DATE,
    treatment_customers INT,
    control_customers INT,
    treatment_pre_avg_spend DECIMAL(12, 2),
    treatment_post_avg_spend DECIMAL(12, 2),
    treatment_avg_lift DECIMAL(12, 2),
    control_pre_avg_spend DECIMAL(12, 2),
    control_post_avg_spend DECIMAL(12, 2),
    control_avg_lift DECIMAL(12, 2),
    treatment_spend_change_pct DECIMAL(12, 2),
    control_spend_change_pct DECIMAL(12, 2),
    treatment_retention_rate_pct DECIMAL(5, 2),
    control_retention_rate_pct DECIMAL(5, 2),
    lift_difference DECIMAL(12, 2),
    incremental_revenue DECIMAL(16, 2),
    campaign_cost DECIMAL(16, 2),
    roi DECIMAL(12, 4),
    roi_pct DECIMAL(14, 2),
    t_statistic DECIMAL(12, 4),
    degrees_of_freedom DECIMAL(12, 1),
    p_value DECIMAL(10, 6),
    is_significant BOOLEAN
  )
);

WITH campaign_performance AS (
  SELECT
    campaign_name,
    treatment_group,
    offer_date,
    cost_per_customer,
    pre_campaign_avg_spend,
    post_campaign_avg_spend,
    spend_lift,
    is_retained
  FROM gold.campaign_performance
  WHERE
    NOT spend_lift IS NULL
), group_results AS (
  SELECT
    campaign_name,
    treatment_group,
    MIN(offer_date) AS offer_date,
    COUNT(*) AS customers,
    AVG(pre_campaign_avg_spend) AS pre_avg_spend,
    AVG(post_campaign_avg_spend) AS post_avg_spend,
    AVG(spend_lift) AS avg_lift,
    VARIANCE(spend_lift) AS lift_variance,
    COUNT_IF(COALESCE(is_retained, FALSE)) * 100 / COUNT(*) AS retention_rate_pct,
    SUM(COALESCE(cost_per_customer, @campaign_cost_per_customer)) AS offer_cost
  FROM campaign_performance
  GROUP BY
    campaign_name,
    treatment_group
), groups_side_by_side AS (
  SELECT
    campaign_name,
    MIN(offer_date) AS offer_date,
    MAX(IFF(treatment_group = 'treatment', customers, NULL)) AS treatment_customers,
    MAX(IFF(treatment_group = 'control', customers, NULL)) AS control_customers,
    MAX(IFF(treatment_group = 'treatment', pre_avg_spend, NULL)) AS treatment_pre_avg_spend,
    MAX(IFF(treatment_group = 'treatment', post_avg_spend, NULL)) AS treatment_post_avg_spend,
    MAX(IFF(treatment_group = 'treatment', avg_lift, NULL)) AS treatment_avg_lift,
    MAX(IFF(treatment_group = 'treatment', lift_variance, NULL)) AS treatment_lift_variance,
    MAX(IFF(treatment_group = 'treatment', retention_rate_pct, NULL)) AS treatment_retention_rate_pct,
    MAX(IFF(treatment_group = 'control', pre_avg_spend, NULL)) AS control_pre_avg_spend,
    MAX(IFF(treatment_group = 'control', post_avg_spend, NULL)) AS control_post_avg_spend,
    MAX(IFF(treatment_group = 'control', avg_lift, NULL)) AS control_avg_lift,
    MAX(IFF(treatment_group = 'control', lift_variance, NULL)) AS control_lift_variance,
    MAX(IFF(treatment_group = 'control', retention_rate_pct, NULL)) AS control_retention_rate_pct,
    MAX(IFF(treatment_group = 'treatment', offer_cost, NULL)) AS campaign_cost
  FROM group_results
  GROUP BY
    campaign_name
), lift_compared AS (
  SELECT
    campaign_name,
    offer_date,
    treatment_customers,
    control_customers,
    treatment_pre_avg_spend,
    treatment_post_avg_spend,
    treatment_avg_lift,
    control_pre_avg_spend,
    control_post_avg_spend,
    control_avg_lift,
    treatment_retention_rate_pct,
    control_retention_rate_pct,
    treatment_avg_lift - control_avg_lift AS lift_difference,
    (
      treatment_avg_lift - control_avg_lift
    ) * treatment_customers AS incremental_revenue,
    campaign_cost,
    treatment_lift_variance / treatment_customers AS treatment_error_variance,
    control_lift_variance / control_customers AS control_error_variance
  FROM groups_side_by_side
), lift_tested AS (
  SELECT
    campaign_name,
    offer_date,
    treatment_customers,
    control_customers,
    treatment_pre_avg_spend,
    treatment_post_avg_spend,
    treatment_avg_lift,
    control_pre_avg_spend,
    control_post_avg_spend,
    control_avg_lift,
    treatment_retention_rate_pct,
    control_retention_rate_pct,
    lift_difference,
    incremental_revenue,
    campaign_cost,
    (
      incremental_revenue - campaign_cost
    ) / NULLIF(campaign_cost, 0) AS roi,
    lift_difference / NULLIF(SQRT(treatment_error_variance + control_error_variance), 0) AS t_statistic,
    POWER(treatment_error_variance + control_error_variance, 2) / NULLIF(
      POWER(treatment_error_variance, 2) / NULLIF(treatment_customers - 1, 0) + POWER(control_error_variance, 2) / NULLIF(control_customers - 1, 0),
      0
    ) AS degrees_of_freedom
  FROM lift_compared
)
SELECT
  campaign_name::VARCHAR AS campaign_name,
  offer_date::DATE AS offer_date,
  COALESCE(treatment_customers, 0)::INT AS treatment_customers,
  COALESCE(control_customers, 0)::INT AS control_customers,
  ROUND(treatment_pre_avg_spend, 2)::DECIMAL(12, 2) AS treatment_pre_avg_spend,
  ROUND(treatment_post_avg_spend, 2)::DECIMAL(12, 2) AS treatment_post_avg_spend,
  ROUND(treatment_avg_lift, 2)::DECIMAL(12, 2) AS treatment_avg_lift,
  ROUND(control_pre_avg_spend, 2)::DECIMAL(12, 2) AS control_pre_avg_spend,
  ROUND(control_post_avg_spend, 2)::DECIMAL(12, 2) AS control_post_avg_spend,
  ROUND(control_avg_lift, 2)::DECIMAL(12, 2) AS control_avg_lift,
  ROUND(
    (
      treatment_post_avg_spend - treatment_pre_avg_spend
    ) * 100 / NULLIF(treatment_pre_avg_spend, 0),
    2
  )::DECIMAL(12, 2) AS treatment_spend_change_pct,
  ROUND(
    (
      control_post_avg_spend - control_pre_avg_spend
    ) * 100 / NULLIF(control_pre_avg_spend, 0),
    2
  )::DECIMAL(12, 2) AS control_spend_change_pct,
  ROUND(treatment_retention_rate_pct, 2)::DECIMAL(5, 2) AS treatment_retention_rate_pct,
  ROUND(control_retention_rate_pct, 2)::DECIMAL(5, 2) AS control_retention_rate_pct,
  ROUND(lift_difference, 2)::DECIMAL(12, 2) AS lift_difference,
  ROUND(incremental_revenue, 2)::DECIMAL(16, 2) AS incremental_revenue,
  ROUND(campaign_cost, 2)::DECIMAL(16, 2) AS campaign_cost,
  ROUND(roi, 4)::DECIMAL(12, 4) AS roi,
  ROUND(roi * 100, 2)::DECIMAL(14, 2) AS roi_pct,
  ROUND(t_statistic, 4)::DECIMAL(12, 4) AS t_statistic,
  ROUND(degrees_of_freedom, 1)::DECIMAL(12, 1) AS degrees_of_freedom,
  ROUND(@welch_p_value(t_statistic, degrees_of_freedom), 6)::DECIMAL(10, 6) AS p_value,
  (
    @welch_p_value(t_statistic, degrees_of_freedom) < 0.05
  )::BOOLEAN AS is_significant
FROM lift_tested