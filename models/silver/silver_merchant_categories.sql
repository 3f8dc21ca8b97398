MODEL (
  name silver.silver_merchant_categories,
  kind SEED (
    path '../../seeds/merchant_categories.csv'
  ),
  owner data_engineering,
  allow_partials FALSE,
  grain category_key,
  tags (silver, reference),
  audits (
    unique_values(columns := (category_key, category_name)),
    not_null(columns := (category_key, category_name, category_group))
  ),
  description 'The 20 merchant categories of the portfolio and their group (seed, kept in step with ingestion/generator/catalog.py by a test).',
  column_descriptions (
    category_key = 'Stable integer key of the category (1-20).',
    category_name = 'Merchant category as it appears in transaction files.',
    category_group = 'Business group of the category; the Travel group is what the travel-spend segmentation rule adds up.'
  ),
  columns (
    category_key INT,
    category_name VARCHAR,
    category_group VARCHAR
  )
)