"""The one way into the embedded DuckDB warehouse, and the one wait for its lock.

DuckDB lets one process hold a database file: while it writes, every other process
(SQLMesh, the publisher, the loader's watcher, `c360 status`) gets "Could not set lock".
c360's processes therefore hold the file briefly and the others wait for it here — a
single helper with a single default timeout, so `c360 run` next to `c360 ingest --watch`
behaves the same whichever side opens the file.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import duckdb
from tenacity import (
    RetryError,
    Retrying,
    retry_if_exception,
    stop_after_delay,
    wait_random_exponential,
)

from c360.core.errors import C360Error

log = logging.getLogger(__name__)

T = TypeVar("T")

#: How long a c360 process waits for another one to release the warehouse file. Long
#: enough to outlast an hourly build or a loader pass, short enough to say so in a minute.
LOCK_TIMEOUT_SECONDS = 60.0
#: Longest sleep between two attempts: a holder that hands the file over for longer than
#: this (the loader does, between files) is sure to let a waiter in.
RETRY_MAX_WAIT_SECONDS = 0.5


class WarehouseBusy(C360Error):
    """Another process holds the warehouse longer than we were willing to wait."""


def is_lock_error(exc: BaseException) -> bool:
    """DuckDB's "Could not set lock on file" (also when SQLMesh wraps it)."""
    return "Could not set lock" in str(exc)


def wait_while_locked(
    action: Callable[[], T], *, what: str, timeout: float = LOCK_TIMEOUT_SECONDS
) -> T:
    """Call `action` until it stops failing on the warehouse lock, for up to `timeout` s.

    Any other error propagates at once; a lock held past the timeout becomes one
    `WarehouseBusy` line naming `what` and the process that holds it.
    """
    retrying = Retrying(
        retry=retry_if_exception(is_lock_error),
        stop=stop_after_delay(timeout),
        wait=wait_random_exponential(multiplier=0.05, max=RETRY_MAX_WAIT_SECONDS),
        before_sleep=lambda state: log.debug("%s locked (try %d)", what, state.attempt_number),
    )
    try:
        return retrying(action)
    except RetryError as exc:
        cause = exc.last_attempt.exception()
        holder = str(cause).split("Conflicting lock is held in", 1)[-1].strip().rstrip(".")
        raise WarehouseBusy(
            f"{what} is in use by another process ({holder}); waited {timeout:.0f} s, "
            "try again when it finishes"
        ) from None


def connect(
    path: Path, *, read_only: bool = False, timeout: float = LOCK_TIMEOUT_SECONDS
) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection to `path`, waiting while another process holds the file."""
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    return wait_while_locked(
        lambda: duckdb.connect(str(path), read_only=read_only),
        what=f"warehouse {path}",
        timeout=timeout,
    )


@contextmanager
def open_warehouse(
    path: Path, *, read_only: bool = False, lock_timeout: float = LOCK_TIMEOUT_SECONDS
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to the warehouse file, closed (and the lock released) on exit."""
    if read_only and not path.exists():
        raise C360Error(f"no warehouse at {path} yet: run `c360 ingest` first")
    con = connect(path, read_only=read_only, timeout=lock_timeout)
    try:
        yield con
    finally:
        con.close()


def vacuum_statement(*, merge_row_groups: bool) -> str:
    """The DuckDB setting that lets (or stops) the next checkpoints merge row groups thinned
    by deletes.

    An hourly refresh deletes and re-inserts the rows of the few customers it recomputed,
    in every per-customer table: about 1 % of each row group. At the checkpoint DuckDB then
    merges ("vacuums") adjacent row groups whose remaining rows fit in fewer, and rewrites
    them: measured 0.2-0.9 s per table at full scale (customer_category_spend, ~1M rows),
    of a ~0.03 s checkpoint otherwise. Stopping it leaves the deleted rows in place (and the
    re-inserted ones in a new row group) until a checkpoint that may merge again, so
    callers allow it once in a while (`c360 run`: the day's first build, which recomputes
    every customer anyway). Row groups that lost every row are dropped either way.
    """
    return "RESET max_vacuum_tasks" if merge_row_groups else "SET max_vacuum_tasks = 0"
