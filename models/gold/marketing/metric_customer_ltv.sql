MODEL (
  name gold.metric_customer_ltv,
  kind FULL,
  grain customer_id,
  tags (gold, marketing, metric),
  audits (
    unique_values(columns := (
      customer_id
    )),
    not_null(columns := (customer_id, lifetime_value, total_transactions)),
    assert_in_range(column := lifetime_value, min_value := 0, max_value := 1000000000)
  ),
  description 'Hero metric 1 (spec 3.6): customer lifetime value, the total transaction amount over the whole history (18 months plus the live feed), for every known customer (0 without transactions).',
  column_descriptions (
    customer_id = 'Natural key of the customer.',
    lifetime_value = 'SUM(transaction_amount) over all valid transactions of the customer, USD.',
    total_transactions = 'Number of valid transactions.',
    first_transaction_date = 'Time of the first transaction (NULL without transactions).',
    last_transaction_date = 'Time of the latest transaction (NULL without transactions).',
    ltv_percentile = 'Percentile rank of lifetime_value across customers, 0-100.'
  )
);

WITH customer_monthly_spend AS (
  SELECT
    customer_id,
    monthly_spend,
    transaction_count,
    first_transaction_at,
    last_transaction_at
  FROM gold.customer_monthly_spend
), silver_customers AS (
  SELECT
    customer_id
  FROM silver.silver_customers
), customer_totals AS (
  SELECT
    customer_id,
    SUM(monthly_spend) AS lifetime_value,
    SUM(transaction_count) AS total_transactions,
    MIN(first_transaction_at) AS first_transaction_date,
    MAX(last_transaction_at) AS last_transaction_date
  FROM customer_monthly_spend
  GROUP BY
    customer_id
), customers_valued AS (
  SELECT
    silver_customers.customer_id,
    COALESCE(customer_totals.lifetime_value, 0) AS lifetime_value,
    COALESCE(customer_totals.total_transactions, 0) AS total_transactions,
    customer_totals.first_transaction_date,
    customer_totals.last_transaction_date
  FROM silver_customers
  LEFT JOIN customer_totals
    ON silver_customers.customer_id = customer_totals.customer_id
)
SELECT
  customer_id::VARCHAR AS customer_id,
  lifetime_value::DECIMAL(14, 2) AS lifetime_value,
  total_transactions::INT AS total_transactions,
  first_transaction_date::TIMESTAMP AS first_transaction_date,
  last_transaction_date::TIMESTAMP AS last_transaction_date,
  ROUND(PERCENT_RANK() OVER (ORDER BY lifetime_value) * 100, 2)::DECIMAL(5, 2) AS ltv_percentile
FROM customers_valued