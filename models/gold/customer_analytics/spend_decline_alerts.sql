MODEL (
  name gold.spend_decline_alerts,
  kind FULL,
  grain customer_id,
  tags (gold, customer_analytics, churn),
  audits (
    unique_values(columns := (
      customer_id
    )),
    not_null(
      columns := (
        customer_id,
        alert_month,
        prior_3m_monthly_spend,
        recent_monthly_spend,
        spend_decline_pct
      )
    ),
    assert_declines_beyond_threshold
  ),
  description 'Spend-decline alert list (user story 3; spec 3.6 alert threshold -30 %, variable spend_decline_threshold_pct): current customers whose average monthly spend over the last 3 complete months is down by the decline threshold or more against the 3 complete months before (spend_decline_pct <= the variable), with their transaction count down as much too (a single large ticket in the prior 3 months does not raise an alert). Complete months only, so the month in progress never triggers an alert. Ordered use: most negative spend_decline_pct first.',
  column_descriptions (
    customer_id = 'Natural key of the customer.',
    full_name = 'First and last name.',
    customer_segment = 'Current segment.',
    card_type = 'Current card product.',
    state = 'US state code.',
    alert_month = 'Last complete month of the comparison.',
    prior_3m_monthly_spend = 'Average monthly spend in complete months 4-6 ago (the 3 before the recent ones), USD.',
    recent_monthly_spend = 'Average monthly spend in the last 3 complete months (months_ago 1-3), USD.',
    spend_decline_pct = 'recent_monthly_spend against prior_3m_monthly_spend, percent (at or below the decline threshold, -30 %, variable spend_decline_threshold_pct).',
    transaction_decline_pct = 'Monthly transactions of the last 3 complete months against complete months 4-6 ago, percent (at or below the decline threshold).',
    latest_mom_change_pct = 'Month-over-month change of the last complete month, percent.',
    lifetime_value = 'Lifetime value, USD.',
    churn_risk_score = 'Churn risk score 0-100 of the churn model (gold.churn_predictions via the profile); NULL only before the first `c360 train`.'
  ),
  columns (
    customer_id VARCHAR,
    full_name VARCHAR,
    customer_segment VARCHAR,
    card_type VARCHAR,
    state VARCHAR,
    alert_month DATE,
    prior_3m_monthly_spend DECIMAL(12, 2),
    recent_monthly_spend DECIMAL(12, 2),
    spend_decline_pct DECIMAL(12, 2),
    transaction_decline_pct DECIMAL(12, 2),
    latest_mom_change_pct DECIMAL(12, 2),
    lifetime_value DECIMAL(14, 2),
    churn_risk_score DOUBLE
  )
);

WITH customer_complete_months AS (
  SELECT
    customer_id,
    month,
    monthly_spend,
    transaction_count,
    mom_change_pct,
    months_ago
  FROM gold.customer_complete_months
), customer_360_profile AS (
  SELECT
    customer_id,
    full_name,
    customer_segment,
    card_type,
    state,
    lifetime_value,
    churn_risk_score
  FROM gold.customer_360_profile
), spend_compared AS (
  SELECT
    customer_id,
    MAX(IFF(months_ago = 1, month, NULL)) AS alert_month,
    AVG(IFF(months_ago BETWEEN 4 AND 6, monthly_spend, NULL)) AS prior_3m_monthly_spend,
    AVG(IFF(months_ago <= 3, monthly_spend, NULL)) AS recent_monthly_spend,
    AVG(IFF(months_ago BETWEEN 4 AND 6, transaction_count, NULL)) AS prior_3m_transactions,
    AVG(IFF(months_ago <= 3, transaction_count, NULL)) AS recent_transactions,
    MAX(IFF(months_ago = 1, mom_change_pct, NULL)) AS latest_mom_change_pct
  FROM customer_complete_months
  WHERE
    months_ago <= 6
  GROUP BY
    customer_id
  HAVING
    COUNT(*) = 6
), declines_measured AS (
  SELECT
    customer_id,
    alert_month,
    prior_3m_monthly_spend,
    recent_monthly_spend,
    (
      recent_monthly_spend - prior_3m_monthly_spend
    ) * 100 / NULLIF(prior_3m_monthly_spend, 0) AS spend_decline_pct,
    (
      recent_transactions - prior_3m_transactions
    ) * 100 / NULLIF(prior_3m_transactions, 0) AS transaction_decline_pct,
    latest_mom_change_pct
  FROM spend_compared
)
SELECT
  declines_measured.customer_id::VARCHAR AS customer_id,
  customer_360_profile.full_name::VARCHAR AS full_name,
  customer_360_profile.customer_segment::VARCHAR AS customer_segment,
  customer_360_profile.card_type::VARCHAR AS card_type,
  customer_360_profile.state::VARCHAR AS state,
  declines_measured.alert_month::DATE AS alert_month,
  ROUND(declines_measured.prior_3m_monthly_spend, 2)::DECIMAL(12, 2) AS prior_3m_monthly_spend,
  ROUND(declines_measured.recent_monthly_spend, 2)::DECIMAL(12, 2) AS recent_monthly_spend,
  ROUND(declines_measured.spend_decline_pct, 2)::DECIMAL(12, 2) AS spend_decline_pct,
  ROUND(declines_measured.transaction_decline_pct, 2)::DECIMAL(12, 2) AS transaction_decline_pct,
  declines_measured.latest_mom_change_pct::DECIMAL(12, 2) AS latest_mom_change_pct,
  customer_360_profile.lifetime_value::DECIMAL(14, 2) AS lifetime_value,
  customer_360_profile.churn_risk_score::DOUBLE AS churn_risk_score
FROM declines_measured
INNER JOIN customer_360_profile
  ON declines_measured.customer_id = customer_360_profile.customer_id
WHERE
  declines_measured.spend_decline_pct <= @spend_decline_threshold_pct
  AND declines_measured.transaction_decline_pct <= @spend_decline_threshold_pct