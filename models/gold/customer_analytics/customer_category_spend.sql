MODEL (
  name gold.customer_category_spend,
  kind INCREMENTAL_BY_UNIQUE_KEY (
    unique_key (customer_id, category_key)
  ),
  grain (customer_id, category_key),
  tags (gold, customer_analytics),
  audits (
    unique_combination_of_columns(
      columns := (customer_id, category_key),
      condition := @recomputed_customers_only('loads')
    ),
    not_null(
      columns := (customer_id, category_key, category_name, total_spend, spend_rank),
      condition := @recomputed_customers_only('loads')
    )
  ),
  description 'Lifetime spend of each customer per merchant category, ranked: the Customer 360 category breakdown, the top category and the category concentration churn feature. Incremental: each run recomputes every category of the customers with facts loaded in the processed interval (by load time, late files included), from their whole history, so ranks and shares stay consistent.',
  column_descriptions (
    customer_id = 'Natural key of the customer.',
    category_key = 'dim_merchant_category key.',
    category_name = 'Merchant category.',
    category_group = 'Group of the category (Travel, Food & Drink, ...).',
    total_spend = 'Sum of transaction amounts in the category.',
    transaction_count = 'Number of transactions in the category.',
    spend_share_pct = 'Share of the customer''s lifetime spend in this category, percent.',
    spend_rank = 'Rank of the category by spend for the customer (1 = top category; ties by name).'
  ),
  columns (
    customer_id VARCHAR,
    category_key INT,
    category_name VARCHAR,
    category_group VARCHAR,
    total_spend DECIMAL(14, 2),
    transaction_count INT,
    spend_share_pct DECIMAL(5, 2),
    spend_rank INT
  )
);

WITH fact_transaction AS (
  SELECT
    customer_id,
    merchant_category_key,
    transaction_amount
  FROM gold.fact_transaction
), fact_transaction_loaded AS (
  /* the interval's facts, in an import CTE of their own: DuckDB materializes a CTE read
     twice, which copied every fact before the join could filter them */
  SELECT
    customer_id
  FROM gold.fact_transaction
  WHERE
    ingestion_timestamp BETWEEN @start_ts AND @end_ts
), dim_merchant_category AS (
  SELECT
    category_key,
    category_name,
    category_group
  FROM gold.dim_merchant_category
), customers_touched AS (
  /* customers with facts loaded in the processed interval: their categories are recomputed */
  SELECT DISTINCT
    customer_id
  FROM fact_transaction_loaded
), category_totals AS (
  SELECT
    fact_transaction.customer_id,
    fact_transaction.merchant_category_key AS category_key,
    SUM(fact_transaction.transaction_amount) AS total_spend,
    COUNT(*) AS transaction_count
  FROM fact_transaction
  INNER JOIN customers_touched
    ON fact_transaction.customer_id = customers_touched.customer_id
  GROUP BY
    fact_transaction.customer_id,
    fact_transaction.merchant_category_key
), categories_ranked AS (
  SELECT
    category_totals.customer_id,
    category_totals.category_key,
    dim_merchant_category.category_name,
    dim_merchant_category.category_group,
    category_totals.total_spend,
    category_totals.transaction_count,
    category_totals.total_spend * 100 / SUM(category_totals.total_spend) OVER (PARTITION BY category_totals.customer_id) AS spend_share_pct,
    ROW_NUMBER() OVER (
      PARTITION BY category_totals.customer_id
      ORDER BY category_totals.total_spend DESC, dim_merchant_category.category_name
    ) AS spend_rank
  FROM category_totals
  INNER JOIN dim_merchant_category
    ON category_totals.category_key = dim_merchant_category.category_key
)
SELECT
  customer_id::VARCHAR AS customer_id,
  category_key::INT AS category_key,
  category_name::VARCHAR AS category_name,
  category_group::VARCHAR AS category_group,
  total_spend::DECIMAL(14, 2) AS total_spend,
  transaction_count::INT AS transaction_count,
  ROUND(spend_share_pct, 2)::DECIMAL(5, 2) AS spend_share_pct,
  spend_rank::INT AS spend_rank
FROM categories_ranked