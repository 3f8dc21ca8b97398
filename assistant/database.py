"""Read-only access to the database a semantic model points at.

`DuckDBDatabase` opens an in-memory DuckDB, ATTACHes each database file READ_ONLY under the
name the model's `base_table.database` uses (so `CUSTOMER_ANALYTICS.GOLD.X` means the published
serving copy, whatever its file is called), then turns external access off and locks the
configuration: even a query that slipped past the guard could not read a file, attach another
database or change a setting. The connection is reused while the files are unchanged and
reopened when the publisher swaps a new copy in (a reader keeps its inode until then).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb

log = logging.getLogger(__name__)


class DuckDBDatabase:
    """`connect()` → a cursor on a read-only, locked-down DuckDB over the files."""

    dialect = "duckdb"

    def __init__(self, files: dict[str, Path] | Path, *, default_name: str | None = None):
        if isinstance(files, Path | str):
            path = Path(files)
            files = {(default_name or path.stem): path}
        self.files = {name: Path(p) for name, p in files.items()}
        self._lock = threading.Lock()
        self._base: duckdb.DuckDBPyConnection | None = None
        self._identity: tuple | None = None

    @classmethod
    def for_model(cls, path: Path, databases: list[str]) -> DuckDBDatabase:
        """One file attached under every database name the model uses (normally one)."""
        names = databases or [Path(path).stem]
        return cls({name: Path(path) for name in names})

    def identity(self) -> tuple:
        """Changes when any file is replaced (publish swaps a new inode in)."""
        out = []
        for name, path in sorted(self.files.items()):
            try:
                stat = path.stat()
                out.append((name, stat.st_ino, stat.st_mtime_ns, stat.st_size))
            except FileNotFoundError:
                out.append((name, None))
        return tuple(out)

    def _open(self) -> duckdb.DuckDBPyConnection:
        for path in self.files.values():
            if not path.exists():
                raise FileNotFoundError(f"database file {path} does not exist")
        con = duckdb.connect(":memory:")
        for name, path in self.files.items():
            con.execute(f"ATTACH {_quote_literal(str(path))} AS {_quote_ident(name)} (READ_ONLY)")
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
        return con

    def connect(self) -> Any:
        with self._lock:
            identity = self.identity()
            if self._base is None or identity != self._identity:
                if self._base is not None:
                    self._base.close()
                self._base = self._open()
                self._identity = identity
            return self._base.cursor()

    def close(self) -> None:
        with self._lock:
            if self._base is not None:
                self._base.close()
                self._base = None


class SnowflakeDatabase:
    """`connect()` → a cursor on one Snowflake session (the Cortex Analyst path).

    `open_connection` is the caller's (the CLI opens it from settings with a read-only role);
    the session gets a statement timeout, so a runaway query is cancelled by Snowflake itself.
    Writes are kept out by the guard and, underneath, by the role's grants (SELECT only).
    """

    dialect = "snowflake"

    def __init__(self, open_connection: Callable[[], Any], *, timeout_seconds: int = 60):
        self._open_connection = open_connection
        self.timeout_seconds = timeout_seconds
        self._lock = threading.Lock()
        self._connection: Any = None

    def identity(self) -> tuple:
        """The session sees the warehouse as it is: nothing to reopen when data changes."""
        return ("snowflake",)

    def connect(self) -> Any:
        with self._lock:
            if self._connection is None or self._connection.is_closed():
                connection = self._open_connection()
                cursor = connection.cursor()
                try:
                    cursor.execute(
                        "ALTER SESSION SET STATEMENT_TIMEOUT_IN_SECONDS = %s",
                        (int(self.timeout_seconds),),
                    )
                except Exception as exc:  # an emulator may not know the parameter
                    log.warning("statement timeout not set on the Snowflake session: %s", exc)
                finally:
                    cursor.close()
                self._connection = connection
            return self._connection.cursor()

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None


def _quote_literal(text: str) -> str:
    """A SQL string literal (for ATTACH, which takes no parameters): quotes doubled."""
    return "'" + text.replace("'", "''") + "'"


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


ConnectionFactory = Callable[[], Any]
