"""The dashboard's data layer on a built and published small portfolio (no browser)."""

from __future__ import annotations

import csv
import io
import threading
from datetime import datetime, timedelta

import duckdb
import pytest

from dashboard.data import (
    NOT_SCORED,
    REGIONS,
    InvalidCustomerId,
    NotPublished,
    SegmentFilters,
    Store,
    TransactionFilters,
)

INJECTIONS = (
    "'; DROP TABLE gold.customer_360_profile; --",
    "CUST00000001' OR '1'='1",
    '" OR 1=1 --',
    "x%' UNION SELECT * FROM observability.load_history --",
)


@pytest.fixture(scope="module")
def store(built_portfolio) -> Store:
    return Store(built_portfolio.settings.serving_path)


def serving_sql(portfolio, query: str, params=None):
    with duckdb.connect(str(portfolio.settings.serving_path), read_only=True) as con:
        return con.execute(query, params or []).fetchall()


def test_filters_match_plain_sql(store, built_portfolio):
    northeast = REGIONS["Northeast"]
    filters = SegmentFilters(
        segments=("High-Value Travelers", "Stable Mid-Spenders"),
        states=northeast,
        card_types=("Standard",),
        monthly_spend_min=1000,
        ltv_max=500_000,
    )
    expected = serving_sql(
        built_portfolio,
        """SELECT count(*), sum(lifetime_value) FROM gold.customer_360_profile
           WHERE customer_segment IN ('High-Value Travelers', 'Stable Mid-Spenders')
             AND list_contains(?, state) AND card_type = 'Standard'
             AND avg_monthly_spend >= 1000 AND lifetime_value <= 500000""",
        [list(northeast)],
    )[0]
    summary = store.segment_summary(filters)
    assert summary["customers"] == expected[0] > 0
    assert summary["total_ltv"] == pytest.approx(float(expected[1]))
    everyone = store.segment_summary(SegmentFilters())["customers"]
    assert (
        everyone
        == serving_sql(built_portfolio, "SELECT count(*) FROM gold.customer_360_profile")[0][0]
    )
    dist = store.segment_distribution(filters)
    assert set(dist.customer_segment) <= {"High-Value Travelers", "Stable Mid-Spenders"}
    assert dist.customers.sum() == summary["customers"]


def test_travel_dining_filter_and_unscored_churn(store):
    everyone = store.segment_summary(SegmentFilters())["customers"]
    big = store.segment_summary(SegmentFilters(travel_dining_min=3000))["customers"]
    assert 0 < big < everyone
    page = store.customer_page(SegmentFilters(travel_dining_min=3000), page_size=500)
    assert (page.travel_dining_monthly_spend.astype(float) >= 3000).all()
    # Churn scores are NULL until the churn model runs: "not scored" selects them.
    assert store.segment_summary(SegmentFilters(churn_risk=(NOT_SCORED,)))["customers"] == everyone
    assert store.segment_summary(SegmentFilters(churn_risk=("High Risk",)))["customers"] == 0
    assert NOT_SCORED in store.filter_options()["churn"]


def test_pagination_is_in_sql_and_export_has_the_whole_list(store):
    filters = SegmentFilters(segments=("Stable Mid-Spenders", "Budget-Conscious"))
    total = store.segment_summary(filters)["customers"]
    assert total > 60
    pages = [store.customer_page(filters, page, 25) for page in range(1, total // 25 + 2)]
    assert all(len(p) <= 25 for p in pages)
    ids = [cid for p in pages for cid in p.customer_id]
    assert len(ids) == len(set(ids)) == total
    first = pages[0].lifetime_value.astype(float).tolist()
    assert first == sorted(first, reverse=True)
    rows = list(csv.DictReader(io.StringIO(store.export_customers_csv(filters).decode())))
    assert len(rows) == total  # every page, not only the one on screen
    assert {r["customer_id"] for r in rows} == set(ids)
    assert {"customer_id", "full_name", "email", "lifetime_value", "churn_risk_category"} <= set(
        rows[0]
    )
    with pytest.raises(ValueError):
        store.customer_page(filters, sort_by="lifetime_value; DROP TABLE x")


@pytest.mark.parametrize("text", INJECTIONS)
def test_injection_text_is_harmless(store, built_portfolio, text):
    before = serving_sql(built_portfolio, "SELECT count(*) FROM gold.customer_360_profile")[0][0]
    with pytest.raises(InvalidCustomerId, match="not a customer id"):
        store.parse_customer_id(text)
    assert store.suggest(text).empty
    assert store.profile(text) is None
    assert store.segment_summary(SegmentFilters(segments=(text,), states=(text,)))["customers"] == 0
    assert store.transactions("CUST00000001", TransactionFilters(categories=(text,))).empty
    assert (
        serving_sql(built_portfolio, "SELECT count(*) FROM gold.customer_360_profile")[0][0]
        == before
    )


def test_customer_360_queries(store, built_portfolio):
    customer_id = store.customer_page(SegmentFilters(), 1, 1).customer_id.iloc[0]
    assert store.parse_customer_id(f"  {customer_id.lower()} ") == customer_id
    profile = store.profile(customer_id)
    assert profile["customer_id"] == customer_id and profile["churn_risk_score"] is None
    monthly = store.monthly_spend(customer_id)
    assert 1 <= len(monthly) <= 18 and monthly.month.is_monotonic_increasing
    categories = store.category_spend(customer_id)
    assert 1 <= len(categories) <= 10
    assert categories.total_spend.is_monotonic_decreasing
    latest = store.transactions(customer_id)
    expected = serving_sql(
        built_portfolio,
        """SELECT transaction_id FROM gold.fact_transaction WHERE customer_id = ?
           ORDER BY transaction_date DESC, transaction_id LIMIT 100""",
        [customer_id],
    )
    assert latest.transaction_id.tolist() == [r[0] for r in expected]
    # the scan is bounded by the customer's dim_customer keys: a customer with several
    # versions (card or limit changed) gets the transactions of every version
    changed = serving_sql(
        built_portfolio,
        """SELECT customer_id FROM gold.dim_customer GROUP BY customer_id
           HAVING count(*) > 1 ORDER BY customer_id LIMIT 3""",
    )
    assert changed
    for (other,) in changed:
        expected = serving_sql(
            built_portfolio,
            """SELECT transaction_id FROM gold.fact_transaction WHERE customer_id = ?
               ORDER BY transaction_date DESC, transaction_id LIMIT 100""",
            [other],
        )
        assert store.transactions(other).transaction_id.tolist() == [r[0] for r in expected]
    online = store.transactions(
        customer_id, TransactionFilters(channels=("Online",), amount_min=50)
    )
    assert (
        set(online.channel) <= {"Online"} and (online.transaction_amount.astype(float) >= 50).all()
    )
    assert len(store.card_history(customer_id)) >= 1
    assert not store.suggest(customer_id[:10]).empty
    assert store.suggest(profile["full_name"]).customer_id.str.startswith("CUST").all()
    assert store.profile("CUST99999999") is None  # well-formed but unknown


def test_campaign_and_health_queries(store, built_portfolio):
    campaigns = store.campaigns()
    assert len(campaigns) >= 1
    name = campaigns.campaign_name.iloc[0]
    summary = store.campaign_summary(name)
    assert summary["treatment_customers"] > 0 and summary["roi_pct"] is not None
    assert set(store.campaign_trend(name).treatment_group) == {"treatment", "control"}
    rows = list(csv.DictReader(io.StringIO(store.export_campaign_csv(name).decode())))
    assert len(rows) == summary["treatment_customers"] + summary["control_customers"]
    assert store.campaign_summary("nope' OR 1=1 --") is None
    runs = store.runs()
    assert runs.status.iloc[0] == "SUCCESS"
    assert set(store.layer_counts().layer) >= {"bronze", "silver", "gold"}
    quality = store.quality_per_load(3)
    assert {"duplicate", "null", "referential"} <= set(quality.check_type)
    # one point per load and check, the newest 3 loads only
    assert not quality.duplicated(["loaded_at", "table_name", "check_type"]).any()
    assert quality.loaded_at.nunique() == 3
    totals = store.quality_totals()
    everything = serving_sql(
        built_portfolio,
        """SELECT sum(records_failed), count(DISTINCT run_timestamp)
           FROM observability.data_quality_metrics
           WHERE table_name = 'silver_transactions' AND check_type = 'duplicate'""",
    )[0]
    duplicates = totals[
        (totals.table_name == "silver_transactions") & (totals.check_type == "duplicate")
    ].iloc[0]
    assert (duplicates.failed, duplicates.loads) == everything and everything[1] > 3
    now = datetime.now() + timedelta(days=2)
    assert store.ingestion(now)["files_total"] > 0
    assert any("Churn model" in alert.title for alert in store.alerts(now))
    assert store.pipe_state(now) == "unknown"


def test_missing_serving_copy_is_one_clear_error(tmp_path):
    with pytest.raises(NotPublished, match="c360 run"):
        Store(tmp_path / "serving" / "SERVING.duckdb").segment_summary(SegmentFilters())


def test_reads_keep_working_while_a_publish_swaps_the_file(built_portfolio, tmp_path):
    """A reader thread queries non-stop while the publisher replaces the file three times."""
    from c360.pipeline.publish import publish

    portfolio = built_portfolio.copy_to(tmp_path / "copy")
    store = Store(portfolio.settings.serving_path)
    expected = store.segment_summary(SegmentFilters())["customers"]
    errors: list[BaseException] = []
    counts: list[int] = []
    stop = threading.Event()

    def read() -> None:
        page = 0
        while not stop.is_set():
            page += 1
            try:
                filters = SegmentFilters(monthly_spend_min=float(page % 50))  # defeat the cache
                store.customer_page(filters, 1, 10)
                counts.append(store.segment_summary(SegmentFilters())["customers"])
            except BaseException as exc:  # noqa: BLE001 - the test reports every failure
                errors.append(exc)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for _ in range(3):
            assert publish(portfolio.settings, full=True).skipped is None
    finally:
        stop.set()
        reader.join()
    assert errors == []
    assert counts and set(counts) == {expected}
    assert store.reconnects >= 2  # the swapped-in files were picked up
