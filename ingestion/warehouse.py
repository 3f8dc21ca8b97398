"""Short-lived connections to the DuckDB warehouse, and the tables the loader owns.

DuckDB lets one process hold the file: while the loader writes, every other
process (SQLMesh, the dashboard's publisher, `c360 status`) gets "Could not set
lock". So the loader opens the warehouse per batch, closes it at once, and
retries briefly when another c360 command holds it — that is what lets
`c360 ingest --watch` run next to `c360 run`.
"""

from __future__ import annotations

import logging
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


class WarehouseBusy(C360Error):
    """Another process holds the warehouse longer than we were willing to wait."""


def _is_lock_error(exc: BaseException) -> bool:
    return isinstance(exc, duckdb.IOException) and "Could not set lock" in str(exc)


def _connect(path: Path, read_only: bool, timeout: float) -> duckdb.DuckDBPyConnection:
    retrying = Retrying(
        retry=retry_if_exception(_is_lock_error),
        stop=stop_after_delay(timeout),
        wait=wait_random_exponential(multiplier=0.05, max=0.5),
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
