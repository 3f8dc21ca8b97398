"""A failing build is reported and logged, keeps prod on the last good tables, and recovers."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import duckdb
import pytest

pytestmark = [
    pytest.mark.filterwarnings(
        "ignore:`json_encoders` is deprecated:pydantic.warnings.PydanticDeprecatedSince20"
    ),
]


@pytest.fixture
def portfolio(built_portfolio, tmp_path: Path):
    return built_portfolio.copy_to(tmp_path / "portfolio")


def test_blocking_audit_failure_is_logged_and_prod_keeps_serving(portfolio) -> None:
    from c360.pipeline.run import run_pipeline

    warehouse = portfolio.settings.warehouse_path
    with duckdb.connect(str(warehouse)) as con:
        customers_before = con.execute("SELECT count(*) FROM gold.dim_customer").fetchone()[0]
        # a snapshot row without a credit limit: silver_customers' not_null audit must stop it
        con.execute(
            """
            INSERT INTO bronze.bronze_customers
            SELECT customer_id, first_name, last_name, email, age, state, city,
                   employment_status, card_type, NULL, account_open_date, customer_segment,
                   now()::TIMESTAMP, 'customers/customers_' || strftime(?::DATE, '%Y-%m-%d') || '.csv'
            FROM bronze.bronze_customers LIMIT 1
            """,
            [portfolio.history_end],
        )

    report = run_pipeline(portfolio.settings).build
    assert report.status == "FAILED"
    assert report.models_failed >= 1
    assert "not_null" in (report.error or "")

    with duckdb.connect(str(warehouse), read_only=True) as con:
        status, failed, error = con.execute(
            "SELECT status, models_failed, error_message FROM observability.pipeline_run_metadata "
            "ORDER BY run_timestamp DESC LIMIT 1"
        ).fetchone()
        assert con.execute("SELECT count(*) FROM gold.dim_customer").fetchone()[0] == (
            customers_before
        )
        audits = con.execute(
            "SELECT layer, audit_name, records_failed FROM observability.audit_failures "
            "WHERE run_id = ?",
            [report.run_id],
        ).fetchall()
    assert (status, failed) == ("FAILED", report.models_failed)
    assert ("silver", "not_null", 1) in audits  # the failed audit is logged with its row count
    assert "not_null" in error
    with duckdb.connect(str(portfolio.settings.serving_path), read_only=True) as con:
        assert con.execute(
            "SELECT status FROM observability.pipeline_run_metadata "
            "ORDER BY run_timestamp DESC LIMIT 1"
        ).fetchone() == ("FAILED",)

    with duckdb.connect(str(warehouse)) as con:  # fix the source, run again
        con.execute("DELETE FROM bronze.bronze_customers WHERE credit_limit IS NULL")
    from c360.pipeline.build import build

    recovered = build(portfolio.settings, execution_time=portfolio.history_end + timedelta(hours=1))
    assert recovered.ok, recovered.error
