AUDIT (
  name assert_segment_shares_near_target,
  blocking FALSE
);

/* spec 11.4 test 1: each segment's share of customers within 5 points of its target
   (15/40/25/10/10). Non-blocking: a drifting mix is a finding to log, not a reason to
   stop the dashboard from refreshing. Skipped for tiny populations (unit tests). */
WITH shares AS (
  SELECT
    customer_segment,
    COUNT(*) * 100.0 / SUM(COUNT(*)) OVER () AS share_pct,
    SUM(COUNT(*)) OVER () AS customers
  FROM @this_model
  GROUP BY
    customer_segment
)
SELECT
  customer_segment,
  share_pct
FROM shares
WHERE
  customers >= 500
  AND ABS(
    share_pct - CASE customer_segment
      WHEN 'High-Value Travelers'
      THEN 15
      WHEN 'Stable Mid-Spenders'
      THEN 40
      WHEN 'Budget-Conscious'
      THEN 25
      WHEN 'Declining'
      THEN 10
      WHEN 'New & Growing'
      THEN 10
    END
  ) > 5