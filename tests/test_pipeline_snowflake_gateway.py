"""The SQLMesh models on the Snowflake gateway, against a fakesnow server on 127.0.0.1.

Measured, not assumed: every SQL model is rendered by SQLMesh for the `snowflake` gateway
(Snowflake SQL, the environment's table names) and executed by fakesnow in DAG order, each
into a table declared from the model's columns. Bronze is created by the setup scripts
(`c360 snowflake setup` 01/04/06) and filled with the rows the product loader accepted from a
small generated portfolio, staged as Parquet and loaded with COPY INTO ($1:column). What fakesnow
cannot run is listed once, in FAKESNOW_CANNOT_RUN, with the reason (docs/deploy.md, "Measured
against fakesnow"); everything else must run and produce rows where the data has them.

Not covered here (see docs/deploy.md): SQLMesh's own plan/backfill/run on fakesnow (it stops at
the physical layer: fakesnow's information schema does not report the views SQLMesh created, so
SQLMesh creates one twice), and the product's COPY statements (ingestion/snowflake/gateway.py),
which fakesnow cannot parse.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import duckdb
import pytest
from sqlglot import exp

from bench._support import generate, ingest_all
from c360.core.settings import Settings
from ingestion.bronze import BRONZE_TABLES
from ingestion.snowflake.connect import connect
from ingestion.snowflake.scripts import ScriptValues, render_scripts
from ingestion.snowflake.setup import run_scripts

pytestmark = [
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.filterwarnings("ignore::FutureWarning"),
]


#: The models fakesnow cannot run, and why (kept equal to docs/deploy.md).
FAKESNOW_CANNOT_RUN = {
    "silver.silver_merchant_categories": "SEED: SQLMesh loads seeds as DataFrames "
    "(write_pandas: PUT to a stage), which the fakesnow server does not implement",
    "silver.silver_segment_targets": "SEED: as silver_merchant_categories",
    "gold.churn_predictions": "Python model; on Snowflake it calls Cortex ML "
    "(observability.churn_model!PREDICT), which fakesnow does not have",
    "gold.dim_merchant_category": "reads the seed silver_merchant_categories",
    "gold.segment_metrics": "reads the seed silver_segment_targets",
    "gold.churn_risk_features": "reads gold.churn_predictions",
}

#: Models whose tables must have rows on a freshly loaded portfolio.
MUST_HAVE_ROWS = (
    "silver.silver_customers",
    "silver.silver_customer_history",
    "silver.silver_transactions",
    "gold.fact_transaction",
    "gold.data_clock",
    "gold.customer_segments",
    "observability.data_quality_metrics",
)


@pytest.fixture(scope="module")
def loaded(fakesnow_port: int, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A 30-customer portfolio through the product loader, its bronze copied into fakesnow."""
    root = tmp_path_factory.mktemp("sfgw")
    portfolio = generate(root / "portfolio", customers=30, seed=7)
    ingest_all(portfolio.settings, loaded_at=portfolio.history_end - timedelta(minutes=1))
    settings = Settings(
        data_dir=root / "data",
        gateway="snowflake",
        snowflake_account="c360test",
        snowflake_user="tester",
        snowflake_password="secret",  # noqa: S106 - fakesnow accepts anything
        snowflake_database=f"C360_{uuid.uuid4().hex[:8].upper()}",
        snowflake_host="127.0.0.1",
        snowflake_port=fakesnow_port,
        snowflake_protocol="http",
    )
    db = settings.snowflake_database
    con = connect(settings, use_database=False, timeout=60)
    bronze_rows = {}
    try:
        list(run_scripts(con, render_scripts(ScriptValues.from_settings(settings), ["01", "04"])))
        cursor = con.cursor()
        cursor.execute(f"USE DATABASE {db}")  # fakesnow's COPY needs a current database
        cursor.execute("USE SCHEMA BRONZE")
        with duckdb.connect(str(portfolio.settings.warehouse_path), read_only=True) as duck:
            for table in BRONZE_TABLES:
                columns = [name for name, _ in table.columns]
                folder = root / "export" / table.name
                folder.mkdir(parents=True)
                duck.execute(
                    f"COPY (SELECT {', '.join(columns)} FROM {table.qualified}) "  # noqa: S608
                    f"TO '{folder}/part.parquet' (FORMAT PARQUET)"
                )
                bronze_rows[table.qualified] = duck.execute(
                    f"SELECT count(*) FROM {table.qualified}"  # noqa: S608
                ).fetchone()[0]
                stage = f"{db}.bronze.export_{table.name}"
                cursor.execute(f"CREATE STAGE {stage} URL = 'file://{folder}/'")
                picks = ", ".join(f"$1:{name}" for name in columns)
                cursor.execute(
                    f"COPY INTO {db}.{table.qualified} ({', '.join(columns)}) "
                    f"FROM (SELECT {picks} FROM @{stage}) FILE_FORMAT = (TYPE = PARQUET)"
                )
    finally:
        con.close()
    return {"settings": settings, "portfolio": portfolio, "bronze_rows": bronze_rows}


@pytest.fixture(scope="module")
def measured(loaded: dict) -> dict[str, str | int]:
    """Per model: the row count it produced on fakesnow, or why it could not run."""
    from sqlmesh.core.engine_adapter.base import EngineAdapter
    from sqlmesh.core.engine_adapter.snowflake import SnowflakeEngineAdapter

    from c360.pipeline.context import make_context

    # SQLMesh keeps its state in the gateway and writes it as DataFrames (write_pandas, PUT):
    # fakesnow's server has no PUT, so DataFrames go as INSERT ... VALUES here (SQLMesh's generic
    # path). Model SQL is untouched.
    original = SnowflakeEngineAdapter._df_to_source_queries
    SnowflakeEngineAdapter._df_to_source_queries = EngineAdapter._df_to_source_queries
    settings, end = loaded["settings"], loaded["portfolio"].history_end
    context = make_context(settings)
    adapter = context.engine_adapter
    results: dict[str, str | int] = {}
    try:
        for name in context.dag:
            model = context.get_model(name)
            short = ".".join(part.strip('"').lower() for part in name.split(".")[-2:])
            if model.kind.is_external:
                continue
            target = exp.to_table(short.upper())
            adapter.create_schema(short.split(".")[0].upper())
            # declared (empty) even when excluded, so the models downstream can run
            adapter.create_table(target, model.columns_to_types, exists=True)
            if short in FAKESNOW_CANNOT_RUN:
                results[short] = "excluded"
                continue
            try:
                query = context.render(model, start="2 years ago", end=end, execution_time=end)
                # SCD2: valid_from/valid_to come from SQLMesh's merge, not the query, so the
                # query's own columns are inserted (its merge is not measured here)
                columns = ", ".join(query.named_selects)
                adapter.execute(
                    f"INSERT INTO {target.sql()} ({columns}) {query.sql(dialect='snowflake')}"
                )
                results[short] = adapter.fetchone(f"SELECT COUNT(*) FROM {target.sql()}")[0]
            except Exception as exc:  # noqa: BLE001 - the measurement records every failure
                results[short] = f"failed: {str(exc).splitlines()[0]}"
    finally:
        SnowflakeEngineAdapter._df_to_source_queries = original
        context.close()
    return results


def test_every_model_fakesnow_can_run_builds_on_the_snowflake_gateway(measured, loaded):
    failed = {name: result for name, result in measured.items() if str(result).startswith("failed")}
    assert not failed, failed
    excluded = {name for name, result in measured.items() if result == "excluded"}
    assert excluded == set(FAKESNOW_CANNOT_RUN), "the exclusion list names a model that is gone"
    ran = {name: rows for name, rows in measured.items() if isinstance(rows, int)}
    assert len(ran) + len(excluded) == len(measured) == 29
    assert len(ran) == 23
    for name in MUST_HAVE_ROWS:
        assert ran[name] > 0, name
    # every customer of the portfolio is in silver; facts never exceed the deduplicated rows
    assert ran["silver.silver_customers"] == 30
    assert ran["gold.fact_transaction"] <= ran["silver.silver_transactions"]
    assert ran["silver.silver_transactions"] <= loaded["bronze_rows"]["bronze.bronze_transactions"]


def test_facts_on_fakesnow_equal_facts_on_duckdb_for_the_same_bronze(measured, loaded):
    """The same SQL on both engines gives the same facts and the same money. (The marts are
    not compared: rendered for one interval, the unique-key aggregates do not accumulate as
    SQLMesh's runs do — on fakesnow every customer came out Budget-Conscious.)"""
    settings = loaded["settings"]
    con = connect(settings, timeout=60)
    try:
        cursor = con.cursor()
        cursor.execute(
            "SELECT COUNT(*), SUM(transaction_amount) FROM gold.fact_transaction"  # noqa: S608
        )
        snowflake_facts = cursor.fetchone()
    finally:
        con.close()
    path = loaded["portfolio"].settings.warehouse_path
    from c360.pipeline.build import build

    report = build(loaded["portfolio"].settings, execution_time=loaded["portfolio"].history_end)
    assert report.ok, report.error
    with duckdb.connect(str(path), read_only=True) as duck:
        duckdb_facts = duck.execute(
            "SELECT COUNT(*), SUM(transaction_amount) FROM gold.fact_transaction"
        ).fetchone()
    # fakesnow returns the DECIMAL sum as a float: compare in cents
    assert snowflake_facts[0] == duckdb_facts[0]
    assert round(float(snowflake_facts[1]), 2) == round(float(duckdb_facts[1]), 2)
