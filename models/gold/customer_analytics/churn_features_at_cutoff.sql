MODEL (
  name gold.churn_features_at_cutoff,
  kind VIEW,
  grain (customer_id, cutoff_date),
  tags (gold, customer_analytics, churn),
  ignored_rules (
    nomissingaudits
  ),
  description 'The churn model''s input (spec 3.7), one row per customer and observation cutoff T: every first day of a month after the first data month up to the month in progress (gold.dim_date months, gold.data_clock). Features describe the customer as of T from the complete calendar months BEFORE T only (gold.customer_monthly_spend, zero-filled from the customer''s first month with a transaction) and the customer''s card version in effect the day before T (gold.dim_customer, SCD2); nothing from T on, so features at T are the same whatever happened later. The label looks at the 3 calendar months from T on: churned = a run of 60 or more consecutive days without a transaction inside them, OR their average monthly spend below 30 % of the baseline (the average monthly spend of all months before T). It is NULL until those 3 months are complete (is_label_complete). is_churned_at_cutoff applies the same rule to the 3 months before T (baseline: the months before those): such customers have already churned, are not training rows and are reported as churned by gold.churn_predictions rather than scored. Gaps are measured from the first and last transaction of each month (a gap of 60 days always spans a month boundary). Never the assigned segment or the generator''s truth. A VIEW: it costs nothing at build time; `c360 train` reads a few cutoffs (WHERE cutoff_date = ...), gold.churn_predictions the current one (cutoff_date = data_clock.current_month_start) for the customers it re-scores; it is not copied to the serving file. No audit on purpose: an audit of a view computes the whole view (every customer at every cutoff) on every run, 8 s of an hourly refresh at full scale; `c360 train` checks the rows it reads (churn/checks.py) and gold.churn_predictions audits what it writes.',
  column_descriptions (
    customer_id = 'Natural key of the customer.',
    cutoff_date = 'Observation cutoff T (midnight starting this day, a first of month): features from before it, the label from the 3 months starting on it.',
    months_of_history = 'Complete months from the customer''s first month with a transaction to T (exclusive).',
    tenure_months = 'Whole months from account opening to T.',
    age = 'Age in years (static attribute).',
    employment_status = 'Employment status (static attribute).',
    card_type = 'Card product of the version in effect the day before T.',
    credit_limit = 'Credit limit of the version in effect the day before T, USD.',
    avg_monthly_spend = 'Baseline: average monthly spend over all months before T, USD.',
    earlier_monthly_spend = 'Average monthly spend over the months before the last 3 before T, USD; NULL with 3 months of history or fewer.',
    recent_monthly_spend = 'Average monthly spend over the 3 months before T, USD.',
    recent_to_earlier_ratio = 'recent_monthly_spend / earlier_monthly_spend.',
    recent_to_baseline_ratio = 'recent_monthly_spend / avg_monthly_spend.',
    last_month_spend = 'Spend in the month before T, USD.',
    last_month_to_baseline_ratio = 'last_month_spend / avg_monthly_spend.',
    mom_spend_change_pct = 'Month-over-month spend change of the month before T against the one before it, percent; NULL when that one had no spend.',
    transaction_frequency = 'Average transactions per month over the 3 months before T.',
    last_month_transactions = 'Transactions in the month before T.',
    days_since_last_transaction = 'Days from the last transaction before T to T.',
    expected_transactions_missed = 'days_since_last_transaction x transaction_frequency / 30: how many transactions the customer''s recent pace would have made since the last one.',
    recent_max_inactive_days = 'Longest run of days without a transaction within the 3 months before T.',
    travel_spend_share = 'Share of the spend before T in the Travel group, 0-1 (the category mix of the compact aggregates; the top-category share is only kept for the whole history, which would look past T).',
    credit_utilization = 'recent_monthly_spend / credit_limit.',
    is_churned_at_cutoff = 'TRUE when the churn rule already holds for the 3 months before T (no training row; reported as churned).',
    is_label_complete = 'TRUE when the 3 months from T are complete months of the data.',
    label_avg_monthly_spend = 'Average monthly spend over the 3 months from T, USD; NULL until they are complete.',
    label_max_inactive_days = 'Longest run of days without a transaction within the 3 months from T; NULL until they are complete.',
    churned = 'The label (spec 3.7): label_max_inactive_days >= 60 OR label_avg_monthly_spend < 30 % of avg_monthly_spend; NULL until the 3 months are complete.'
  ),
  columns (
    customer_id VARCHAR,
    cutoff_date DATE,
    months_of_history INT,
    tenure_months INT,
    age INT,
    employment_status VARCHAR,
    card_type VARCHAR,
    credit_limit DECIMAL(10, 2),
    avg_monthly_spend DECIMAL(12, 2),
    earlier_monthly_spend DECIMAL(12, 2),
    recent_monthly_spend DECIMAL(12, 2),
    recent_to_earlier_ratio DECIMAL(12, 4),
    recent_to_baseline_ratio DECIMAL(12, 4),
    last_month_spend DECIMAL(12, 2),
    last_month_to_baseline_ratio DECIMAL(12, 4),
    mom_spend_change_pct DECIMAL(12, 2),
    transaction_frequency DECIMAL(8, 2),
    last_month_transactions INT,
    days_since_last_transaction INT,
    expected_transactions_missed DECIMAL(10, 2),
    recent_max_inactive_days INT,
    travel_spend_share DECIMAL(6, 4),
    credit_utilization DECIMAL(10, 4),
    is_churned_at_cutoff BOOLEAN,
    is_label_complete BOOLEAN,
    label_avg_monthly_spend DECIMAL(12, 2),
    label_max_inactive_days INT,
    churned BOOLEAN
  )
);

WITH data_clock AS (
  SELECT
    current_month_start,
    first_data_month
  FROM gold.data_clock
), dim_date AS (
  SELECT
    calendar_date
  FROM gold.dim_date
  WHERE
    day_of_month = 1
), customer_monthly_spend AS (
  SELECT
    customer_id,
    month,
    monthly_spend,
    transaction_count,
    travel_spend,
    first_transaction_at,
    last_transaction_at
  FROM gold.customer_monthly_spend
), dim_customer AS (
  SELECT
    customer_id,
    card_type,
    credit_limit,
    account_open_date,
    age,
    employment_status,
    valid_from,
    valid_to
  FROM gold.dim_customer
  WHERE
    customer_key <> -1
), complete_months AS (
  /* the month spine: complete months of the data */
  SELECT
    dim_date.calendar_date AS month
  FROM dim_date
  CROSS JOIN data_clock
  WHERE
    dim_date.calendar_date >= data_clock.first_data_month
    AND dim_date.calendar_date < data_clock.current_month_start
), cutoffs AS (
  /* every month start after the first data month, up to the month in progress */
  SELECT
    dim_date.calendar_date AS cutoff_date,
    DATEADD(MONTH, 3, dim_date.calendar_date)::DATE AS label_end_date,
    DATEADD(MONTH, 3, dim_date.calendar_date)::DATE <= data_clock.current_month_start AS is_label_complete
  FROM dim_date
  CROSS JOIN data_clock
  WHERE
    dim_date.calendar_date > data_clock.first_data_month
    AND dim_date.calendar_date <= data_clock.current_month_start
), customer_first_months AS (
  SELECT
    customer_id,
    MIN(month) AS first_month
  FROM customer_monthly_spend
  GROUP BY
    customer_id
), customer_months_filled AS (
  /* every complete month from the customer's first month on, 0 without spend; an active
     month knows when the previous active month's last transaction was */
  SELECT
    customer_first_months.customer_id,
    complete_months.month,
    COALESCE(customer_monthly_spend.monthly_spend, 0) AS monthly_spend,
    COALESCE(customer_monthly_spend.transaction_count, 0) AS transaction_count,
    COALESCE(customer_monthly_spend.travel_spend, 0) AS travel_spend,
    customer_monthly_spend.first_transaction_at::DATE AS first_transaction_date,
    customer_monthly_spend.last_transaction_at::DATE AS last_transaction_date,
    LAG(customer_monthly_spend.last_transaction_at::DATE) IGNORE NULLS OVER (PARTITION BY customer_first_months.customer_id ORDER BY complete_months.month) AS previous_transaction_date
  FROM customer_first_months
  INNER JOIN complete_months
    ON complete_months.month >= customer_first_months.first_month
  LEFT JOIN customer_monthly_spend
    ON customer_first_months.customer_id = customer_monthly_spend.customer_id
    AND complete_months.month = customer_monthly_spend.month
), months_around_cutoff AS (
  /* each customer's months before T (features) and the 3 from T (label), per cutoff. An
     inactive run ending at an active month's first transaction starts the day after the
     previous transaction, or at the start of the 3-month window it is measured in */
  SELECT
    customer_months_filled.customer_id,
    cutoffs.cutoff_date,
    cutoffs.label_end_date,
    cutoffs.is_label_complete,
    customer_months_filled.month,
    customer_months_filled.month < cutoffs.cutoff_date AS is_before_cutoff,
    customer_months_filled.month >= DATEADD(MONTH, -3, cutoffs.cutoff_date)::DATE
    AND customer_months_filled.month < cutoffs.cutoff_date AS is_recent,
    customer_months_filled.monthly_spend,
    customer_months_filled.transaction_count,
    customer_months_filled.travel_spend,
    customer_months_filled.last_transaction_date,
    DATEDIFF(
      DAY,
      GREATEST(
        COALESCE(
          DATEADD(DAY, 1, customer_months_filled.previous_transaction_date)::DATE,
          customer_months_filled.first_transaction_date
        ),
        IFF(
          customer_months_filled.month < cutoffs.cutoff_date,
          DATEADD(MONTH, -3, cutoffs.cutoff_date)::DATE,
          cutoffs.cutoff_date
        )
      ),
      customer_months_filled.first_transaction_date
    ) AS inactive_days_before
  FROM customer_months_filled
  INNER JOIN cutoffs
    ON customer_months_filled.month < cutoffs.label_end_date
), cutoff_aggregated AS (
  SELECT
    customer_id,
    cutoff_date,
    label_end_date,
    is_label_complete,
    COUNT_IF(is_before_cutoff) AS months_of_history,
    AVG(IFF(is_before_cutoff, monthly_spend, NULL)) AS avg_monthly_spend,
    AVG(IFF(is_before_cutoff AND NOT is_recent, monthly_spend, NULL)) AS earlier_monthly_spend,
    AVG(IFF(is_recent, monthly_spend, NULL)) AS recent_monthly_spend,
    MAX(IFF(month = DATEADD(MONTH, -1, cutoff_date)::DATE, monthly_spend, NULL)) AS last_month_spend,
    MAX(IFF(month = DATEADD(MONTH, -2, cutoff_date)::DATE, monthly_spend, NULL)) AS prior_month_spend,
    AVG(IFF(is_recent, transaction_count, NULL)) AS transaction_frequency,
    MAX(IFF(month = DATEADD(MONTH, -1, cutoff_date)::DATE, transaction_count, NULL)) AS last_month_transactions,
    SUM(IFF(is_before_cutoff, travel_spend, 0)) / NULLIF(SUM(IFF(is_before_cutoff, monthly_spend, 0)), 0) AS travel_spend_share,
    MAX(IFF(is_before_cutoff, last_transaction_date, NULL)) AS last_transaction_before_cutoff,
    MAX(last_transaction_date) AS last_transaction_before_label_end,
    MAX(IFF(is_recent AND transaction_count > 0, inactive_days_before, NULL)) AS recent_inactive_days_between,
    MAX(IFF(NOT is_before_cutoff AND transaction_count > 0, inactive_days_before, NULL)) AS label_inactive_days_between,
    SUM(IFF(NOT is_before_cutoff, monthly_spend, 0)) / 3 AS label_avg_monthly_spend
  FROM months_around_cutoff
  GROUP BY
    customer_id,
    cutoff_date,
    label_end_date,
    is_label_complete
  HAVING
    COUNT_IF(is_before_cutoff) > 0
), features AS (
  SELECT
    cutoff_aggregated.customer_id,
    cutoff_aggregated.cutoff_date,
    cutoff_aggregated.months_of_history,
    DATEDIFF(MONTH, dim_customer.account_open_date, cutoff_aggregated.cutoff_date) AS tenure_months,
    dim_customer.age,
    dim_customer.employment_status,
    dim_customer.card_type,
    dim_customer.credit_limit,
    cutoff_aggregated.avg_monthly_spend,
    cutoff_aggregated.earlier_monthly_spend,
    cutoff_aggregated.recent_monthly_spend,
    cutoff_aggregated.recent_monthly_spend / NULLIF(cutoff_aggregated.earlier_monthly_spend, 0) AS recent_to_earlier_ratio,
    cutoff_aggregated.recent_monthly_spend / NULLIF(cutoff_aggregated.avg_monthly_spend, 0) AS recent_to_baseline_ratio,
    cutoff_aggregated.last_month_spend,
    (
      cutoff_aggregated.last_month_spend - cutoff_aggregated.prior_month_spend
    ) * 100 / NULLIF(cutoff_aggregated.prior_month_spend, 0) AS mom_spend_change_pct,
    cutoff_aggregated.transaction_frequency,
    cutoff_aggregated.last_month_transactions,
    DATEDIFF(DAY, cutoff_aggregated.last_transaction_before_cutoff, cutoff_aggregated.cutoff_date) AS days_since_last_transaction,
    GREATEST(
      COALESCE(cutoff_aggregated.recent_inactive_days_between, 0),
      DATEDIFF(
        DAY,
        GREATEST(
          DATEADD(DAY, 1, cutoff_aggregated.last_transaction_before_cutoff)::DATE,
          DATEADD(MONTH, -3, cutoff_aggregated.cutoff_date)::DATE
        ),
        cutoff_aggregated.cutoff_date
      )
    ) AS recent_max_inactive_days, /* the longest run in the 3 months before T: between transactions, or up to T */
    cutoff_aggregated.travel_spend_share,
    cutoff_aggregated.recent_monthly_spend / NULLIF(dim_customer.credit_limit, 0) AS credit_utilization,
    cutoff_aggregated.is_label_complete,
    IFF(cutoff_aggregated.is_label_complete, cutoff_aggregated.label_avg_monthly_spend, NULL) AS label_avg_monthly_spend,
    IFF(
      cutoff_aggregated.is_label_complete,
      GREATEST(
        COALESCE(cutoff_aggregated.label_inactive_days_between, 0),
        DATEDIFF(
          DAY,
          GREATEST(
            DATEADD(DAY, 1, cutoff_aggregated.last_transaction_before_label_end)::DATE,
            cutoff_aggregated.cutoff_date
          ),
          cutoff_aggregated.label_end_date
        )
      ),
      NULL
    ) AS label_max_inactive_days
  FROM cutoff_aggregated
  INNER JOIN dim_customer
    ON cutoff_aggregated.customer_id = dim_customer.customer_id
    AND dim_customer.valid_from < cutoff_aggregated.cutoff_date
    AND COALESCE(dim_customer.valid_to, '9999-12-31'::DATE) >= cutoff_aggregated.cutoff_date
)
SELECT
  customer_id::VARCHAR AS customer_id,
  cutoff_date::DATE AS cutoff_date,
  months_of_history::INT AS months_of_history,
  tenure_months::INT AS tenure_months,
  age::INT AS age,
  employment_status::VARCHAR AS employment_status,
  card_type::VARCHAR AS card_type,
  credit_limit::DECIMAL(10, 2) AS credit_limit,
  ROUND(avg_monthly_spend, 2)::DECIMAL(12, 2) AS avg_monthly_spend,
  ROUND(earlier_monthly_spend, 2)::DECIMAL(12, 2) AS earlier_monthly_spend,
  ROUND(recent_monthly_spend, 2)::DECIMAL(12, 2) AS recent_monthly_spend,
  ROUND(recent_to_earlier_ratio, 4)::DECIMAL(12, 4) AS recent_to_earlier_ratio,
  ROUND(recent_to_baseline_ratio, 4)::DECIMAL(12, 4) AS recent_to_baseline_ratio,
  ROUND(last_month_spend, 2)::DECIMAL(12, 2) AS last_month_spend,
  ROUND(last_month_spend / NULLIF(avg_monthly_spend, 0), 4)::DECIMAL(12, 4) AS last_month_to_baseline_ratio,
  ROUND(mom_spend_change_pct, 2)::DECIMAL(12, 2) AS mom_spend_change_pct,
  ROUND(transaction_frequency, 2)::DECIMAL(8, 2) AS transaction_frequency,
  last_month_transactions::INT AS last_month_transactions,
  days_since_last_transaction::INT AS days_since_last_transaction,
  ROUND(days_since_last_transaction * transaction_frequency / 30, 2)::DECIMAL(10, 2) AS expected_transactions_missed,
  recent_max_inactive_days::INT AS recent_max_inactive_days,
  ROUND(travel_spend_share, 4)::DECIMAL(6, 4) AS travel_spend_share,
  ROUND(credit_utilization, 4)::DECIMAL(10, 4) AS credit_utilization,
  (
    recent_max_inactive_days >= 60
    OR COALESCE(recent_monthly_spend < 0.3 * earlier_monthly_spend, FALSE)
  )::BOOLEAN AS is_churned_at_cutoff,
  is_label_complete::BOOLEAN AS is_label_complete,
  ROUND(label_avg_monthly_spend, 2)::DECIMAL(12, 2) AS label_avg_monthly_spend,
  label_max_inactive_days::INT AS label_max_inactive_days,
  IFF(
    is_label_complete,
    label_max_inactive_days >= 60
    OR label_avg_monthly_spend < 0.3 * avg_monthly_spend,
    NULL
  )::BOOLEAN AS churned
FROM features