AUDIT (
  name assert_transaction_amounts_positive,
  blocking TRUE
);

/* spec 11.1: every transaction amount in the facts is positive */
SELECT
  transaction_id,
  transaction_amount
FROM @this_model
WHERE
  transaction_amount <= 0