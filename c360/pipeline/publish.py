"""Publish gold + observability as a read-only serving file for the dashboard.

DuckDB lets one process write a database file and, while it does, locks every other
process out (readers included). So the dashboard never opens the warehouse: after
each build this copies every gold model and observability table into a new DuckDB
file under a temporary name and swaps it in with `os.replace` (atomic on POSIX).
Readers open `settings.serving_path` read-only per request; one that still holds
the previous file keeps reading it (the old inode) until it reconnects. The pipeline
never waits for readers and readers never wait for the pipeline.

In the serving file every schema, table and column name is lower case (the warehouse
stores Snowflake-normalized upper case), so `SELECT customer_id FROM
gold.customer_360_profile` returns a `customer_id` column.
"""

from __future__ import annotations

import logging
import os
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb

from c360.settings import Settings

log = logging.getLogger(__name__)

#: Schemas copied to the serving file.
PUBLISHED_SCHEMAS = ("gold", "observability")
#: Alias of the warehouse inside the publishing connection. It must be the catalog name
#: SQLMesh's gold views refer to, which is the warehouse file's stem (WAREHOUSE).
WAREHOUSE_ALIAS = "WAREHOUSE"


@dataclass
class PublishReport:
    path: Path
    tables: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    published_at: datetime = field(default_factory=datetime.now)
    skipped: str | None = None


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def publish(settings: Settings) -> PublishReport:
    """Write the serving copy of gold + observability and swap it into place."""
    target = settings.serving_path
    report = PublishReport(target)
    if settings.gateway != "local":
        report.skipped = "the Snowflake gateway serves gold from Snowflake itself"
        log.info("publish skipped: %s", report.skipped)
        return report
    warehouse = settings.warehouse_path.resolve()
    if not warehouse.exists():
        report.skipped = f"no warehouse at {warehouse}"
        return report
    started = time.perf_counter()
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        with duckdb.connect(str(temporary)) as con:
            con.execute(f"ATTACH {_literal(str(warehouse))} AS {WAREHOUSE_ALIAS} (READ_ONLY)")
            for schema, table in _tables(con):
                report.tables[f"{schema.lower()}.{table.lower()}"] = _copy(con, schema, table)
            _write_manifest(con, report)
            con.execute(f"DETACH {WAREHOUSE_ALIAS}")
            con.execute("CHECKPOINT")
        os.replace(temporary, target)
    finally:
        for leftover in (temporary, temporary.with_name(temporary.name + ".wal")):
            leftover.unlink(missing_ok=True)
    report.seconds = time.perf_counter() - started
    log.info("published %d tables to %s in %.1f s", len(report.tables), target, report.seconds)
    return report


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _tables(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """Gold models (environment views) and observability tables of the warehouse."""
    schemas = ", ".join(_literal(s.upper()) for s in PUBLISHED_SCHEMAS)
    rows = con.execute(
        "SELECT table_schema, table_name FROM information_schema.tables "
        f"WHERE table_catalog = {_literal(WAREHOUSE_ALIAS)} "  # noqa: S608
        f"AND upper(table_schema) IN ({schemas}) ORDER BY 1, 2"
    ).fetchall()
    return [(schema, table) for schema, table in rows]


def _copy(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> int:
    source = f"{WAREHOUSE_ALIAS}.{_quote(schema)}.{_quote(table)}"
    columns = [row[0] for row in con.execute(f"DESCRIBE {source}").fetchall()]
    projection = ", ".join(f"{_quote(c)} AS {_quote(c.lower())}" for c in columns)
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {_quote(schema.lower())}")
    con.execute(
        f"CREATE TABLE {_quote(schema.lower())}.{_quote(table.lower())} AS "  # noqa: S608
        f"SELECT {projection} FROM {source}"
    )
    return int(con.execute(f"SELECT count(*) FROM {source}").fetchone()[0])  # noqa: S608


def _write_manifest(con: duckdb.DuckDBPyConnection, report: PublishReport) -> None:
    con.execute(
        "CREATE TABLE observability.serving_manifest "
        "(table_name VARCHAR, record_count BIGINT, published_at TIMESTAMP)"
    )
    con.executemany(
        "INSERT INTO observability.serving_manifest VALUES (?, ?, ?)",
        [(name, count, report.published_at) for name, count in report.tables.items()],
    )
