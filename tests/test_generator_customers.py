"""Spec 11.1 customer-generator tests, on files a real run wrote."""

from __future__ import annotations

import re

import numpy as np
import pytest

from bench._support import AS_OF
from ingestion.generator import catalog as cat
from ingestion.generator.population import build_population
from ingestion.generator.window import HistoryWindow


def test_latest_snapshot_has_every_customer_once(portfolio):
    ((rows, distinct),) = portfolio.sql(
        "SELECT count(*), count(DISTINCT customer_id) FROM latest_customers"
    )
    assert rows == distinct == 4000


def test_customer_id_format(portfolio):
    ids = [r[0] for r in portfolio.sql("SELECT customer_id FROM customers")]
    assert all(re.fullmatch(r"CUST\d{8}", i) for i in ids)


def test_no_nulls_in_required_fields(portfolio):
    for column in cat.CUSTOMER_COLUMNS:
        ((nulls,),) = portfolio.sql(f"SELECT count(*) FROM customers WHERE {column} IS NULL")
        assert nulls == 0, column


def test_value_ranges_and_vocabularies(portfolio):
    ((lo_limit, hi_limit, lo_age, hi_age),) = portfolio.sql(
        "SELECT min(credit_limit), max(credit_limit), min(age), max(age) FROM customers"
    )
    assert 5000 <= lo_limit and hi_limit <= 50000
    assert 22 <= lo_age and hi_age <= 75
    cards = {r[0] for r in portfolio.sql("SELECT DISTINCT card_type FROM customers")}
    assert cards == {"Standard", "Premium"}
    jobs = {r[0] for r in portfolio.sql("SELECT DISTINCT employment_status FROM customers")}
    assert jobs <= set(cat.EMPLOYMENT_STATUSES) and len(jobs) == 4
    states = {r[0] for r in portfolio.sql("SELECT DISTINCT state FROM customers")}
    assert states <= set(cat.STATE_POPULATION) and len(states) > 40


def test_emails_are_valid_and_unique(portfolio):
    ((bad, dupes),) = portfolio.sql(
        r"""SELECT count(*) FILTER (WHERE NOT regexp_full_match(email, '[a-z0-9.\-'']+@[a-z0-9.\-]+\.[a-z]+')),
                  count(*) - count(DISTINCT email)
           FROM latest_customers"""
    )
    assert bad == 0 and dupes == 0


def test_segment_distribution_matches_spec():
    pop = build_population(20_000, seed=3, window=HistoryWindow(AS_OF))
    shares = np.bincount(pop.segment, minlength=5) / pop.size
    for segment, share in zip(cat.SEGMENTS, shares, strict=True):
        assert share == pytest.approx(segment.share, abs=0.02), segment.name


def test_high_value_travelers_mostly_premium(portfolio):
    rows = dict(
        portfolio.sql(
            """SELECT customer_segment, avg((card_type = 'Premium')::INT)
               FROM customers WHERE source_file LIKE '%2025-06-01%' GROUP BY 1"""
        )
    )
    assert rows["High-Value Travelers"] > 0.6
    assert rows["Budget-Conscious"] < 0.1


def test_second_snapshot_changes_card_or_limit_for_some_customers(portfolio):
    """SCD2 material: some customers change card type or credit limit between snapshots."""
    ((both, card_changed, limit_changed, new_customers),) = portfolio.sql(
        """WITH first AS (SELECT * FROM customers WHERE source_file LIKE '%2025-06-01%'),
                second AS (SELECT * FROM latest_customers)
           SELECT count(f.customer_id),
                  count(*) FILTER (WHERE f.card_type <> s.card_type),
                  count(*) FILTER (WHERE f.credit_limit <> s.credit_limit),
                  count(*) FILTER (WHERE f.customer_id IS NULL)
           FROM second s LEFT JOIN first f USING (customer_id)"""
    )
    assert 0.01 < card_changed / both < 0.15
    assert 0.02 < limit_changed / both < 0.20
    # New & Growing customers opened during the history: absent from the first snapshot.
    assert new_customers > 0


def test_first_snapshot_only_holds_accounts_open_by_then(portfolio):
    ((late,),) = portfolio.sql(
        """SELECT count(*) FROM customers
           WHERE source_file LIKE '%2025-06-01%' AND account_open_date > DATE '2025-06-01'"""
    )
    assert late == 0


def test_campaign_splits_declining_customers_half_and_half(portfolio):
    rows = dict(
        portfolio.sql(
            """SELECT treatment_group, count(*) FROM campaign c
               JOIN latest_customers l USING (customer_id)
               WHERE l.customer_segment = 'Declining' GROUP BY 1"""
        )
    )
    ((declining,),) = portfolio.sql(
        "SELECT count(*) FROM latest_customers WHERE customer_segment = 'Declining'"
    )
    assert rows["treatment"] + rows["control"] == declining
    assert rows["treatment"] / declining == pytest.approx(0.5, abs=0.002)


def test_hidden_truth_is_outside_the_landing_zone(portfolio):
    landed = {p.name for p in portfolio.landing.rglob("*") if p.is_file()}
    assert not any("truth" in name for name in landed)
    header = (
        next(iter(portfolio.landing.joinpath("customers").iterdir())).read_text().splitlines()[0]
    )
    assert header.split(",") == list(cat.CUSTOMER_COLUMNS)
