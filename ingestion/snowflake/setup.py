"""`c360 snowflake setup`: run the rendered setup scripts statement by statement.

Statements are split by the connector's own splitter (it knows Snowflake's
quoting and comments), executed one at a time so a failure names the script
and the statement, and logged so an operator can see what ran.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

from snowflake.connector import SnowflakeConnection
from snowflake.connector.errors import Error as SnowflakeError
from snowflake.connector.util_text import split_statements

from c360.core.errors import C360Error
from c360.core.settings import Settings
from ingestion.snowflake.connect import connect
from ingestion.snowflake.scripts import Script

log = logging.getLogger(__name__)


def statements(sql: str) -> list[str]:
    """The statements of a script, comments removed, without trailing semicolons."""
    found = []
    for statement, _is_put_or_get in split_statements(io.StringIO(sql), remove_comments=True):
        text = statement.strip().rstrip(";").strip()
        if text:
            found.append(text)
    return found


def run_scripts(con: SnowflakeConnection, scripts: list[Script]) -> Iterator[tuple[str, int]]:
    """Execute each script's statements in order; yield (script, statements run)."""
    cursor = con.cursor()
    for script in scripts:
        parts = statements(script.sql)
        for number, statement in enumerate(parts, start=1):
            log.debug("%s #%d: %s", script.name, number, statement)
            try:
                cursor.execute(statement)
            except SnowflakeError as exc:
                first = str(exc).strip().splitlines()[0]
                raise C360Error(f"{script.name}, statement {number} failed: {first}") from None
        log.info("applied %s (%d statements)", script.name, len(parts))
        yield script.name, len(parts)


def apply_scripts(settings: Settings, scripts: list[Script]) -> list[tuple[str, int]]:
    con = connect(settings, use_database=False)
    try:
        return list(run_scripts(con, scripts))
    finally:
        con.close()
