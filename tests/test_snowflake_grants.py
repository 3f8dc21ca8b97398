"""The roles and grants of infra/snowflake/02, for every schema and table c360 creates.

fakesnow (the Snowflake emulator these tests use) implements no roles: CREATE ROLE, GRANT
and SHOW GRANTS are parse errors there. So the grants are tested as data — the rendered
02 read into a (role, privilege, object) plan and resolved the way Snowflake resolves it
(inheritance, ALL vs FUTURE, schema-level future grants shadowing database-level ones) —
and against fakesnow only what it can run: script 01 creating every schema the grants
name, and `c360 snowflake grants` failing on one line where SHOW GRANTS is not supported.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import snowflake.connector

import churn.cortex
import churn.dataset
import churn.outputs
from assistant import store as assistant_store
from c360.core.errors import C360Error, InputError
from c360.pipeline import observability, publish
from ingestion.bronze import BRONZE_TABLES
from ingestion.load_history import LOAD_HISTORY
from ingestion.snowflake.grants import (
    LATER_SCHEMAS,
    ROLES,
    SchemaAccess,
    allows,
    grant_rows,
    intended_plan,
    object_privileges,
    parse_plan,
    read_effective_grants,
    schema_access,
    show_statements,
)
from ingestion.snowflake.scripts import ScriptValues, render_scripts
from ingestion.snowflake.setup import run_scripts

ROOT = Path(__file__).resolve().parents[1]
C360 = shutil.which("c360", path=str(Path(sys.executable).parent))
WRITES = ("INSERT", "UPDATE", "DELETE", "TRUNCATE")
LAYERS = ("bronze", "silver", "gold", "observability")


@pytest.fixture(scope="module")
def plan():
    return intended_plan(ScriptValues("CUSTOMER_ANALYTICS", warehouse="TRANSFORM_WH"))


@pytest.fixture(scope="module")
def access(plan) -> dict[str, dict[str, SchemaAccess]]:
    return {role: schema_access(plan, role) for role in ROLES}


def reads(access: SchemaAccess, object_type: str, *, future: bool) -> bool:
    held = (access.future if future else access.existing).get(object_type, set())
    return allows(access.schema, "USAGE") and allows(held, "SELECT")


def c360_tables() -> set[tuple[str, str]]:
    """(schema, table) of everything c360 creates, gathered from where each is defined."""
    found: set[tuple[str, str]] = set()
    for path in (ROOT / "models").rglob("*.sql"):
        if match := re.search(r"MODEL\s*\(\s*name\s+(\w+)\.(\w+)", path.read_text()):
            found.add((match[1], match[2]))
    for path in (ROOT / "models").rglob("*.py"):
        found |= set(re.findall(r'@model\(\s*"(\w+)\.(\w+)"', path.read_text()))
    qualified = [
        *(t.qualified for t in (*BRONZE_TABLES, LOAD_HISTORY)),
        *observability.TABLES,
        publish.MANIFEST,
        churn.cortex.MODEL_NAME,
        churn.cortex.TRAINING_VIEW,
        churn.dataset.VIEW,
        *(f"{churn.outputs.SCHEMA}.{name}" for name in churn.outputs.TABLES),
    ]
    found |= {tuple(name.split(".")) for name in qualified}
    for ddl in assistant_store._DDL:
        found |= set(re.findall(r"CREATE TABLE IF NOT EXISTS (\w+)\.(\w+)", ddl))
    return found


# --- every table is covered ------------------------------------------------------------


def test_the_catalog_of_c360_tables_is_complete_enough_to_mean_something():
    tables = c360_tables()
    for expected in [
        ("bronze", "bronze_transactions"),
        ("silver", "silver_customers"),
        ("gold", "dim_customer"),
        ("gold", "churn_predictions"),
        ("gold", "churn_features_at_cutoff"),
        ("observability", "load_history"),
        ("observability", "data_quality_metrics"),
        ("observability", "pipeline_run_metadata"),
        ("observability", "ml_feature_importance"),
        ("observability", "churn_model"),
        ("observability", "assistant_log"),
        ("observability", "assistant_feedback"),
    ]:
        assert expected in tables
    assert {schema for schema, _ in tables} == set(LAYERS)


def test_every_schema_c360_writes_to_has_grants_for_each_role(plan, access):
    model_schemas = {
        match[1]
        for path in (ROOT / "models").rglob("*.*")
        if (match := re.search(r'(?:name\s+|@model\(\s*")(\w+)\.\w+', path.read_text()))
    }
    # SQLMesh's physical tables live in sqlmesh__<schema>, its state in `sqlmesh`.
    needed = set(LAYERS) | {f"sqlmesh__{s}" for s in model_schemas} | {"sqlmesh"}
    assert needed <= set(plan.schemas), needed - set(plan.schemas)
    for schema, table in sorted(c360_tables()):
        where = access["data_analyst"][schema]
        assert reads(where, "TABLES", future=True) and reads(where, "VIEWS", future=True), table
        assert reads(where, "TABLES", future=False), table
        engineer = access["data_engineer"][schema]
        assert allows(engineer.schema, "CREATE TABLE")
        assert allows(engineer.future["TABLES"], "SELECT")
        assert allows(engineer.future["TABLES"], "INSERT")
        pipeline = access["c360_pipeline"][schema]
        assert {"USAGE", "CREATE TABLE", "CREATE VIEW"} <= pipeline.schema, schema
        assert all(allows(pipeline.future["TABLES"], w) for w in WRITES), schema
        marketing = access["marketing_manager"][schema]
        assert reads(marketing, "VIEWS", future=True) == (schema == "gold"), (schema, table)


# --- the personas ------------------------------------------------------------------------


def test_marketing_manager_reads_gold_and_nothing_else(plan, access):
    mine = access["marketing_manager"]
    gold = mine["gold"]
    assert gold.schema == {"USAGE"}
    for object_type in ("TABLES", "VIEWS"):
        assert gold.existing[object_type] == {"SELECT"}
        assert gold.future[object_type] == {"SELECT"}
    for schema, where in mine.items():
        if schema != "gold":
            assert where.is_empty(), f"marketing_manager has {where} in {schema}"
    # Not even the physical tables behind the gold views: the views' owner reads those.
    assert mine["sqlmesh__gold"].is_empty()
    assert object_privileges(plan, "marketing_manager") == {
        ("DATABASE", "customer_analytics"): {"USAGE"},
        ("WAREHOUSE", "transform_wh"): {"USAGE"},
    }
    assert plan.inherited("marketing_manager") == {"marketing_manager"}


def test_analyst_reads_every_layer_now_and_future_and_writes_nothing(plan, access):
    mine = access["data_analyst"]
    for schema in (*LAYERS, "sqlmesh__silver", "sqlmesh__gold", "sqlmesh__observability"):
        for object_type in ("TABLES", "VIEWS"):
            assert reads(mine[schema], object_type, future=True), (schema, object_type)
            assert reads(mine[schema], object_type, future=False), (schema, object_type)
    # Schemas SQLMesh creates later (dev environments) are readable too.
    assert reads(mine[LATER_SCHEMAS], "TABLES", future=True)
    assert reads(mine[LATER_SCHEMAS], "VIEWS", future=True)
    # SQLMesh's state is not a layer.
    assert mine["sqlmesh"].is_empty()
    for where in mine.values():
        held = where.schema.union(*where.existing.values(), *where.future.values())
        assert held <= {"USAGE", "SELECT"}, held


def test_engineer_has_everything_and_acts_as_the_pipeline(plan, access):
    assert plan.inherited("data_engineer") == {"data_engineer", "c360_pipeline"}
    assert "ALL" in object_privileges(plan, "data_engineer")[("DATABASE", "customer_analytics")]
    for schema, where in access["data_engineer"].items():
        assert "ALL" in where.schema, schema
        assert "ALL" in where.future["TABLES"] and "ALL" in where.future["VIEWS"], schema
    bronze = access["data_engineer"]["bronze"]
    assert {"OPERATE", "MONITOR"} <= bronze.future["PIPES"]  # through c360_pipeline


def test_pipeline_loads_bronze_builds_every_schema_and_trains_in_observability(plan, access):
    database = object_privileges(plan, "c360_pipeline")[("DATABASE", "customer_analytics")]
    assert database == {"USAGE", "MONITOR", "CREATE SCHEMA"}  # not ALL: it does not own it
    warehouse = object_privileges(plan, "c360_pipeline")[("WAREHOUSE", "transform_wh")]
    assert warehouse == {"USAGE", "OPERATE"}
    bronze = access["c360_pipeline"]["bronze"]
    for object_type, wanted in [
        ("STAGES", {"USAGE"}),
        ("FILE FORMATS", {"USAGE"}),
        ("PIPES", {"OPERATE", "MONITOR"}),
    ]:
        assert bronze.existing[object_type] == wanted  # a re-run of setup
        assert bronze.future[object_type] == wanted  # the first run: 03 and 05 come after 02
    assert "CREATE SNOWFLAKE.ML.CLASSIFICATION" in access["c360_pipeline"]["observability"].schema
    assert plan.inherited("c360_pipeline") == {"c360_pipeline"}


# --- Snowflake's precedence rule --------------------------------------------------------

#: The spec's 02 (as it was here before): database-level future grants for the analyst,
#: a schema-level one in gold for the marketing manager.
SPEC_02 = """
CREATE ROLE IF NOT EXISTS data_analyst;
CREATE ROLE IF NOT EXISTS marketing_manager;
GRANT USAGE ON DATABASE db TO ROLE marketing_manager;
GRANT USAGE ON SCHEMA db.gold TO ROLE marketing_manager;
GRANT SELECT ON ALL TABLES IN SCHEMA db.gold TO ROLE marketing_manager;
GRANT SELECT ON FUTURE TABLES IN SCHEMA db.gold TO ROLE marketing_manager;
GRANT USAGE ON DATABASE db TO ROLE data_analyst;
GRANT USAGE ON ALL SCHEMAS IN DATABASE db TO ROLE data_analyst;
GRANT SELECT ON ALL TABLES IN DATABASE db TO ROLE data_analyst;
GRANT SELECT ON FUTURE TABLES IN DATABASE db TO ROLE data_analyst;
"""
SPEC_01 = """
CREATE DATABASE IF NOT EXISTS db;
CREATE SCHEMA IF NOT EXISTS db.silver;
CREATE SCHEMA IF NOT EXISTS db.gold;
"""


def test_a_schema_level_future_grant_shadows_the_databases_for_every_role():
    """Why 02 repeats every role's future grants per schema: with the spec's script an
    analyst could not read a gold table created after setup (silver was fine)."""
    old = parse_plan(SPEC_01, SPEC_02)
    analyst = schema_access(old, "data_analyst")
    assert reads(analyst["silver"], "TABLES", future=True)
    assert not reads(analyst["gold"], "TABLES", future=True)  # shadowed by marketing's grant
    assert reads(analyst["gold"], "TABLES", future=False)
    # The spec's script also had no future VIEWS at all: SQLMesh's gold objects are views.
    assert not reads(schema_access(old, "marketing_manager")["gold"], "VIEWS", future=True)


def test_a_statement_the_reader_does_not_know_is_an_error_not_a_silent_gap():
    with pytest.raises(InputError, match="statement 3"):
        parse_plan(SPEC_01, SPEC_02.replace("GRANT USAGE ON DATABASE db", "GRANT USAGE TO db", 1))
    with pytest.raises(InputError, match="01"):
        parse_plan("CREATE TABLE db.x (a INT)", "")


def test_02_renders_the_warehouse_and_database_and_refuses_odd_names():
    (script,) = render_scripts(ScriptValues("C360_PROD", warehouse="ETL_WH"), only=["02"])
    assert "ON WAREHOUSE ETL_WH TO ROLE c360_pipeline" in script.sql
    assert "ON FUTURE VIEWS IN SCHEMA C360_PROD.gold TO ROLE marketing_manager" in script.sql
    with pytest.raises(InputError, match="C360_SNOWFLAKE_WAREHOUSE"):
        render_scripts(ScriptValues("C360_PROD", warehouse="wh; DROP"), only=["02"])


# --- what the account has -----------------------------------------------------------------


class RecordingCursor:
    """A cursor answering SHOW statements with rows in Snowflake's documented columns."""

    def __init__(self, answers: dict[str, tuple[list[str], list[tuple]]]):
        self.answers, self.executed, self.description = answers, [], None
        self._rows: list[tuple] = []

    def execute(self, statement: str) -> None:
        self.executed.append(statement)
        columns, self._rows = self.answers.get(statement, ([], []))
        self.description = [(c,) for c in columns]

    def fetchall(self) -> list[tuple]:
        return self._rows


def test_effective_grants_read_show_grants_and_show_future_grants_rows():
    show = ["created_on", "privilege", "granted_on", "name", "granted_to", "grantee_name"]
    future = ["created_on", "privilege", "grant_on", "name", "grant_to", "grantee_name"]
    cursor = RecordingCursor(
        {
            "SHOW GRANTS TO ROLE marketing_manager": (
                show,
                [(None, "USAGE", "SCHEMA", "DB.GOLD", "ROLE", "MARKETING_MANAGER")],
            ),
            "SHOW FUTURE GRANTS IN SCHEMA DB.gold": (
                future,
                [
                    (None, "SELECT", "VIEW", "DB.GOLD.<VIEW>", "ROLE", "MARKETING_MANAGER"),
                    (None, "SELECT", "VIEW", "DB.GOLD.<VIEW>", "ROLE", "SOMEONE_ELSE"),
                ],
            ),
        }
    )
    found = read_effective_grants(cursor, "DB", ["gold"], ["marketing_manager"])
    assert cursor.executed == show_statements("DB", ["gold"], ["marketing_manager"])
    assert [(g.role, g.privilege, g.granted_on, g.name, g.future) for g in found] == [
        ("marketing_manager", "USAGE", "SCHEMA", "DB.GOLD", False),
        ("marketing_manager", "SELECT", "VIEW", "DB.GOLD.<VIEW>", True),
    ]
    assert grant_rows(show, [], future=False, roles=ROLES) == []
    with pytest.raises(InputError):
        show_statements("DB", ["gold; DROP"], ROLES)


# --- against fakesnow -------------------------------------------------------------------


@pytest.fixture
def sf_env(fakesnow_port: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict:
    env = {
        "C360_DATA_DIR": str(tmp_path / "data"),
        "C360_SNOWFLAKE_ACCOUNT": "c360test",
        "C360_SNOWFLAKE_USER": "tester",
        "C360_SNOWFLAKE_PASSWORD": "secret",
        "C360_SNOWFLAKE_DATABASE": f"C360_{uuid.uuid4().hex[:8].upper()}",
        "C360_SNOWFLAKE_HOST": "127.0.0.1",
        "C360_SNOWFLAKE_PORT": str(fakesnow_port),
        "C360_SNOWFLAKE_PROTOCOL": "http",
    }
    for name, setting in env.items():
        monkeypatch.setenv(name, setting)
    return env


def _connect(env: dict) -> snowflake.connector.SnowflakeConnection:
    return snowflake.connector.connect(
        account="c360test",
        user="tester",
        password="secret",
        host="127.0.0.1",
        port=int(env["C360_SNOWFLAKE_PORT"]),
        protocol="http",
        network_timeout=30,
    )


def test_setup_01_creates_every_schema_the_grants_name_on_fakesnow(sf_env):
    database = sf_env["C360_SNOWFLAKE_DATABASE"]
    values = ScriptValues(database)
    plan = intended_plan(values)
    with _connect(sf_env) as con:
        list(run_scripts(con, render_scripts(values, only=["01"])))
        cursor = con.cursor()
        cursor.execute(f"SHOW SCHEMAS IN DATABASE {database}")
        created = {row[1].lower() for row in cursor.fetchall()}
    granted = {g.name.split(".", 1)[1] for g in plan.grants if g.name.count(".") == 1}
    assert granted <= created, granted - created
    assert set(plan.schemas) <= created


def test_grants_on_fakesnow_fail_on_one_line_naming_the_statement(sf_env, tmp_path):
    """fakesnow has no SHOW GRANTS: the command says so instead of printing a traceback."""
    result = subprocess.run(
        [C360, "snowflake", "grants"],
        capture_output=True,
        text=True,
        timeout=180,
        env=dict(os.environ),
        cwd=tmp_path,
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "SHOW GRANTS TO ROLE c360_pipeline" in lines[0], result.stderr


def test_fakesnow_cannot_run_roles_and_grants(sf_env):
    """Recorded so the day fakesnow learns roles, 02 can run there for real."""
    database = sf_env["C360_SNOWFLAKE_DATABASE"]
    with _connect(sf_env) as con:
        list(run_scripts(con, render_scripts(ScriptValues(database), only=["01"])))
        with pytest.raises(C360Error, match="02_create_roles_grants.sql, statement 1"):
            list(run_scripts(con, render_scripts(ScriptValues(database), only=["02"])))


def test_cli_prints_the_intended_matrix_without_credentials(tmp_path, monkeypatch):
    for name in ("C360_SNOWFLAKE_ACCOUNT", "C360_SNOWFLAKE_USER", "C360_SNOWFLAKE_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    env = dict(os.environ, COLUMNS="200", C360_SNOWFLAKE_DATABASE="C360_PROD")
    result = subprocess.run(
        [C360, "snowflake", "grants", "--intended"],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    rows = {line.split("│")[1].strip(): line for line in result.stdout.splitlines() if "│" in line}
    header = next(line for line in result.stdout.splitlines() if "data_engineer" in line)
    assert [c.strip() for c in header.split("┃")[2:6]] == list(ROLES)
    assert "Intended grants in C360_PROD" in result.stdout
    cells = [c.strip() for c in rows["bronze"].split("│")[2:6]]
    assert cells[2] == "-"  # marketing_manager: nothing in bronze
    cells = [c.strip() for c in rows["gold"].split("│")[2:6]]
    assert cells[2] == "USAGE"  # the first line of marketing_manager's gold cell
