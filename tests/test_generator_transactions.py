"""Spec 11.1/11.4 transaction tests: volumes, mixes, behaviours and defects, from the files."""

from __future__ import annotations

import re

import pytest

from ingestion.generator import catalog as cat
from ingestion.generator.defects import DefectRates


def test_one_file_per_month_covering_the_window(portfolio):
    files = sorted(p.name for p in (portfolio.landing / "transactions/historical").iterdir())
    assert files == [f"transactions_{m.start:%Y-%m-%d}.csv" for m in portfolio.window.months]
    ((first, last),) = portfolio.sql(
        "SELECT min(transaction_date), max(transaction_date) FROM transactions"
    )
    assert first.date() >= portfolio.window.start
    assert last.date() < portfolio.window.as_of


def test_volume_is_about_fifteen_transactions_per_customer_month(portfolio):
    """13.5M for 50k customers over 18 months is 15 per customer-month."""
    ((clean,),) = portfolio.sql("SELECT count(DISTINCT transaction_id) FROM transactions")
    full_months = 17 + portfolio.window.months[-1].days / portfolio.window.months[-1].full_days
    per_customer_month = clean / 4000 / full_months
    assert 13.5 <= per_customer_month <= 16.5


def test_transaction_ids_are_well_formed(portfolio):
    ((bad,),) = portfolio.sql(
        "SELECT count(*) FROM transactions WHERE NOT regexp_full_match(transaction_id, 'TXN\\d{10}')"
    )
    assert bad == 0


def test_categories_channels_and_merchants(portfolio):
    categories = {
        r[0] for r in portfolio.sql("SELECT DISTINCT merchant_category FROM transactions")
    }
    assert categories - {None} == set(cat.CATEGORY_NAMES)
    channels = {r[0] for r in portfolio.sql("SELECT DISTINCT channel FROM transactions")}
    assert channels == set(cat.CHANNELS)
    ((merchants,),) = portfolio.sql("SELECT count(DISTINCT merchant_name) FROM transactions")
    assert merchants > 500


def test_segment_spend_ranges_match_spec(portfolio):
    """Average monthly spend per segment over the first 6 months sits in the spec 3.5 ranges."""
    rows = dict(
        portfolio.sql(
            """WITH monthly AS (
                 SELECT t.customer_id, date_trunc('month', transaction_date) AS month,
                        sum(transaction_amount) AS spend
                 FROM transactions t
                 WHERE transaction_date < DATE '2025-12-01' AND transaction_amount > 0
                 GROUP BY ALL)
               SELECT c.customer_segment, avg(spend) FROM monthly
               JOIN latest_customers c USING (customer_id)
               WHERE c.account_open_date < DATE '2025-06-01'
               GROUP BY 1"""
        )
    )
    assert 5000 * 0.9 <= rows["High-Value Travelers"] <= 12000 * 1.1
    assert 2000 * 0.9 <= rows["Stable Mid-Spenders"] <= 4000 * 1.1
    assert 500 * 0.9 <= rows["Budget-Conscious"] <= 1500 * 1.1


def test_travelers_spend_over_30_percent_on_travel(portfolio):
    travel = ", ".join(f"'{c}'" for c in cat.TRAVEL_CATEGORIES)
    rows = dict(
        portfolio.sql(
            f"""SELECT c.customer_segment,
                       sum(transaction_amount) FILTER (WHERE merchant_category IN ({travel}))
                         / sum(transaction_amount)
                FROM transactions t JOIN latest_customers c USING (customer_id)
                GROUP BY 1"""
        )
    )
    assert rows["High-Value Travelers"] > 0.30
    assert rows["Budget-Conscious"] < 0.10


def test_declining_customers_actually_decline(portfolio):
    """Spec 11.4 test 3, plus: their last 3 months fall well below their first 6."""
    ((avg_decline,),) = portfolio.sql(
        """WITH monthly AS (
             SELECT t.customer_id, date_trunc('month', transaction_date) AS month,
                    sum(transaction_amount) AS spend
             FROM transactions t JOIN latest_customers c USING (customer_id)
             WHERE c.customer_segment = 'Declining' GROUP BY ALL),
           decline AS (
             SELECT customer_id, (max(spend) - min(spend)) / nullif(max(spend), 0) * 100 AS pct
             FROM monthly GROUP BY customer_id)
           SELECT avg(pct) FROM decline"""
    )
    assert avg_decline > 30
    ratios = dict(
        portfolio.sql(
            """WITH spend AS (
                 SELECT c.customer_segment AS segment, t.customer_id,
                        sum(transaction_amount) FILTER (WHERE transaction_date < DATE '2025-12-01') / 6 AS early,
                        sum(transaction_amount) FILTER (WHERE transaction_date >= DATE '2026-08-01'
                                                          AND transaction_date < DATE '2026-11-01') / 3 AS late
                 FROM transactions t JOIN latest_customers c USING (customer_id)
                 WHERE c.account_open_date < DATE '2025-06-01' GROUP BY ALL)
               SELECT segment, sum(coalesce(late, 0)) / sum(early) FROM spend GROUP BY 1"""
        )
    )
    assert ratios["Declining"] < 0.6
    assert ratios["Stable Mid-Spenders"] > 0.85


def test_new_and_growing_customers_grow_by_half(portfolio):
    ((growth,),) = portfolio.sql(
        """WITH monthly AS (
             SELECT t.customer_id, date_trunc('month', transaction_date) AS month,
                    sum(transaction_amount) AS spend
             FROM transactions t JOIN latest_customers c USING (customer_id)
             WHERE c.customer_segment = 'New & Growing'
               AND transaction_date < DATE '2026-11-01'
             GROUP BY t.customer_id, month),
           numbered AS (
             SELECT *, row_number() OVER (PARTITION BY customer_id ORDER BY month) AS nth
             FROM monthly),
           per_customer AS (
             SELECT customer_id,
                    avg(spend) FILTER (WHERE nth BETWEEN 2 AND 4) AS first_months,
                    avg(spend) FILTER (WHERE month >= DATE '2026-08-01') AS last_months
             FROM numbered GROUP BY 1)
           SELECT median(last_months / first_months) FROM per_customer"""
    )
    assert growth >= 1.5


def test_campaign_treatment_recovers_while_control_declines(portfolio):
    """Spec 3.8 / user story 6: against the 2 months right before the month-16 offer, treatment
    spend in months 17-18 recovers (+10 % to +40 %) while control keeps falling (-10 % to -35 %);
    before the offer both groups had fallen well below their first months."""
    window = portfolio.window
    month = {k: f"DATE '{window.month(k).start}'" for k in (7, 14, 16, 17)}
    post_months = 1 + window.months[-1].days / window.months[-1].full_days  # month 18 in progress
    rows = portfolio.sql(
        f"""SELECT g.treatment_group,
                   sum(transaction_amount) FILTER (WHERE transaction_date < {month[7]}) / 6,
                   sum(transaction_amount) FILTER (
                     WHERE transaction_date >= {month[14]} AND transaction_date < {month[16]}) / 2,
                   sum(transaction_amount) FILTER (WHERE transaction_date >= {month[17]})
                     / {post_months}
            FROM campaign g JOIN transactions t USING (customer_id)
            WHERE transaction_amount > 0
            GROUP BY 1"""
    )
    first_months, pre, post = {}, {}, {}
    for group, first, before, after in rows:
        first_months[group], pre[group], post[group] = float(first), float(before), float(after)
    treatment, control = (post[g] / pre[g] for g in ("treatment", "control"))
    assert 1.10 <= treatment <= 1.40
    assert 0.65 <= control <= 0.90
    assert treatment - control > 0.35
    assert all(pre[g] < 0.5 * first_months[g] for g in pre)  # fallen low before the offer


def test_churn_label_prevalence_in_range(portfolio):
    """Spec 3.7 label recomputed from the files: 60+ days silent or last-90-day spend < 30 %."""
    as_of = portfolio.window.as_of
    month13 = portfolio.window.month(13).start
    ((rate, agreement),) = portfolio.sql(
        f"""WITH clean AS (
              SELECT DISTINCT transaction_id, customer_id, transaction_date, transaction_amount
              FROM transactions WHERE transaction_amount > 0),
            per_customer AS (
              SELECT c.customer_id,
                     max(transaction_date) AS last_at,
                     sum(transaction_amount) FILTER (WHERE transaction_date >= DATE '{as_of}' - 90) / 3
                       AS recent,
                     sum(transaction_amount) FILTER (WHERE transaction_date < DATE '{month13}')
                       / greatest(1, least(12, date_diff('month', greatest(c.account_open_date, DATE
                         '{portfolio.window.start}'), DATE '{month13}') + 1)) AS baseline
              FROM latest_customers c LEFT JOIN clean t USING (customer_id)
              GROUP BY c.customer_id, c.account_open_date),
            labelled AS (
              SELECT customer_id,
                     last_at IS NULL OR date_diff('day', last_at::DATE, DATE '{as_of}') >= 60
                       OR coalesce(recent, 0) < 0.3 * baseline AS churned
              FROM per_customer)
           SELECT avg(churned::INT), avg((churned = t.churn_label)::INT)
           FROM labelled JOIN truth t USING (customer_id)"""
    )
    assert 0.08 <= rate <= 0.15
    assert agreement > 0.97


def test_silent_customers_mostly_disengage_before_they_stop(portfolio):
    """Churners who go silent buy less in the weeks before (generator taper, 1-3 months):
    spend and transactions in the 30 days before the silent day, against the customer's own
    pace in days 120-210 before it, fall well below what the other customers of the same
    segments show over the same stretch of the calendar (seasonality cancels out). Declining
    customers are left out: their trajectory is their own decline."""
    rows = dict(
        portfolio.sql(
            """WITH clean AS (
                 SELECT DISTINCT transaction_id, customer_id, transaction_date::DATE AS day,
                        transaction_amount
                 FROM transactions WHERE transaction_amount > 0),
               people AS (
                 SELECT customer_id, silent_from IS NOT NULL AS silent,
                        coalesce(silent_from, DATE '2026-09-01') AS anchor
                 FROM truth
                 WHERE campaign_group IS NULL AND true_segment <> 'New & Growing'),
               per_customer AS (
                 SELECT p.silent, p.customer_id,
                        sum(transaction_amount) FILTER (WHERE day >= anchor - 30 AND day < anchor)
                          AS last_spend,
                        sum(transaction_amount) FILTER (WHERE day >= anchor - 210
                                                          AND day < anchor - 120) / 3 AS early_spend,
                        count(*) FILTER (WHERE day >= anchor - 30 AND day < anchor) AS last_count,
                        count(*) FILTER (WHERE day >= anchor - 210 AND day < anchor - 120) / 3
                          AS early_count
                 FROM people p JOIN clean t USING (customer_id)
                 GROUP BY ALL)
               SELECT silent, [sum(coalesce(last_spend, 0)) / sum(early_spend),
                               sum(last_count) / sum(early_count), count(*)]
               FROM per_customer GROUP BY 1"""
        )
    )
    silent_spend, silent_count, silent_customers = rows[True]
    other_spend, other_count, _ = rows[False]
    assert silent_customers > 100
    assert 0.85 < other_spend < 1.15 and 0.85 < other_count < 1.15
    assert silent_spend < 0.75 * other_spend
    assert silent_count < 0.85 * other_count
    # not trivially separable: part of them stop with no warning, so on average they keep
    # more than the deepest taper leaves (40 % of their spend at most on the last day)
    assert silent_spend > 0.3 * other_spend


def test_defect_rates_match_documentation(portfolio):
    rates = DefectRates()
    ((rows, distinct, missing, unknown, zero, negative),) = portfolio.sql(
        """SELECT count(*), count(DISTINCT transaction_id),
                  count(*) FILTER (WHERE merchant_category IS NULL),
                  count(*) FILTER (WHERE customer_id NOT IN (SELECT customer_id FROM customers)),
                  count(*) FILTER (WHERE transaction_amount = 0),
                  count(*) FILTER (WHERE transaction_amount < 0)
           FROM transactions"""
    )
    duplicates = rows - distinct

    def near(observed: int, rate: float) -> bool:
        expected = distinct * rate
        return abs(observed - expected) <= 5 * expected**0.5 + 2

    assert near(duplicates, rates.duplicate_in_file + rates.duplicate_across_files)
    # a duplicated row copies its defects, so blanks are measured against all rows
    assert near(missing, rates.missing_category)
    assert near(unknown, rates.unknown_customer)
    assert near(zero, rates.zero_amount)
    assert near(negative, rates.negative_amount)
    assert portfolio.summary.defects["duplicate_in_file"] > 0
    assert portfolio.summary.defects["duplicate_across_files"] > 0


def test_duplicates_are_exact_copies_within_and_across_files(portfolio):
    ((ids_duplicated, exact_duplicated, across_files),) = portfolio.sql(
        """WITH ids AS (SELECT transaction_id FROM transactions GROUP BY 1 HAVING count(*) > 1),
                exact AS (SELECT transaction_id, customer_id, transaction_date, transaction_amount,
                                 merchant_name, merchant_category, channel
                          FROM transactions GROUP BY ALL HAVING count(*) > 1),
                files AS (SELECT transaction_id FROM transactions GROUP BY 1
                          HAVING count(DISTINCT source_file) > 1)
           SELECT (SELECT count(*) FROM ids), (SELECT count(*) FROM exact),
                  (SELECT count(*) FROM files)"""
    )
    assert ids_duplicated == exact_duplicated > 0
    assert across_files > 0


def test_timestamps_follow_a_daily_rhythm(portfolio):
    hours = dict(
        portfolio.sql("SELECT hour(transaction_date), count(*) FROM transactions GROUP BY 1")
    )
    assert hours[12] > 5 * hours[3]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", _first_line_value(portfolio))


def _first_line_value(portfolio) -> str:
    first = sorted((portfolio.landing / "transactions/historical").iterdir())[0]
    with first.open() as handle:
        handle.readline()
        return handle.readline().split(",")[2]


@pytest.mark.parametrize("column", cat.TRANSACTION_COLUMNS)
def test_header_matches_contract(portfolio, column):
    first = sorted((portfolio.landing / "transactions/historical").iterdir())[0]
    with first.open() as handle:
        header = handle.readline().strip().split(",")
    assert column in header and header == list(cat.TRANSACTION_COLUMNS)
