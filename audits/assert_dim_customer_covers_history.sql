AUDIT (
  name assert_dim_customer_covers_history,
  blocking TRUE
);

/* Every SCD2 version is a dimension row, so a fact key that exists in the history
   (assert_fact_keys_exist) also exists here, and the unknown member is present. */
SELECT
  history.customer_key
FROM silver.silver_customer_history AS history
LEFT JOIN @this_model AS dim
  ON history.customer_key = dim.customer_key
WHERE
  dim.customer_key IS NULL
UNION ALL
SELECT
  -1 AS customer_key
WHERE
  NOT EXISTS(
    SELECT
      1
    FROM @this_model
    WHERE
      customer_key = -1
  )