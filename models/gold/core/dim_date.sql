MODEL (
  name gold.dim_date,
  kind FULL,
  cron '@daily',
  allow_partials FALSE,
  grain date_key,
  tags (gold, core, dimension),
  audits (
    unique_values(columns := (date_key, calendar_date)),
    not_null(columns := (date_key, calendar_date, year, month))
  ),
  description 'Calendar dimension, one row per day for dim_date_days days from dim_date_start (config variables: 2000-01-01 to 2049-12-31), independent of the data so every fact date has a row.',
  column_descriptions (
    date_key = 'Integer key YYYYMMDD (spec 4.2).',
    calendar_date = 'The day.',
    year = 'Calendar year.',
    quarter = 'Calendar quarter 1-4.',
    month = 'Month number 1-12.',
    month_name = 'Three-letter month name (Jan-Dec).',
    year_month = 'Year and month as YYYY-MM.',
    month_start_date = 'First day of the month.',
    day_of_month = 'Day of the month 1-31.',
    day_of_week = 'ISO day of week, 1 = Monday ... 7 = Sunday.',
    day_name = 'Three-letter day name (Mon-Sun).',
    week_of_year = 'ISO week number.',
    is_weekend = 'TRUE on Saturdays and Sundays.'
  ),
  columns (
    date_key INT,
    calendar_date DATE,
    year INT,
    quarter INT,
    month INT,
    month_name VARCHAR,
    year_month VARCHAR,
    month_start_date DATE,
    day_of_month INT,
    day_of_week INT,
    day_name VARCHAR,
    week_of_year INT,
    is_weekend BOOLEAN
  )
);

WITH day_numbers AS (
  SELECT
    ROW_NUMBER() OVER (ORDER BY SEQ4()) - 1 AS day_number
  FROM TABLE(GENERATOR(ROWCOUNT => @dim_date_days))
), days AS (
  SELECT
    DATEADD(DAY, day_number, @dim_date_start::DATE)::DATE AS calendar_date
  FROM day_numbers
)
SELECT
  (
    YEAR(calendar_date)::INT * 10000 + MONTH(calendar_date)::INT * 100 + DAY(calendar_date)::INT
  )::INT AS date_key,
  calendar_date::DATE AS calendar_date,
  YEAR(calendar_date)::INT AS year,
  QUARTER(calendar_date)::INT AS quarter,
  MONTH(calendar_date)::INT AS month,
  MONTHNAME(calendar_date)::VARCHAR AS month_name,
  (
    YEAR(calendar_date)::INT::VARCHAR || '-' || LPAD(MONTH(calendar_date)::INT::VARCHAR, 2, '0')
  )::VARCHAR AS year_month,
  DATE_TRUNC('MONTH', calendar_date)::DATE AS month_start_date,
  DAY(calendar_date)::INT AS day_of_month,
  DAYOFWEEKISO(calendar_date)::INT AS day_of_week,
  DAYNAME(calendar_date)::VARCHAR AS day_name,
  WEEKISO(calendar_date)::INT AS week_of_year,
  (
    DAYOFWEEKISO(calendar_date) IN (6, 7)
  )::BOOLEAN AS is_weekend
FROM days