"""The assistant's one entry point: `Engine.ask(question, history) -> Answer`.

    engine = Engine(SemanticModel.load("semantic_model/customer_analytics.yaml"),
                    DuckDBDatabase.for_model(serving_path, model.databases),
                    store=AssistantStore(data_dir / "assistant" / "ASSISTANT.duckdb"))
    first = engine.ask("What is the average spend of customers in California?")
    second = engine.ask("and in Texas?", history=[first])
    engine.feedback(second.request_id, positive=True, message="spot on")

Every backend (offline parser, Cortex Analyst, an OpenAI-compatible endpoint) produces a
draft; refusals are decided before any backend sees the question; every SQL statement goes
through `assistant.guard` and runs on a read-only connection with a row limit and a timeout.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal, Protocol

import sqlglot
from sqlglot import exp

from assistant import safety
from assistant.answer import chart_for, compose
from assistant.guard import GuardError, guard, parse_single
from assistant.model import SemanticModel

log = logging.getLogger(__name__)

Status = Literal["answered", "clarify", "refused"]


@dataclass
class Chart:
    kind: str  # line | bar
    x: str
    y: str


@dataclass
class Answer:
    """What the dashboard's chat and `c360 ask` show (`to_dict()` is JSON-safe)."""

    status: Status
    question: str
    answer: str
    sql: str | None = None
    columns: list[str] = field(default_factory=list)
    rows: list[list[Any]] = field(default_factory=list)
    chart: Chart | None = None
    verified_query_used: dict[str, Any] | None = None
    suggestions: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    request_id: str = ""
    backend: str = "offline"
    latency_ms: float = 0.0
    truncated: bool = False
    refusal_reason: str | None = None
    intent: dict[str, Any] | None = None  # the offline parse, for follow-up turns

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "question": self.question,
            "answer": self.answer,
            "sql": self.sql,
            "columns": self.columns,
            "rows": [[_json_value(v) for v in row] for row in self.rows],
            "chart": None if self.chart is None else self.chart.__dict__,
            "verified_query_used": self.verified_query_used,
            "suggestions": self.suggestions,
            "warnings": self.warnings,
            "request_id": self.request_id,
            "backend": self.backend,
            "latency_ms": round(self.latency_ms, 1),
            "truncated": self.truncated,
            "refusal_reason": self.refusal_reason,
            "intent": self.intent,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Answer:
        chart = data.get("chart")
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        known["chart"] = Chart(**chart) if chart else None
        return cls(**known)


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


@dataclass
class Draft:
    """A backend's reply before the guard: SQL to run, or a clarification/refusal."""

    status: Literal["sql", "clarify", "refused"]
    sql: str | exp.Expression | None = None
    dialect: str = "snowflake"
    text: str = ""
    suggestions: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    request_id: str | None = None
    verified_query_used: dict[str, Any] | None = None
    intent: Any = None  # assistant.parser.Intent for the offline backend
    logical: bool = False  # SQL over `__table` names (needs the logical → physical rewrite)
    context: Any = None  # an Intent kept for follow-ups only (a verified query's parse)
    refusal_reason: str | None = None


class Backend(Protocol):
    name: str

    def generate(self, question: str, history: Sequence[Answer]) -> Draft: ...

    def feedback(self, request_id: str, positive: bool, message: str) -> bool:
        """Forward feedback to the backend's own service; False when it has none."""
        ...


class Engine:
    """Questions → guarded, read-only SQL → answers. Thread-safe; one per process is enough."""

    def __init__(
        self,
        semantic_model: SemanticModel,
        connection_factory: Any,
        *,
        backend: Backend | str = "offline",
        store: Any = None,
        max_rows: int = 1000,
        timeout_seconds: float = 15.0,
        dialect: str | None = None,
        cache_dir: Path | None = None,
    ):
        self.model = semantic_model
        self.database = connection_factory
        self.connect = getattr(connection_factory, "connect", connection_factory)
        self.dialect = dialect or getattr(connection_factory, "dialect", "duckdb")
        self.store = store
        self.max_rows = max_rows
        self.timeout_seconds = timeout_seconds
        if isinstance(backend, str):
            if backend != "offline":
                raise ValueError("pass a Backend object for anything but the offline backend")
            from assistant.offline import OfflineBackend

            cache = cache_dir / "lexicon.json" if cache_dir is not None else None
            backend = OfflineBackend(semantic_model, self, cache_path=cache)
        self.backend = backend
        self._requests: dict[str, Answer] = {}
        self._lock = threading.Lock()

    # --- public API --------------------------------------------------------------------
    def ask(self, question: str, history: Sequence[Answer | dict[str, Any]] = ()) -> Answer:
        """Answer one question; `history` is the earlier turns (Answers or their dicts)."""
        started = time.perf_counter()
        turns = [h if isinstance(h, Answer) else Answer.from_dict(h) for h in history]
        request_id = str(uuid.uuid4())
        answer = self._ask(question.strip(), turns, request_id)
        answer.latency_ms = (time.perf_counter() - started) * 1000
        answer.backend = self.backend.name
        with self._lock:
            self._requests[answer.request_id] = answer
            while len(self._requests) > 500:
                self._requests.pop(next(iter(self._requests)))
        if answer.status == "refused":
            log.warning("assistant refused (%s): %r", answer.refusal_reason, question)
        if self.store is not None:
            try:
                self.store.log(answer)
            except Exception as exc:  # logging must never break an answer
                log.warning("assistant log not written: %s", exc)
        return answer

    def feedback(self, request_id: str, positive: bool, message: str = "") -> None:
        """Thumbs up/down (+ text) on an answer: stored, and sent to the backend if it takes it."""
        forwarded = False
        try:
            forwarded = bool(self.backend.feedback(request_id, positive, message))
        except Exception as exc:
            log.warning("feedback not forwarded to %s: %s", self.backend.name, exc)
        if self.store is not None:
            self.store.feedback(request_id, positive, message, forwarded=forwarded)

    # --- the pipeline -------------------------------------------------------------------
    def _ask(self, question: str, turns: list[Answer], request_id: str) -> Answer:
        if not question:
            return Answer(
                "clarify", question, "Ask a question about the data.", request_id=request_id,
                suggestions=self.model.onboarding_questions()[:5],
            )  # fmt: skip
        knows = getattr(self.backend, "knows", lambda phrase: False)
        refusal = safety.check(question, known=knows)
        if refusal is not None:
            return Answer(
                "refused", question, refusal.message, request_id=request_id,
                refusal_reason=refusal.reason,
            )  # fmt: skip
        try:
            draft = self.backend.generate(question, turns)
        except Exception as exc:
            log.exception("assistant backend %s failed", self.backend.name)
            return Answer(
                "clarify", question, f"The {self.backend.name} backend failed: {exc}",
                request_id=request_id, warnings=[str(exc)],
            )  # fmt: skip
        rid = draft.request_id or request_id
        kept = draft.intent if draft.intent is not None else draft.context
        intent_dict = kept.to_dict() if kept is not None else None
        if draft.status != "sql" or draft.sql is None:
            return Answer(
                "refused" if draft.status == "refused" else "clarify", question, draft.text,
                suggestions=draft.suggestions, warnings=draft.warnings, request_id=rid,
                refusal_reason=draft.refusal_reason, intent=intent_dict,
            )  # fmt: skip
        try:
            tree = (
                draft.sql
                if isinstance(draft.sql, exp.Expression)
                else parse_single(draft.sql, draft.dialect)
            )
            if draft.logical:
                tree = self.to_physical(tree)
            tree = guard(tree, self.model, dialect=self.dialect, max_rows=self.max_rows)
        except (GuardError, sqlglot.errors.SqlglotError) as exc:
            log.warning("assistant guard rejected SQL from %s: %s", self.backend.name, exc)
            return Answer(
                "refused", question, f"The generated query was rejected by the guard: {exc}. "
                "Nothing was run.", request_id=rid, refusal_reason="guard",
                warnings=draft.warnings,
            )  # fmt: skip
        sql = tree.sql(dialect=self.dialect, pretty=True)
        try:
            runnable = self._fold_scalar_subqueries(tree) if self.dialect == "duckdb" else sql
            columns, rows = self.execute(runnable)
        except Exception as exc:
            log.warning("assistant query failed: %s", exc)
            return Answer(
                "clarify", question, f"The query could not run: {str(exc).splitlines()[0]}",
                sql=sql, request_id=rid, warnings=draft.warnings,
            )  # fmt: skip
        truncated = len(rows) >= self.max_rows
        warnings = list(draft.warnings)
        for i, name in enumerate(columns):
            if rows and all(r[i] is None for r in rows):
                warnings.append(f"{name} has no values in the data yet (all NULL)")
        state_columns = getattr(self.backend, "state_columns", set())
        if draft.intent is not None:
            text = compose(
                draft.intent, columns, rows, state_columns=state_columns, truncated=truncated
            )
        else:
            generic = compose(None, columns, rows, state_columns=state_columns, truncated=truncated)
            text = (draft.text + " " + generic).strip() if draft.text else generic
        if warnings and any("no values" in w for w in warnings):
            text += " Some values are not available yet (empty in the data)."
        chart = chart_for(draft.intent, columns, rows)
        return Answer(
            "answered", question, text, sql=sql, columns=columns,
            rows=[list(r) for r in rows], chart=Chart(**chart) if chart else None,
            verified_query_used=draft.verified_query_used, suggestions=draft.suggestions,
            warnings=warnings, request_id=rid, truncated=truncated, intent=intent_dict,
        )  # fmt: skip

    def _fold_scalar_subqueries(self, tree: exp.Expression) -> str:
        """`WHERE t >= (SELECT MAX(t) FROM facts)`: DuckDB plans an uncorrelated scalar
        subquery in a filter as a nested-loop join over every row (seconds on 13.5M facts).
        Run each such subquery first (it is part of the guarded statement) and put its value
        in as a literal; the SQL shown to the user keeps the subquery."""
        tree = tree.copy()
        with_ = tree.args.get("with_")
        folded = False
        for sub in list(tree.find_all(exp.Subquery)):
            inner = sub.this
            if not isinstance(inner, exp.Select) or sub.find_ancestor(exp.From, exp.Join):
                continue
            if len(inner.expressions) != 1 or inner.args.get("group") or inner.args.get("with_"):
                continue
            if not list(inner.expressions[0].find_all(exp.AggFunc)):
                continue
            local = {t.alias_or_name for t in inner.find_all(exp.Table)}
            if any(c.table and c.table not in local for c in inner.find_all(exp.Column)):
                continue  # correlated
            probe = inner.copy()
            if with_ is not None:
                probe.set("with_", with_.copy())
            try:
                _, rows = self.execute(probe.sql(dialect="duckdb"))
            except Exception as exc:  # any database error: the subquery stays as it is
                log.debug("scalar subquery not folded: %s", exc)
                continue
            value = rows[0][0] if rows else None
            if isinstance(value, datetime):
                literal = exp.cast(exp.Literal.string(value.isoformat(sep=" ")), "TIMESTAMP")
            elif isinstance(value, date):
                literal = exp.cast(exp.Literal.string(value.isoformat()), "DATE")
            elif isinstance(value, int | float | Decimal) and not isinstance(value, bool):
                literal = exp.Literal.number(str(value))
            elif isinstance(value, str):
                literal = exp.Literal.string(value)
            else:
                continue
            sub.replace(exp.paren(literal) if not isinstance(sub.parent, exp.Paren) else literal)
            folded = True
        return tree.sql(dialect="duckdb") if folded else tree.sql(dialect="duckdb", pretty=True)

    def to_physical(self, tree: exp.Expression) -> exp.Expression:
        from assistant.planner import Planner

        return Planner(self.model).to_physical(tree, inline=self.dialect == "duckdb")

    def execute(self, sql: str) -> tuple[list[str], list[tuple]]:
        """Run one guarded statement on a fresh read-only cursor, interrupted at the timeout."""
        cursor = self.connect()
        timer = None
        if hasattr(cursor, "interrupt"):
            timer = threading.Timer(self.timeout_seconds, cursor.interrupt)
            timer.daemon = True
            timer.start()
        try:
            result = cursor.execute(sql)
            result = result if result is not None else cursor
            columns = [d[0] for d in result.description or []]
            rows = result.fetchmany(self.max_rows)
            return columns, rows
        except Exception as exc:
            if timer is not None and not timer.is_alive() and "nterrupt" in str(exc):
                raise TimeoutError(
                    f"the query ran longer than {self.timeout_seconds:.0f} s and was stopped"
                ) from None
            raise
        finally:
            if timer is not None:
                timer.cancel()
            close = getattr(cursor, "close", None)
            if close is not None:
                close()
