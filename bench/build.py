"""Benchmark: the SQLMesh build (issue 4 targets) against plain DuckDB SQL.

Figures printed (never asserted — this is not a test):

- cold build: empty warehouse with the full bronze history -> every gold model
  (`build()` = plan + run + observability; then `publish()`), target <= 2 min;
- hourly refresh, on-time file: one ~750-row streaming file for the hour just passed,
  loaded into bronze, then `build()` + `publish()` (load + build + publish <= 5 s, <= 2x the
  lower bound). The first file after midnight starts a new data day (recency and windows of
  every customer move): printed separately, it recomputes every customer once a day;
- hourly refresh, late file: the next batch arrives 7 hours after its hour, after builds
  that already processed those hours (the same targets: a late file is just the next load);
- hourly refresh, hour 8's file on time: an hour like most of the day's. Hour 1's file is
  the first after the day's every-customer publish, so its publish copies the whole serving
  file (the spare is a day-first behind); later hours update the spare. Its lower bound is
  hour 1's (a file of the same size on the same history);
- no-op: `build()` + `publish()` with nothing new (<= 2 s), and a whole `c360 run` process
  with nothing new (interpreter start-up included);
- SQLMesh's cost per run: a forced run over hours with nothing new (every model and audit
  evaluated on no new rows), split into its SQL statements and the rest (renders, state
  reads and writes, c360's checks, the closing checkpoint): the floor under any hourly
  refresh, and the least ratio to the plain bound it allows;
- growth of the hourly refresh: same 50,000 customers with a short history (the newest
  monthly files, >= 1.3M rows) vs the full ~13.6M-row history (< 1.3x), and a
  3,700-customer portfolio vs 50,000 over the same 18 months (< 1.5x);
- lower bound: the same transformations as plain DuckDB SQL — each model's query as
  SQLMesh renders it for DuckDB (`sqlmesh render`) for the same interval, run in
  dependency order with no state, audits or SCD2 merge (history is one pass) — and the
  ratio to it. The no-op's lower bound is the two watermark queries on a read-only
  connection.

Bronze is filled by the product loader (`ingestion.loader.ingest`), as `c360 run` does;
its time is printed separately from the build, so the figures isolate the transformation
layer. Each scale exposes only its files to the loader (hard links into its own landing
zone). A `c360 run` process adds the interpreter start-up, also printed.

    .venv/bin/python bench/build.py [--customers 50000] [--small-customers 3700] [--keep DIR]
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
from _support import Portfolio, generate, ingest_all, stage_files

from c360.core.logs import configure_logging
from c360.core.settings import Settings
from c360.pipeline.build import build
from c360.pipeline.context import open_context
from c360.pipeline.publish import publish
from ingestion.generator import generate_hourly

TARGET_COLD_SECONDS = 120.0
TARGET_HOURLY_SECONDS = 5.0
TARGET_HOURLY_RATIO = 2.0
TARGET_NOOP_SECONDS = 2.0
TARGET_GROWTH_HISTORY = 1.3
TARGET_GROWTH_CUSTOMERS = 1.5


@dataclass
class Scale:
    label: str
    customers: int
    history_rows: int = 0
    history_load: float = 0.0
    cold_build: float = 0.0
    cold_publish: float = 0.0
    hourly_rows: int = 0
    hourly_load: float = 0.0
    hourly_build: float = 0.0
    hourly_publish: float = 0.0
    day_first_rows: int = 0
    day_first_total: float = 0.0
    plain_day_first: float = 0.0
    late_rows: int = 0
    late_load: float = 0.0
    late_build: float = 0.0
    late_publish: float = 0.0
    late_action: str = ""
    later_rows: int = 0
    later_load: float = 0.0
    later_build: float = 0.0
    later_publish: float = 0.0
    plain_cold: float = 0.0
    plain_hourly: float = 0.0
    plain_noop: float = 0.0
    noop_build: float = 0.0
    noop_publish: float = 0.0
    noop_cli: float = 0.0
    idle_run: float = 0.0
    idle_run_sql: float = 0.0
    idle_run_models: int = 0

    @property
    def hourly_total(self) -> float:
        return self.hourly_load + self.hourly_build + self.hourly_publish

    @property
    def late_total(self) -> float:
        return self.late_load + self.late_build + self.late_publish

    @property
    def later_total(self) -> float:
        return self.later_load + self.later_build + self.later_publish

    @property
    def noop_total(self) -> float:
        return self.noop_build + self.noop_publish


@dataclass
class Feed:
    """A generated portfolio split the way a feed delivers it: the history files (oldest
    first) and hourly batches after them: hours 0, 1 and 2 of the next day, and hour 8."""

    portfolio: Portfolio
    history: list[str]
    hourly: str
    hourly_rows: int
    late: str
    late_rows: int
    day_first: str = ""
    day_first_rows: int = 0
    later: str = ""
    later_rows: int = 0


def _generate(root: Path, customers: int, as_of: date) -> Feed:
    portfolio = generate(root, customers, seed=42, as_of=as_of)
    history = portfolio.keys()
    first_batch = generate_hourly(portfolio.landing, portfolio.generator, 1)
    (day_first,) = sorted(set(portfolio.keys()) - set(history))
    batch = generate_hourly(portfolio.landing, portfolio.generator, 1)
    (hourly,) = sorted(set(portfolio.keys()) - set(history) - {day_first})
    late_batch = generate_hourly(portfolio.landing, portfolio.generator, 1)
    (late,) = sorted(set(portfolio.keys()) - set(history) - {day_first, hourly})
    later_batch = generate_hourly(
        portfolio.landing, portfolio.generator, 1, start=portfolio.history_end + timedelta(hours=8)
    )
    (later,) = sorted(set(portfolio.keys()) - set(history) - {day_first, hourly, late})
    return Feed(
        portfolio,
        history,
        hourly,
        batch.transaction_rows,
        late,
        late_batch.transaction_rows,
        day_first,
        first_batch.transaction_rows,
        later,
        later_batch.transaction_rows,
    )


def _plain_sql(
    settings: Settings, scratch: Path, bronze_copy: Path, cold: datetime, refreshes: list
) -> tuple[float, ...]:
    """Cold and per-refresh time of the rendered model queries as plain DuckDB SQL."""
    with open_context(settings) as context:
        return _run_plain_sql(context, scratch, bronze_copy, cold, refreshes)


def _run_plain_sql(
    context, scratch: Path, bronze_copy: Path, cold: datetime, refreshes: list
) -> tuple[float, ...]:
    """The cold build at `cold`, then one refresh per clock in `refreshes`, each processing
    what was loaded since the previous one stopped (as `c360 run` does)."""
    models = [context.get_model(name) for name in context.dag]
    models = [m for m in models if not m.kind.is_external]
    scratch.mkdir(parents=True, exist_ok=True)
    database = scratch / "WAREHOUSE.duckdb"  # same catalog name as the rendered SQL
    shutil.copy(bronze_copy, database)
    start = datetime(2000, 1, 1)

    def statements(hourly: bool, window_start: datetime, now: datetime) -> list[str]:
        out = []
        for model in models:
            table = model.fqn
            if model.kind.is_seed:
                if hourly:
                    continue
                seed = (Path(model._path).parent / model.kind.path).resolve()
                out.append(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM read_csv('{seed}')")
                continue
            if hourly and (model.kind.is_view or model.cron == "@daily"):
                continue
            query = model.render_query_or_raise(
                start=window_start if hourly else start, end=now, execution_time=now
            ).sql(dialect="duckdb")
            if model.kind.is_view:
                out.append(f"CREATE OR REPLACE VIEW {table} AS {query}")
            elif model.kind.is_incremental_by_time_range:
                column = model.time_column.column.sql(dialect="duckdb")
                if not hourly:
                    out.append(f"DELETE FROM {table}")
                else:
                    window = f"{column} >= '{window_start}' AND {column} < '{now}'"
                    out.append(f"DELETE FROM {table} WHERE {window}")
                out.append(f"INSERT INTO {table} {query}")
            elif model.kind.is_incremental_by_unique_key and hourly:
                keys = " AND ".join(
                    f"{table}.{k.sql(dialect='duckdb')} = delta.{k.sql(dialect='duckdb')}"
                    for k in model.unique_key
                )
                out.append(f"CREATE OR REPLACE TEMP TABLE delta AS {query}")
                out.append(f"DELETE FROM {table} USING delta WHERE {keys}")
                out.append(f"INSERT INTO {table} SELECT * FROM delta")
            elif model.kind.is_scd_type_2:
                out.append(
                    f"CREATE OR REPLACE TABLE {table} AS SELECT *, effective_date AS valid_from, "
                    f"CAST(NULL AS DATE) AS valid_to FROM ({query})"
                )
            else:
                out.append(f"CREATE OR REPLACE TABLE {table} AS {query}")
        return out

    with duckdb.connect(str(database)) as con:
        for model in models:
            schema = model.fqn.rsplit(".", 1)[0]
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
            if not (model.kind.is_view or model.kind.is_seed) and model.columns_to_types:
                # self-referencing models read their own table from the first statement on
                columns = ", ".join(
                    f'"{name}" {kind.sql(dialect="duckdb")}'
                    for name, kind in model.columns_to_types.items()
                )
                con.execute(f"CREATE TABLE IF NOT EXISTS {model.fqn} ({columns})")
        timings = []
        steps = [(False, start, cold)]
        previous = cold
        for clock in refreshes:
            steps.append((True, previous, clock))
            previous = clock
        for hourly, window_start, now in steps:
            sql = statements(hourly, window_start, now)
            started = time.perf_counter()
            for statement in sql:
                con.execute(statement)
            timings.append(time.perf_counter() - started)
    return tuple(timings)


def _measure(label: str, root: Path, feed: Feed, history: list[str]) -> Scale:
    portfolio = feed.portfolio
    scale = Scale(label, portfolio.summary.customers)
    settings = Settings(data_dir=root)
    print(f"\n== {label} ({root})", flush=True)
    stage_files(portfolio.landing, settings.landing_dir, history)
    # bronze is stamped as loaded just before the simulated clock of the cold build
    started = time.perf_counter()
    ingest_all(settings, loaded_at=portfolio.history_end - timedelta(minutes=1))
    scale.history_load = time.perf_counter() - started
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        scale.history_rows = con.execute(
            "SELECT count(*) FROM bronze.bronze_transactions"
        ).fetchone()[0]
    bronze_copy = root / "BRONZE_ONLY.duckdb"
    shutil.copy(settings.warehouse_path, bronze_copy)
    print(
        f"bronze: {scale.history_rows:,} transaction rows loaded in {scale.history_load:.1f} s",
        flush=True,
    )

    # The cold build runs "at" the end of the history; the hourly file then covers the first
    # hour after it and the refresh runs just after that hour, as it would in production.
    history_end = portfolio.history_end
    report = build(settings, execution_time=history_end)
    if not report.ok:
        sys.exit(f"cold build failed: {report.error}")
    scale.cold_build = report.seconds
    scale.cold_publish = publish(settings).seconds
    print(f"cold build {scale.cold_build:.1f} s + publish {scale.cold_publish:.1f} s", flush=True)

    # the first file after midnight starts a new data day: every customer's recency and
    # windows move, so every per-customer mart is recomputed once (the day's dearest run)
    scale.day_first_rows = feed.day_first_rows
    first_now = history_end + timedelta(hours=1, minutes=5)
    load, report, published = _refresh(
        settings,
        portfolio,
        feed.day_first,
        loaded_at=first_now - timedelta(minutes=1),
        now=first_now,
    )
    scale.day_first_total = load + report.seconds + published
    print(
        f"hourly, first file of a new data day ({scale.day_first_rows} rows): load {load:.2f} s "
        f"+ build {report.seconds:.1f} s + publish {published:.1f} s",
        flush=True,
    )
    scale.hourly_rows = feed.hourly_rows
    now = history_end + timedelta(hours=2, minutes=5)
    scale.hourly_load, report, scale.hourly_publish = _refresh(
        settings, portfolio, feed.hourly, loaded_at=now - timedelta(minutes=1), now=now
    )
    scale.hourly_build = report.seconds
    for key in (feed.day_first, feed.hourly):  # the plain-SQL run gets the same files
        _copy_rows_to(bronze_copy, settings, key)
    print(
        f"hourly, on time ({scale.hourly_rows} rows, {report.action}): load "
        f"{scale.hourly_load:.2f} s + build {scale.hourly_build:.1f} s + publish "
        f"{scale.hourly_publish:.1f} s",
        flush=True,
    )
    # a run with nothing new: what `c360 run` costs when no file has landed
    report = build(settings, execution_time=now + timedelta(minutes=5))
    if not report.ok:
        sys.exit(f"no-op build failed: {report.error}")
    scale.noop_build = report.seconds
    scale.noop_publish = publish(settings).seconds
    scale.noop_cli = _cli_noop_seconds(root)
    scale.plain_noop = _plain_noop_seconds(settings)
    print(
        f"no-op ({report.action}): build {scale.noop_build:.2f} s + publish "
        f"{scale.noop_publish:.2f} s; `c360 run` process {scale.noop_cli:.1f} s",
        flush=True,
    )
    scale.plain_cold, scale.plain_day_first, scale.plain_hourly = _plain_sql(
        settings, root / "plain", bronze_copy, history_end, [first_now, now]
    )
    print(
        f"plain SQL: cold {scale.plain_cold:.1f} s, hourly {scale.plain_hourly:.1f} s", flush=True
    )

    # the late file: builds ran through hour 8, then the batch of hour 1 arrives
    with _sql_seconds() as sql:
        forced = build(settings, execution_time=history_end + timedelta(hours=8), force=True)
    if not forced.ok:
        sys.exit(f"catch-up build failed: {forced.error}")
    # what a SQLMesh run costs besides its SQL: every model and audit runs over hours with
    # no new rows (renders, state, checkpoints), the floor under any hourly refresh
    scale.idle_run, scale.idle_run_sql, scale.idle_run_models = (
        forced.seconds,
        sql.seconds,
        forced.models_run,
    )
    print(
        f"run with nothing new (forced, {forced.models_run} models): {forced.seconds:.2f} s, "
        f"of which SQL {sql.seconds:.2f} s",
        flush=True,
    )
    publish(settings)
    scale.late_rows = feed.late_rows
    late_now = history_end + timedelta(hours=8, minutes=5)
    scale.late_load, report, scale.late_publish = _refresh(
        settings, portfolio, feed.late, loaded_at=late_now - timedelta(minutes=1), now=late_now
    )
    scale.late_build, scale.late_action = report.seconds, report.action
    print(
        f"hourly, 7 h late ({scale.late_rows} rows, {report.action}): load "
        f"{scale.late_load:.2f} s + build {scale.late_build:.1f} s + publish "
        f"{scale.late_publish:.1f} s",
        flush=True,
    )
    # hour 8's file, on time: an hour like most of the day's (the file of hour 1 above is the
    # first after the day's every-customer publish, so its publish copies the serving file)
    scale.later_rows = feed.later_rows
    later_now = history_end + timedelta(hours=9, minutes=5)
    scale.later_load, report, scale.later_publish = _refresh(
        settings, portfolio, feed.later, loaded_at=later_now - timedelta(minutes=1), now=later_now
    )
    scale.later_build = report.seconds
    print(
        f"hourly, on time, hour 8 ({scale.later_rows} rows, {report.action}): load "
        f"{scale.later_load:.2f} s + build {scale.later_build:.1f} s + publish "
        f"{scale.later_publish:.1f} s",
        flush=True,
    )
    return scale


class _SqlClock:
    seconds = 0.0


@contextmanager
def _sql_seconds() -> Iterator[_SqlClock]:
    """Seconds spent executing SQL on SQLMesh's engine adapter inside the block."""
    from sqlmesh.core.engine_adapter.base import EngineAdapter

    clock = _SqlClock()
    execute = EngineAdapter._execute

    def timed(self, *args, **kwargs):
        started = time.perf_counter()
        try:
            return execute(self, *args, **kwargs)
        finally:
            clock.seconds += time.perf_counter() - started

    EngineAdapter._execute = timed
    try:
        yield clock
    finally:
        EngineAdapter._execute = execute


class _GcClock:
    seconds = 0.0
    collections = 0


@contextmanager
def _gc_pauses() -> Iterator[_GcClock]:
    """Seconds Python's cyclic collector paused the block (c360.core.gc_pauses keeps
    them few during a build and a publish)."""
    clock = _GcClock()
    started: list[float] = []

    def on_gc(phase: str, info: dict) -> None:
        if phase == "start":
            started.append(time.perf_counter())
        elif started:
            clock.seconds += time.perf_counter() - started.pop()
            clock.collections += 1

    gc.callbacks.append(on_gc)
    try:
        yield clock
    finally:
        gc.callbacks.remove(on_gc)


def _refresh(settings: Settings, portfolio: Portfolio, key: str, *, loaded_at: datetime, now):
    """Land one file, load it (stamped `loaded_at`), build at `now`, publish: seconds of
    the load, the build report, seconds of the publish."""
    stage_files(portfolio.landing, settings.landing_dir, [key])
    with _gc_pauses() as gc_clock:
        started = time.perf_counter()
        ingest_all(settings, loaded_at=loaded_at)
        load = time.perf_counter() - started
        report = build(settings, execution_time=now)
        if not report.ok:
            sys.exit(f"refresh build failed: {report.error}")
        published = publish(settings)
    if report.restated_from is not None:
        print(f"note: the refresh restated rows loaded from {report.restated_from}")
    print(
        f"refreshing {Path(key).name}: garbage-collector pauses {gc_clock.seconds:.2f} s in "
        f"{gc_clock.collections} collections; the publish started from {published.base}",
        flush=True,
    )
    return load, report, published.seconds


def _copy_rows_to(bronze_copy: Path, settings: Settings, key: str) -> None:
    with duckdb.connect(str(bronze_copy)) as con:
        con.execute(f"ATTACH '{settings.warehouse_path}' AS loaded (READ_ONLY)")
        con.execute(
            "INSERT INTO bronze.bronze_transactions "
            "SELECT * FROM loaded.bronze.bronze_transactions WHERE source_file = ?",
            [key],
        )
        con.execute("DETACH loaded")


def _cli_noop_seconds(root: Path) -> float:
    """A whole `c360 run` process with nothing new (start-up, landing-zone scan, checks)."""
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "c360", "run"],
        check=True,
        capture_output=True,
        env={**os.environ, "C360_DATA_DIR": str(root)},
    )
    return time.perf_counter() - started


def _plain_noop_seconds(settings: Settings) -> float:
    """The least a no-op can cost: read the two watermarks on a read-only connection."""
    started = time.perf_counter()
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        con.execute("SELECT max(bronze_watermark) FROM observability.pipeline_run_metadata")
        con.execute("SELECT max(ingestion_timestamp) FROM bronze.bronze_transactions")
    return time.perf_counter() - started


def _recent_history(feed: Feed, rows: int) -> list[str]:
    """Customer and campaign files plus the newest monthly files holding >= `rows` rows."""
    months = [k for k in feed.history if k.startswith("transactions/")]
    other = [k for k in feed.history if not k.startswith("transactions/")]
    chosen: list[str] = []
    total = 0
    for key in reversed(months):
        if total >= rows:
            break
        chosen.insert(0, key)
        with (feed.portfolio.landing / key).open("rb") as handle:
            total += sum(1 for _ in handle) - 1
    return other + chosen


def _startup_seconds() -> float:
    """Interpreter start-up plus imports of a `c360 run` process."""
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", "import sqlmesh, c360.pipeline.build, c360.cli"],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument(
        "--short-history-rows",
        type=int,
        default=1_300_000,
        help="the short history: the newest monthly files holding at least this many rows",
    )
    parser.add_argument(
        "--small-customers",
        type=int,
        default=3_700,
        help="also measure a portfolio this small (~1M rows over 18 months); 0 skips it",
    )
    parser.add_argument(
        "--as-of",
        type=date.fromisoformat,
        default=date.today() - timedelta(days=1),
        help="end of the history (default yesterday, so the first hourly file is in the past)",
    )
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    args = parser.parse_args()
    configure_logging("WARNING")  # the figures below are the output

    work = args.keep or Path(tempfile.mkdtemp(prefix="c360-bench-build-"))
    try:
        feed = _generate(work / "portfolio", args.customers, args.as_of)
        short = _measure(
            "short history",
            work / "short",
            feed,
            _recent_history(feed, args.short_history_rows),
        )
        full = _measure("full history", work / "full", feed, feed.history)
        small = None
        if args.small_customers:
            small_feed = _generate(work / "small-portfolio", args.small_customers, args.as_of)
            small = _measure(
                f"{args.small_customers:,} customers",
                work / "small",
                small_feed,
                small_feed.history,
            )
        startup = _startup_seconds()
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    growth = full.hourly_total / short.hourly_total
    later_growth = full.later_total / short.later_total
    machine = platform.processor() or platform.machine()
    print()
    print(f"machine                   : {machine}, {os.cpu_count()} cores")
    print(f"portfolio                 : {args.customers:,} customers, history to {args.as_of}")
    print(
        f"bronze load, full history : {full.history_rows:,} rows in {full.history_load:.1f} s "
        "(product loader)"
    )
    print(
        f"cold build, full history  : {full.history_rows:,} rows: build {full.cold_build:.1f} s "
        f"+ publish {full.cold_publish:.1f} s = {full.cold_build + full.cold_publish:.1f} s "
        f"(target <= {TARGET_COLD_SECONDS:.0f} s)"
    )
    scales = (short, full) + ((small,) if small else ())
    for scale in scales:
        for kind, rows, load, built, published, total in (
            (
                "hour 1, on time",
                scale.hourly_rows,
                scale.hourly_load,
                scale.hourly_build,
                scale.hourly_publish,
                scale.hourly_total,
            ),
            (
                "hour 2, 7 h late",
                scale.late_rows,
                scale.late_load,
                scale.late_build,
                scale.late_publish,
                scale.late_total,
            ),
            (
                "hour 8, on time",
                scale.later_rows,
                scale.later_load,
                scale.later_build,
                scale.later_publish,
                scale.later_total,
            ),
        ):
            print(
                f"hourly {kind:16s}, {scale.label:15s}: {scale.history_rows / 1e6:5.2f}M rows, "
                f"{scale.customers:,} customers, {rows} new: load {load:.2f} + build "
                f"{built:.2f} + publish {published:.2f} = {total:.2f} s; plain DuckDB "
                f"{scale.plain_hourly:.2f} s, ratio {total / scale.plain_hourly:.1f}x "
                f"(targets <= {TARGET_HOURLY_SECONDS:.0f} s, <= {TARGET_HOURLY_RATIO:.0f}x)"
            )
    for scale in scales:
        print(
            f"hourly, first file of a new data day, {scale.label}: {scale.day_first_total:.2f} s "
            f"(every customer recomputed once a day); plain DuckDB {scale.plain_day_first:.2f} s, "
            f"ratio {scale.day_first_total / scale.plain_day_first:.1f}x"
        )
    for scale in scales:
        print(
            f"no-op run, {scale.label:20s}: build {scale.noop_build:.2f} + publish "
            f"{scale.noop_publish:.2f} = {scale.noop_total:.2f} s; plain DuckDB "
            f"{scale.plain_noop:.3f} s, ratio {scale.noop_total / scale.plain_noop:.0f}x; "
            f"a `c360 run` process {scale.noop_cli:.1f} s (target <= {TARGET_NOOP_SECONDS:.0f} s)"
        )
    print(
        f"hourly growth with history: {growth:.2f}x (hour 1), {later_growth:.2f}x (hour 8) from "
        f"{short.history_rows / 1e6:.1f}M to {full.history_rows / 1e6:.1f}M rows "
        f"(target < {TARGET_GROWTH_HISTORY})"
    )
    if small:
        print(
            f"hourly growth with size   : {full.hourly_total / small.hourly_total:.2f}x (hour 1), "
            f"{full.later_total / small.later_total:.2f}x (hour 8) from "
            f"{small.customers:,} to {full.customers:,} customers, same 18 months "
            f"(target < {TARGET_GROWTH_CUSTOMERS})"
        )
    for scale in scales:
        python = scale.idle_run - scale.idle_run_sql
        print(
            f"SQLMesh's cost per run, {scale.label:15s}: a run with nothing new "
            f"({scale.idle_run_models} models) {scale.idle_run:.2f} s, of which SQL "
            f"{scale.idle_run_sql:.2f} s: {python:.2f} s besides SQL statements (renders, "
            "state, checks, the closing checkpoint); with it alone an hourly refresh is at "
            f"least {(python + scale.plain_hourly) / scale.plain_hourly:.1f}x the plain bound"
        )
    print(f"c360 process start-up     : {startup:.1f} s (imports of a CLI run that builds)")
    for scale in scales:
        print(
            f"plain DuckDB SQL, {scale.label:15s}: cold {scale.plain_cold:.1f} s "
            f"(SQLMesh build {scale.cold_build / scale.plain_cold:.1f}x)"
        )


if __name__ == "__main__":
    main()
