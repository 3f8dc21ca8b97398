AUDIT (
  name assert_one_month_in_progress,
  blocking TRUE
);

/* Only the newest month of a customer may be incomplete, and at most one. */
WITH months AS (
  SELECT
    customer_id,
    month,
    is_complete_month,
    MAX(month) OVER (PARTITION BY customer_id) AS newest_month,
    COUNT_IF(NOT is_complete_month) OVER (PARTITION BY customer_id) AS months_in_progress
  FROM @this_model
)
SELECT
  customer_id,
  month
FROM months
WHERE
  NOT is_complete_month AND (
    month < newest_month OR months_in_progress > 1
  )