AUDIT (
  name assert_fact_keys_exist,
  blocking TRUE
);

/* Referential integrity of gold.fact_transaction (spec 4.2 foreign keys): every key is
   a row of its dimension or the explicit unknown member -1. dim_customer is a
   projection of silver.silver_customer_history, whose keys it must contain
   (assert_dim_customer_covers_history), so checking the history here is transitive. */
SELECT
  fact.transaction_id,
  fact.customer_key,
  fact.date_key,
  fact.merchant_category_key
FROM @this_model AS fact
LEFT JOIN silver.silver_customer_history AS history
  ON fact.customer_key = history.customer_key
LEFT JOIN gold.dim_date AS dim_date
  ON fact.date_key = dim_date.date_key
LEFT JOIN gold.dim_merchant_category AS dim_merchant_category
  ON fact.merchant_category_key = dim_merchant_category.category_key
WHERE
  (
    history.customer_key IS NULL AND fact.customer_key <> -1
  )
  OR dim_date.date_key IS NULL
  OR dim_merchant_category.category_key IS NULL