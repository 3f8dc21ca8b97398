AUDIT (
  name assert_valid_rows_are_flagged,
  blocking TRUE
);

/* The fact filter must agree with the flags it is built from. */
SELECT
  transaction_id,
  is_known_customer,
  is_positive_amount,
  is_valid_for_facts
FROM @this_model
WHERE
  is_valid_for_facts IS DISTINCT FROM (
    is_known_customer AND is_positive_amount
  )