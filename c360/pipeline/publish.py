"""Publish gold + observability as a read-only serving file for the dashboard.

DuckDB lets one process write a database file and, while it does, locks every other
process out (readers included). So the dashboard never opens the warehouse: after
each build this writes a new DuckDB file under a temporary name and swaps it in with
`os.replace` (atomic on POSIX). Readers open `settings.serving_path` read-only per
request; one that still holds the previous file keeps reading it (the old inode)
until it reconnects. The pipeline never waits for readers, readers never wait for it.

The copy is incremental after the first one: the previous serving file is copied
(a file copy, ~0.3 s for the full portfolio), the small gold tables are replaced and
only the part of `gold.fact_transaction` the build may have rewritten (its
`changed_since`, never later than the previous publish's build time minus the
lookback) is deleted and re-inserted. So an hourly publish does not grow with the
18 months of history; a plan (model change) or a missing serving file copies all.

In the serving file every schema, table and column name is lower case (the warehouse
stores Snowflake-normalized upper case), so `SELECT customer_id FROM
gold.customer_360_profile` returns a `customer_id` column.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import duckdb

from c360.settings import Settings

log = logging.getLogger(__name__)

#: Schemas copied to the serving file.
PUBLISHED_SCHEMAS = ("gold", "observability")
#: Alias of the warehouse inside the publishing connection. It must be the catalog name
#: SQLMesh's gold views refer to, which is the warehouse file's stem (WAREHOUSE).
WAREHOUSE_ALIAS = "WAREHOUSE"
#: Tables copied by time window when possible (lower-case name -> time column).
INCREMENTAL_TABLES = {"gold.fact_transaction": "transaction_date"}
#: How far behind its build time a publish may have missed later rewrites (the lookback).
REWRITE_HORIZON = timedelta(hours=6)
MANIFEST = "observability.serving_manifest"
#: How long to wait for another process to release the warehouse file.
LOCK_TIMEOUT_SECONDS = 60.0


@dataclass
class PublishReport:
    path: Path
    tables: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    published_at: datetime = field(default_factory=datetime.now)
    incremental_since: datetime | None = None
    skipped: str | None = None


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def publish(
    settings: Settings,
    changed_since: datetime | None = None,
    built_through: datetime | None = None,
) -> PublishReport:
    """Write the serving copy of gold + observability and swap it into place.

    `changed_since` (from `BuildReport.changed_since`) allows an incremental copy of the
    fact; None copies everything. `built_through` is the build's clock, kept in the
    manifest so the next publish knows how far back it must look.
    """
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
    since = _incremental_since(target, changed_since)
    temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        if since is not None:
            shutil.copyfile(target, temporary)
        with duckdb.connect(str(temporary)) as con:
            _attach_warehouse(con, warehouse)
            report.incremental_since = since
            published = set()
            for schema, table in _tables(con):
                name = f"{schema.lower()}.{table.lower()}"
                published.add(name)
                report.tables[name] = _copy(con, schema, table, since)
            _drop_unpublished(con, published)
            _write_manifest(con, report, built_through)
            con.execute(f"DETACH {WAREHOUSE_ALIAS}")
            con.execute("CHECKPOINT")
        os.replace(temporary, target)
    finally:
        for leftover in (temporary, temporary.with_name(temporary.name + ".wal")):
            leftover.unlink(missing_ok=True)
    report.seconds = time.perf_counter() - started
    mode = f"incremental since {since}" if since else "full"
    log.info(
        "published %d tables (%s) to %s in %.1f s", len(report.tables), mode, target, report.seconds
    )
    return report


def _attach_warehouse(con: duckdb.DuckDBPyConnection, warehouse: Path) -> None:
    """Attach read-only, waiting while another process (the loader) holds the file."""
    deadline = time.monotonic() + LOCK_TIMEOUT_SECONDS
    while True:
        try:
            con.execute(f"ATTACH {_literal(str(warehouse))} AS {WAREHOUSE_ALIAS} (READ_ONLY)")
            return
        except duckdb.IOException as exc:
            if "Could not set lock" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def _incremental_since(target: Path, changed_since: datetime | None) -> datetime | None:
    """How far back the fact must be re-copied, or None for a full copy."""
    if changed_since is None or not target.exists():
        return None
    try:
        with duckdb.connect(str(target), read_only=True) as con:
            row = con.execute(f"SELECT MIN(built_through) FROM {MANIFEST}").fetchone()  # noqa: S608
    except duckdb.Error:
        return None
    if not row or row[0] is None:
        return None
    return min(changed_since, row[0] - REWRITE_HORIZON)


def _tables(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """Gold models (environment views) and observability tables of the warehouse."""
    schemas = ", ".join(_literal(s.upper()) for s in PUBLISHED_SCHEMAS)
    query = (
        "SELECT table_schema, table_name FROM information_schema.tables "  # noqa: S608
        f"WHERE table_catalog = {_literal(WAREHOUSE_ALIAS)} "
        f"AND upper(table_schema) IN ({schemas}) ORDER BY 1, 2"
    )
    rows = con.execute(query).fetchall()
    return [(schema, table) for schema, table in rows]


def _copy(con: duckdb.DuckDBPyConnection, schema: str, table: str, since: datetime | None) -> int:
    source = f"{WAREHOUSE_ALIAS}.{_quote(schema)}.{_quote(table)}"
    target = f"{_quote(schema.lower())}.{_quote(table.lower())}"
    columns = [row[0] for row in con.execute(f"DESCRIBE {source}").fetchall()]
    projection = ", ".join(f"{_quote(c)} AS {_quote(c.lower())}" for c in columns)
    time_column = INCREMENTAL_TABLES.get(f"{schema.lower()}.{table.lower()}")
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {_quote(schema.lower())}")
    if since is not None and time_column and _same_columns(con, schema, table, columns):
        cutoff = f"TIMESTAMP {_literal(since.isoformat(sep=' '))}"
        con.execute(f"DELETE FROM {target} WHERE {_quote(time_column)} >= {cutoff}")  # noqa: S608
        con.execute(
            f"INSERT INTO {target} SELECT {projection} FROM {source} "  # noqa: S608
            f"WHERE {_quote(time_column.upper())} >= {cutoff}"
        )
    else:
        con.execute(f"CREATE OR REPLACE TABLE {target} AS SELECT {projection} FROM {source}")  # noqa: S608
    return int(con.execute(f"SELECT count(*) FROM {target}").fetchone()[0])  # noqa: S608


def _same_columns(
    con: duckdb.DuckDBPyConnection, schema: str, table: str, columns: list[str]
) -> bool:
    existing = con.execute(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_catalog = current_database() AND table_schema = ? AND table_name = ? "
        "ORDER BY ordinal_position",
        [schema.lower(), table.lower()],
    ).fetchall()
    return [c.lower() for c in columns] == [row[0] for row in existing]


def _drop_unpublished(con: duckdb.DuckDBPyConnection, published: set[str]) -> None:
    """Tables of an earlier serving file whose model is gone are not served any more."""
    rows = con.execute(
        "SELECT table_schema, table_name FROM information_schema.tables "
        "WHERE table_catalog = current_database() AND table_schema IN ('gold', 'observability')"
    ).fetchall()
    for schema, table in rows:
        name = f"{schema}.{table}"
        if name not in published and name != MANIFEST:
            con.execute(f"DROP TABLE {_quote(schema)}.{_quote(table)}")


def _write_manifest(
    con: duckdb.DuckDBPyConnection, report: PublishReport, built_through: datetime | None
) -> None:
    con.execute(
        f"CREATE OR REPLACE TABLE {MANIFEST} "
        "(table_name VARCHAR, record_count BIGINT, published_at TIMESTAMP, built_through TIMESTAMP)"
    )
    con.executemany(
        f"INSERT INTO {MANIFEST} VALUES (?, ?, ?, ?)",  # noqa: S608
        [
            (name, count, report.published_at, built_through)
            for name, count in report.tables.items()
        ],
    )
