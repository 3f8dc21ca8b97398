AUDIT (
  name assert_in_range,
  blocking TRUE
);

/* `column` between min_value and max_value (inclusive). A plain comparison: the
   built-in accepted_range evaluates its bounds in Python and warns on literals. */
SELECT
  *
FROM @this_model
WHERE
  @column < @min_value OR @column > @max_value