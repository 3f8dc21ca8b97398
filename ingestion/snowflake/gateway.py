"""`c360 ingest --gateway snowflake`: the same landing zone → bronze step, run by Snowflake.

Bulk files (customers, campaigns, the historical months) are loaded with
`COPY INTO … FROM @landing_stage/<folder>/` — Snowflake's load metadata skips
files already loaded, exactly like the local pipe; streaming files belong to the
auto-ingest pipe, which `ALTER PIPE … REFRESH` nudges to pick up anything its
event queue missed. Afterwards COPY_HISTORY (bulk and pipe loads alike) is copied
into `observability.load_history`, with the local loader's columns, so the
dashboard and runbooks read one table whichever gateway ran.

Every value in these statements is a validated identifier, a constant of the
bronze contract, or an enum; the history query binds its parameters.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from snowflake.connector.cursor import SnowflakeCursor
from snowflake.connector.errors import Error as SnowflakeError

from c360.core.errors import C360Error, InputError
from c360.core.settings import Settings
from ingestion.bronze import (
    BRONZE_CAMPAIGN_ASSIGNMENTS,
    BRONZE_CUSTOMERS,
    BRONZE_TRANSACTIONS,
    Table,
    file_columns,
)
from ingestion.load_history import LOAD_HISTORY, OnError, Status
from ingestion.snowflake.connect import connect
from ingestion.snowflake.scripts import _IDENTIFIER

log = logging.getLogger(__name__)

#: (bronze table, folder under the landing stage) loaded by COPY INTO, in order.
BULK_LOADS: tuple[tuple[Table, str], ...] = (
    (BRONZE_CUSTOMERS, "customers/"),
    (BRONZE_CAMPAIGN_ASSIGNMENTS, "campaigns/"),
    (BRONZE_TRANSACTIONS, "transactions/historical/"),
)
PIPE = "bronze.transaction_pipe"
FILE_PATTERN = ".*[.]csv([.]gz)?"

#: COPY_HISTORY's STATUS spellings → ours.
STATUS_MAP = {
    "LOADED": Status.LOADED,
    "PARTIALLY LOADED": Status.PARTIALLY_LOADED,
    "PARTIALLY_LOADED": Status.PARTIALLY_LOADED,
    "LOAD FAILED": Status.LOAD_FAILED,
    "LOAD_FAILED": Status.LOAD_FAILED,
    "LOAD SKIPPED": Status.LOAD_SKIPPED,
    "LOAD_SKIPPED": Status.LOAD_SKIPPED,
}

HISTORY_QUERY = """
SELECT file_name, stage_location, last_load_time, row_count, row_parsed, file_size,
       first_error_message, first_error_line_number, first_error_character_pos,
       first_error_column_name, error_count, status, table_schema_name, table_name,
       pipe_received_time
FROM TABLE({database}.information_schema.copy_history(
    table_name => %(table)s, start_time => %(start)s::TIMESTAMP_LTZ))
"""


def _database(name: str) -> str:
    if not _IDENTIFIER.match(name):
        raise InputError(f"{name!r} is not a plain Snowflake identifier (C360_SNOWFLAKE_DATABASE)")
    return name


def copy_statement(database: str, table: Table, folder: str, on_error: OnError, force: bool) -> str:
    """COPY INTO one bronze table from a landing folder, with source_file = the stage key."""
    database = _database(database)
    columns = file_columns(table)
    picks = ", ".join(f"t.${i}" for i in range(1, len(columns) + 1))
    target = f"{database}.{table.schema}.{table.name} ({', '.join(columns)}, source_file)"
    # Safe to format: a validated identifier, bronze-contract names and enum values.
    return (
        f"COPY INTO {target}\n"  # noqa: S608
        f"FROM (SELECT {picks}, METADATA$FILENAME\n"
        f"      FROM @{database}.bronze.landing_stage/{folder} t)\n"
        f"FILE_FORMAT = (FORMAT_NAME = '{database}.bronze.csv_format')\n"
        f"PATTERN = '{FILE_PATTERN}'\n"
        f"ON_ERROR = {OnError(on_error).value}\n"
        f"FORCE = {'TRUE' if force else 'FALSE'}"
    )


def refresh_statement(database: str) -> str:
    return f"ALTER PIPE {_database(database)}.{PIPE} REFRESH"


def ingest_statements(database: str, on_error: OnError, force: bool = False) -> list[str]:
    """Everything `c360 ingest --gateway snowflake` runs, in order."""
    copies = [copy_statement(database, t, folder, on_error, force) for t, folder in BULK_LOADS]
    return [*copies, refresh_statement(database)]


@dataclass
class SnowflakeIngest:
    """What the Snowflake gateway did: statements run and the COPY_HISTORY rows since."""

    statements: list[str]
    copy_results: list[tuple] = field(default_factory=list)
    history: list[dict] = field(default_factory=list)
    recorded: int = 0


def _naive_utc(moment: datetime | None) -> datetime | None:
    """COPY_HISTORY times are TIMESTAMP_LTZ; load_history stores naive UTC like locally."""
    if moment is None or moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def history_record(row: dict, on_error: OnError | None = None) -> dict:
    """A COPY_HISTORY row (lower-case keys) as an observability.load_history row."""
    loaded = _naive_utc(row.get("last_load_time"))
    received = _naive_utc(row.get("pipe_received_time"))
    parsed = int(row.get("row_parsed") or 0)
    count = int(row.get("row_count") or 0)
    status = STATUS_MAP.get(str(row.get("status", "")).upper())
    return {
        "load_id": uuid.uuid4().hex,
        "file_name": row["file_name"],
        "stage_location": row.get("stage_location"),
        "table_name": f"{row.get('table_schema_name', 'BRONZE')}.{row['table_name']}".lower(),
        "file_size": row.get("file_size"),
        "file_etag": None,  # COPY_HISTORY does not report it
        "file_last_modified": None,
        "status": str(status) if status else str(row.get("status")),
        "on_error": str(on_error) if on_error else None,
        "row_parsed": parsed,
        "row_count": count,
        "rows_rejected": parsed - count,
        "error_count": int(row.get("error_count") or 0),
        "first_error_message": row.get("first_error_message"),
        "first_error_line_number": row.get("first_error_line_number"),
        "first_error_character_pos": row.get("first_error_character_pos"),
        "first_error_column_name": row.get("first_error_column_name"),
        "pipe_received_time": received,
        "ingestion_timestamp": loaded,
        "last_load_time": loaded,
        "latency_seconds": (loaded - received).total_seconds() if loaded and received else None,
        "load_seconds": None,
    }


def record_history(cursor: SnowflakeCursor, database: str, records: list[dict]) -> int:
    """Insert records not yet in observability.load_history (key: file_name, last_load_time)."""
    database = _database(database)
    if not records:
        return 0
    table = f"{database}.{LOAD_HISTORY.qualified}"
    since = min(r["last_load_time"] for r in records if r["last_load_time"] is not None)
    cursor.execute(
        f"SELECT file_name, last_load_time FROM {table} WHERE last_load_time >= %(since)s",  # noqa: S608
        {"since": since},
    )
    seen = {(name, when) for name, when in cursor.fetchall()}
    fresh = [r for r in records if (r["file_name"], r["last_load_time"]) not in seen]
    if fresh:
        columns = [name for name, _ in LOAD_HISTORY.columns]
        placeholders = ", ".join(f"%({c})s" for c in columns)
        cursor.executemany(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})",  # noqa: S608
            fresh,
        )
    return len(fresh)


def read_copy_history(cursor: SnowflakeCursor, database: str, since: datetime) -> list[dict]:
    """COPY_HISTORY rows of every bronze table since `since` (bulk COPY and pipe)."""
    database = _database(database)
    rows: list[dict] = []
    for table in dict.fromkeys(t for t, _ in BULK_LOADS):
        cursor.execute(
            HISTORY_QUERY.format(database=database),
            {"table": f"{database}.{table.schema}.{table.name}", "start": since},
        )
        names = [d[0].lower() for d in cursor.description]
        rows += [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]
    return rows


def ingest_snowflake(
    settings: Settings, on_error: OnError | str = OnError.CONTINUE, *, force: bool = False
) -> SnowflakeIngest:
    """Run the bulk COPYs and the pipe refresh, then record COPY_HISTORY."""
    on_error = OnError(on_error)
    database = settings.snowflake_database
    result = SnowflakeIngest(ingest_statements(database, on_error, force))
    con = connect(settings)
    try:
        cursor = con.cursor()
        cursor.execute("SELECT CURRENT_TIMESTAMP()")
        started = cursor.fetchone()[0] - timedelta(minutes=1)
        for statement in result.statements:
            log.info("snowflake: %s", statement.splitlines()[0])
            try:
                cursor.execute(statement)
            except SnowflakeError as exc:
                first = str(exc).strip().splitlines()[0]
                head = statement.splitlines()[0]
                raise C360Error(f"Snowflake rejected `{head}`: {first}") from None
            result.copy_results += cursor.fetchall() if cursor.description else []
        result.history = read_copy_history(cursor, database, started)
        records = [history_record(row, on_error) for row in result.history]
        result.recorded = record_history(cursor, database, records)
    finally:
        con.close()
    return result
