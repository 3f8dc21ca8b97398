"""The change workflow: plan a model change in `dev`, compare with prod, then promote.

`sqlmesh plan dev` builds the changed models (and what depends on them) in a virtual
environment — views in `gold__dev` over new physical tables — while prod keeps serving
the old version; `table_diff prod:dev` previews the effect; `plan prod` then promotes
the already-built tables by swapping views. Runs on a copy of the shared build and of
the project, with the Python API the sqlmesh CLI wraps.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from bench._support import copy_project

pytestmark = [
    pytest.mark.filterwarnings(
        "ignore:`json_encoders` is deprecated:pydantic.warnings.PydanticDeprecatedSince20"
    ),
]

THRESHOLD = "avg_monthly_spend_90d > 5000 AND travel_spend_pct_90d > 30"


@pytest.fixture
def workspace(built_portfolio, tmp_path: Path):
    return built_portfolio.copy_to(tmp_path / "data"), copy_project(tmp_path / "project")


SEGMENT_COUNTS = "SELECT customer_segment, customers FROM {schema}.segment_metrics"


def segment_counts(portfolio, schema: str) -> dict[str, int]:
    with duckdb.connect(str(portfolio.settings.warehouse_path), read_only=True) as con:
        return dict(con.execute(SEGMENT_COUNTS.format(schema=schema)).fetchall())


def segment_counts_in(context, schema: str) -> dict[str, int]:
    """The same through the context's own connection (DuckDB: one configuration per file)."""
    return dict(context.engine_adapter.fetchall(SEGMENT_COUNTS.format(schema=schema)))


def test_change_is_previewed_in_dev_then_promoted(workspace) -> None:
    from c360.pipeline.context import make_context

    portfolio, project = workspace
    model = project / "models" / "gold" / "customer_analytics" / "customer_segments.sql"
    text = model.read_text()
    assert text.count(THRESHOLD) == 2
    model.write_text(text.replace(THRESHOLD, THRESHOLD.replace("5000", "4000")))
    prod_before = segment_counts(portfolio, "gold")

    context = make_context(portfolio.settings, project_root=project)
    try:
        clock = portfolio.history_end
        context.plan("dev", auto_apply=True, no_prompts=True, skip_tests=True, execution_time=clock)
        dev = segment_counts_in(context, "gold__dev")
        assert segment_counts_in(context, "gold") == prod_before  # prod untouched
        assert dev["High-Value Travelers"] > prod_before["High-Value Travelers"]
        assert sum(dev.values()) == sum(prod_before.values())

        (diff,) = context.table_diff(
            "prod", "dev", select_models=["gold.customer_segments"], show=False
        )
        moved = dev["High-Value Travelers"] - prod_before["High-Value Travelers"]
        assert diff.row_diff().partial_match_count >= moved > 0

        context.plan(
            "prod", auto_apply=True, no_prompts=True, skip_tests=True, execution_time=clock
        )
        assert segment_counts_in(context, "gold") == dev
    finally:
        context.close()


def test_column_level_lineage_reaches_the_source_columns(workspace) -> None:
    from sqlmesh.core.lineage import column_dependencies

    from c360.pipeline.context import make_context

    portfolio, project = workspace
    context = make_context(portfolio.settings, project_root=project)
    try:
        profile = column_dependencies(context, "gold.customer_360_profile", "lifetime_value")
        ltv = column_dependencies(context, "gold.metric_customer_ltv", "lifetime_value")
        monthly = column_dependencies(context, "gold.customer_monthly_spend", "monthly_spend")
    finally:
        context.close()
    assert profile == {'"WAREHOUSE"."GOLD"."METRIC_CUSTOMER_LTV"': {"LIFETIME_VALUE"}}
    assert ltv == {'"WAREHOUSE"."GOLD"."CUSTOMER_MONTHLY_SPEND"': {"MONTHLY_SPEND"}}
    assert monthly == {'"WAREHOUSE"."GOLD"."FACT_TRANSACTION"': {"TRANSACTION_AMOUNT"}}


def test_sqlmesh_ui_starts_on_the_project_and_lists_the_models(workspace) -> None:
    import json
    import os
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    from c360.pipeline.context import PROJECT_ROOT

    portfolio, _ = workspace
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sqlmesh = Path(sys.executable).with_name("sqlmesh")
    env = {**os.environ, "C360_DATA_DIR": str(portfolio.root)}
    ui = subprocess.Popen(
        [str(sqlmesh), "ui", "--host", "127.0.0.1", "--port", str(port)],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 90
        models = None
        while models is None and time.monotonic() < deadline and ui.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/models", timeout=5) as r:
                    models = json.load(r)
            except OSError:
                time.sleep(1)
        assert models is not None, "sqlmesh ui did not answer"
        names = {model["name"] for model in models}
        assert {"gold.fact_transaction", "gold.dim_customer", "silver.silver_transactions"} <= names
    finally:
        ui.terminate()
        ui.wait(timeout=30)
