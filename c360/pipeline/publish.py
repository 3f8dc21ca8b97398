"""Publish prod's gold + observability as a read-only serving file for the dashboard.

DuckDB lets one process write a database file and, while it does, locks every other
process out (readers included). So the dashboard never opens the warehouse: after
each build this writes a new DuckDB file under a temporary name and swaps it in with
`os.replace` (atomic on POSIX). Readers open the serving file read-only per request;
one that still holds the previous file keeps reading it (the old inode) until it
reconnects. The pipeline never waits for readers, readers never wait for it.

**The serving copy always equals prod.** What a publish must copy is decided from the
warehouse, not from the caller:

- every build (`observability.pipeline_run_metadata`) records `changed_since`, the
  oldest load time whose gold rows it may have rewritten (NULL: anything), never later
  than the previous build's clock (so loads processed by a `sqlmesh run` outside c360 in
  between are included). A publish covers *every* build since the one the previous
  serving file covered, so a publish that was killed, skipped or failed is made good by
  the next one; with no c360 build since, the window starts at the hour the covered build
  stopped in;
- every published table remembers the definition of prod's view (which physical table
  SQLMesh points it at). A promoted plan changes it, and that table is copied in full;
- a previous serving file that cannot be read, or a run that does not say what it
  changed, means a full copy.

**Only what changed is copied.** `gold.fact_transaction` by load window (delete + insert
of the rows loaded from that time on); the per-customer marts by customer: the rows of
the customers `gold.customer_changes` lists for the window (every customer when the data
clock moved, and then the table is copied whole); the other tables are small and copied
whole. When no build ran since the copy in place and no view points elsewhere, the
publish does nothing. `c360 plan prod` publishes with `full=True` (a plan may backfill
any model); so can a user (`c360 publish --full`) after restating data with SQLMesh
directly.

The new file is not written from scratch: the file the previous publish replaced is kept
under a second name (`.SERVING.duckdb.spare`, a hard link) and the next publish brings it up
to date from what *it* covers (two builds' changes instead of one), instead of copying the
whole serving file first; when a reader still holds it (DuckDB's lock says so), when it is
missing, with `full`, or when the publish before copied every customer and this one would
not (the spare would copy them all again), the file in place is copied as before.

A temporary file left by a publish that was killed is removed by the next publish.
In the serving file every schema, table and column name is lower case (the warehouse
stores Snowflake-normalized upper case), so `SELECT customer_id FROM
gold.customer_360_profile` returns a `customer_id` column.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
from sqlglot import exp

from c360.core.faults import pause_at
from c360.core.gc_pauses import fewer_gc_pauses
from c360.core.process import process_alive
from c360.core.settings import Settings
from c360.core.warehouse import vacuum_statement, wait_while_locked

log = logging.getLogger(__name__)

#: Schemas copied to the serving file.
PUBLISHED_SCHEMAS = ("gold", "observability")
#: Alias of the warehouse inside the publishing connection. It must be the catalog name
#: SQLMesh's gold views refer to, which is the warehouse file's stem (WAREHOUSE).
WAREHOUSE_ALIAS = "WAREHOUSE"
#: Tables copied by load window when possible (lower-case name -> time column).
INCREMENTAL_TABLES = {
    "gold.fact_transaction": "ingestion_timestamp",
    "gold.customer_changes": "changed_at",  # the change log: ~50k rows per data day
}
#: Per-customer marts: a customer's rows depend only on that customer's data and the data
#: clock, so they are copied for the customers `CHANGES` lists since the window start.
#: (Not metric_customer_ltv: its percentile ranks across customers; it is copied whole.)
CUSTOMER_TABLES = (
    "gold.churn_predictions",
    "gold.churn_risk_features",
    "gold.customer_360_profile",
    "gold.customer_category_spend",
    "gold.customer_complete_months",
    "gold.customer_monthly_spend",
    "gold.customer_segments",
    "gold.dim_customer",
    "gold.metric_avg_transaction_value",
    "gold.metric_mom_spend_change",
    "gold.spend_decline_alerts",
)
CHANGES = "gold.customer_changes"
#: Gold views computed on read, not copied: the churn model's feature view spans every
#: customer x monthly cutoff (it is queried by `c360 train` for a few cutoffs).
NOT_PUBLISHED = ("gold.churn_features_at_cutoff",)
#: Above this share of changed customers a per-customer table is copied whole (faster).
CUSTOMER_COPY_MAX_SHARE = 0.2
MANIFEST = "observability.serving_manifest"
MANIFEST_COLUMNS = (
    "table_name VARCHAR, record_count BIGINT, published_at TIMESTAMP, covered_run TIMESTAMP, "
    "covered_execution_time TIMESTAMP, source_definition VARCHAR"
)
#: The environment the serving copy shows.
ENVIRONMENT = "prod"

_FULL = object()  # "copy everything": the sentinel of `_changes_since`


@dataclass
class PublishReport:
    path: Path
    tables: dict[str, int] = field(default_factory=dict)
    #: Tables copied (whole or by window) by this publish; the others were kept as they were.
    copied: list[str] = field(default_factory=list)
    seconds: float = 0.0
    published_at: datetime = field(default_factory=datetime.now)
    incremental_since: datetime | None = None
    skipped: str | None = None
    #: What the new file started from: "empty" (a first or `full` publish), "spare" (the file
    #: the previous publish replaced) or "copy" (a copy of the file in place).
    base: str = "empty"


@dataclass(frozen=True)
class Coverage:
    """The builds a serving copy includes: the newest one's run_timestamp and its clock
    (facts up to that clock are in the copy)."""

    run_timestamp: datetime | None = None
    execution_time: datetime | None = None


@dataclass(frozen=True)
class _Previous:
    """What the serving file in place covers: per table the view definition it copied,
    and the run_timestamp of the newest build it includes."""

    definitions: dict[str, str | None]
    covered: Coverage


def _table(schema: str, name: str, catalog: str | None = None) -> exp.Table:
    """A quoted table reference: names come from the catalog, never from user input,
    and are still built as an AST rather than pasted into SQL text."""
    return exp.table_(name, db=schema, catalog=catalog, quoted=True)


def _run(con: duckdb.DuckDBPyConnection, expression: exp.Expression, *params: object) -> Any:
    return con.execute(expression.sql(dialect="duckdb"), list(params) if params else None)


def _alias() -> str:
    return exp.to_identifier(WAREHOUSE_ALIAS, quoted=True).sql(dialect="duckdb")


def remove_stale_temporaries(target: Path) -> list[Path]:
    """Delete temporary serving files whose publishing process is gone (a kill -9)."""
    removed = []
    pattern = re.compile(rf"^\.{re.escape(target.name)}\.(\d+)\.[0-9a-f]+\.tmp(\.wal)?$")
    for path in target.parent.glob(f".{target.name}.*.tmp*"):
        match = pattern.match(path.name)
        if match and process_alive(int(match.group(1))):
            continue
        path.unlink(missing_ok=True)
        removed.append(path)
    if removed:
        log.info("removed %d temporary file(s) of an interrupted publish", len(removed))
    return removed


@fewer_gc_pauses()
def publish(settings: Settings, *, full: bool = False) -> PublishReport:
    """Bring the serving copy of gold + observability up to prod, atomically.

    `full` copies every table whole (after a plan, or to repair a copy that
    `c360 status --verify` reports as different).
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
    remove_stale_temporaries(target)
    previous = None if full else _read_previous(target)
    if previous is not None and _up_to_date(warehouse, previous):
        report.skipped = "up to date"
        report.seconds = time.perf_counter() - started
        log.debug("serving copy already covers the last build: nothing to publish")
        return report
    temporary = target.with_name(f".{target.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    spare = spare_path(target)
    try:
        base = previous
        if full:
            spare.unlink(missing_ok=True)
        elif previous is not None:
            # the file the previous publish replaced, brought up to date from its own coverage
            # when that is the cheaper start; else a copy of the file in place
            base = None
            if _spare_is_cheaper(warehouse, spare, previous):
                base = _take_spare(spare, target, temporary)
            if base is not None:
                report.base = "spare"
            else:
                base = previous
                shutil.copyfile(target, temporary)
                report.base = "copy"
        with duckdb.connect(str(temporary)) as con:
            attach_warehouse(con, warehouse)
            since, covered = _changes_since(con, base)
            tables = published_tables(con)
            definitions = _definitions(con)
            plan = _plan_copies(tables, definitions, base, since)
            by_customer = any(window == "customers" for window in plan.values())
            if by_customer and not _select_changed_customers(con, since):
                plan = {name: "full" if w == "customers" else w for name, w in plan.items()}
                by_customer = False
            # a per-customer update deletes ~1 % of each row group: not worth merging them
            # at the checkpoint (a whole copy, at least daily, writes compact tables again)
            con.execute(vacuum_statement(merge_row_groups=not by_customer))
            report.incremental_since = since if isinstance(since, datetime) else None
            # every table's columns in two catalog queries (one per table cost ~4 ms each)
            current = con.execute("SELECT current_database()").fetchone()[0]
            source_columns = catalog_columns(con, WAREHOUSE_ALIAS)
            served_columns = catalog_columns(con, current)
            for schema, table in tables:
                name = f"{schema.lower()}.{table.lower()}"
                window = plan[name]
                report.copied.append(name)
                columns = source_columns.get((schema, table), [])
                existing = served_columns.get((schema.lower(), table.lower()), [])
                _copy(con, schema, table, window, columns, existing)
                report.tables[name] = _count(con, schema.lower(), table.lower())
            _drop_unpublished(con, set(report.tables))
            _write_manifest(con, report, definitions, covered)
            con.execute(f"DETACH {_alias()}")
            con.execute("CHECKPOINT")
        pause_at("publish")  # test hook: the new copy is written, not yet swapped in
        _keep_as_spare(target, spare)
        os.replace(temporary, target)
    finally:
        for leftover in (temporary, temporary.with_name(temporary.name + ".wal")):
            leftover.unlink(missing_ok=True)
    report.seconds = time.perf_counter() - started
    since = report.incremental_since
    mode = f"changes since {since:%Y-%m-%d %H:%M:%S}" if since else "full"
    log.info(
        "published %d tables (%s) to %s in %.1f s", len(report.tables), mode, target, report.seconds
    )
    return report


def spare_path(target: Path) -> Path:
    """Where the serving file a publish replaced is kept, to be the next publish's base."""
    return target.with_name(f".{target.name}.spare")


def _keep_as_spare(target: Path, spare: Path) -> None:
    """Keep the file about to be replaced (a second name for it), so the next publish
    updates it instead of copying the whole serving file (~0.5 GB at full scale)."""
    spare.unlink(missing_ok=True)
    if target.exists():
        try:
            os.link(target, spare)
        except OSError as exc:  # a filesystem without hard links: the next publish copies
            log.debug("no spare serving file: %s", exc)


def _spare_is_cheaper(warehouse: Path, spare: Path, previous: _Previous) -> bool:
    """Whether bringing the spare file up to date costs less than copying the file in place.

    The spare is one publish behind: it also lacks what the previous publish copied. When
    that was every customer (the first file of a data day moves every customer's recency)
    and this publish's own changes are not, updating the spare would copy every
    per-customer table again (~2 s at full scale), where the file in place costs a file
    copy (~0.3 s) and the few changed customers. Otherwise the spare saves the file copy.
    """
    spare_covers = _read_previous(spare) if spare.exists() else None
    if spare_covers is None:
        return True  # nothing to compare: `_take_spare` decides (and removes a bad spare)
    with duckdb.connect() as probe:
        attach_warehouse(probe, warehouse)
        return _copies_every_customer(probe, previous) or not _copies_every_customer(
            probe, spare_covers
        )


def _copies_every_customer(con: duckdb.DuckDBPyConnection, base: _Previous) -> bool:
    """Whether updating a copy that covers `base` copies the per-customer tables whole."""
    since, _ = _changes_since(con, base)
    return not _select_changed_customers(con, since)


def _take_spare(spare: Path, target: Path, temporary: Path) -> _Previous | None:
    """Move the spare serving file to `temporary` and return what it covers; None (copy the
    file in place instead) when there is none, it is the file in place itself (a publish was
    killed between keeping it and swapping), or a reader still holds it: a reader that opened
    it while it was in place keeps it open (read-only) until it reconnects, and it must not
    change under that reader — DuckDB's lock refuses the writer then."""
    if not spare.exists():
        return None
    if target.exists() and os.path.samefile(spare, target):
        spare.unlink()
        return None
    try:
        duckdb.connect(str(spare)).close()
    except duckdb.Error as exc:
        log.debug("spare serving file in use (%s): copying the file in place", exc)
        return None
    base = _read_previous(spare)
    if base is None:
        spare.unlink(missing_ok=True)
        return None
    os.replace(spare, temporary)
    return base


def attach_warehouse(con: duckdb.DuckDBPyConnection, warehouse: Path) -> None:
    """Attach read-only, waiting while another process (the loader) holds the file."""
    path = exp.Literal.string(str(warehouse)).sql(dialect="duckdb")
    wait_while_locked(
        lambda: con.execute(f"ATTACH {path} AS {_alias()} (READ_ONLY)"),
        what=f"warehouse {warehouse}",
    )


def _up_to_date(warehouse: Path, previous: _Previous) -> bool:
    """No build since the copy in place and every view still points where it did: then
    there is nothing to copy (checked in memory, before copying the serving file)."""
    with duckdb.connect() as probe:
        attach_warehouse(probe, warehouse)
        _, covered = _changes_since(probe, previous)
        names = {f"{schema.lower()}.{table.lower()}" for schema, table in published_tables(probe)}
        definitions = _definitions(probe)
    if covered.run_timestamp != previous.covered.run_timestamp:
        return False
    if names != set(previous.definitions) - {MANIFEST}:
        return False
    return all(definitions.get(name) == previous.definitions.get(name) for name in names)


def _select_changed_customers(con: duckdb.DuckDBPyConnection, since: object) -> bool:
    """Fill temp table `changed_customers` with the customers whose marts may have changed
    since `since`; False when that cannot be said or concerns most customers (copy whole)."""
    if not isinstance(since, datetime):
        return False
    changes = _table("gold", "customer_changes", WAREHOUSE_ALIAS)
    profile = _table("gold", "customer_360_profile", WAREHOUSE_ALIAS)
    try:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE changed_customers AS "
            + exp.select("customer_id")
            .distinct()
            .from_(changes)
            .where("changed_at >= ?")
            .sql(dialect="duckdb"),
            [since],
        )
        changed = con.execute("SELECT count(*) FROM changed_customers").fetchone()[0]
        total = _run(con, exp.select(exp.Count(this=exp.Star())).from_(profile)).fetchone()[0]
    except duckdb.Error as exc:  # a warehouse built before customer_changes existed
        log.info("per-customer copy not possible (%s): copying whole", str(exc).splitlines()[0])
        return False
    return changed <= CUSTOMER_COPY_MAX_SHARE * max(total, 1)


def _read_previous(target: Path) -> _Previous | None:
    """The manifest of the serving file in place, or None (then everything is copied)."""
    if not target.exists():
        return None
    try:
        with duckdb.connect(str(target), read_only=True) as con:
            columns = "table_name, source_definition, covered_run, covered_execution_time"
            rows = con.execute(f"SELECT {columns} FROM {MANIFEST}").fetchall()  # noqa: S608
    except duckdb.Error as exc:
        reason = str(exc).strip().splitlines()[0]
        log.info("previous serving file has no usable manifest (%s): copying everything", reason)
        return None
    if not rows:
        return None
    return _Previous(
        {name: definition for name, definition, *_ in rows}, Coverage(rows[0][2], rows[0][3])
    )


def _changes_since(
    con: duckdb.DuckDBPyConnection, previous: _Previous | None
) -> tuple[object, Coverage]:
    """The oldest transaction time the fact must be copied from (or _FULL), and the
    coverage of the copy about to be written.

    It is the earliest of what each build since the copy in place may have rewritten
    (`changed_since`: where its gold models' evaluations started — the clock of the build
    before it, as a run resumes the hour that build stopped in), so a build whose publish
    died is copied too. Without a c360 build since the copy (a `sqlmesh run` outside c360),
    the hour the covered build stopped in: the earliest such a run re-processes.
    """
    before = previous.covered if previous else Coverage()
    after = before.run_timestamp or datetime(1900, 1, 1)
    try:
        runs_table = _table("observability", "pipeline_run_metadata", WAREHOUSE_ALIAS)
        query = (
            exp.select("run_timestamp", "changed_since", "execution_time")
            .from_(runs_table)
            .where("environment = ? AND run_timestamp > ?")
            .order_by("run_timestamp")
        )
        runs = _run(con, query, ENVIRONMENT, after).fetchall()
    except duckdb.Error as exc:  # no build has run yet, or one before these columns existed
        reason = str(exc).strip().splitlines()[0]
        log.info("no usable run metadata (%s): copying everything", reason)
        return _FULL, Coverage()
    clocks = [clock for *_, clock in runs if clock is not None]
    covered = Coverage(
        runs[-1][0] if runs else before.run_timestamp,
        max(clocks, default=before.execution_time),
    )
    if previous is None or before.execution_time is None:
        return _FULL, covered
    if any(changed is None for _, changed, _ in runs):
        return _FULL, covered
    candidates = [changed for _, changed, _ in runs]
    if not candidates:
        # no c360 build since the copy (a `sqlmesh run` outside c360, say): it re-processed
        # from the hour the covered build stopped in at the earliest
        candidates.append(before.execution_time.replace(minute=0, second=0, microsecond=0))
    return min(candidates), covered


def _plan_copies(
    tables: list[tuple[str, str]],
    definitions: dict[str, str | None],
    previous: _Previous | None,
    since: object,
) -> dict[str, object]:
    """Per table: "full", a datetime (the fact's load window), or "customers"."""
    plan: dict[str, object] = {}
    for schema, table in tables:
        name = f"{schema.lower()}.{table.lower()}"
        if previous is None or since is _FULL or name not in previous.definitions:
            plan[name] = "full"
        elif definitions.get(name) != previous.definitions.get(name):
            plan[name] = "full"  # a plan promoted another version of the model
        elif name in INCREMENTAL_TABLES:
            plan[name] = since
        elif name in CUSTOMER_TABLES:
            plan[name] = "customers"
        else:
            plan[name] = "full"  # small: copied whole, whatever changed it
    return plan


def published_tables(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """Gold models (environment views) and observability tables of the warehouse."""
    rows = con.execute(
        "SELECT table_schema, table_name FROM information_schema.tables "
        "WHERE table_catalog = ? AND list_contains(?, upper(table_schema)) ORDER BY 1, 2",
        [WAREHOUSE_ALIAS, [schema.upper() for schema in PUBLISHED_SCHEMAS]],
    ).fetchall()
    return [
        (schema, table)
        for schema, table in rows
        if schema.lower() in PUBLISHED_SCHEMAS
        and f"{schema.lower()}.{table.lower()}" not in NOT_PUBLISHED
    ]


def _definitions(con: duckdb.DuckDBPyConnection) -> dict[str, str | None]:
    """Per published view, its SQL: it names the physical table of the promoted version."""
    rows = con.execute(
        "SELECT schema_name, view_name, sql FROM duckdb_views() WHERE database_name = ?",
        [WAREHOUSE_ALIAS],
    ).fetchall()
    return {f"{schema.lower()}.{view.lower()}": sql for schema, view, sql in rows}


def catalog_columns(
    con: duckdb.DuckDBPyConnection, catalog: str
) -> dict[tuple[str, str], list[str]]:
    """(schema, table) -> column names in order, for every table and view of `catalog`."""
    rows = con.execute(
        "SELECT schema_name, table_name, column_name FROM duckdb_columns() "
        "WHERE database_name = ? ORDER BY schema_name, table_name, column_index",
        [catalog],
    ).fetchall()
    found: dict[tuple[str, str], list[str]] = {}
    for schema, table, column in rows:
        found.setdefault((schema, table), []).append(column)
    return found


def _count(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> int:
    return int(
        _run(con, exp.select(exp.Count(this=exp.Star())).from_(_table(schema, table))).fetchone()[0]
    )


def _copy(
    con: duckdb.DuckDBPyConnection,
    schema: str,
    table: str,
    window: object,
    columns: list[str],
    existing: list[str],
) -> None:
    """Copy one table whole, or (same columns as the copy in place) only the fact's rows
    loaded from `window` (a datetime) or the rows of the changed customers ("customers").
    `columns`: the warehouse table's; `existing`: those of the copy in place (none: new)."""
    source = _table(schema, table, WAREHOUSE_ALIAS)
    target = _table(schema.lower(), table.lower())
    projection = exp.select(
        *(exp.column(c, quoted=True).as_(c.lower(), quoted=True) for c in columns)
    ).from_(source)
    time_column = INCREMENTAL_TABLES.get(f"{schema.lower()}.{table.lower()}")
    _run(
        con,
        exp.Create(this=exp.to_identifier(schema.lower(), quoted=True), kind="SCHEMA", exists=True),
    )
    same_columns = [c.lower() for c in columns] == existing
    if isinstance(window, datetime) and time_column and same_columns:
        cutoff = exp.cast(exp.Literal.string(window.isoformat(sep=" ")), "TIMESTAMP")
        _run(con, exp.delete(target).where(exp.column(time_column, quoted=True) >= cutoff))
        rows = projection.where(exp.column(time_column.upper(), quoted=True) >= cutoff)
        _run(con, exp.insert(rows, target))
    elif window == "customers" and same_columns and "customer_id" in existing:
        changed = exp.select("customer_id").from_("changed_customers")
        _run(con, exp.delete(target).where(exp.column("customer_id").isin(query=changed)))
        rows = projection.where(exp.column("CUSTOMER_ID", quoted=True).isin(query=changed))
        _run(con, exp.insert(rows, target))
    else:
        _run(con, exp.Create(this=target, kind="TABLE", expression=projection, replace=True))


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
    con: duckdb.DuckDBPyConnection,
    report: PublishReport,
    definitions: dict[str, str | None],
    covered: Coverage,
) -> None:
    con.execute(f"CREATE OR REPLACE TABLE {MANIFEST} ({MANIFEST_COLUMNS})")
    con.executemany(
        f"INSERT INTO {MANIFEST} VALUES (?, ?, ?, ?, ?, ?)",  # noqa: S608
        [
            (
                name,
                count,
                report.published_at,
                covered.run_timestamp,
                covered.execution_time,
                definitions.get(name),
            )
            for name, count in report.tables.items()
        ],
    )
