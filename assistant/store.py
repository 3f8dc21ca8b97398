"""Where questions and feedback are recorded: a small DuckDB file beside the data, never the
read-only serving copy (`C360_DATA_DIR/assistant/ASSISTANT.duckdb`).

Tables `observability.assistant_log` (one row per question: status, SQL, rows, latency,
backend, refusal reason) and `observability.assistant_feedback` (thumbs up/down + text per
request id). Each write opens the file briefly through the kernel's lock wait, so the CLI and
the dashboard can both record.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlglot import exp

from c360.core.warehouse import connect

_DDL = (
    "CREATE SCHEMA IF NOT EXISTS observability",
    """CREATE TABLE IF NOT EXISTS observability.assistant_log (
        request_id VARCHAR, asked_at TIMESTAMP, question VARCHAR, status VARCHAR,
        backend VARCHAR, sql VARCHAR, row_count INTEGER, latency_ms DOUBLE,
        verified_query VARCHAR, refusal_reason VARCHAR, warnings VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS observability.assistant_feedback (
        request_id VARCHAR, given_at TIMESTAMP, positive BOOLEAN, message VARCHAR,
        forwarded_to_backend BOOLEAN)""",
)


class AssistantStore:
    def __init__(self, path: Path):
        self.path = Path(path)

    def _write(self, table: str, values: list[Any]) -> None:
        """One row, its values as sqlglot literals (quoted by sqlglot, never pasted text;
        DuckDB's own parameter binding would import pandas, a second of start-up)."""
        row = exp.Tuple(
            expressions=[
                exp.convert(v.isoformat(sep=" ") if isinstance(v, datetime) else v) for v in values
            ]
        )
        statement = exp.insert(exp.values([row]), f"observability.{table}").sql(dialect="duckdb")
        con = connect(self.path)
        try:
            for ddl in _DDL:
                con.execute(ddl)
            con.execute(statement)
        finally:
            con.close()

    def log(self, answer: Any) -> None:
        self._write(
            "assistant_log",
            [
                answer.request_id,
                datetime.now(UTC).replace(tzinfo=None),
                answer.question,
                answer.status,
                answer.backend,
                answer.sql,
                len(answer.rows),
                answer.latency_ms,
                (answer.verified_query_used or {}).get("name"),
                answer.refusal_reason,
                json.dumps(answer.warnings) if answer.warnings else None,
            ],
        )

    def feedback(self, request_id: str, positive: bool, message: str, *, forwarded: bool) -> None:
        self._write(
            "assistant_feedback",
            [request_id, datetime.now(UTC).replace(tzinfo=None), positive, message, forwarded],
        )

    def rows(self, table: str) -> list[tuple]:
        """Everything in `assistant_log` or `assistant_feedback` (tests, `c360 ask --log`)."""
        if table not in ("assistant_log", "assistant_feedback"):
            raise ValueError(table)
        if not self.path.exists():
            return []
        con = connect(self.path, read_only=True)
        try:
            return con.execute(f"SELECT * FROM observability.{table}").fetchall()  # noqa: S608
        finally:
            con.close()
