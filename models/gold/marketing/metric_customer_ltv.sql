MODEL (
  name gold.metric_customer_ltv,
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
      columns := (customer_id, lifetime_value, total_transactions),
      condition := @recomputed_customers_only('changes')
    ),
    assert_in_range(column := lifetime_value, min_value := 0, max_value := 1000000000)
  ),
  description 'Hero metric 1 (spec 3.6): customer lifetime value, the total transaction amount over the whole history (18 months plus the live feed), for every known customer (0 without transactions). Incremental: each run recomputes the totals of the customers gold.customer_changes lists for the processed interval, from their whole history in customer_monthly_spend. ltv_percentile ranks across all customers, so it is ranked again over the recomputed values and this table''s own values of everyone else, and every customer whose percentile moved is rewritten too (from customer_monthly_spend, like the recomputed ones): the table stays equal to a full rebuild. A customer never loses its row (customers and facts are only added).',
  column_descriptions (
    customer_id = 'Natural key of the customer.',
    lifetime_value = 'SUM(transaction_amount) over all valid transactions of the customer, USD.',
    total_transactions = 'Number of valid transactions.',
    first_transaction_date = 'Time of the first transaction (NULL without transactions).',
    last_transaction_date = 'Time of the latest transaction (NULL without transactions).',
    ltv_percentile = 'Percentile rank of lifetime_value across customers, 0-100.'
  ),
  columns (
    customer_id VARCHAR,
    lifetime_value DECIMAL(14, 2),
    total_transactions INT,
    first_transaction_date TIMESTAMP,
    last_transaction_date TIMESTAMP,
    ltv_percentile DECIMAL(5, 2)
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
    first_transaction_at,
    last_transaction_at
  FROM gold.customer_monthly_spend
), silver_customers AS (
  SELECT
    customer_id
  FROM silver.silver_customers
), metric_customer_ltv AS (
  /* this table as it stands: the other customers' values rank the recomputed ones */
  SELECT
    metric_customer_ltv.customer_id,
    metric_customer_ltv.lifetime_value,
    metric_customer_ltv.ltv_percentile
  FROM gold.metric_customer_ltv AS metric_customer_ltv
), lifetime_values_changed AS (
  SELECT
    customer_monthly_spend.customer_id,
    SUM(customer_monthly_spend.monthly_spend) AS lifetime_value
  FROM customer_monthly_spend
  INNER JOIN customer_changes
    ON customer_monthly_spend.customer_id = customer_changes.customer_id
  GROUP BY
    customer_monthly_spend.customer_id
), lifetime_values_ranked AS (
  /* every customer's lifetime value after this run, ranked as a full rebuild ranks them */
  SELECT
    customer_id,
    is_recomputed,
    ROUND(PERCENT_RANK() OVER (ORDER BY lifetime_value) * 100, 2)::DECIMAL(5, 2) AS ltv_percentile
  FROM (
    SELECT
      silver_customers.customer_id,
      COALESCE(lifetime_values_changed.lifetime_value, 0) AS lifetime_value,
      TRUE AS is_recomputed
    FROM silver_customers
    INNER JOIN customer_changes
      ON silver_customers.customer_id = customer_changes.customer_id
    LEFT JOIN lifetime_values_changed
      ON silver_customers.customer_id = lifetime_values_changed.customer_id
    UNION ALL
    SELECT
      metric_customer_ltv.customer_id,
      metric_customer_ltv.lifetime_value,
      FALSE AS is_recomputed
    FROM metric_customer_ltv
    LEFT JOIN customer_changes
      ON metric_customer_ltv.customer_id = customer_changes.customer_id
    WHERE
      customer_changes.customer_id IS NULL
  ) AS lifetime_values
), customers_rewritten AS (
  /* the recomputed customers, and everyone whose percentile the new values moved */
  SELECT
    lifetime_values_ranked.customer_id,
    lifetime_values_ranked.ltv_percentile
  FROM lifetime_values_ranked
  LEFT JOIN metric_customer_ltv
    ON lifetime_values_ranked.customer_id = metric_customer_ltv.customer_id
  WHERE
    lifetime_values_ranked.is_recomputed
    OR lifetime_values_ranked.ltv_percentile IS DISTINCT FROM metric_customer_ltv.ltv_percentile
), customer_totals AS (
  SELECT
    customer_monthly_spend.customer_id,
    SUM(customer_monthly_spend.monthly_spend) AS lifetime_value,
    SUM(customer_monthly_spend.transaction_count) AS total_transactions,
    MIN(customer_monthly_spend.first_transaction_at) AS first_transaction_date,
    MAX(customer_monthly_spend.last_transaction_at) AS last_transaction_date
  FROM customer_monthly_spend
  INNER JOIN customers_rewritten
    ON customer_monthly_spend.customer_id = customers_rewritten.customer_id
  GROUP BY
    customer_monthly_spend.customer_id
)
SELECT
  customers_rewritten.customer_id::VARCHAR AS customer_id,
  COALESCE(customer_totals.lifetime_value, 0)::DECIMAL(14, 2) AS lifetime_value,
  COALESCE(customer_totals.total_transactions, 0)::INT AS total_transactions,
  customer_totals.first_transaction_date::TIMESTAMP AS first_transaction_date,
  customer_totals.last_transaction_date::TIMESTAMP AS last_transaction_date,
  customers_rewritten.ltv_percentile::DECIMAL(5, 2) AS ltv_percentile
FROM customers_rewritten
LEFT JOIN customer_totals
  ON customers_rewritten.customer_id = customer_totals.customer_id