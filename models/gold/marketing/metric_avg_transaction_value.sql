MODEL (
  name gold.metric_avg_transaction_value,
  kind INCREMENTAL_BY_UNIQUE_KEY (
    unique_key customer_id
  ),
  grain customer_id,
  tags (gold, marketing, metric),
  audits (
    unique_values(columns := (
      customer_id
    ), condition := @recomputed_customers_only('changes')),
    not_null(
      columns := (customer_id, avg_transaction_value, total_transactions),
      condition := @recomputed_customers_only('changes')
    ),
    assert_in_range(column := avg_transaction_value, min_value := 0.01, max_value := 1000000)
  ),
  description 'Hero metric 3 (spec 3.6): average transaction value per customer, AVG(transaction_amount) over all valid transactions (total spend / number of transactions, from customer_monthly_spend); customers without transactions have no row. Incremental: each run recomputes only the customers gold.customer_changes lists for the processed interval, from their whole history in customer_monthly_spend (the row is rewritten whole; the others stay). A customer never loses its row: facts are only added.',
  column_descriptions (
    customer_id = 'Natural key of the customer.',
    avg_transaction_value = 'Mean transaction amount, USD.',
    max_transaction_value = 'Largest transaction amount, USD.',
    total_transactions = 'Number of valid transactions.'
  ),
  columns (
    customer_id VARCHAR,
    avg_transaction_value DECIMAL(10, 2),
    max_transaction_value DECIMAL(10, 2),
    total_transactions INT
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
    monthly_spend,
    transaction_count,
    max_transaction_amount
  FROM gold.customer_monthly_spend
), customer_tickets AS (
  SELECT
    customer_monthly_spend.customer_id,
    SUM(customer_monthly_spend.monthly_spend) / SUM(customer_monthly_spend.transaction_count) AS avg_transaction_value,
    MAX(customer_monthly_spend.max_transaction_amount) AS max_transaction_value,
    SUM(customer_monthly_spend.transaction_count) AS total_transactions
  FROM customer_monthly_spend
  INNER JOIN customer_changes
    ON customer_monthly_spend.customer_id = customer_changes.customer_id
  GROUP BY
    customer_monthly_spend.customer_id
)
SELECT
  customer_id::VARCHAR AS customer_id,
  ROUND(avg_transaction_value, 2)::DECIMAL(10, 2) AS avg_transaction_value,
  max_transaction_value::DECIMAL(10, 2) AS max_transaction_value,
  total_transactions::INT AS total_transactions
FROM customer_tickets