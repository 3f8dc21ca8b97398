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
from typing import Any

import duckdb
from sqlglot import exp

from c360.core.settings import Settings
from c360.core.warehouse import wait_while_locked

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


@dataclass
class PublishReport:
    path: Path
    tables: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    published_at: datetime = field(default_factory=datetime.now)
    incremental_since: datetime | None = None
    skipped: str | None = None


def _table(schema: str, name: str, catalog: str | None = None) -> exp.Table:
    """A quoted table reference: names come from the catalog, never from user input,
    and are still built as an AST rather than pasted into SQL text."""
    return exp.table_(name, db=schema, catalog=catalog, quoted=True)


def _run(con: duckdb.DuckDBPyConnection, expression: exp.Expression, *params: object) -> Any:
    return con.execute(expression.sql(dialect="duckdb"), list(params) if params else None)


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
            con.execute(f"DETACH {exp.to_identifier(WAREHOUSE_ALIAS, quoted=True).sql('duckdb')}")
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
    path = exp.Literal.string(str(warehouse)).sql(dialect="duckdb")
    alias = exp.to_identifier(WAREHOUSE_ALIAS, quoted=True).sql(dialect="duckdb")
    wait_while_locked(
        lambda: con.execute(f"ATTACH {path} AS {alias} (READ_ONLY)"),
        what=f"warehouse {warehouse}",
    )


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
    rows = con.execute(
        "SELECT table_schema, table_name FROM information_schema.tables "
        "WHERE table_catalog = ? AND list_contains(?, upper(table_schema)) ORDER BY 1, 2",
        [WAREHOUSE_ALIAS, [schema.upper() for schema in PUBLISHED_SCHEMAS]],
    ).fetchall()
    return [(schema, table) for schema, table in rows]


def _columns(con: duckdb.DuckDBPyConnection, catalog: str, schema: str, table: str) -> list[str]:
    rows = con.execute(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_catalog = ? AND table_schema = ? AND table_name = ? "
        "ORDER BY ordinal_position",
        [catalog, schema, table],
    ).fetchall()
    return [row[0] for row in rows]


def _copy(con: duckdb.DuckDBPyConnection, schema: str, table: str, since: datetime | None) -> int:
    source = _table(schema, table, WAREHOUSE_ALIAS)
    target = _table(schema.lower(), table.lower())
    columns = _columns(con, WAREHOUSE_ALIAS, schema, table)
    projection = exp.select(
        *(exp.column(c, quoted=True).as_(c.lower(), quoted=True) for c in columns)
    ).from_(source)
    time_column = INCREMENTAL_TABLES.get(f"{schema.lower()}.{table.lower()}")
    _run(
        con,
        exp.Create(this=exp.to_identifier(schema.lower(), quoted=True), kind="SCHEMA", exists=True),
    )
    current = con.execute("SELECT current_database()").fetchone()[0]
    existing = _columns(con, current, schema.lower(), table.lower())
    if since is not None and time_column and [c.lower() for c in columns] == existing:
        cutoff = exp.cast(exp.Literal.string(since.isoformat(sep=" ")), "TIMESTAMP")
        _run(con, exp.delete(target).where(exp.column(time_column, quoted=True) >= cutoff))
        window = projection.where(exp.column(time_column.upper(), quoted=True) >= cutoff)
        _run(con, exp.insert(window, target))
    else:
        _run(con, exp.Create(this=target, kind="TABLE", expression=projection, replace=True))
    return int(_run(con, exp.select(exp.Count(this=exp.Star())).from_(target)).fetchone()[0])


def _drop_unpublished(con: duckdb.DuckDBPyConnection, published: set[str]) -> None:
    """Tables of an earlier serving file whose model is gone are not served any more."""
    rows = con.execute(
        "SELECT table_schema, table_name FROM information_schema.tables "
        "WHERE table_catalog = current_database() AND table_schema IN ('gold', 'observability')"
    ).fetchall()
    for schema, table in rows:
        name = f"{schema}.{table}"
        if name not in published and name != MANIFEST:
            _run(con, exp.Drop(this=_table(schema, table), kind="TABLE"))


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
