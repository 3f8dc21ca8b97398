MODEL (
  name gold.customer_360_profile,
  kind INCREMENTAL_BY_UNIQUE_KEY (
    unique_key customer_id
  ),
  grain customer_id,
  tags (gold, customer_analytics),
  audits (
    unique_values(columns := (
      customer_id
    ), condition := @recomputed_customers_only('changes')),
    not_null(
      columns := (customer_id, full_name, customer_segment, total_transactions, lifetime_value),
      condition := @recomputed_customers_only('changes')
    ),
    assert_profile_covers_current_customers
  ),
  description 'One row per current customer: the spec 4.3 profile (demographics, card, segment, transaction totals, churn risk) plus avg_monthly_spend, latest_mom_change_pct and top_category. Totals cover the customer''s whole history (joined on customer_id, so versions before a card change count too). days_since_last_transaction is measured to the data as-of date, the day after the latest transaction in the facts. The read model of the dashboard''s Segment Explorer and Customer 360 and of the assistant. Incremental: each run rewrites only the customers gold.customer_changes lists for the processed interval, from the per-customer marts (recomputed for the same customers before it); the other customers'' rows stay. A customer, once current, stays current, so no row ever has to go.',
  column_descriptions (
    customer_id = 'Natural key of the customer.',
    full_name = 'First and last name.',
    email = 'E-mail address.',
    age = 'Age in years.',
    state = 'US state code.',
    city = 'City.',
    card_type = 'Current card product: Standard or Premium.',
    credit_limit = 'Current credit limit, USD.',
    customer_segment = 'Current rule-based segment.',
    employment_status = 'Employment status.',
    account_open_date = 'Date the account was opened.',
    total_transactions = 'Number of valid transactions over the whole history.',
    lifetime_value = 'Total spend over the whole history, USD (metric_customer_ltv).',
    avg_transaction_value = 'Average transaction amount, USD (metric_avg_transaction_value); NULL without transactions.',
    avg_monthly_spend = 'Average monthly spend over the customer''s complete months, USD.',
    latest_mom_change_pct = 'Month-over-month spend change of the last complete month, percent.',
    top_category = 'Merchant category with the highest lifetime spend.',
    first_transaction_date = 'Time of the first transaction.',
    last_transaction_date = 'Time of the latest transaction.',
    days_since_last_transaction = 'Days from the latest transaction to the data as-of date.',
    churn_risk_score = 'Churn risk 0-100 (calibrated churn probability in the 3 months from the current cutoff x 100) from gold.churn_predictions via churn_risk_features; 100 for a customer already churned at the cutoff; NULL only before the first `c360 train`.',
    churn_risk_category = 'High Risk (> 70), Medium Risk (> 40), Low Risk; NULL while unscored.',
    is_in_latest_snapshot = 'FALSE when the newest customer snapshot did not list the customer: the profile shows the values of their last snapshot (dim_customer.is_in_latest_snapshot).'
  ),
  columns (
    customer_id VARCHAR,
    full_name VARCHAR,
    email VARCHAR,
    age INT,
    state VARCHAR,
    city VARCHAR,
    card_type VARCHAR,
    credit_limit DECIMAL(10, 2),
    customer_segment VARCHAR,
    employment_status VARCHAR,
    account_open_date DATE,
    total_transactions INT,
    lifetime_value DECIMAL(14, 2),
    avg_transaction_value DECIMAL(10, 2),
    avg_monthly_spend DECIMAL(12, 2),
    latest_mom_change_pct DECIMAL(12, 2),
    top_category VARCHAR,
    first_transaction_date TIMESTAMP,
    last_transaction_date TIMESTAMP,
    days_since_last_transaction INT,
    churn_risk_score DOUBLE,
    churn_risk_category VARCHAR,
    is_in_latest_snapshot BOOLEAN
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
    first_name,
    last_name,
    email,
    age,
    state,
    city,
    card_type,
    credit_limit,
    customer_segment,
    employment_status,
    account_open_date,
    is_in_latest_snapshot
  FROM gold.dim_customer
  WHERE
    is_current
), metric_customer_ltv AS (
  SELECT
    customer_id,
    lifetime_value,
    total_transactions,
    first_transaction_date,
    last_transaction_date
  FROM gold.metric_customer_ltv
), metric_avg_transaction_value AS (
  SELECT
    customer_id,
    avg_transaction_value
  FROM gold.metric_avg_transaction_value
), churn_risk_features AS (
  SELECT
    customer_id,
    as_of_date,
    avg_monthly_spend,
    mom_spend_change_pct,
    days_since_last_transaction,
    churn_risk_score,
    churn_risk_category
  FROM gold.churn_risk_features
), customer_category_spend AS (
  SELECT
    customer_id,
    category_name
  FROM gold.customer_category_spend
  WHERE
    spend_rank = 1
)
SELECT
  dim_customer.customer_id::VARCHAR AS customer_id,
  (
    dim_customer.first_name || ' ' || dim_customer.last_name
  )::VARCHAR AS full_name,
  dim_customer.email::VARCHAR AS email,
  dim_customer.age::INT AS age,
  dim_customer.state::VARCHAR AS state,
  dim_customer.city::VARCHAR AS city,
  dim_customer.card_type::VARCHAR AS card_type,
  dim_customer.credit_limit::DECIMAL(10, 2) AS credit_limit,
  dim_customer.customer_segment::VARCHAR AS customer_segment,
  dim_customer.employment_status::VARCHAR AS employment_status,
  dim_customer.account_open_date::DATE AS account_open_date,
  COALESCE(metric_customer_ltv.total_transactions, 0)::INT AS total_transactions,
  COALESCE(metric_customer_ltv.lifetime_value, 0)::DECIMAL(14, 2) AS lifetime_value,
  metric_avg_transaction_value.avg_transaction_value::DECIMAL(10, 2) AS avg_transaction_value,
  churn_risk_features.avg_monthly_spend::DECIMAL(12, 2) AS avg_monthly_spend,
  churn_risk_features.mom_spend_change_pct::DECIMAL(12, 2) AS latest_mom_change_pct,
  customer_category_spend.category_name::VARCHAR AS top_category,
  metric_customer_ltv.first_transaction_date::TIMESTAMP AS first_transaction_date,
  metric_customer_ltv.last_transaction_date::TIMESTAMP AS last_transaction_date,
  churn_risk_features.days_since_last_transaction::INT AS days_since_last_transaction,
  churn_risk_features.churn_risk_score::DOUBLE AS churn_risk_score,
  churn_risk_features.churn_risk_category::VARCHAR AS churn_risk_category,
  dim_customer.is_in_latest_snapshot::BOOLEAN AS is_in_latest_snapshot
FROM dim_customer
INNER JOIN customer_changes
  ON dim_customer.customer_id = customer_changes.customer_id
LEFT JOIN metric_customer_ltv
  ON dim_customer.customer_id = metric_customer_ltv.customer_id
LEFT JOIN metric_avg_transaction_value
  ON dim_customer.customer_id = metric_avg_transaction_value.customer_id
LEFT JOIN churn_risk_features
  ON dim_customer.customer_id = churn_risk_features.customer_id
LEFT JOIN customer_category_spend
  ON dim_customer.customer_id = customer_category_spend.customer_id