MODEL (
  name gold.dim_merchant_category,
  kind FULL,
  cron '@daily',
  allow_partials FALSE,
  grain category_key,
  tags (gold, core, dimension),
  audits (
    unique_values(columns := (category_key, category_name)),
    not_null(columns := (category_key, category_name, category_group, is_travel))
  ),
  description 'Merchant categories from the seed plus two members the fact needs so its key is never NULL: 0 Uncategorized (the source sent no category) and -1 Unknown (a category missing from the reference list).',
  column_descriptions (
    category_key = 'Key of the category: 1-20 from the seed, 0 Uncategorized, -1 Unknown.',
    category_name = 'Merchant category (Travel, Dining, Grocery, ...).',
    category_group = 'Business group of the category (Travel, Food & Drink, Shopping, ...).',
    is_travel = 'TRUE for the Travel group (Airlines, Hotels, Travel, Car Rental): the categories the travel-spend segmentation rule adds up.'
  ),
  columns (
    category_key INT,
    category_name VARCHAR,
    category_group VARCHAR,
    is_travel BOOLEAN
  )
);

WITH silver_merchant_categories AS (
  SELECT
    category_key,
    category_name,
    category_group
  FROM silver.silver_merchant_categories
), categories_with_members AS (
  SELECT
    category_key,
    category_name,
    category_group
  FROM silver_merchant_categories
  UNION ALL
  SELECT
    0 AS category_key,
    'Uncategorized' AS category_name,
    'Uncategorized' AS category_group
  UNION ALL
  SELECT
    -1 AS category_key,
    'Unknown' AS category_name,
    'Unknown' AS category_group
)
SELECT
  category_key::INT AS category_key,
  category_name::VARCHAR AS category_name,
  category_group::VARCHAR AS category_group,
  (
    category_group = 'Travel'
  )::BOOLEAN AS is_travel
FROM categories_with_members