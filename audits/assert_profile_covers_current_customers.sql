AUDIT (
  name assert_profile_covers_current_customers,
  blocking TRUE
);

/* The profile has exactly the current customers of dim_customer: none lost, none extra. */
SELECT
  dim.customer_id,
  'missing from profile' AS problem
FROM gold.dim_customer AS dim
LEFT JOIN @this_model AS profile
  ON dim.customer_id = profile.customer_id
WHERE
  dim.is_current AND profile.customer_id IS NULL
UNION ALL
SELECT
  profile.customer_id,
  'not a current customer' AS problem
FROM @this_model AS profile
LEFT JOIN gold.dim_customer AS dim
  ON profile.customer_id = dim.customer_id AND dim.is_current
WHERE
  dim.customer_id IS NULL