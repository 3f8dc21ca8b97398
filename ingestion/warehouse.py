"""The loader's hold on the DuckDB warehouse, and the tables the loader owns.

DuckDB lets one process hold the file (see `c360.core.warehouse`, which opens it and
waits for the lock). The loader therefore shares one connection across the files of a
pass but hands it back every few seconds — that is what lets `c360 ingest --watch`
run next to `c360 run`.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import duckdb

from c360.core.warehouse import LOCK_TIMEOUT_SECONDS, RETRY_MAX_WAIT_SECONDS, connect
from ingestion.bronze import BRONZE_TABLES
from ingestion.load_history import LOAD_HISTORY
from ingestion.rejects import REJECTED_ROWS

log = logging.getLogger(__name__)

#: How long one pass may keep the warehouse before handing it back between two files ...
HOLD_SECONDS = 10.0
#: ... and for how long: longer than the longest wait between two lock retries.
HANDOFF_SECONDS = RETRY_MAX_WAIT_SECONDS + 0.1


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
            self._con = connect(self.path, timeout=self.lock_timeout)
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
