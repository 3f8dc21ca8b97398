"""The serving copy always equals prod, and prod changes only through a reviewed plan.

Each test works on a private copy of the shared cold build (and, where a model changes,
of the SQLMesh project) and checks with `verify_serving` — what `c360 status --verify`
runs — that the dashboard's copy equals prod table for table (rows + checksum).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from bench._support import copy_project, ingest_all, landing_keys

pytestmark = [
    pytest.mark.filterwarnings(
        "ignore:`json_encoders` is deprecated:pydantic.warnings.PydanticDeprecatedSince20"
    ),
]

THRESHOLD = "avg_monthly_spend_90d > 5000 AND travel_spend_pct_90d > 30"
SEGMENTS = "SELECT customer_segment, customers FROM gold.segment_metrics ORDER BY 1"


@pytest.fixture
def portfolio(built_portfolio, tmp_path: Path):
    return built_portfolio.copy_to(tmp_path / "portfolio")


def at(portfolio, hours: float) -> datetime:
    return portfolio.history_end + timedelta(hours=hours)


def differences(portfolio) -> dict[str, str]:
    from c360.pipeline.verify import verify_serving

    settings = portfolio.settings
    checks = verify_serving(settings.warehouse_path, settings.serving_path)
    assert len(checks) > 20
    return {check.table: check.problem for check in checks if not check.ok}


def late_hourly_file(portfolio, hours: float, rows: int | None = None) -> None:
    """The next streaming batch after the history (the first, at first), loaded `hours`
    after it; with `rows`, only its first rows (a quiet hour)."""
    from ingestion.generator import generate_hourly

    landing = portfolio.root / "landing"
    before = set(landing_keys(landing))
    generate_hourly(landing, portfolio.root / "generator", 1)
    (key,) = set(landing_keys(landing)) - before
    if rows is not None:
        lines = (landing / key).read_text().splitlines(keepends=True)
        (landing / key).write_text("".join(lines[: rows + 1]))
    assert ingest_all(portfolio.settings, loaded_at=at(portfolio, hours)).by_status == {"LOADED": 1}


def test_a_fresh_publish_equals_prod(portfolio) -> None:
    assert differences(portfolio) == {}


def test_a_build_whose_publish_never_ran_is_published_by_the_next_run(portfolio) -> None:
    from c360.pipeline.build import build
    from c360.pipeline.publish import publish

    assert build(portfolio.settings, execution_time=at(portfolio, 9)).ok  # hours 0-9: no file
    late_hourly_file(portfolio, 9.45)  # then hour 0 arrives, 9 hours late
    assert build(portfolio.settings, execution_time=at(portfolio, 9.5)).action == "run"
    # ... and the process dies before it publishes: the copy lacks the file's rows
    assert "gold.fact_transaction" in differences(portfolio)
    assert build(portfolio.settings, execution_time=at(portfolio, 10.5)).ok  # nothing new
    publish(portfolio.settings)
    assert differences(portfolio) == {}


def test_after_a_publish_of_every_customer_the_next_starts_from_the_file_in_place(
    portfolio,
) -> None:
    """The spare serving file is one publish behind. The first file of a data day changes
    every customer: updating the spare at the next publish (a quiet hour: a few customers)
    would copy them all again, so that publish starts from a copy of the file in place; the
    one after it from the spare. Each copy equals prod."""
    from c360.pipeline.build import build
    from c360.pipeline.publish import publish

    bases = []
    for hour in (1, 2, 3):
        late_hourly_file(portfolio, hour + 0.05, rows=None if hour == 1 else 10)
        report = build(portfolio.settings, execution_time=at(portfolio, hour + 0.1))
        assert report.action == "run", report.error
        bases.append(publish(portfolio.settings).base)
        assert differences(portfolio) == {}, hour
    # no spare before the first; the spare lacks the day's first build at the second
    assert bases == ["copy", "copy", "spare"]


PUBLISH = """
import sys
from c360.core.settings import Settings
from c360.pipeline.publish import publish
publish(Settings(data_dir=sys.argv[1]))
"""


@pytest.mark.parametrize("kill_after", ["temporary file appears", "0.3 s later"])
def test_a_publish_killed_midway_leaves_no_trace_and_the_next_run_repairs(
    portfolio, kill_after: str
) -> None:
    from c360.pipeline.build import build
    from c360.pipeline.run import run_pipeline

    assert build(portfolio.settings, execution_time=at(portfolio, 9)).ok
    late_hourly_file(portfolio, 9.45)
    assert build(portfolio.settings, execution_time=at(portfolio, 9.5)).action == "run"
    serving = portfolio.settings.serving_path
    before = serving.stat().st_mtime_ns
    proc = subprocess.Popen(
        [sys.executable, "-c", PUBLISH, str(portfolio.root)], start_new_session=True
    )
    started = time.monotonic()
    while time.monotonic() - started < 60 and proc.poll() is None:
        if list(serving.parent.glob(".SERVING.duckdb.*.tmp*")) and (
            kill_after == "temporary file appears" or time.monotonic() - started > 0.3
        ):
            break
        time.sleep(0.005)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert serving.stat().st_mtime_ns == before, "the publish finished before it was killed"
    assert list(serving.parent.glob(".SERVING.duckdb.*.tmp*"))  # the kill left its file
    assert "gold.fact_transaction" in differences(portfolio)  # the old copy is still served

    report = run_pipeline(portfolio.settings)  # the next scheduled run
    assert report.ok, report.build.error
    assert differences(portfolio) == {}
    assert list(serving.parent.glob(".SERVING.duckdb.*.tmp*")) == []


def edit_segment_threshold(project: Path) -> None:
    model = project / "models" / "gold" / "customer_analytics" / "customer_segments.sql"
    text = model.read_text()
    assert text.count(THRESHOLD) == 2
    model.write_text(text.replace(THRESHOLD, THRESHOLD.replace("5000", "4000")))


def segments(path: Path) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(SEGMENTS).fetchall()


def test_run_does_not_apply_a_changed_project_to_prod(portfolio, tmp_path: Path) -> None:
    from c360.pipeline.build import build

    project = copy_project(tmp_path / "project")
    edit_segment_threshold(project)
    before = segments(portfolio.settings.warehouse_path)
    report = build(portfolio.settings, execution_time=at(portfolio, 1.1), project_root=project)
    assert report.ok, report.error
    assert (report.action, report.project_differs) == ("run", True)
    assert any("c360 plan" in warning for warning in report.warnings)
    assert segments(portfolio.settings.warehouse_path) == before


def test_a_reviewed_plan_reaches_prod_and_the_serving_copy(portfolio, tmp_path: Path) -> None:
    from c360.pipeline.build import build
    from c360.pipeline.plan import review_plan
    from c360.pipeline.publish import publish

    project = copy_project(tmp_path / "project")
    edit_segment_threshold(project)
    settings = portfolio.settings
    before = segments(settings.serving_path)

    seen = []
    dev = review_plan(
        settings, "dev", confirm=seen.append, show=False, project_root=project
    )  # confirm returns None: previewing the change is not applying it
    assert dev.directly_modified == ["WAREHOUSE.GOLD.CUSTOMER_SEGMENTS"]
    assert "WAREHOUSE.GOLD.SEGMENT_METRICS" in dev.indirectly_modified
    assert dev.tests_run > 30 and not dev.applied and seen == [dev]

    # a run before the plan records the pending difference (with these very files) ...
    pending = build(settings, execution_time=at(portfolio, 1.1), project_root=project)
    assert pending.ok and pending.project_differs
    prod = review_plan(settings, "prod", confirm=lambda _: True, show=False, project_root=project)
    assert prod.applied
    publish(settings, full=True)  # what `c360 plan prod` does after applying
    after = segments(settings.serving_path)
    assert after != before and after == segments(settings.warehouse_path)
    assert differences(portfolio) == {}
    # ... which the next run, after the plan, no longer reports (nothing new to build either)
    report = build(settings, execution_time=at(portfolio, 1.1), project_root=project)
    assert report.ok and not report.project_differs
    publish(settings)
    assert differences(portfolio) == {}


def test_a_model_promoted_outside_c360_is_republished_in_full(portfolio, tmp_path: Path) -> None:
    from c360.pipeline.context import open_context
    from c360.pipeline.run import run_pipeline

    project = copy_project(tmp_path / "project")
    edit_segment_threshold(project)
    with open_context(portfolio.settings, project_root=project) as context:  # `sqlmesh plan`
        context.plan(
            "prod",
            auto_apply=True,
            no_prompts=True,
            skip_tests=True,
            execution_time=at(portfolio, 1.0),
        )
    assert "gold.customer_segments" in differences(portfolio)
    assert run_pipeline(portfolio.settings).ok
    assert differences(portfolio) == {}


def test_a_failing_unit_test_stops_the_plan(portfolio, tmp_path: Path) -> None:
    from c360.core.errors import C360Error
    from c360.pipeline.plan import review_plan

    project = copy_project(tmp_path / "project")
    edit_segment_threshold(project)
    unit_test = project / "tests" / "test_dim_date.yaml"
    unit_test.write_text(unit_test.read_text().replace("day_name: Wed", "day_name: Mer", 1))
    before = segments(portfolio.settings.warehouse_path)
    with pytest.raises(C360Error, match="unit tests failed"):
        review_plan(
            portfolio.settings, "prod", confirm=lambda _: True, show=False, project_root=project
        )
    assert segments(portfolio.settings.warehouse_path) == before


def test_status_verify_reports_a_tampered_copy_and_publish_full_repairs_it(portfolio) -> None:
    from tests.test_cli_generate import c360

    data = str(portfolio.root)
    ok = c360("status", "--verify", "--data-dir", data)
    assert ok.returncode == 0, ok.stderr
    assert "equal" in ok.stdout
    with duckdb.connect(str(portfolio.settings.serving_path)) as con:  # someone edits the copy
        con.execute("DELETE FROM gold.segment_metrics WHERE customer_segment = 'Declining'")
    bad = c360("status", "--verify", "--data-dir", data)
    assert bad.returncode == 1
    assert "gold.segment_metrics" in bad.stdout and "1 of" in bad.stderr
    assert c360("publish", "--full", "--data-dir", data).returncode == 0
    assert c360("status", "--verify", "--data-dir", data).returncode == 0
