"""The Snowflake path: setup scripts, generated COPY statements, COPY_HISTORY recording.

What runs for real: scripts 01 (database, schemas), 04 (bronze tables) and 06
(observability tables) are applied by `c360 snowflake setup` through
snowflake-connector-python to a fakesnow server on 127.0.0.1, and the tables
are described back and compared with the bronze contract; load-history rows are
inserted there and read back. fakesnow cannot run roles and grants, storage
integrations, file formats, pipes, COPY with a transformation or ON_ERROR other
than ABORT_STATEMENT, or COPY_HISTORY — for those the rendered SQL is checked
by parsing it with sqlglot's Snowflake dialect (see docs/ingestion.md).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import snowflake.connector
import sqlglot
from sqlglot import exp

from c360.core.errors import C360Error, InputError
from c360.core.settings import Settings
from ingestion.bronze import BRONZE_TABLES, BRONZE_TRANSACTIONS, file_columns
from ingestion.load_history import LOAD_HISTORY, OnError
from ingestion.snowflake.connect import connect
from ingestion.snowflake.gateway import (
    BULK_LOADS,
    history_record,
    ingest_statements,
    record_history,
)
from ingestion.snowflake.scripts import ScriptValues, render, render_scripts, script_paths
from ingestion.snowflake.setup import run_scripts, statements

C360 = shutil.which("c360", path=str(Path(sys.executable).parent))
ROLE_ARN = "arn:aws:iam::123456789012:role/snowflake-s3-role"
SNS_ARN = "arn:aws:sns:us-east-1:123456789012:snowflake-s3-events"

#: How the bronze contract's DuckDB types read back from Snowflake's DESCRIBE TABLE.
SNOWFLAKE_TYPE = {
    "VARCHAR": "VARCHAR(16777216)",
    "INTEGER": "NUMBER(38,0)",
    "BIGINT": "NUMBER(38,0)",
    "DOUBLE": "FLOAT",
    "DECIMAL(10,2)": "NUMBER(10,2)",
    "DATE": "DATE",
    "TIMESTAMP": "TIMESTAMP_NTZ(9)",
}


def full_values(**overrides: str) -> ScriptValues:
    values = {
        "database": "CUSTOMER_ANALYTICS",
        "bucket": "snowflake-customer-analytics-data",
        "prefix": "acquired",
        "aws_role_arn": ROLE_ARN,
        "sns_topic_arn": SNS_ARN,
        "alert_email": "data-alerts@example.com",
    } | overrides
    return ScriptValues(**values)


# --- rendering ---------------------------------------------------------------------


def test_every_script_renders_without_leftover_placeholders_or_account_ids():
    scripts = render_scripts(full_values())
    assert [s.name[:2] for s in scripts] == ["01", "02", "03", "04", "05", "06", "07"]
    for script in scripts:
        assert "{{" not in script.sql and "}}" not in script.sql
        raw = (script_paths([script.name[:2]])[0]).read_text()
        assert "123456789012" not in raw, f"{script.name} hard-codes an account id"
    stages = next(s for s in scripts if s.name.startswith("03")).sql
    assert "URL = 's3://snowflake-customer-analytics-data/acquired/'" in stages
    assert f"STORAGE_AWS_ROLE_ARN = '{ROLE_ARN}'" in stages
    pipe = next(s for s in scripts if s.name.startswith("05")).sql
    assert f"AWS_SNS_TOPIC = '{SNS_ARN}'" in pipe


@pytest.mark.parametrize(
    ("override", "needle"),
    [
        ({"database": "analytics; DROP DATABASE prod"}, "identifier"),
        ({"bucket": "bucket'); DROP TABLE x; --"}, "landing_url"),
        ({"aws_role_arn": "arn:aws:iam::123456789012:role/x' OR '1"}, "aws_role_arn"),
        ({"sns_topic_arn": "not-an-arn"}, "sns_topic_arn"),
    ],
)
def test_values_that_could_break_out_of_the_sql_are_refused(override, needle):
    with pytest.raises(InputError, match=needle):
        render_scripts(full_values(**override))


def test_a_script_needing_an_unset_value_says_which_option_sets_it():
    values = ScriptValues("CUSTOMER_ANALYTICS", bucket="b-c360")
    with pytest.raises(InputError, match="--aws-role-arn"):
        render_scripts(values, only=["03"])
    assert len(render_scripts(values, only=["01", "04", "06"])) == 3
    with pytest.raises(C360Error, match="unknown placeholder"):
        render("SELECT {{ nope }}", {}, "x.sql")


def test_setup_statements_parse_as_snowflake_sql():
    scripts = render_scripts(full_values())
    parsed = {
        s.name: [sqlglot.parse_one(st, read="snowflake") for st in statements(s.sql)]
        for s in scripts
    }
    tables = [e for e in parsed["04_create_bronze_tables.sql"] if isinstance(e, exp.Create)]
    assert [t.this.this.name for t in tables] == [t.name for t in BRONZE_TABLES]
    (pipe_sql,) = statements(next(s for s in scripts if s.name.startswith("05")).sql)
    copy = sqlglot.parse_one(pipe_sql.split("\nAS\n", 1)[1], read="snowflake")
    assert isinstance(copy, exp.Copy)
    assert [c.name for c in copy.this.expressions] == [
        *file_columns(BRONZE_TRANSACTIONS),
        "source_file",
    ]
    assert "METADATA$FILENAME" in pipe_sql and "landing_stage/transactions/streaming/" in pipe_sql


def test_ingest_statements_copy_each_bulk_folder_with_source_file_and_on_error():
    sql = ingest_statements("CUSTOMER_ANALYTICS", OnError.SKIP_FILE, force=False)
    assert sql[-1] == "ALTER PIPE CUSTOMER_ANALYTICS.bronze.transaction_pipe REFRESH"
    for statement, (table, folder) in zip(sql, BULK_LOADS, strict=False):
        copy = sqlglot.parse_one(statement, read="snowflake")
        assert isinstance(copy, exp.Copy)
        assert copy.this.this.sql() == f"CUSTOMER_ANALYTICS.bronze.{table.name}"
        assert [c.name for c in copy.this.expressions] == [*file_columns(table), "source_file"]
        picks = copy.args["files"][0].this.expressions
        assert len(picks) == len(file_columns(table)) + 1
        assert f"@CUSTOMER_ANALYTICS.bronze.landing_stage/{folder}" in statement
        assert "ON_ERROR = SKIP_FILE" in statement and "FORCE = FALSE" in statement
    with pytest.raises(InputError):
        ingest_statements("x; drop", OnError.CONTINUE)


# --- against a fakesnow server -----------------------------------------------------


@pytest.fixture
def sf_settings(
    fakesnow_port: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Settings]:
    """Settings pointing the connector at fakesnow, with a database of this test's own."""
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
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    yield Settings()


def _describe(cursor, qualified: str) -> list[tuple[str, str]]:
    cursor.execute(f"DESCRIBE TABLE {qualified}")
    return [(row[0].lower(), row[1]) for row in cursor.fetchall()]


def test_setup_creates_bronze_and_observability_tables_matching_the_contract(sf_settings):
    values = ScriptValues.from_settings(sf_settings)
    scripts = render_scripts(values, only=["01", "04", "06"])
    con = connect(sf_settings, use_database=False, timeout=30)
    try:
        applied = list(run_scripts(con, scripts))
    finally:
        con.close()
    con = connect(sf_settings, timeout=30)  # DESCRIBE needs a current database on fakesnow
    try:
        cursor = con.cursor()
        db = sf_settings.snowflake_database
        for table in (*BRONZE_TABLES, LOAD_HISTORY):
            described = _describe(cursor, f"{db}.{table.qualified}")
            assert described == [(n, SNOWFLAKE_TYPE[k]) for n, k in table.columns], table.name
        cursor.execute(
            f"INSERT INTO {db}.bronze.bronze_transactions (transaction_id, source_file) "
            "VALUES (%s, %s)",
            ("TXN1", "transactions/streaming/x.csv"),
        )
        again = list(run_scripts(con, scripts))  # setup is idempotent and keeps data
        cursor.execute(
            f"SELECT transaction_id, ingestion_timestamp IS NOT NULL FROM "
            f"{db}.bronze.bronze_transactions"
        )
        assert cursor.fetchall() == [("TXN1", True)]
    finally:
        con.close()
    assert applied == again
    assert [name for name, _ in applied] == [s.name for s in scripts]


def test_copy_history_rows_are_recorded_once_with_local_columns(sf_settings):
    db = sf_settings.snowflake_database
    con = connect(sf_settings, use_database=False, timeout=30)
    try:
        list(
            run_scripts(
                con, render_scripts(ScriptValues.from_settings(sf_settings), only=["01", "06"])
            )
        )
        pacific = timezone(timedelta(hours=-8))  # COPY_HISTORY returns TIMESTAMP_LTZ
        received = datetime(2026, 11, 27, 2, 0, 5, tzinfo=pacific)
        copy_rows = [
            {
                "file_name": "transactions/streaming/2026/11/27/10/t.csv",
                "stage_location": "s3://bucket/acquired/",
                "last_load_time": datetime(2026, 11, 27, 2, 0, 35, tzinfo=pacific),
                "row_count": 748,
                "row_parsed": 750,
                "file_size": 61_000,
                "first_error_message": "Numeric value 'abc' is not recognized",
                "first_error_line_number": 17,
                "first_error_character_pos": 40,
                "first_error_column_name": '"BRONZE_TRANSACTIONS"["TRANSACTION_AMOUNT":4]',
                "error_count": 2,
                "status": "Partially loaded",
                "table_schema_name": "BRONZE",
                "table_name": "BRONZE_TRANSACTIONS",
                "pipe_received_time": received,
            }
        ]
        records = [history_record(row, OnError.CONTINUE) for row in copy_rows]
        cursor = con.cursor()
        first = record_history(cursor, db, records)
        second = record_history(cursor, db, [history_record(r) for r in copy_rows])
        cursor.execute(
            f"SELECT file_name, status, row_parsed, row_count, rows_rejected, latency_seconds, "
            f"table_name, last_load_time FROM {db}.observability.load_history"
        )
        rows = cursor.fetchall()
    finally:
        con.close()
    assert (first, second) == (1, 0)
    assert rows == [
        (
            copy_rows[0]["file_name"],
            "PARTIALLY_LOADED",
            750,
            748,
            2,
            30.0,
            "bronze.bronze_transactions",
            datetime(2026, 11, 27, 10, 0, 35),
        )
    ]


def c360(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [C360, *args], capture_output=True, text=True, timeout=180, env=dict(os.environ), cwd=cwd
    )


def test_cli_setup_applies_scripts_to_snowflake(sf_settings, tmp_path):
    result = c360("snowflake", "setup", "--only", "01", "--only", "04", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "applied 01_create_database_schemas.sql" in result.stdout
    assert "applied 04_create_bronze_tables.sql: 3 statements" in result.stdout
    with snowflake.connector.connect(
        account="c360test",
        user="tester",
        password="secret",
        host="127.0.0.1",
        port=sf_settings.snowflake_port,
        protocol="http",
        network_timeout=30,
    ) as con:
        cursor = con.cursor()
        cursor.execute(
            f"SELECT count(*) FROM {sf_settings.snowflake_database}.bronze.bronze_customers"
        )
        assert cursor.fetchone() == (0,)


def test_cli_setup_dry_run_prints_sql_without_credentials(tmp_path, monkeypatch):
    for name in ("C360_SNOWFLAKE_ACCOUNT", "C360_SNOWFLAKE_USER", "C360_SNOWFLAKE_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("C360_S3_BUCKET", "c360-landing")
    monkeypatch.setenv("C360_SNOWFLAKE_S3_ROLE_ARN", ROLE_ARN)
    result = c360("snowflake", "setup", "--dry-run", "--only", "03", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "URL = 's3://c360-landing/'" in result.stdout and ROLE_ARN in result.stdout


def test_cli_setup_without_credentials_is_one_line(tmp_path, monkeypatch):
    for name in ("C360_SNOWFLAKE_ACCOUNT", "C360_SNOWFLAKE_USER", "C360_SNOWFLAKE_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    result = c360("snowflake", "setup", "--only", "01", cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "C360_SNOWFLAKE_ACCOUNT" in lines[0]


def test_cli_snowflake_gateway_without_credentials_is_one_line(tmp_path, monkeypatch):
    for name in ("C360_SNOWFLAKE_ACCOUNT", "C360_SNOWFLAKE_USER", "C360_SNOWFLAKE_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    result = c360("ingest", "--gateway", "snowflake", cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "C360_SNOWFLAKE_PASSWORD" in lines[0]
    watching = c360("ingest", "--gateway", "snowflake", "--watch", cwd=tmp_path)
    assert watching.returncode == 2 and "--watch" in watching.stderr
