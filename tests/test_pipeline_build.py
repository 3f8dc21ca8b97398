"""The cold build of a real portfolio: files -> bronze -> silver -> gold -> serving file.

One 2,000-customer portfolio (every defect enabled, history to today) is generated,
loaded with the fixture loader, built with SQLMesh on a DuckDB file and published; the
tests read what came out. Other pipeline test modules copy the same build.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import duckdb
import pytest

pytestmark = [
    pytest.mark.filterwarnings(
        "ignore:`json_encoders` is deprecated:pydantic.warnings.PydanticDeprecatedSince20"
    ),
]

# the spec's mix, from the one place it is written (checked against the generator too)
with (Path(__file__).resolve().parents[1] / "seeds" / "segment_targets.csv").open() as _targets:
    SEGMENT_TARGETS = {
        row["customer_segment"]: float(row["target_share_pct"]) for row in csv.DictReader(_targets)
    }


@pytest.fixture(scope="module")
def built(built_portfolio):
    return built_portfolio


def serving(built) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(built.settings.serving_path), read_only=True)


def warehouse(built) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(built.settings.warehouse_path), read_only=True)


def test_cold_build_plans_and_succeeds(built) -> None:
    report = built.build
    assert report.ok, report.error
    assert report.action == "plan"
    assert report.models_failed == 0
    assert report.audit_failures == []
    assert report.models_run >= 20


def test_every_gold_model_is_published_with_lower_case_names(built) -> None:
    expected = {
        "dim_customer", "dim_date", "dim_merchant_category", "fact_transaction",
        "customer_segments", "customer_360_profile", "churn_risk_features",
        "metric_customer_ltv", "metric_mom_spend_change", "metric_avg_transaction_value",
        "segment_metrics", "campaign_performance", "campaign_performance_summary",
        "spend_decline_alerts", "customer_monthly_spend", "customer_category_spend",
    }  # fmt: skip
    with serving(built) as con:
        gold = {
            row[0]
            for row in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'gold'"
            ).fetchall()
        }
        columns = con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'gold'"
        ).fetchall()
        observability = {
            row[0]
            for row in con.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'observability'"
            ).fetchall()
        }
    assert expected <= gold
    assert all(name == name.lower() for (name,) in columns)
    assert {"pipeline_run_metadata", "data_quality_metrics", "layer_record_counts"} <= observability


def test_segment_shares_land_near_the_spec_mix(built) -> None:
    with serving(built) as con:
        shares = dict(
            con.execute("SELECT customer_segment, share_pct FROM gold.segment_metrics").fetchall()
        )
    assert set(shares) == set(SEGMENT_TARGETS)
    for segment, target in SEGMENT_TARGETS.items():
        assert abs(float(shares[segment]) - target) <= 5, (segment, shares[segment])


def test_rule_segments_mostly_agree_with_the_generators_hidden_truth(built) -> None:
    truth = built.root / "generator" / "customers_truth.csv"
    with serving(built) as con:
        agreement = con.execute(
            "SELECT avg((s.customer_segment = t.true_segment)::INT) FROM gold.customer_segments s "
            f"JOIN read_csv('{truth}') t USING (customer_id)"
        ).fetchone()[0]
    assert agreement > 0.8


def test_campaign_treatment_lift_beats_control(built) -> None:
    with serving(built) as con:
        row = con.execute(
            "SELECT treatment_avg_lift, control_avg_lift, incremental_revenue, campaign_cost, "
            "roi, treatment_customers, control_customers, p_value "
            "FROM gold.campaign_performance_summary WHERE campaign_name = 'retention_offer_month16'"
        ).fetchone()
    treatment, control, revenue, cost, roi, n_treated, n_control, p_value = row
    assert treatment > control
    assert n_treated > 50 and n_control > 50
    assert cost == 50 * n_treated
    assert float(revenue) == pytest.approx(
        (float(treatment) - float(control)) * n_treated, rel=1e-3
    )
    assert float(roi) == pytest.approx((float(revenue) - float(cost)) / float(cost), abs=1e-3)
    assert 0 <= p_value <= 1


def test_campaign_tells_its_story_against_the_level_before_the_offer(built) -> None:
    """User story 6: treatment spend recovers against the 2 months before the offer, control
    keeps falling, more treated customers resume spending; the summary's change and retention
    columns agree with the per-customer rows."""
    with serving(built) as con:
        summary = con.execute(
            "SELECT treatment_pre_avg_spend, treatment_post_avg_spend, treatment_spend_change_pct, "
            "control_pre_avg_spend, control_post_avg_spend, control_spend_change_pct, "
            "treatment_retention_rate_pct, control_retention_rate_pct, roi_pct "
            "FROM gold.campaign_performance_summary WHERE campaign_name = 'retention_offer_month16'"
        ).fetchone()
        retained = dict(
            con.execute(
                "SELECT treatment_group, avg(is_retained::INT) * 100 FROM gold.campaign_performance "
                "WHERE spend_lift IS NOT NULL GROUP BY 1"
            ).fetchall()
        )
    t_pre, t_post, t_change, c_pre, c_post, c_change, t_retained, c_retained, roi_pct = (
        float(v) for v in summary
    )
    assert t_change == pytest.approx((t_post - t_pre) * 100 / t_pre, abs=0.05)
    assert c_change == pytest.approx((c_post - c_pre) * 100 / c_pre, abs=0.05)
    assert t_change > 0 > c_change
    assert t_retained == pytest.approx(retained["treatment"], abs=0.01)
    assert c_retained == pytest.approx(retained["control"], abs=0.01)
    assert t_retained > c_retained + 10
    assert roi_pct > 0


def test_quality_metrics_count_the_generators_defects(built) -> None:
    defects = built.summary.defects
    metrics = {(m.table_name, m.check_type): m for m in built.build.quality}
    duplicates = metrics[("silver_transactions", "duplicate")]
    assert duplicates.records_checked == built.summary.transaction_rows
    assert duplicates.records_failed == (
        defects["duplicate_in_file"] + defects["duplicate_across_files"]
    )
    assert metrics[("silver_transactions", "null")].records_failed == defects["missing_category"]
    assert (
        metrics[("silver_transactions", "referential")].records_failed
        == defects["unknown_customer"]
    )
    assert metrics[("silver_transactions", "range")].records_failed == (
        defects["zero_amount"] + defects["negative_amount"]
    )
    assert metrics[("fact_transaction", "referential")].records_failed == 0
    # the generator sends no rows outside the history and clean, complete customer snapshots
    assert metrics[("silver_transactions", "future")].records_failed == 0
    assert metrics[("silver_transactions", "before_start")].records_failed == 0
    assert metrics[("silver_customer_snapshots", "duplicate")].records_failed == 0
    assert metrics[("silver_customer_snapshots", "conflict")].records_failed == 0
    missing = metrics[("silver_customers", "missing_from_snapshot")]
    assert (missing.records_checked, missing.records_failed) == (built.summary.customers, 0)
    assert len(metrics) == 10  # exactly the checks of the data-quality model
    # current customers without a segment are a blocking audit's job: none failed
    assert built.build.audit_failures == []


def test_observability_tables_have_the_spec_columns_and_this_run(built) -> None:
    with serving(built) as con:
        columns = [
            row[0]
            for row in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = "
                "'observability' AND table_name = 'data_quality_metrics' ORDER BY ordinal_position"
            ).fetchall()
        ]
        runs = con.execute(
            "SELECT run_id, status, models_run, models_failed, duration_seconds "
            "FROM observability.pipeline_run_metadata"
        ).fetchall()
        counts = dict(
            con.execute(
                "SELECT model_name, record_count FROM observability.layer_record_counts"
            ).fetchall()
        )
    assert columns == [
        "run_id", "run_timestamp", "layer", "table_name", "check_type",
        "records_checked", "records_failed", "failure_rate",
    ]  # fmt: skip
    assert runs == [(built.build.run_id, "SUCCESS", built.build.models_run, 0, runs[0][4])]
    assert counts["bronze.bronze_transactions"] == built.summary.transaction_rows
    assert counts["gold.fact_transaction"] > 0
    # views are computed when read: not counted (the churn feature view costs a build)
    assert "gold.churn_features_at_cutoff" not in counts
    assert "silver.silver_customer_snapshots" not in counts
    assert counts["gold.customer_360_profile"] > 0


def test_silver_keeps_flagged_rows_and_the_fact_only_valid_ones(built) -> None:
    defects = built.summary.defects
    with warehouse(built) as con:
        silver, flagged, unknown, non_positive, uncategorized = con.execute(
            "SELECT count(*), count_if(NOT is_valid_for_facts), count_if(NOT is_known_customer), "
            "count_if(NOT is_positive_amount), count_if(merchant_category = 'Uncategorized') "
            "FROM silver.silver_transactions"
        ).fetchone()
        fact, bad_amounts = con.execute(
            "SELECT count(*), count_if(transaction_amount <= 0) FROM gold.fact_transaction"
        ).fetchone()
    assert silver == built.summary.clean_transactions
    assert unknown == defects["unknown_customer"]
    assert non_positive == defects["zero_amount"] + defects["negative_amount"]
    assert uncategorized == defects["missing_category"]
    assert fact == silver - flagged
    assert bad_amounts == 0


def test_fact_foreign_keys_are_never_null_and_always_resolve(built) -> None:
    with warehouse(built) as con:
        dangling = con.execute(
            """
            SELECT count(*) FROM gold.fact_transaction f
            LEFT JOIN gold.dim_customer c ON f.customer_key = c.customer_key
            LEFT JOIN gold.dim_date d ON f.date_key = d.date_key
            LEFT JOIN gold.dim_merchant_category m ON f.merchant_category_key = m.category_key
            WHERE c.customer_key IS NULL OR d.date_key IS NULL OR m.category_key IS NULL
            """
        ).fetchone()[0]
        wrong_version = con.execute(
            """
            SELECT count(*) FROM gold.fact_transaction f
            JOIN gold.dim_customer c ON f.customer_key = c.customer_key
            WHERE f.customer_id <> c.customer_id OR f.transaction_date < c.valid_from
               OR f.transaction_date >= coalesce(c.valid_to, DATE '9999-12-31')
            """
        ).fetchone()[0]
    assert dangling == 0
    assert wrong_version == 0


def test_dim_customer_holds_the_card_changes_of_the_second_snapshot(built) -> None:
    first, second = sorted((built.root / "landing" / "customers").glob("customers_*.csv"))
    with warehouse(built) as con:
        changed = con.execute(
            f"""
            SELECT count(*) FROM read_csv('{first}') a JOIN read_csv('{second}') b USING (customer_id)
            WHERE a.card_type <> b.card_type OR a.credit_limit <> b.credit_limit
            """  # noqa: S608 - test files
        ).fetchone()[0]
        closed, current, customers = con.execute(
            "SELECT count_if(NOT is_current AND customer_key <> -1), count_if(is_current), "
            "count(DISTINCT customer_id) FILTER (WHERE customer_key <> -1) FROM gold.dim_customer"
        ).fetchone()
    assert changed > 0
    assert closed == changed
    assert current == customers == built.summary.customers


def test_the_run_summary_reads_well_in_an_80_column_terminal(built, monkeypatch) -> None:
    from rich.cells import cell_len
    from rich.console import Console

    from c360.commands import pipeline
    from c360.pipeline.run import PipelineReport

    console = Console(width=80, record=True, file=io.StringIO())
    monkeypatch.setattr(pipeline, "stdout", console)
    pipeline.print_run(PipelineReport(None, built.build, built.publish))

    lines = console.export_text().splitlines()
    assert max(cell_len(line) for line in lines) <= 80, "\n".join(lines)
    (header,) = [line for line in lines if "segment" in line.split()]  # one header line
    assert [cell.strip() for cell in header.split("┃")[1:-1]] == [
        "segment",
        "customers",
        "share",
        "target",
        "avg spend/mo",
        "avg LTV",
    ]
    for segment in SEGMENT_TARGETS:  # each segment on a line of its own, never wrapped
        assert sum(segment in line for line in lines) == 1, segment
    (header,) = [line for line in lines if "group" in line.split()]
    assert [cell.strip() for cell in header.split("┃")[1:-1]] == [
        "group", "customers", "pre", "post", "change", "lift / month", "retained",
    ]  # fmt: skip
    for group in ("treatment", "control"):
        (row,) = [line for line in lines if group in line.split()]
        assert re.search(r"[+-]\d+%", row) and row.rstrip().endswith("% │"), row
