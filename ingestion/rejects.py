"""`bronze.rejected_rows`: every row the loader did not load, with line, raw text and reason.

Bronze lands data as received and logs issues instead of failing (spec 3.2), so
a bad row is kept here rather than dropped: with ON_ERROR=CONTINUE, rows loaded
+ rows in this table = data rows in the file. DuckDB's CSV reader finds the
malformed rows itself (`store_rejects`: cast errors, wrong column counts,
invalid UTF-8, with line numbers and the raw line); the one check it cannot
make — a row without its id — is added on top, and only for files that have
such rows do we scan the file again to find their line numbers.
"""

from __future__ import annotations

import csv
import gzip
import io
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from ingestion.bronze import Table
from ingestion.load_history import FirstError

log = logging.getLogger(__name__)

REJECTED_ROWS = Table(
    "bronze",
    "rejected_rows",
    (
        ("load_id", "VARCHAR"),  # joins observability.load_history
        ("file_name", "VARCHAR"),  # the stage key (bronze source_file)
        ("table_name", "VARCHAR"),
        ("line_number", "BIGINT"),  # 1 = the header line; Parquet: row number, 1-based
        ("column_name", "VARCHAR"),  # first offending column, if one
        ("error_type", "VARCHAR"),  # CAST, MISSING COLUMNS, TOO MANY COLUMNS, INVALID ENCODING,
        # UNQUOTED VALUE, LINE SIZE OVER MAXIMUM, MISSING ID
        ("reason", "VARCHAR"),
        ("raw_line", "VARCHAR"),  # the line as read (Parquet: the row as JSON)
        ("rejected_at", "TIMESTAMP"),  # UTC
    ),
)

MISSING_ID = "MISSING ID"


@dataclass(frozen=True)
class LoadRef:
    """The identifiers every rejected row of one load carries."""

    load_id: str
    file_name: str
    table_name: str
    at: datetime


def record_csv_rejects(
    con: duckdb.DuckDBPyConnection, errors_table: str, ref: LoadRef
) -> tuple[set[int], FirstError | None]:
    """Copy DuckDB's CSV reject errors (one row per bad line) into rejected_rows.

    Returns the rejected line numbers and the first error (COPY_HISTORY's
    FIRST_ERROR_* fields). A line can carry several errors (two bad casts, or one
    MISSING COLUMNS error per absent column); it is still one rejected row.
    """
    con.execute(
        f"""
        INSERT INTO {REJECTED_ROWS.qualified}
        SELECT ?, ?, ?, line,
               arg_min(column_name, column_idx),
               arg_min(error_type::VARCHAR, column_idx),
               string_agg(DISTINCT error_type::VARCHAR || ': ' || error_message, '; '),
               trim(arg_min(csv_line, column_idx), chr(13) || chr(10)),
               ?
        FROM {errors_table}
        GROUP BY line
        """,  # noqa: S608 - table names are constants
        [ref.load_id, ref.file_name, ref.table_name, ref.at],
    )
    lines = {row[0] for row in con.execute(f"SELECT DISTINCT line FROM {errors_table}").fetchall()}  # noqa: S608
    first = con.execute(
        f"""
        SELECT line, error_type::VARCHAR || ': ' || error_message,
               byte_position - line_byte_position + 1, column_name
        FROM {errors_table}
        ORDER BY line, column_idx
        LIMIT 1
        """  # noqa: S608
    ).fetchone()
    if first is None:
        return lines, None
    line, message, character, column = first
    return lines, FirstError(message, line, character, column)


def record_missing_ids(
    con: duckdb.DuckDBPyConnection,
    ref: LoadRef,
    id_column: str,
    removed: list[tuple],
    located: list[tuple[int, str]],
) -> FirstError | None:
    """Write the rows that arrived without an id (already removed from bronze).

    `located` holds (line, raw text) found by re-reading the file; when it does
    not account for every removed row (e.g. a quoted newline shifted lines),
    the rows are still recorded — with the raw text rebuilt from the values
    and no line number — because a rejected row must never go missing.
    """
    if not removed:
        return None
    reason = f"{MISSING_ID}: {id_column} is empty"
    if len(located) == len(removed):
        rows = [(line, raw) for line, raw in located]
    else:
        log.warning(
            "%s: found %d of %d rows without %s by line; recording them without line numbers",
            ref.file_name,
            len(located),
            len(removed),
            id_column,
        )
        rows = [(None, ",".join("" if v is None else str(v) for v in values)) for values in removed]
    ids = (ref.load_id, ref.file_name, ref.table_name)
    con.executemany(
        f"INSERT INTO {REJECTED_ROWS.qualified} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",  # noqa: S608
        [(*ids, line, id_column, MISSING_ID, reason, raw, ref.at) for line, raw in rows],
    )
    first_line = min((line for line, _ in rows if line is not None), default=None)
    return FirstError(reason, first_line, 1 if first_line is not None else None, id_column)


def _text_lines(path: Path, compressed: bool) -> Iterator[str]:
    raw = gzip.open(path, "rb") if compressed else path.open("rb")
    with raw, io.TextIOWrapper(raw, encoding="utf-8", errors="replace", newline="") as text:
        yield from text


def locate_missing_ids(
    path: Path,
    compressed: bool,
    n_columns: int,
    id_position: int,
    skip_lines: Iterable[int],
) -> list[tuple[int, str]]:
    """(line number, raw line) of the rows whose id field is empty or blank.

    Only rows with the right number of fields count, and lines DuckDB already
    rejected are skipped, so no row is reported twice.
    """
    skip = set(skip_lines)
    found: list[tuple[int, str]] = []
    current = [""]

    def tap(lines: Iterator[str]) -> Iterator[str]:
        for line in lines:
            current[0] = line
            yield line

    reader = csv.reader(tap(_text_lines(path, compressed)))
    next(reader, None)  # header
    for fields in reader:
        line = reader.line_num
        if line in skip or len(fields) != n_columns:
            continue
        if not fields[id_position].strip():
            found.append((line, current[0].rstrip("\r\n")))
    return found
