"""Snowpipe for the local warehouse: find new files on a stage, load each exactly once.

A `Pipe` joins a stage, the DuckDB warehouse and an ON_ERROR policy. Each pass
lists the stage, drops every file version (name, size, modification time) the
load history already covers, and loads the rest one file per transaction —
the bronze rows, the rejected rows and the load_history row commit together,
so a crash or `kill -9` leaves either the whole file or nothing, and the next
pass loads it once. Files whose name and checksum were loaded before are
recorded as LOAD_SKIPPED, like COPY's load metadata.

`ingest()` is the one-shot entry point (`c360 ingest`, `c360 run`, `c360 demo`);
`ingestion.watch` keeps a pipe polling.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TransferSpeedColumn,
)

from c360.core.clock import utc_now
from c360.core.faults import pause_at
from c360.core.logs import console
from c360.core.settings import Settings
from c360.core.warehouse import LOCK_TIMEOUT_SECONDS, open_warehouse
from ingestion import routing
from ingestion.copy_into import CopyOutcome, copy_csv, copy_parquet
from ingestion.file_checks import (
    FileError,
    check_csv,
    check_parquet,
    count_data_lines,
    count_parquet_rows,
)
from ingestion.load_history import (
    FirstError,
    HistoryRecord,
    KnownFiles,
    OnError,
    Status,
    insert,
    known_files,
    loaded_before,
    version_recorded,
)
from ingestion.rejects import LoadRef
from ingestion.stage import (
    Stage,
    StageChanged,
    StageFile,
    StageUnreadable,
    open_stage,
)
from ingestion.warehouse import HANDOFF_SECONDS, HOLD_SECONDS, WarehouseSession, ensure_schema

log = logging.getLogger(__name__)

#: Errors that mean the warehouse itself is broken: stop, never record them per file.
_FATAL = (duckdb.FatalException, duckdb.InternalException)


@dataclass
class FileResult:
    """What happened to one file in this run (a load_history row, summarised)."""

    key: str
    table: str | None
    status: Status
    row_parsed: int
    row_count: int
    rows_rejected: int
    error_count: int
    first_error: str | None
    size: int
    latency_seconds: float
    load_seconds: float
    #: When the file landed on the stage (naive UTC), as in load_history.
    file_last_modified: datetime | None = None


@dataclass
class IngestSummary:
    """One pass of the pipe: what it loaded, skipped, deferred and ignored."""

    stage: str
    warehouse: Path
    on_error: OnError
    results: list[FileResult] = field(default_factory=list)
    already_loaded: int = 0  # files on the stage the load history already covers
    deferred: list[str] = field(default_factory=list)  # changed while loading: next pass
    unrouted: list[str] = field(default_factory=list)  # not bronze data (unknown folder/suffix)
    #: Folders and files that could not be read ("key: reason"); retried on the next pass.
    unreadable: list[str] = field(default_factory=list)
    aborted_on: str | None = None  # ON_ERROR=ABORT_STATEMENT stopped at this file
    seconds: float = 0.0

    @property
    def by_status(self) -> Counter[str]:
        return Counter(str(r.status) for r in self.results)

    @property
    def files_loaded(self) -> int:
        return sum(r.status in (Status.LOADED, Status.PARTIALLY_LOADED) for r in self.results)

    @property
    def rows_loaded(self) -> int:
        return sum(r.row_count for r in self.results)

    @property
    def rows_rejected(self) -> int:
        return sum(r.rows_rejected for r in self.results)

    @property
    def bytes_loaded(self) -> int:
        return sum(r.size for r in self.results if r.row_count)


def _status(outcome: CopyOutcome, on_error: OnError) -> Status:
    if outcome.error_count == 0:
        return Status.LOADED
    if on_error is OnError.CONTINUE:
        return Status.PARTIALLY_LOADED if outcome.row_count else Status.LOAD_FAILED
    return Status.LOAD_SKIPPED if on_error is OnError.SKIP_FILE else Status.LOAD_FAILED


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


class Pipe:
    """A stage, a warehouse and an ON_ERROR policy, plus what it has already seen."""

    def __init__(
        self,
        stage: Stage,
        warehouse: Path,
        on_error: OnError = OnError.CONTINUE,
        lock_timeout: float = LOCK_TIMEOUT_SECONDS,
        hold_seconds: float = HOLD_SECONDS,
        handoff_seconds: float = HANDOFF_SECONDS,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.stage = stage
        #: Stamps the rows of a file as loaded (bronze `ingestion_timestamp`); the wall
        #: clock in production, a simulated one where tests replay hours of a feed.
        self.clock = clock
        self.warehouse = warehouse
        self.on_error = OnError(on_error)
        self.lock_timeout = lock_timeout
        self.hold_seconds = hold_seconds
        self.handoff_seconds = handoff_seconds
        self.known: KnownFiles | None = None
        self.first_seen: dict[tuple[str, int, datetime], datetime] = {}
        self.warned_unreadable: set[tuple[str, int, datetime]] = set()

    # --- planning ------------------------------------------------------------------

    def sync(self) -> None:
        """(Re)read the load history: the pipe's memory of decided file versions."""
        with open_warehouse(self.warehouse, lock_timeout=self.lock_timeout) as con:
            ensure_schema(con)
            self.known = known_files(con)

    def scan(self) -> tuple[list[StageFile], int, list[str]]:
        """New file versions in load order, the count of known ones, and unrouted keys.

        Needs no warehouse connection (the history is in memory), so a watching
        pipe can poll every second without taking the DuckDB lock.
        """
        if self.known is None:
            self.sync()
        assert self.known is not None
        now = utc_now()
        new: list[StageFile] = []
        unrouted: list[str] = []
        known = 0
        for file in self.stage.list_files():
            if routing.route(file.key) is None:
                unrouted.append(file.key)
            elif self.known.knows(*file.version, file.etag):
                known += 1
            else:
                self.first_seen.setdefault(file.version, now)
                new.append(file)
        new.sort(key=lambda f: routing.load_order(f.key))
        return new, known, unrouted

    # --- loading -------------------------------------------------------------------

    def run_once(self, *, force: bool = False, show_progress: bool = False) -> IngestSummary:
        """Load everything new on the stage once (`c360 ingest`)."""
        started = time.perf_counter()
        self.sync()
        new, known, unrouted = self.scan()
        summary = self.load(new, force=force, show_progress=show_progress)
        summary.already_loaded += known
        summary.unrouted = unrouted
        summary.unreadable[:0] = self.stage.unreadable
        for problem in self.stage.unreadable:
            log.warning("cannot read %s; its files wait until it can be read", problem)
        summary.seconds = time.perf_counter() - started
        return summary

    def load(
        self, files: list[StageFile], *, force: bool = False, show_progress: bool = False
    ) -> IngestSummary:
        """Load `files` one transaction each; stop early only under ABORT_STATEMENT."""
        started = time.perf_counter()
        summary = IngestSummary(self.stage.location, self.warehouse, self.on_error)
        progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
            disable=not show_progress or not files,
        )
        session = WarehouseSession(
            self.warehouse, self.lock_timeout, self.hold_seconds, self.handoff_seconds
        )
        with progress, session:
            task = progress.add_task("Loading bronze", total=sum(f.size for f in files))
            for file in files:
                progress.update(task, description=f"Loading {file.key}")
                try:
                    result = self.load_file(file, session, force=force)
                except StageChanged as exc:
                    log.info("%s; it will be loaded on the next pass", exc)
                    summary.deferred.append(file.key)
                    continue
                except StageUnreadable as exc:
                    summary.unreadable.append(f"{file.key}: {exc}")
                    if file.version not in self.warned_unreadable:
                        self.warned_unreadable.add(file.version)
                        log.warning("cannot read %s (%s); it stays pending", file.key, exc)
                    continue
                finally:
                    progress.advance(task, file.size)
                if result is None:
                    summary.already_loaded += 1
                    continue
                summary.results.append(result)
                if result.status is Status.LOAD_FAILED and self.on_error is OnError.ABORT_STATEMENT:
                    summary.aborted_on = file.key
                    log.error("ON_ERROR=ABORT_STATEMENT: stopped at %s", file.key)
                    break
        summary.seconds = time.perf_counter() - started
        return summary

    def load_file(
        self, file: StageFile, session: WarehouseSession, *, force: bool = False
    ) -> FileResult | None:
        """Load one file in one transaction; None if another process already decided it.

        Raises StageChanged when the file changed under us (nothing is recorded).
        """
        route = routing.route(file.key)
        assert route is not None, f"unrouted key {file.key}"
        started = time.perf_counter()
        compressed = routing.is_gzip(file.key)
        log.debug("loading %s (%s bytes) into %s", file.key, file.size, route.table.qualified)
        with self.stage.local_copy(file) as path:
            etag: str | None = None
            preflight: FileError | None = None
            try:
                etag = self.stage.checksum(file, path)
                if route.reader == "csv":
                    check_csv(path, route, compressed)
            except FileError as exc:
                preflight = exc
            except FileNotFoundError:
                raise StageChanged(f"{file.key} disappeared while being read") from None
            except OSError as exc:  # unreadable (permissions, I/O): not decided, tried again
                raise StageUnreadable(exc.strerror or str(exc)) from None
            con = session.connection()
            if route.reader == "parquet" and preflight is None:
                try:
                    check_parquet(con, path, route)
                except FileError as exc:
                    preflight = exc
            return self._load_in_transaction(
                con, file, path, route, etag, compressed, preflight, force, started
            )

    def _load_in_transaction(
        self,
        con: duckdb.DuckDBPyConnection,
        file: StageFile,
        path: Path,
        route: routing.Route,
        etag: str | None,
        compressed: bool,
        preflight: FileError | None,
        force: bool,
        started: float,
    ) -> FileResult | None:
        con.begin()
        if version_recorded(con, *file.version, file.etag):
            con.rollback()
            self._remember_version(file)
            return None

        load_id = uuid.uuid4().hex
        base = dict(
            load_id=load_id,
            file_name=file.key,
            stage_location=self.stage.location,
            table_name=route.table.qualified,
            file_size=file.size,
            file_etag=etag,
            file_last_modified=file.last_modified,
            on_error=self.on_error,
            pipe_received_time=self.first_seen.get(file.version, utc_now()),
        )

        previous = None if force or etag is None else loaded_before(con, file.key, etag)
        if previous is not None:
            message = f"already loaded at {previous:%Y-%m-%d %H:%M:%S} UTC with the same checksum"
            return self._commit(
                con, base, Status.LOAD_SKIPPED, None, FirstError(message), None, started, 0
            )

        at = self.clock()
        ref = LoadRef(load_id, file.key, route.table.qualified, at)
        try:
            if preflight is not None:
                raise preflight
            if route.reader == "csv":
                outcome = copy_csv(con, path, route, ref, compressed, self.on_error)
            else:
                outcome = copy_parquet(con, path, route, ref, self.on_error)
            self.stage.assert_unchanged(file)
        except StageChanged:
            con.rollback()
            raise
        except FileError as exc:
            con.rollback()
            con.begin()
            rejected = self._whole_file(path, route, compressed)
            return self._commit(
                con, base, Status.LOAD_FAILED, rejected, exc.first_error, None, started, 1
            )
        except _FATAL:
            raise
        except duckdb.Error as exc:
            con.rollback()
            con.begin()
            error = FirstError(f"{type(exc).__name__}: {_first_line(exc)}")
            rejected = self._whole_file(path, route, compressed)
            return self._commit(con, base, Status.LOAD_FAILED, rejected, error, None, started, 1)
        pause_at("load")  # test hook: the rows are in, the transaction is not committed
        return self._commit(
            con,
            base,
            _status(outcome, self.on_error),
            outcome,
            outcome.first_error,
            at,
            started,
            outcome.error_count,
        )

    @staticmethod
    def _whole_file(path: Path, route: routing.Route, compressed: bool) -> CopyOutcome:
        """Accounting for a file rejected as a whole: every row it holds is rejected."""
        if route.reader == "csv":
            rows = count_data_lines(path, compressed)
        else:
            rows = count_parquet_rows(path)
        return CopyOutcome(row_parsed=rows, row_count=0, error_count=1, first_error=None)

    def _commit(
        self,
        con: duckdb.DuckDBPyConnection,
        base: dict,
        status: Status,
        outcome: CopyOutcome | None,
        error: FirstError | None,
        at: datetime | None,
        started: float,
        error_count: int,
    ) -> FileResult:
        """Write the load_history row and commit it with the file's rows."""
        done = utc_now()
        parsed = outcome.row_parsed if outcome else 0
        loaded = outcome.row_count if outcome else 0
        record = HistoryRecord(
            **base,
            status=status,
            row_parsed=parsed,
            row_count=loaded,
            rows_rejected=parsed - loaded,
            error_count=error_count,
            first_error_message=error.message if error else None,
            first_error_line_number=error.line if error else None,
            first_error_character_pos=error.character if error else None,
            first_error_column_name=error.column if error else None,
            ingestion_timestamp=at if loaded else None,
            last_load_time=done,
            latency_seconds=(done - base["file_last_modified"]).total_seconds(),
            load_seconds=time.perf_counter() - started,
        )
        insert(con, record)
        con.commit()
        if self.known is not None:
            self.known.add(record)
        self.first_seen.pop((record.file_name, record.file_size, record.file_last_modified), None)
        # Successes are in the command's summary; problems also go to the log.
        level = logging.DEBUG if status in (Status.LOADED, Status.LOAD_SKIPPED) else logging.WARNING
        log.log(
            level,
            "%s %s: %s of %s rows loaded%s",
            status,
            record.file_name,
            f"{loaded:,}",
            f"{parsed:,}",
            f" — {record.first_error_message}" if record.first_error_message else "",
        )
        return FileResult(
            key=record.file_name,
            table=record.table_name,
            status=status,
            row_parsed=parsed,
            row_count=loaded,
            rows_rejected=parsed - loaded,
            error_count=error_count,
            first_error=record.first_error_message,
            size=record.file_size,
            latency_seconds=record.latency_seconds,
            load_seconds=record.load_seconds,
            file_last_modified=record.file_last_modified,
        )

    def _remember_version(self, file: StageFile) -> None:
        if self.known is not None:
            self.known.versions.add(file.version)
            if file.etag:
                self.known.etags.add((file.key, file.etag))


def ingest(
    settings: Settings,
    *,
    on_error: OnError | str = OnError.CONTINUE,
    force: bool = False,
    stage: Stage | None = None,
    show_progress: bool = False,
    clock: Callable[[], datetime] = utc_now,
) -> IngestSummary:
    """Load every new file on the configured stage into bronze, once.

    This is what `c360 ingest`, `c360 run` and `c360 demo` call. Safe to call
    again at any time: files already loaded are not loaded twice.
    """
    pipe = Pipe(
        stage or open_stage(settings), settings.warehouse_path, OnError(on_error), clock=clock
    )
    return pipe.run_once(force=force, show_progress=show_progress)
