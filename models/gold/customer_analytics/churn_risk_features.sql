MODEL (
  name gold.churn_risk_features,
  kind INCREMENTAL_BY_UNIQUE_KEY (
    unique_key customer_id
  ),
  grain customer_id,
  tags (gold, customer_analytics, churn),
  audits (
    unique_values(columns := (
      customer_id
    ), condition := @recomputed_customers_only('changes')),
    not_null(
      columns := (customer_id, as_of_date, card_type, tenure_months),
      condition := @recomputed_customers_only('changes')
    )
  ),
  description 'One row per current customer with the churn-model features of spec 3.7, measured on complete calendar months up to the data as-of date. churn_risk_score and churn_risk_category come from gold.churn_predictions (the churn model scored at the current cutoff; customer_360_profile, segment_metrics and spend_decline_alerts read them from here); a customer already churned at the cutoff scores 100; NULL only while no model has been trained (`c360 train`). Incremental: each run recomputes only the customers gold.customer_changes lists for the processed interval (a new data day lists everyone: recency and the complete months move with the clock); the other customers'' rows stay. A customer, once current, stays current, so no row ever has to go.',
  column_descriptions (
    customer_id = 'Natural key of the customer.',
    as_of_date = 'Day after the latest transaction in the facts: what "now" means for these features.',
    avg_monthly_spend = 'Average monthly spend over the customer''s complete months, USD.',
    earlier_monthly_spend = 'Average monthly spend over all complete months before the last 3 (months_ago > 3), USD: the spec 3.7 baseline.',
    recent_monthly_spend = 'Average monthly spend over the last 3 complete months (months_ago 1-3), USD.',
    recent_to_earlier_ratio = 'recent_monthly_spend / earlier_monthly_spend.',
    mom_spend_change_pct = 'Month-over-month spend change of the last complete month, percent.',
    transaction_frequency = 'Average transactions per month over the last 3 complete months.',
    days_since_last_transaction = 'Days from the last transaction to as_of_date.',
    category_concentration = 'Share of lifetime spend in the customer''s top category, percent.',
    card_type = 'Current card product.',
    credit_limit = 'Current credit limit, USD.',
    credit_utilization = 'recent_monthly_spend / credit_limit.',
    tenure_months = 'Whole months from account opening to as_of_date.',
    age = 'Age in years.',
    employment_status = 'Employment status.',
    customer_segment = 'Current rule-based segment.',
    churn_risk_score = 'Churn probability x 100 in whole points (0-100), gold.churn_predictions; 100 for a customer already churned at the cutoff; NULL only before the first `c360 train`.',
    churn_risk_category = 'High Risk (> 70), Medium Risk (> 40) or Low Risk (spec 4.3, gold.churn_predictions); NULL while the score is NULL.'
  ),
  columns (
    customer_id VARCHAR,
    as_of_date DATE,
    avg_monthly_spend DECIMAL(12, 2),
    earlier_monthly_spend DECIMAL(12, 2),
    recent_monthly_spend DECIMAL(12, 2),
    recent_to_earlier_ratio DECIMAL(12, 4),
    mom_spend_change_pct DECIMAL(12, 2),
    transaction_frequency DECIMAL(8, 2),
    days_since_last_transaction INT,
    category_concentration DECIMAL(5, 2),
    card_type VARCHAR,
    credit_limit DECIMAL(10, 2),
    credit_utilization DECIMAL(10, 4),
    tenure_months INT,
    age INT,
    employment_status VARCHAR,
    customer_segment VARCHAR,
    churn_risk_score DOUBLE,
    churn_risk_category VARCHAR
  )
);

WITH customer_changes AS (
  /* the customers whose inputs changed in the processed interval: only they are recomputed */
  SELECT DISTINCT
    customer_id
  FROM gold.customer_changes
  WHERE
    changed_at BETWEEN @start_ts AND @end_ts
), dim_customer AS (
  SELECT
    customer_id,
    card_type,
    credit_limit,
    account_open_date,
    age,
    employment_status,
    customer_segment
  FROM gold.dim_customer
  WHERE
    is_current
), customer_complete_months AS (
  SELECT
    customer_id,
    monthly_spend,
    transaction_count,
    mom_change_pct,
    months_ago
  FROM gold.customer_complete_months
), metric_customer_ltv AS (
  SELECT
    customer_id,
    last_transaction_date
  FROM gold.metric_customer_ltv
), customer_category_spend AS (
  SELECT
    customer_id,
    spend_share_pct
  FROM gold.customer_category_spend
  WHERE
    spend_rank = 1
), data_clock AS (
  SELECT
    as_of_date
  FROM gold.data_clock
), churn_predictions AS (
  SELECT
    customer_id,
    churn_risk_score
  FROM gold.churn_predictions
), spend_history AS (
  SELECT
    customer_complete_months.customer_id,
    AVG(customer_complete_months.monthly_spend) AS avg_monthly_spend,
    AVG(
      IFF(
        customer_complete_months.months_ago > 3,
        customer_complete_months.monthly_spend,
        NULL
      )
    ) AS earlier_monthly_spend,
    AVG(
      IFF(
        customer_complete_months.months_ago <= 3,
        customer_complete_months.monthly_spend,
        NULL
      )
    ) AS recent_monthly_spend,
    AVG(
      IFF(
        customer_complete_months.months_ago <= 3,
        customer_complete_months.transaction_count,
        NULL
      )
    ) AS transaction_frequency,
    MAX(
      IFF(
        customer_complete_months.months_ago = 1,
        customer_complete_months.mom_change_pct,
        NULL
      )
    ) AS mom_spend_change_pct
  FROM customer_complete_months
  INNER JOIN customer_changes
    ON customer_complete_months.customer_id = customer_changes.customer_id
  GROUP BY
    customer_complete_months.customer_id
), features AS (
  SELECT
    dim_customer.customer_id,
    data_clock.as_of_date,
    spend_history.avg_monthly_spend,
    spend_history.earlier_monthly_spend,
    spend_history.recent_monthly_spend,
    spend_history.recent_monthly_spend / NULLIF(spend_history.earlier_monthly_spend, 0) AS recent_to_earlier_ratio,
    spend_history.mom_spend_change_pct,
    spend_history.transaction_frequency,
    DATEDIFF(DAY, metric_customer_ltv.last_transaction_date::DATE, data_clock.as_of_date) AS days_since_last_transaction,
    customer_category_spend.spend_share_pct AS category_concentration,
    dim_customer.card_type,
    dim_customer.credit_limit,
    spend_history.recent_monthly_spend / NULLIF(dim_customer.credit_limit, 0) AS credit_utilization,
    DATEDIFF(MONTH, dim_customer.account_open_date, data_clock.as_of_date) AS tenure_months,
    dim_customer.age,
    dim_customer.employment_status,
    dim_customer.customer_segment,
    churn_predictions.churn_risk_score
  FROM dim_customer
  INNER JOIN customer_changes
    ON dim_customer.customer_id = customer_changes.customer_id
  CROSS JOIN data_clock
  LEFT JOIN spend_history
    ON dim_customer.customer_id = spend_history.customer_id
  LEFT JOIN metric_customer_ltv
    ON dim_customer.customer_id = metric_customer_ltv.customer_id
  LEFT JOIN customer_category_spend
    ON dim_customer.customer_id = customer_category_spend.customer_id
  LEFT JOIN churn_predictions
    ON dim_customer.customer_id = churn_predictions.customer_id
)
SELECT
  customer_id::VARCHAR AS customer_id,
  as_of_date::DATE AS as_of_date,
  ROUND(avg_monthly_spend, 2)::DECIMAL(12, 2) AS avg_monthly_spend,
  ROUND(earlier_monthly_spend, 2)::DECIMAL(12, 2) AS earlier_monthly_spend,
  ROUND(recent_monthly_spend, 2)::DECIMAL(12, 2) AS recent_monthly_spend,
  ROUND(recent_to_earlier_ratio, 4)::DECIMAL(12, 4) AS recent_to_earlier_ratio,
  mom_spend_change_pct::DECIMAL(12, 2) AS mom_spend_change_pct,
  ROUND(transaction_frequency, 2)::DECIMAL(8, 2) AS transaction_frequency,
  days_since_last_transaction::INT AS days_since_last_transaction,
  category_concentration::DECIMAL(5, 2) AS category_concentration,
  card_type::VARCHAR AS card_type,
  credit_limit::DECIMAL(10, 2) AS credit_limit,
  ROUND(credit_utilization, 4)::DECIMAL(10, 4) AS credit_utilization,
  tenure_months::INT AS tenure_months,
  age::INT AS age,
  employment_status::VARCHAR AS employment_status,
  customer_segment::VARCHAR AS customer_segment,
  churn_risk_score::DOUBLE AS churn_risk_score,
  CASE
    WHEN churn_risk_score IS NULL
    THEN NULL
    WHEN churn_risk_score > 70
    THEN 'High Risk'
    WHEN churn_risk_score > 40
    THEN 'Medium Risk'
    ELSE 'Low Risk'
  END::VARCHAR AS churn_risk_category
FROM features