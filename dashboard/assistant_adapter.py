"""The one place the dashboard talks to the `assistant` package.

The assistant answers questions over the serving copy: `Engine(...).ask(question, history)`
returns an answer with `status` (answered | clarify | refused), `answer`, `sql`, `columns`,
`rows`, `chart`, `verified_query_used`, `suggestions` and `request_id`;
`feedback(request_id, positive, message)` stores a 👍/👎 in the assistant's own store (never
in the read-only serving copy). `load_engine` builds it over the serving copy from the
semantic model; when the assistant cannot start (no model file, no package), it returns None
and the tab says so. Follow-up questions pass the earlier answers back (`Reply.turn`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

log = logging.getLogger(__name__)

#: Spec 5.5's sample questions, used when the engine has no onboarding questions of its own.
DEFAULT_QUESTIONS = (
    "What is the average spend of customers in California?",
    "Show me spending trends in the travel category over the last 6 months",
    "Which merchant categories are most popular among high-income customers?",
    "Who are the top 10 customers by lifetime value?",
    "Show me customers in the Northeast spending over $5K/month who don't have premium cards",
)


class EngineLike(Protocol):
    def ask(self, question: str, history: list[dict]) -> Any: ...

    def feedback(self, request_id: str, positive: bool, message: str = "") -> Any: ...


@dataclass
class Reply:
    """What the chat renders, whatever the engine's own answer type looks like."""

    status: str
    answer: str
    sql: str | None = None
    columns: list[str] = field(default_factory=list)
    rows: list[Any] = field(default_factory=list)
    chart: Any = None
    verified_query_used: bool = False
    #: the name (or question) of the verified query the answer used, when one was
    verified_query: str | None = None
    suggestions: list[str] = field(default_factory=list)
    request_id: str | None = None
    #: the engine's own answer, passed back as history for a follow-up question
    turn: Any = None


def _chart_hint(chart: Any) -> dict | None:
    """The engine's chart hint as {type, x, y} (its Chart has kind/x/y; dicts pass through)."""
    if chart is None or isinstance(chart, dict):
        return chart
    kind = getattr(chart, "kind", None) or getattr(chart, "type", None)
    return {"type": kind, "x": getattr(chart, "x", None), "y": getattr(chart, "y", None)}


def to_reply(answer: Any) -> Reply:
    def get(name: str, default: Any = None) -> Any:
        if isinstance(answer, dict):
            return answer.get(name, default)
        return getattr(answer, name, default)

    status = str(get("status", "answered") or "answered")
    status = getattr(get("status"), "value", status)
    verified = get("verified_query_used")
    if isinstance(verified, dict):
        verified = verified.get("name") or verified.get("question") or True
    return Reply(
        status=str(status),
        answer=str(get("answer", "") or ""),
        sql=get("sql"),
        columns=list(get("columns") or []),
        rows=list(get("rows") or []),
        chart=_chart_hint(get("chart")),
        verified_query_used=bool(verified),
        verified_query=verified if isinstance(verified, str) else None,
        suggestions=[str(s) for s in (get("suggestions") or [])],
        request_id=get("request_id"),
        turn=answer,
    )


def load_engine(
    serving_path: Path, semantic_model: Path | None = None, store_path: Path | None = None
) -> EngineLike | None:
    """The assistant's offline engine over `serving_path` with `semantic_model`, logging
    questions and feedback to `store_path`; None when it cannot start (the tab says so)."""
    if semantic_model is None or not semantic_model.exists():
        log.warning("no semantic model at %s: the AI Assistant tab is off", semantic_model)
        return None
    try:
        from assistant import AssistantStore, DuckDBDatabase, Engine, SemanticModel
    except ImportError:
        return None
    try:
        model = SemanticModel.load(semantic_model)
        database = DuckDBDatabase.for_model(serving_path, model.databases)
        store = AssistantStore(store_path) if store_path is not None else None
        cache_dir = store_path.parent if store_path is not None else None
        return Engine(model, database, backend="offline", store=store, cache_dir=cache_dir)
    except Exception:  # the tab must render even when the engine cannot start
        log.exception("the assistant engine could not start")
        return None


def sample_questions(engine: EngineLike | None) -> list[str]:
    """The semantic model's onboarding questions when the engine offers them."""
    for name in ("onboarding_questions", "sample_questions"):
        found = getattr(engine, name, None) or getattr(getattr(engine, "model", None), name, None)
        if callable(found):
            found = found()
        if found:
            return [str(q) for q in found][:8]
    return list(DEFAULT_QUESTIONS)


def column_kinds(columns: list[str]) -> dict[str, str]:
    """money | percent | count | number per result column, as the assistant formats them in
    its answers (so the table and the sentence agree); {} without the package."""
    try:
        from assistant.answer import column_kind
    except ImportError:
        return {}
    return {column: column_kind(column) for column in columns}


def usage(engine: EngineLike | None) -> dict[str, Any] | None:
    """Questions, how they ended and 👍/👎 from the assistant's own store (read-only; the
    dashboard never opens the warehouse for it); None when there is no store to read."""
    store = getattr(engine, "store", None)
    if store is None or not callable(getattr(store, "usage", None)):
        return None
    try:
        return store.usage()
    except Exception:  # a busy or broken log must not break Pipeline Health
        log.warning("assistant usage not readable", exc_info=True)
        return None
