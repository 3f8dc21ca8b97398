"""Spec 10.5 alerts: one set of definitions, evaluated on a real warehouse by `c360 status
--alerts` (exit 1 on a firing critical alert) and rendered as Snowflake CREATE ALERTs.

The warehouse is a small portfolio generated, loaded by the product loader and built by
SQLMesh (bench/_support.build_portfolio); the failures are real: a malformed streaming file
goes through the loader (LOAD_FAILED in observability.load_history) and a failed build is
caused by a snapshot row without a credit limit (silver_customers' not_null audit).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from bench._support import Portfolio, build_portfolio
from c360.core.clock import utc_now
from c360.core.errors import InputError
from c360.pipeline.alerts import (
    ALERTS,
    Severity,
    critical_firing,
    evaluate,
    render_snowflake_alerts,
)
from ingestion.loader import ingest
from ingestion.snowflake.scripts import SCRIPTS_DIR, ScriptValues, render_scripts
from ingestion.snowflake.setup import statements

pytestmark = [
    pytest.mark.filterwarnings(
        "ignore:`json_encoders` is deprecated:pydantic.warnings.PydanticDeprecatedSince20"
    ),
]

SCRIPT = SCRIPTS_DIR / "07_create_alerts.sql"


def _now() -> datetime:
    return utc_now().replace(tzinfo=None)


def c360(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "120"}
    return subprocess.run(
        [sys.executable, "-m", "c360", *args], capture_output=True, text=True, timeout=120, env=env
    )


@pytest.fixture(scope="module")
def small_portfolio(tmp_path_factory: pytest.TempPathFactory) -> Portfolio:
    """150 customers, loaded and cold-built (read-only: copy before changing it)."""
    return build_portfolio(tmp_path_factory.mktemp("alerts"), customers=150, seed=11)


# --- one home for the thresholds ---------------------------------------------------


def test_the_committed_snowflake_script_is_rendered_from_the_definitions():
    assert SCRIPT.read_text() == render_snowflake_alerts(), (
        "infra/snowflake/07_create_alerts.sql is stale: "
        "python -m c360.pipeline.alerts > infra/snowflake/07_create_alerts.sql"
    )
    # spec 10.5: two critical (pipe failures > 10 % of files in 1 h, failed runs), two warnings
    spec = {
        "pipe_failure_rate": (Severity.CRITICAL, 10),
        "failed_pipeline_runs": (Severity.CRITICAL, 0),
        "duplicate_rate": (Severity.WARNING, 5),
        "ingestion_latency": (Severity.WARNING, 15),
    }
    assert {a.name: (a.severity, a.threshold) for a in ALERTS} == spec


def test_the_alert_script_renders_each_threshold_into_its_condition():
    values = ScriptValues(
        "CUSTOMER_ANALYTICS", warehouse="ALERTS_WH", alert_email="data-alerts@example.com"
    )
    (script,) = render_scripts(values, only=["07"])
    parts = statements(script.sql)
    assert parts[0].startswith("CREATE NOTIFICATION INTEGRATION IF NOT EXISTS c360_alerts")
    assert "ALLOWED_RECIPIENTS = ('data-alerts@example.com')" in parts[0]
    creates = [p for p in parts if p.startswith("CREATE OR REPLACE ALERT")]
    resumes = [p for p in parts if p.startswith("ALTER ALERT")]
    assert len(creates) == len(resumes) == len(ALERTS)
    for alert, create in zip(ALERTS, creates, strict=True):
        assert f"CUSTOMER_ANALYTICS.observability.{alert.name}_alert" in create
        assert "WAREHOUSE = ALERTS_WH" in create
        assert f"measured.value > {alert.threshold:g}\n" in create
        assert "SYSDATE()" in create and ":now" not in create
        assert "FROM CUSTOMER_ANALYTICS.observability." in create
    with pytest.raises(InputError, match="C360_SNOWFLAKE_ALERT_EMAIL"):
        render_scripts(ScriptValues("CUSTOMER_ANALYTICS"), only=["07"])
    with pytest.raises(InputError, match="alert_recipients"):
        render_scripts(ScriptValues("C", alert_email="x'); DROP--@a.b"), only=["07"])


# --- evaluated on a real warehouse ---------------------------------------------------


def test_a_clean_build_fires_nothing_critical_and_status_exits_0(small_portfolio):
    with duckdb.connect(str(small_portfolio.settings.warehouse_path), read_only=True) as con:
        results = {r.name: r for r in evaluate(con, _now())}
        # the newest load's duplicate share, straight from the data-quality model
        failed, checked = con.execute(
            "SELECT records_failed, records_checked FROM observability.data_quality_metrics "
            "WHERE table_name = 'silver_transactions' AND check_type = 'duplicate' "
            "ORDER BY run_timestamp DESC LIMIT 1"
        ).fetchone()
    assert results["failed_pipeline_runs"].value == 0
    assert results["failed_pipeline_runs"].status == "OK"
    assert results["duplicate_rate"].value == pytest.approx(100 * failed / checked)
    # every file of the fixture loaded whole, just now (load_history keeps the wall clock)
    assert (results["pipe_failure_rate"].value, results["pipe_failure_rate"].status) == (0, "OK")
    assert not critical_firing(list(results.values()))

    done = c360("status", "--alerts", "--data-dir", str(small_portfolio.root))
    assert done.returncode == 0, done.stderr
    for alert in ALERTS:
        assert alert.name in done.stdout
    # a warning may fire (the generator's defects include duplicates), a critical one not
    assert all("warning" in line for line in done.stdout.splitlines() if "FIRING" in line)


def test_a_malformed_file_and_a_failed_run_fire_critical_alerts_and_exit_1(
    small_portfolio, tmp_path: Path
):
    from c360.pipeline.build import build

    portfolio = small_portfolio.copy_to(tmp_path / "portfolio")
    settings = portfolio.settings
    files_before = len(portfolio.keys())  # all decided by the fixture's load, minutes ago
    for hour in range(3):  # three hourly files that are not CSV at all
        stream = (
            portfolio.landing / "transactions" / "streaming" / "2030" / "01" / "01" / f"0{hour}"
        )
        stream.mkdir(parents=True)
        (stream / f"transactions_20300101_0{hour}0000.csv").write_bytes(b"\x1f\x8b not a csv")
    loaded = ingest(settings)  # the product loader, wall clock: the files fail now
    assert loaded.by_status.get("LOAD_FAILED") == 3, loaded.by_status

    with duckdb.connect(str(settings.warehouse_path)) as con:
        # a snapshot row without a credit limit: silver_customers' not_null audit stops the build
        con.execute(
            """
            INSERT INTO bronze.bronze_customers
            SELECT customer_id, first_name, last_name, email, age, state, city,
                   employment_status, card_type, NULL, account_open_date, customer_segment,
                   now()::TIMESTAMP, 'customers/customers_2030-01-01.csv'
            FROM bronze.bronze_customers LIMIT 1
            """
        )
    failed = build(settings, execution_time=_now())
    assert failed.status == "FAILED", failed.error

    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        results = {r.name: r for r in evaluate(con, _now())}
    assert results["pipe_failure_rate"].value == pytest.approx(300 / (files_before + 3))
    assert results["pipe_failure_rate"].value > 10
    assert results["failed_pipeline_runs"].value == 1
    assert {r.name for r in critical_firing(list(results.values()))} == {
        "pipe_failure_rate",
        "failed_pipeline_runs",
    }
    # an hour later the failed file is out of the window; the failed run stays until a success
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        later = {r.name: r for r in evaluate(con, _now() + timedelta(hours=2))}
    assert later["pipe_failure_rate"].status == "NO DATA"
    assert later["failed_pipeline_runs"].firing

    done = c360("status", "--alerts", "--json", "--data-dir", str(portfolio.root))
    assert done.returncode == 1
    payload = json.loads(done.stdout)
    by_name = {a["name"]: a for a in payload["alerts"]}
    assert by_name["pipe_failure_rate"]["status"] == "FIRING"
    assert by_name["pipe_failure_rate"]["threshold"] == 10
    assert by_name["failed_pipeline_runs"]["severity"] == "critical"
    assert "2 critical alerts firing" in done.stderr

    with duckdb.connect(str(settings.warehouse_path)) as con:  # fix the source, build again
        con.execute("DELETE FROM bronze.bronze_customers WHERE credit_limit IS NULL")
    assert build(settings, execution_time=_now()).ok
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        recovered = {r.name: r for r in evaluate(con, _now())}
    assert recovered["failed_pipeline_runs"].status == "OK"
