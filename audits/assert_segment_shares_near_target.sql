AUDIT (
  name assert_segment_shares_near_target,
  blocking FALSE
);

/* spec 11.4 test 1: each segment's share of customers within 5 points of its target in
   the seed silver.silver_segment_targets. The model must list the seed in `depends_on`, or a
   cold build reads the seed's prod view before it exists. Non-blocking: a drifting mix is a
   finding to log, not a reason to stop the dashboard refreshing. Skipped for tiny
   populations (unit tests). */
WITH shares AS (
  SELECT
    customer_segment,
    COUNT(*) * 100.0 / SUM(COUNT(*)) OVER () AS share_pct,
    SUM(COUNT(*)) OVER () AS customers
  FROM @this_model
  GROUP BY
    customer_segment
), silver_segment_targets AS (
  SELECT
    customer_segment,
    target_share_pct
  FROM silver.silver_segment_targets
)
SELECT
  shares.customer_segment,
  shares.share_pct,
  silver_segment_targets.target_share_pct
FROM shares
LEFT JOIN silver_segment_targets
  ON shares.customer_segment = silver_segment_targets.customer_segment
WHERE
  shares.customers >= 500
  AND ABS(shares.share_pct - silver_segment_targets.target_share_pct) > 5