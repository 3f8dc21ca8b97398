"""Continuous mode (`c360 run --watch`): every landing file loaded, built and published as it lands.

The loop polls the stage with the loader's `Pipe`, through the `Watcher` that `c360 ingest
--watch` uses (same heartbeat, so `c360 status` shows the pipe RUNNING). When a poll has
loaded rows it waits `debounce` seconds for more files of the same burst — loading each as
it comes, for at most `BURST_DEBOUNCES` periods in all — and then builds and publishes
exactly as `c360 run` does: `build()`, then `publish()` (also after a failed build, so the
serving copy shows the FAILED run next to the last good gold tables). Between cycles it
holds no DuckDB lock, so `c360 status`, `c360 run` and the dashboard keep working.

Nothing is remembered by the process that the warehouse does not also know: a file commits
together with its load_history row, a build is logged only once it is done, a publish swaps
the serving file in atomically. So the loop starts with a catch-up cycle that asks the
warehouse what is left (`pending_work`): files that landed while it was stopped are loaded;
bronze rows newer than the last successful build's bronze watermark (a build that a crash
interrupted, files `c360 ingest` loaded) are built; a serving copy that covers less than
the newest build is published. A crash or `kill -9` at any point loses nothing, and the
next start converges: every file loaded once, built once.

A failed build is logged (FAILED in `observability.pipeline_run_metadata`, like any build)
and the loop goes on; the next file builds again from the last successful build. A build
or publish that cannot get the warehouse (another process holds it too long) is retried on
the next poll. Each cycle's build is recorded with `triggered_by = 'watch'`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
from sqlglot import exp

from c360.core.clock import utc_now
from c360.core.errors import C360Error
from c360.core.faults import pause_at
from c360.core.settings import Settings
from c360.core.warehouse import WarehouseBusy, open_warehouse
from c360.pipeline import observability
from c360.pipeline.build import BuildReport, build
from c360.pipeline.publish import ENVIRONMENT, MANIFEST, PublishReport, publish
from ingestion.load_history import Status
from ingestion.loader import FileResult, Pipe
from ingestion.watch import DEFAULT_INTERVAL, Watcher

log = logging.getLogger(__name__)

#: Seconds to wait after a load for more files of the same burst.
DEFAULT_DEBOUNCE = 1.0
#: A burst that goes on is built after this many debounce periods anyway.
BURST_DEBOUNCES = 5
#: `pipeline_run_metadata.triggered_by` of the builds of this loop.
TRIGGERED_BY = "watch"

_LOADED = (Status.LOADED, Status.PARTIALLY_LOADED)


@dataclass(frozen=True)
class Pending:
    """What the warehouse says is left to do."""

    build: bool  # bronze holds loads the last successful build has not read
    publish: bool  # the serving copy covers less than the newest build


@dataclass
class Cycle:
    """One turn of the loop: the files it loaded, its build and publish."""

    number: int  # 0: the catch-up cycle at start
    loaded: list[FileResult] = field(default_factory=list)
    build: BuildReport | None = None
    publish: PublishReport | None = None
    #: The build or publish raised (e.g. the warehouse stayed busy): nothing was built.
    error: str | None = None
    #: A stop was requested after the load: not built (the next start builds it).
    stopped: bool = False
    #: Oldest loaded file landed -> its rows in the serving copy.
    freshness_seconds: float | None = None

    @property
    def files(self) -> int:
        """Files whose rows reached bronze (LOADED, PARTIALLY_LOADED)."""
        return sum(result.status in _LOADED for result in self.loaded)

    @property
    def rows(self) -> int:
        return sum(result.row_count for result in self.loaded)

    @property
    def other_files(self) -> Counter[str]:
        """Files decided without rows, by status (LOAD_FAILED, LOAD_SKIPPED)."""
        return Counter(str(r.status) for r in self.loaded if r.status not in _LOADED)


@dataclass
class WatchSummary:
    """What a `watch_pipeline` call did, for its final line."""

    cycles: int = 0
    files: int = 0
    rows: int = 0
    builds: int = 0
    failed_builds: int = 0
    #: Files loaded after the last build when it stopped (the next start builds them).
    unbuilt_files: int = 0


class _Reader:
    """The slice of SQLMesh's engine adapter that the observability readers use, on a plain
    DuckDB connection: the loop asks the warehouse without loading SQLMesh's project."""

    dialect = "duckdb"

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._con = con

    def fetchone(self, query: exp.Expression) -> tuple | None:
        return self._con.execute(query.sql(dialect="duckdb")).fetchone()


def _served_run(serving: Path) -> datetime | None:
    """The newest build the serving copy covers (its manifest), or None."""
    if not serving.exists():
        return None
    try:
        with duckdb.connect(str(serving), read_only=True) as con:
            row = con.execute(f"SELECT max(covered_run) FROM {MANIFEST}").fetchone()  # noqa: S608
    except duckdb.Error as exc:
        log.info("serving copy without a usable manifest (%s)", str(exc).splitlines()[0])
        return None
    return row[0] if row else None


def pending_work(warehouse: Path, serving: Path, environment: str = ENVIRONMENT) -> Pending:
    """Ask the warehouse (read-only, briefly) whether a build and/or a publish is due."""
    if not warehouse.exists():
        return Pending(build=False, publish=False)
    with open_warehouse(warehouse, read_only=True) as con:
        tables = {
            f"{schema}.{table}".lower()
            for schema, table in con.execute(
                "SELECT schema_name, table_name FROM duckdb_tables()"
            ).fetchall()
        }
        if not set(observability.BRONZE_TABLES) <= tables:
            return Pending(build=False, publish=False)
        reader = _Reader(con)
        loaded = observability.bronze_watermark(reader)
        built = newest = None
        if observability.RUN_METADATA in tables:
            built = observability.previous_build(reader, environment).bronze_watermark
            newest = reader.fetchone(
                observability.sql(
                    f"SELECT MAX(run_timestamp) FROM {observability.RUN_METADATA} "  # noqa: S608
                    "WHERE environment = :environment",
                    environment=environment,
                )
            )[0]
    served = _served_run(serving)
    return Pending(
        build=loaded is not None and (built is None or loaded > built),
        publish=newest is not None and (served is None or served < newest),
    )


class _Loop:
    def __init__(
        self,
        settings: Settings,
        watcher: Watcher,
        debounce: float,
        stop: threading.Event,
        on_cycle: Callable[[Cycle], None] | None,
        verbose: bool,
    ) -> None:
        self.settings = settings
        self.watcher = watcher
        self.debounce = debounce
        self.stop = stop
        self.on_cycle = on_cycle
        self.verbose = verbose
        self.summary = WatchSummary()
        #: Ask the warehouse what is left before waiting for files (at start, and after
        #: a build or publish that could not get the warehouse).
        self.recheck = True

    # --- one cycle ---------------------------------------------------------------------

    def catch_up(self) -> None:
        """Cycle 0: load what landed while stopped, finish what a crash interrupted."""
        self._finish(Cycle(0, self._poll()), always_report=True)

    def step(self) -> None:
        """One poll; a cycle if it loaded rows (with the rest of its burst) or is due."""
        loaded = self._poll()
        if any(result.row_count for result in loaded):
            loaded += self._rest_of_burst()
        if loaded or self.recheck:
            self._finish(Cycle(self.summary.cycles, loaded))

    def _finish(self, cycle: Cycle, *, always_report: bool = False) -> None:
        self.summary.files += cycle.files
        self.summary.rows += cycle.rows
        if self.stop.is_set() and cycle.rows:
            cycle.stopped = True
            self.summary.unbuilt_files += cycle.files
        elif cycle.rows:
            pause_at("loaded")  # test hook: the burst is committed, its build not started
            log.info("%d file(s), %s rows loaded: building", cycle.files, f"{cycle.rows:,}")
            self._build_and_publish(cycle)
        elif self.recheck:
            self._catch_up(cycle)
        if cycle.build or cycle.publish or cycle.error or cycle.loaded or always_report:
            self.summary.cycles += 1
            cycle.number = self.summary.cycles - 1
            if self.on_cycle:
                self.on_cycle(cycle)
            if cycle.number:
                pause_at("idle")  # test hook: a cycle is over, the next poll not yet due

    def _catch_up(self, cycle: Cycle) -> None:
        try:
            pending = pending_work(self.settings.warehouse_path, self.settings.serving_path)
        except WarehouseBusy as exc:
            log.warning("%s; asking again on the next poll", exc)
            cycle.error = str(exc)
            return
        except (duckdb.Error, C360Error) as exc:
            self.recheck = False
            self._failed(cycle, "catch-up", exc)
            return
        self.recheck = False
        if pending.build:
            log.info("bronze holds loads no successful build has read: building them")
            self._build_and_publish(cycle)
        elif pending.publish:
            log.info("the serving copy is behind the last build: publishing it")
            self._publish(cycle)

    def _build_and_publish(self, cycle: Cycle) -> None:
        self.recheck = False
        try:
            cycle.build = build(self.settings, verbose=self.verbose, triggered_by=TRIGGERED_BY)
        except Exception as exc:  # noqa: BLE001 - a daemon logs the failure and goes on
            self._failed(cycle, "build", exc)
            return
        self.summary.builds += 1
        if not cycle.build.ok:
            self.summary.failed_builds += 1
        self._publish(cycle)

    def _publish(self, cycle: Cycle) -> None:
        try:
            cycle.publish = publish(self.settings)
        except Exception as exc:  # noqa: BLE001 - the next cycle publishes again
            self._failed(cycle, "publish", exc)
            return
        landed = [r.file_last_modified for r in cycle.loaded if r.row_count]
        landed = [moment for moment in landed if moment is not None]
        if landed and not cycle.publish.skipped:
            cycle.freshness_seconds = (utc_now() - min(landed)).total_seconds()

    def _failed(self, cycle: Cycle, step: str, exc: BaseException) -> None:
        message = str(exc).strip().splitlines()
        cycle.error = f"{step}: {type(exc).__name__}" + (f": {message[0]}" if message else "")
        if isinstance(exc, WarehouseBusy):
            self.recheck = True  # another process has the warehouse: try again soon
        log.error("%s failed: %s", step, cycle.error)
        log.debug("%s failure", step, exc_info=True)

    # --- loading ----------------------------------------------------------------------

    def _poll(self) -> list[FileResult]:
        summary = self.watcher.poll()
        if summary is None:
            return []
        if summary.already_loaded:
            # another process (`c360 ingest`) loaded them: ask whether they are built
            self.recheck = True
        return list(summary.results)

    def _rest_of_burst(self) -> list[FileResult]:
        """Files that keep arriving, each within `debounce` of the one before."""
        more: list[FileResult] = []
        deadline = time.monotonic() + BURST_DEBOUNCES * self.debounce
        while self.debounce > 0 and time.monotonic() < deadline:
            if self.stop.wait(self.debounce):
                break
            arrived = self._poll()
            if not arrived:
                break
            more += arrived
        return more


def watch_pipeline(
    settings: Settings,
    pipe: Pipe,
    *,
    interval: float = DEFAULT_INTERVAL,
    debounce: float = DEFAULT_DEBOUNCE,
    stop: threading.Event | None = None,
    on_cycle: Callable[[Cycle], None] | None = None,
    on_ready: Callable[[], Any] | None = None,
    heartbeat: Path | None = None,
    verbose: bool = False,
) -> WatchSummary:
    """Catch up, then load, build and publish each burst of files until `stop` is set.

    `on_cycle` is called after every cycle (the catch-up cycle is number 0), `on_ready`
    once the catch-up is done and the loop waits for files. A stop request lets the current
    step finish (a load, or a build with its publish); files loaded but not yet built are
    built by the next start. A stage or warehouse that cannot be reached at start is an
    error; later the loop outlives it (retrying on each poll).
    """
    stop = stop or threading.Event()
    watcher = Watcher(pipe, interval=interval, heartbeat=heartbeat)
    watcher.start()
    loop = _Loop(settings, watcher, debounce, stop, on_cycle, verbose)
    try:
        loop.catch_up()
        if on_ready:
            on_ready()
        while not stop.wait(interval):
            loop.step()
    finally:
        watcher.close()
    return loop.summary
