AUDIT (
  name assert_scd2_no_gaps_or_overlaps,
  blocking TRUE
);

/* SCD2 versions of a customer tile time: each version ends exactly where the next
   begins (half-open [valid_from, valid_to)), and no version is empty or reversed.
   The unknown member (customer_key -1) is not a customer and is skipped. */
WITH versions AS (
  SELECT
    customer_id,
    valid_from,
    valid_to,
    LEAD(valid_from) OVER (PARTITION BY customer_id ORDER BY valid_from) AS next_valid_from
  FROM @this_model
  WHERE
    customer_key <> -1
)
SELECT
  customer_id,
  valid_from,
  valid_to,
  next_valid_from
FROM versions
WHERE
  (
    NOT next_valid_from IS NULL
    AND (
      valid_to IS NULL OR valid_to <> next_valid_from
    )
  )
  OR (
    NOT valid_to IS NULL AND valid_to <= valid_from
  )
  OR (
    next_valid_from IS NULL AND NOT valid_to IS NULL
  )