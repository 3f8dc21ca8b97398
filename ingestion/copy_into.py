"""COPY INTO for one file: read it with DuckDB's parallel reader straight into bronze.

Runs inside the caller's transaction and never commits: the caller adds the
load_history row and commits both, so a file is loaded completely or not at
all. Rows are never touched in Python — DuckDB parses, casts and rejects; we
only count. Good rows go to the bronze table with `ingestion_timestamp` and
`source_file` (the stage key); bad rows go to `bronze.rejected_rows`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from ingestion.load_history import FirstError, OnError
from ingestion.rejects import (
    MISSING_ID,
    REJECTED_ROWS,
    LoadRef,
    locate_missing_ids,
    record_csv_rejects,
    record_missing_ids,
)
from ingestion.routing import Route

_ERRORS = "c360_reject_errors"
_SCANS = "c360_reject_scans"


@dataclass
class CopyOutcome:
    """Row accounting of one file: row_parsed = row_count + rejected rows."""

    row_parsed: int
    row_count: int
    error_count: int
    first_error: FirstError | None

    @property
    def rows_rejected(self) -> int:
        return self.row_parsed - self.row_count


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _earliest(*errors: FirstError | None) -> FirstError | None:
    found = [e for e in errors if e is not None]
    return min(found, key=lambda e: (e.line is None, e.line or 0)) if found else None


def discard_rows(con: duckdb.DuckDBPyConnection, route: Route, ref: LoadRef) -> None:
    """Take back this load's rows (SKIP_FILE / ABORT_STATEMENT after an error)."""
    con.execute(
        f"DELETE FROM {route.table.qualified} "  # noqa: S608 - contract table name
        "WHERE source_file = ? AND ingestion_timestamp = ?",
        [ref.file_name, ref.at],
    )


def copy_csv(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    route: Route,
    ref: LoadRef,
    compressed: bool,
    on_error: OnError,
) -> CopyOutcome:
    """Load a CSV file; DuckDB records cast, column-count and encoding errors per line."""
    columns = ", ".join(_ident(name) for name in route.columns)
    table = route.table.qualified
    con.execute(f"DROP TABLE IF EXISTS temp.{_ERRORS}")
    con.execute(f"DROP TABLE IF EXISTS temp.{_SCANS}")
    inserted = con.execute(
        f"""
        INSERT INTO {table} ({columns}, ingestion_timestamp, source_file)
        SELECT {columns}, ?, ?
        FROM read_csv(?, header = true, columns = ?, auto_detect = false,
                      delim = ',', quote = '"', escape = '"', encoding = 'utf-8',
                      compression = ?, store_rejects = true,
                      rejects_table = '{_ERRORS}', rejects_scan = '{_SCANS}')
        """,  # noqa: S608 - identifiers come from the bronze contract
        [ref.at, ref.file_name, str(path), route.column_types, "gzip" if compressed else "none"],
    ).fetchone()[0]
    bad_lines, csv_first = record_csv_rejects(con, _ERRORS, ref)

    # The one check DuckDB's reader cannot make: a row that arrived without its id.
    id_col = _ident(route.id_column)
    removed = con.execute(
        f"""
        DELETE FROM {table}
        WHERE source_file = ? AND ingestion_timestamp = ?
          AND ({id_col} IS NULL OR trim({id_col}) = '')
        RETURNING {columns}
        """,  # noqa: S608
        [ref.file_name, ref.at],
    ).fetchall()
    id_first = None
    if removed:
        located = locate_missing_ids(
            path, compressed, len(route.columns), route.columns.index(route.id_column), bad_lines
        )
        id_first = record_missing_ids(con, ref, route.id_column, removed, located)

    outcome = CopyOutcome(
        row_parsed=inserted + len(bad_lines),
        row_count=inserted - len(removed),
        error_count=len(bad_lines) + len(removed),
        first_error=_earliest(csv_first, id_first),
    )
    return _apply_on_error(con, route, ref, outcome, on_error)


def copy_parquet(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    route: Route,
    ref: LoadRef,
    on_error: OnError,
) -> CopyOutcome:
    """Load a Parquet file; values that do not cast to the contract type are rejected.

    Parquet has no lines: a rejected row's line number is its 1-based row number
    and its raw text is the row as JSON.
    """
    table = route.table.qualified
    names = ", ".join(_ident(n) for n in route.columns)
    checks = _parquet_checks(route)
    bad = " OR ".join(cond for cond, _, _ in checks) or "false"

    def case(pick: int) -> str:
        whens = " ".join(f"WHEN {check[0]} THEN '{check[pick]}'" for check in checks)
        return f"CASE {whens} END" if checks else "NULL"

    reason = case(2)
    kind = "split_part(" + reason + ", ':', 1)"
    casts = ", ".join(f"TRY_CAST({_ident(n)} AS {k})" for n, k in route.column_types.items())
    fields = ", ".join(f"{_ident(n)} := {_ident(n)}" for n in route.columns)
    raw = f"to_json(struct_pack({fields}))::VARCHAR"
    row_parsed = con.execute("SELECT count(*) FROM read_parquet(?)", [str(path)]).fetchone()[0]
    inserted = con.execute(
        f"""
        INSERT INTO {table} ({names}, ingestion_timestamp, source_file)
        SELECT {casts}, ?, ? FROM read_parquet(?) WHERE NOT ({bad})
        """,  # noqa: S608 - identifiers and literals come from the bronze contract
        [ref.at, ref.file_name, str(path)],
    ).fetchone()[0]
    con.execute(
        f"""
        INSERT INTO {REJECTED_ROWS.qualified}
        SELECT ?, ?, ?, file_row_number + 1, {case(1)}, {kind}, {reason}, {raw}, ?
        FROM read_parquet(?, file_row_number = true) WHERE {bad}
        """,  # noqa: S608
        [ref.load_id, ref.file_name, ref.table_name, ref.at, str(path)],
    )
    first = con.execute(
        f"""
        SELECT line_number, reason, column_name FROM {REJECTED_ROWS.qualified}
        WHERE load_id = ? ORDER BY line_number LIMIT 1
        """,  # noqa: S608
        [ref.load_id],
    ).fetchone()
    outcome = CopyOutcome(
        row_parsed=row_parsed,
        row_count=inserted,
        error_count=row_parsed - inserted,
        first_error=FirstError(first[1], first[0], None, first[2]) if first else None,
    )
    return _apply_on_error(con, route, ref, outcome, on_error)


def _parquet_checks(route: Route) -> list[tuple[str, str, str]]:
    """(condition that makes a row bad, column, reason) for each contract column."""
    checks = []
    for name, kind in route.column_types.items():
        col = _ident(name)
        if name == route.id_column:
            bad = f"({col} IS NULL OR trim({col}::VARCHAR) = '')"
            checks.append((bad, name, f"{MISSING_ID}: {name} is empty"))
        elif kind != "VARCHAR":
            bad = f"({col} IS NOT NULL AND TRY_CAST({col} AS {kind}) IS NULL)"
            checks.append((bad, name, f"CAST: could not convert {name} to {kind}"))
    return checks


def _apply_on_error(
    con: duckdb.DuckDBPyConnection,
    route: Route,
    ref: LoadRef,
    outcome: CopyOutcome,
    on_error: OnError,
) -> CopyOutcome:
    """CONTINUE keeps the good rows; SKIP_FILE and ABORT_STATEMENT load nothing of a bad file."""
    if outcome.error_count and on_error is not OnError.CONTINUE:
        discard_rows(con, route, ref)
        outcome.row_count = 0
    return outcome
