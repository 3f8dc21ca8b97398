AUDIT (
  name assert_scd2_one_current_row,
  blocking TRUE
);

/* Every customer has exactly one open (current) version. */
SELECT
  customer_id,
  COUNT_IF(valid_to IS NULL) AS current_rows
FROM @this_model
WHERE
  customer_key <> -1
GROUP BY
  customer_id
HAVING
  COUNT_IF(valid_to IS NULL) <> 1