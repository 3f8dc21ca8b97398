"""`observability.load_history`: one row per file the loader decided about.

The columns follow Snowflake's COPY_HISTORY (FILE_NAME, STAGE_LOCATION,
ROW_PARSED, ROW_COUNT, ERROR_COUNT, FIRST_ERROR_*, STATUS, PIPE_RECEIVED_TIME,
LAST_LOAD_TIME) so the same queries and runbooks work on both gateways. This
table is also the loader's memory: a file version (name, size, modification
time) recorded here is never looked at again, and a file whose name and
checksum were loaded before is skipped.
"""

from __future__ import annotations

from dataclasses import astuple, dataclass, fields
from datetime import datetime
from enum import StrEnum

import duckdb

from ingestion.bronze import Table


class Status(StrEnum):
    """COPY_HISTORY statuses (spelled as Snowflake's SQL API spells them)."""

    LOADED = "LOADED"  # every data row loaded (a header-only file loads 0 rows)
    PARTIALLY_LOADED = "PARTIALLY_LOADED"  # ON_ERROR=CONTINUE: good rows loaded, bad rows rejected
    LOAD_FAILED = "LOAD_FAILED"  # nothing loaded: unreadable file, or ABORT_STATEMENT hit an error
    LOAD_SKIPPED = "LOAD_SKIPPED"  # nothing loaded: SKIP_FILE hit an error, or already loaded


class OnError(StrEnum):
    """COPY's ON_ERROR option."""

    CONTINUE = "CONTINUE"
    SKIP_FILE = "SKIP_FILE"
    ABORT_STATEMENT = "ABORT_STATEMENT"


#: Statuses after which the same bytes under the same name are not loaded again.
SUCCESSFUL = (Status.LOADED, Status.PARTIALLY_LOADED)

LOAD_HISTORY = Table(
    "observability",
    "load_history",
    (
        ("load_id", "VARCHAR"),
        ("file_name", "VARCHAR"),  # the stage key; equals bronze source_file
        ("stage_location", "VARCHAR"),
        ("table_name", "VARCHAR"),
        ("file_size", "BIGINT"),
        ("file_etag", "VARCHAR"),  # S3 ETag, or MD5 of a local file
        ("file_last_modified", "TIMESTAMP"),  # when the file landed (UTC)
        ("status", "VARCHAR"),
        ("on_error", "VARCHAR"),
        ("row_parsed", "BIGINT"),  # data rows read from the file
        ("row_count", "BIGINT"),  # rows loaded into bronze
        ("rows_rejected", "BIGINT"),  # row_parsed - row_count
        ("error_count", "BIGINT"),  # rows with an error (file-level failure: 1)
        ("first_error_message", "VARCHAR"),
        ("first_error_line_number", "BIGINT"),
        ("first_error_character_pos", "BIGINT"),
        ("first_error_column_name", "VARCHAR"),
        ("pipe_received_time", "TIMESTAMP"),  # first seen by the loader (UTC)
        ("ingestion_timestamp", "TIMESTAMP"),  # stamped on this load's bronze rows
        ("last_load_time", "TIMESTAMP"),  # when the decision was committed (UTC)
        ("latency_seconds", "DOUBLE"),  # last_load_time - file_last_modified
        ("load_seconds", "DOUBLE"),  # time spent reading and writing the file
    ),
)


@dataclass
class FirstError:
    message: str
    line: int | None = None
    character: int | None = None
    column: str | None = None


@dataclass
class HistoryRecord:
    """A load_history row; field order is the table's column order."""

    load_id: str
    file_name: str
    stage_location: str
    table_name: str | None
    file_size: int
    file_etag: str | None
    file_last_modified: datetime
    status: Status
    on_error: OnError
    row_parsed: int
    row_count: int
    rows_rejected: int
    error_count: int
    first_error_message: str | None
    first_error_line_number: int | None
    first_error_character_pos: int | None
    first_error_column_name: str | None
    pipe_received_time: datetime
    ingestion_timestamp: datetime | None
    last_load_time: datetime
    latency_seconds: float
    load_seconds: float


assert [f.name for f in fields(HistoryRecord)] == [name for name, _ in LOAD_HISTORY.columns]


def insert(con: duckdb.DuckDBPyConnection, record: HistoryRecord) -> None:
    placeholders = ", ".join("?" for _ in LOAD_HISTORY.columns)
    values = [str(v) if isinstance(v, StrEnum) else v for v in astuple(record)]
    con.execute(f"INSERT INTO {LOAD_HISTORY.qualified} VALUES ({placeholders})", values)  # noqa: S608


@dataclass
class KnownFiles:
    """What the loader already decided about, read once per pass."""

    versions: set[tuple[str, int, datetime]]  # (file_name, file_size, file_last_modified)
    etags: set[tuple[str, str]]  # (file_name, file_etag) of every decided file
    loaded: set[tuple[str, str]]  # (file_name, file_etag) of successful loads

    def add(self, record: HistoryRecord) -> None:
        self.versions.add((record.file_name, record.file_size, record.file_last_modified))
        if record.file_etag:
            self.etags.add((record.file_name, record.file_etag))
            if record.status in SUCCESSFUL:
                self.loaded.add((record.file_name, record.file_etag))

    def knows(self, key: str, size: int, modified: datetime, etag: str | None) -> bool:
        """True if this arrival was decided before.

        Size and modification time identify an arrival; when the stage lists an
        ETag (S3) it must match too, because S3 times have one-second resolution
        and a same-size replacement within that second would otherwise be missed.
        """
        if (key, size, modified) not in self.versions:
            return False
        return etag is None or (key, etag) in self.etags


def known_files(con: duckdb.DuckDBPyConnection) -> KnownFiles:
    rows = con.execute(
        f"SELECT file_name, file_size, file_last_modified, file_etag, status "  # noqa: S608
        f"FROM {LOAD_HISTORY.qualified}"
    ).fetchall()
    return KnownFiles(
        versions={(name, size, modified) for name, size, modified, _, _ in rows},
        etags={(name, etag) for name, _, _, etag, _ in rows if etag},
        loaded={(name, etag) for name, _, _, etag, status in rows if status in SUCCESSFUL and etag},
    )


def version_recorded(
    con: duckdb.DuckDBPyConnection, name: str, size: int, modified: datetime, etag: str | None
) -> bool:
    """True if another process already decided about this exact arrival of the file."""
    found = con.execute(
        f"SELECT count(*) FROM {LOAD_HISTORY.qualified} "  # noqa: S608
        "WHERE file_name = ? AND file_size = ? AND file_last_modified = ? "
        "AND (CAST(? AS VARCHAR) IS NULL OR file_etag = ?)",
        [name, size, modified, etag, etag],
    ).fetchone()
    return bool(found and found[0])


def loaded_before(con: duckdb.DuckDBPyConnection, name: str, etag: str) -> datetime | None:
    """When this name with this checksum was last loaded, or None."""
    found = con.execute(
        f"SELECT max(last_load_time) FROM {LOAD_HISTORY.qualified} "  # noqa: S608
        "WHERE file_name = ? AND file_etag = ? AND status IN (?, ?)",
        [name, etag, *SUCCESSFUL],
    ).fetchone()
    return found[0] if found else None
