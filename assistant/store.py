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

#: The assistant's tables: what each holds (the data dictionary, `c360 docs`, reads it from
#: here) and its DDL.
TABLES_DDL = {
    "observability.assistant_log": (
        "One row per question asked (CLI or dashboard): status, backend, the SQL run, rows "
        "returned, latency, the verified query used, why it was refused.",
        """CREATE TABLE IF NOT EXISTS observability.assistant_log (
        request_id VARCHAR, asked_at TIMESTAMP, question VARCHAR, status VARCHAR,
        backend VARCHAR, sql VARCHAR, row_count INTEGER, latency_ms DOUBLE,
        verified_query VARCHAR, refusal_reason VARCHAR, warnings VARCHAR)""",
    ),
    "observability.assistant_feedback": (
        "Thumbs up/down and a comment per answer (request id), and whether it was forwarded "
        "to the backend (Cortex Analyst's feedback API).",
        """CREATE TABLE IF NOT EXISTS observability.assistant_feedback (
        request_id VARCHAR, given_at TIMESTAMP, positive BOOLEAN, message VARCHAR,
        forwarded_to_backend BOOLEAN)""",
    ),
}
_DDL = ("CREATE SCHEMA IF NOT EXISTS observability", *(ddl for _, ddl in TABLES_DDL.values()))


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

    def usage(self) -> dict[str, Any]:
        """Read-only counts for a usage panel: questions and how they ended (answered, clarify,
        refused), 👍/👎, and when the last question was asked (None before any)."""
        summary: dict[str, Any] = {
            "questions": 0, "answered": 0, "clarify": 0, "refused": 0,
            "thumbs_up": 0, "thumbs_down": 0, "last_asked_at": None,
        }  # fmt: skip
        if not self.path.exists():
            return summary
        con = connect(self.path, read_only=True)
        try:
            tables = {
                row[0]
                for row in con.execute(
                    "SELECT table_name FROM information_schema.tables "
                    "WHERE table_schema = 'observability'"
                ).fetchall()
            }
            if "assistant_log" in tables:
                row = con.execute(
                    """SELECT count(*), count(*) FILTER (WHERE status = 'answered'),
                              count(*) FILTER (WHERE status = 'clarify'),
                              count(*) FILTER (WHERE status = 'refused'), max(asked_at)
                       FROM observability.assistant_log"""
                ).fetchone()
                summary.update(
                    questions=row[0], answered=row[1], clarify=row[2], refused=row[3],
                    last_asked_at=row[4],
                )  # fmt: skip
            if "assistant_feedback" in tables:
                up, down = con.execute(
                    """SELECT count(*) FILTER (WHERE positive), count(*) FILTER (WHERE NOT positive)
                       FROM observability.assistant_feedback"""
                ).fetchone()
                summary.update(thumbs_up=up, thumbs_down=down)
            return summary
        finally:
            con.close()
