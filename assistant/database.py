"""Read-only access to the database a semantic model points at.

`DuckDBDatabase` opens an in-memory DuckDB, ATTACHes each database file READ_ONLY under the
name the model's `base_table.database` uses (so `CUSTOMER_ANALYTICS.GOLD.X` means the published
serving copy, whatever its file is called), then turns external access off and locks the
configuration: even a query that slipped past the guard could not read a file, attach another
database or change a setting. The connection is reused while the files are unchanged and
reopened when the publisher swaps a new copy in (a reader keeps its inode until then).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb


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


def _quote_literal(text: str) -> str:
    """A SQL string literal (for ATTACH, which takes no parameters): quotes doubled."""
    return "'" + text.replace("'", "''") + "'"


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


ConnectionFactory = Callable[[], Any]
