"""Render what the Snowflake gateway did (rendering only)."""

from __future__ import annotations

from rich.table import Table

from ingestion.report import stdout
from ingestion.snowflake.gateway import SnowflakeIngest


def print_copy_history(result: SnowflakeIngest) -> None:
    table = Table(title="Snowflake COPY_HISTORY since this run started")
    for column in ("file", "table", "status", "parsed", "loaded", "errors", "first error"):
        table.add_column(column, overflow="fold")
    for row in result.history:
        table.add_row(
            str(row.get("file_name")),
            str(row.get("table_name")),
            str(row.get("status")),
            f"{row.get('row_parsed') or 0:,}",
            f"{row.get('row_count') or 0:,}",
            f"{row.get('error_count') or 0:,}",
            str(row.get("first_error_message") or ""),
        )
    stdout.print(table)
    stdout.print(
        f"{len(result.statements)} statements run; {result.recorded} new rows in "
        "observability.load_history"
    )
