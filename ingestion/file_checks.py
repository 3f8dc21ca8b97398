"""Whole-file checks made before any row is read: is this a file we can load at all?

DuckDB's reader reports bad rows, but some faults belong to the file: it is
empty, its header names other columns than the bronze contract (schema drift,
spec 10.1), its header is not UTF-8, or its gzip stream is cut short — DuckDB
reads a truncated `.gz` up to the cut without complaint, which would load half
a file and call it done. Each fault becomes a `FileError` and the file is
recorded as LOAD_FAILED with a message that says what is wrong.
"""

from __future__ import annotations

import csv
import gzip
import zlib
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from ingestion.load_history import FirstError
from ingestion.routing import Route

_CHUNK = 4 * 1024 * 1024
_MAX_HEADER = 64 * 1024


class FileError(Exception):
    """The file as a whole cannot be loaded; carries COPY_HISTORY's first-error fields."""

    def __init__(self, message: str, line: int | None = None, column: str | None = None) -> None:
        super().__init__(message)
        self.first_error = FirstError(message, line, 1 if line else None, column)


def verify_gzip(path: Path) -> None:
    """Decompress the whole stream once (output discarded); raise if cut short or corrupt."""
    decompressor = zlib.decompressobj(wbits=31)
    member_open = False
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                data = chunk
                while data:
                    member_open = True
                    decompressor.decompress(data, _CHUNK)
                    data = decompressor.unconsumed_tail
                    if decompressor.eof:  # concatenated gzip members are legal
                        data = decompressor.unused_data
                        decompressor = zlib.decompressobj(wbits=31)
                        member_open = False
    except zlib.error as exc:
        raise FileError(f"corrupt gzip stream: {exc}") from None
    if member_open:
        raise FileError("truncated gzip: the compressed stream ends in the middle of a member")


def read_header(path: Path, compressed: bool) -> list[str]:
    """The first line of the file as CSV fields (UTF-8, an optional BOM allowed)."""
    opener = gzip.open if compressed else open
    with opener(path, "rb") as handle:
        first = handle.readline(_MAX_HEADER)
    if not first:
        raise FileError("empty file: expected a header line", line=1)
    try:
        text = first.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileError(f"header is not UTF-8 ({exc.reason} at byte {exc.start})", line=1) from None
    return next(csv.reader([text.rstrip("\r\n")]), [])


def check_columns(found: list[str], route: Route, what: str) -> None:
    expected = list(route.columns)
    if [name.strip().lower() for name in found] != expected:
        raise FileError(
            f"{what} does not match {route.table.qualified}: expected "
            f"{','.join(expected)} but found {','.join(found) or '(nothing)'}",
            line=1,
        )


def check_csv(path: Path, route: Route, compressed: bool) -> None:
    """Raise FileError unless the CSV file is non-empty, intact and has the contract header."""
    if path.stat().st_size == 0:
        raise FileError("empty file (0 bytes): expected a header line", line=1)
    if compressed:
        verify_gzip(path)
    check_columns(read_header(path, compressed), route, "header")


def check_parquet(con: duckdb.DuckDBPyConnection, path: Path, route: Route) -> None:
    """Raise FileError unless the Parquet file is readable and has the contract columns."""
    if path.stat().st_size == 0:
        raise FileError("empty file (0 bytes): not a Parquet file")
    try:
        described = con.execute(
            "SELECT column_name FROM (DESCRIBE SELECT * FROM read_parquet(?))", [str(path)]
        ).fetchall()
    except duckdb.Error as exc:
        raise FileError(f"unreadable Parquet file: {_first_line(exc)}") from None
    check_columns([name for (name,) in described], route, "Parquet schema")


def count_parquet_rows(path: Path) -> int:
    """Rows in a Parquet file's footer, or 0 if the footer cannot be read."""
    try:
        return pq.ParquetFile(path).metadata.num_rows
    except (OSError, ValueError, pa.ArrowException):
        return 0


def count_data_lines(path: Path, compressed: bool) -> int:
    """Non-blank lines after the header, as far as the file can be read.

    Only for files rejected as a whole: they are still counted, so that rows loaded
    (none) + rows rejected = the rows the file holds. A truncated gzip is counted
    up to the cut.
    """
    count = 0
    opener = gzip.open if compressed else open
    try:
        with opener(path, "rb") as handle:
            for line in handle:
                count += bool(line.strip())
    except (EOFError, OSError, zlib.error):
        pass
    return max(count - 1, 0)


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
