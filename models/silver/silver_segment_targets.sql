MODEL (
  name silver.silver_segment_targets,
  kind SEED (
    path '../../seeds/segment_targets.csv'
  ),
  owner data_engineering,
  allow_partials FALSE,
  grain customer_segment,
  tags (silver, reference),
  audits (
    unique_values(columns := (
      customer_segment
    )),
    not_null(columns := (customer_segment, target_share_pct))
  ),
  description 'The target segment mix of spec 3.5: the share of customers each rule-based segment should hold. Read by gold.segment_metrics and the non-blocking audit assert_segment_shares_near_target; the generator draws its portfolio with the same shares (ingestion/generator/catalog.py SEGMENTS, kept in step by a test).',
  column_descriptions (
    customer_segment = 'Segment name, as customer_segments assigns it.',
    target_share_pct = 'Share of customers the spec expects in the segment, percent (the five add up to 100).'
  ),
  columns (
    customer_segment VARCHAR,
    target_share_pct DECIMAL(5, 2)
  )
)