"""Short-lived connections to the DuckDB warehouse, and the tables the loader owns.

DuckDB lets one process hold the file: while the loader writes, every other
process (SQLMesh, the dashboard's publisher, `c360 status`) gets "Could not set
lock". So the loader opens the warehouse per batch, closes it at once, and
retries briefly when another c360 command holds it — that is what lets
`c360 ingest --watch` run next to `c360 run`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
from tenacity import (
    RetryError,
    Retrying,
    retry_if_exception,
    stop_after_delay,
    wait_random_exponential,
)

from c360.errors import C360Error
from ingestion.bronze import BRONZE_TABLES
from ingestion.load_history import LOAD_HISTORY
from ingestion.rejects import REJECTED_ROWS

log = logging.getLogger(__name__)

#: How long to wait for another process to release the warehouse before giving up.
LOCK_TIMEOUT_SECONDS = 15.0
#: How long one pass may keep the warehouse before handing it back between two files ...
HOLD_SECONDS = 10.0
#: ... and for how long: longer than the longest wait between two lock retries below.
HANDOFF_SECONDS = 0.6
_RETRY_MAX_WAIT = 0.5


class WarehouseBusy(C360Error):
    """Another process holds the warehouse longer than we were willing to wait."""


def _is_lock_error(exc: BaseException) -> bool:
    return isinstance(exc, duckdb.IOException) and "Could not set lock" in str(exc)


def _connect(path: Path, read_only: bool, timeout: float) -> duckdb.DuckDBPyConnection:
    retrying = Retrying(
        retry=retry_if_exception(_is_lock_error),
        stop=stop_after_delay(timeout),
        wait=wait_random_exponential(multiplier=0.05, max=_RETRY_MAX_WAIT),
        before_sleep=lambda state: log.debug("warehouse locked (try %d)", state.attempt_number),
    )
    try:
        for attempt in retrying:
            with attempt:
                return duckdb.connect(str(path), read_only=read_only)
    except RetryError as exc:
        cause = exc.last_attempt.exception()
        holder = str(cause).split("Conflicting lock is held in", 1)[-1].strip().rstrip(".")
        raise WarehouseBusy(
            f"warehouse {path} is in use by another process ({holder}); "
            "try again when it finishes"
        ) from None
    raise AssertionError("unreachable")  # pragma: no cover


@contextmanager
def open_warehouse(
    path: Path, *, read_only: bool = False, lock_timeout: float = LOCK_TIMEOUT_SECONDS
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to the warehouse file, closed (and the lock released) on exit."""
    if read_only and not path.exists():
        raise C360Error(f"no warehouse at {path} yet: run `c360 ingest` first")
    path.parent.mkdir(parents=True, exist_ok=True)
    con = _connect(path, read_only, lock_timeout)
    try:
        yield con
    finally:
        con.close()


class WarehouseSession:
    """One connection shared by the files of a pass, handed back at least every few seconds.

    Opening the warehouse per file would cost a checkpoint per file (~0.1 s, most of
    the time of a small file); holding it for a whole full-history pass would shut
    `c360 run` or `c360 status` out for that long. So files reuse the connection, and
    after `hold_seconds` it is closed between two files for `handoff_seconds` — long
    enough for a c360 process retrying the lock to get in — and then reopened.
    """

    def __init__(
        self,
        path: Path,
        lock_timeout: float = LOCK_TIMEOUT_SECONDS,
        hold_seconds: float = HOLD_SECONDS,
        handoff_seconds: float = HANDOFF_SECONDS,
    ) -> None:
        self.path = path
        self.lock_timeout = lock_timeout
        self.hold_seconds = hold_seconds
        self.handoff_seconds = handoff_seconds
        self._con: duckdb.DuckDBPyConnection | None = None
        self._opened = 0.0

    def connection(self) -> duckdb.DuckDBPyConnection:
        """The open connection, reopened if it has been held long enough."""
        if self._con is not None and time.monotonic() - self._opened > self.hold_seconds:
            self.release()
            time.sleep(self.handoff_seconds)
        if self._con is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._con = _connect(self.path, False, self.lock_timeout)
            self._opened = time.monotonic()
            ensure_schema(self._con)
        return self._con

    def release(self) -> None:
        if self._con is not None:
            con, self._con = self._con, None
            con.close()

    def __enter__(self) -> WarehouseSession:
        return self

    def __exit__(self, *_: object) -> None:
        self.release()


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the bronze contract tables and the loader's bookkeeping if missing."""
    statements = ["CREATE SCHEMA IF NOT EXISTS bronze", "CREATE SCHEMA IF NOT EXISTS observability"]
    statements += [table.ddl() for table in (*BRONZE_TABLES, REJECTED_ROWS, LOAD_HISTORY)]
    for statement in statements:
        con.execute(statement)


def has_loader_tables(con: duckdb.DuckDBPyConnection) -> bool:
    """True once the loader has run at least once against this warehouse."""
    found = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = ? AND table_name = ?",
        [LOAD_HISTORY.schema, LOAD_HISTORY.name],
    ).fetchone()
    return bool(found and found[0])
