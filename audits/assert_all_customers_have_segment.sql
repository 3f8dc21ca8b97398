AUDIT (
  name assert_all_customers_have_segment,
  blocking TRUE
);

/* spec 11.1: every current customer has a segment */
SELECT
  customer_id,
  customer_segment
FROM @this_model
WHERE
  customer_segment IS NULL AND is_current