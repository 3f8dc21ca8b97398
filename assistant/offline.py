"""The `offline` backend: no network, no LLM — the semantic model and the database only.

1. A verified query whose question means the same (same model elements, same values and
   numbers after synonyms are resolved) is reused as is.
2. Otherwise the parser builds an `Intent` and the planner turns it into SQL over the logical
   tables; a follow-up ("and in Texas?") edits the previous turn's intent.
The vocabulary is rebuilt when the database file changes (a new publish).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import threading
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import sqlglot
from sqlglot import exp

from assistant.lexicon import Lexicon, humanize, to_date, tokenize
from assistant.model import SemanticModel
from assistant.parser import FILLER, PII_COLUMN, Intent, Parser
from assistant.planner import READ, PlanError, Planner

log = logging.getLogger(__name__)

#: Words that change a question's meaning although the model does not name them.
_MEANINGFUL = {
    "not", "no", "without", "top", "bottom", "highest", "lowest", "most", "least", "average",
    "total", "median", "share", "percent", "percentage", "trend", "month", "week", "year",
    "day", "quarter", "last", "this", "since", "by", "per", "each", "vs", "versus", "count",
    "many", "number", "popular", "over", "under", "above", "below", "more", "less",
}  # fmt: skip


class OfflineBackend:
    name = "offline"

    def __init__(self, model: SemanticModel, engine: Any, cache_path: Path | None = None):
        self.model = model
        self.engine = engine
        self.cache_path = cache_path
        self.planner = Planner(model)
        self._lock = threading.Lock()
        self._identity: Any = object()
        self._lexicon: Lexicon | None = None
        self._parser: Parser | None = None
        self._verified: list[tuple[frozenset, Any]] = []

    # --- vocabulary ---------------------------------------------------------------------
    def lexicon(self) -> Lexicon:
        identity = getattr(self.engine.database, "identity", lambda: None)()
        with self._lock:
            if self._lexicon is None or identity != self._identity:
                self._lexicon = self._cached_lexicon(identity)
                self._parser = Parser(self.model, self._lexicon)
                self._identity = identity
                self._verified = [
                    (self._signature(q.question), q)
                    for q in self.model.verified_queries
                    if not _tables_in(q.sql) & self._lexicon.missing_tables
                ]
            return self._lexicon

    def _cached_lexicon(self, identity: Any) -> Lexicon:
        """The database-derived part of the vocabulary, cached on disk per database file
        version and model text (a CLI process would otherwise scan the facts every time)."""
        key = hashlib.sha256(
            json.dumps([repr(identity), self.model.text or repr(self.model.raw)]).encode()
        ).hexdigest()
        if self.cache_path is not None and identity is not None:
            try:
                cached = json.loads(self.cache_path.read_text(encoding="utf-8"))
                if cached.get("key") == key:
                    return lexicon_from_inputs(self.model, cached["inputs"])
            except (OSError, ValueError, KeyError):
                pass
        inputs = read_lexicon_inputs(self.model, self.engine.connect)
        if self.cache_path is not None and identity is not None:
            try:
                self.cache_path.parent.mkdir(parents=True, exist_ok=True)
                tmp = self.cache_path.with_suffix(f".{os.getpid()}.tmp")
                tmp.write_text(json.dumps({"key": key, "inputs": inputs}), encoding="utf-8")
                os.replace(tmp, self.cache_path)
            except OSError as exc:
                log.debug("lexicon cache not written: %s", exc)
        return lexicon_from_inputs(self.model, inputs)

    @property
    def parser(self) -> Parser:
        self.lexicon()
        assert self._parser is not None
        return self._parser

    @property
    def state_columns(self) -> set[str]:
        return {column for _, column in self.lexicon().state_columns}

    def knows(self, phrase: str) -> bool:
        from assistant.lexicon import phrase_tokens

        key = phrase_tokens(phrase)
        lex = self.lexicon()
        return key in lex.phrases or key in lex.proper_nouns

    def _signature(self, question: str) -> frozenset:
        parser = self._parser
        assert parser is not None
        tokens = tokenize(question)
        items: set[str] = set()
        for m in parser.match(tokens):
            items.add(
                "|".join(sorted(f"{c.kind}:{c.table}.{c.name}={c.value}" for c in m.candidates))
            )
        covered = {i for m in parser.match(tokens) for i in range(m.start, m.end)}
        for i, t in enumerate(tokens):
            if i in covered:
                continue
            if t.number is not None:
                items.add(f"n:{t.number:g}")
            elif t.norm in _MEANINGFUL or (t.norm not in FILLER and len(t.norm) > 3):
                items.add(f"w:{t.norm}")
        return frozenset(items)

    def match_verified(self, question: str) -> Any:
        self.lexicon()
        signature = self._signature(question)
        best, best_score = None, 0.0
        for sig, query in self._verified:
            if sig == signature:
                return query
            differ = sig ^ signature
            must = {s for s in differ if s.startswith("n:") or s[2:] in _MEANINGFUL}
            values = {s for s in differ if "value:" in s or "filter:" in s}
            if must or values:
                continue
            union = sig | signature
            score = len(sig & signature) / len(union) if union else 0.0
            if score > best_score:
                best, best_score = query, score
        return best if best_score >= 0.8 else None

    # --- the backend --------------------------------------------------------------------
    def generate(self, question: str, history: Sequence[Any]) -> Any:
        from assistant.engine import Draft

        previous = _previous_intent(history)
        verified = (
            self.match_verified(question)
            if previous is None or not _looks_follow_up(question)
            else None
        )
        if verified is not None:
            parsed = self.parser.parse(question, None)
            return Draft(
                "sql",
                sql=sqlglot.parse_one(verified.sql, read=READ),
                dialect=READ,
                logical=True,
                verified_query_used=verified.as_dict(),
                intent=None,
                context=parsed.intent if not parsed.unavailable else None,
                text="",
            )
        result = self.parser.parse(question, previous)
        if result.unavailable:
            table = self.model.tables[result.unavailable]
            why = _until_sentence(table.description)
            return Draft(
                "clarify",
                text=f"I can't answer that yet: the {humanize(table.name)} table is not in the "
                f"database or has no rows yet{(' — ' + why) if why else ''}.",
                suggestions=[q for q in self.model.onboarding_questions() if table.name not in q][
                    :4
                ],
                intent=result.intent,
            )
        if result.intent is None:
            return Draft("clarify", text=result.clarify, suggestions=result.suggestions)
        try:
            tree = self.planner.plan(result.intent)
        except PlanError as exc:
            return Draft(
                "clarify",
                text=f"I understood the question but cannot combine it over the model: {exc}.",
                suggestions=self.model.onboarding_questions()[:4],
            )
        return Draft("sql", sql=tree, dialect=READ, logical=True, intent=result.intent)

    def feedback(self, request_id: str, positive: bool, message: str) -> bool:
        return False


def build_lexicon(model: SemanticModel, connect: Any) -> Lexicon:
    return lexicon_from_inputs(model, read_lexicon_inputs(model, connect))


def lexicon_from_inputs(model: SemanticModel, inputs: dict[str, Any]) -> Lexicon:
    distinct = {tuple(k.split("\t")): v for k, v in inputs["distinct"].items()}
    anchors = {tuple(k.split("\t")): date.fromisoformat(v) for k, v in inputs["anchors"].items()}
    lex = Lexicon.build(model, distinct, anchors, set(inputs["missing"]))  # type: ignore[arg-type]
    lex.empty_columns = {tuple(k.split("\t")) for k in inputs.get("empty", [])}  # type: ignore[misc]
    return lex


def read_lexicon_inputs(model: SemanticModel, connect: Any) -> dict[str, Any]:
    """Read what the vocabulary needs from the database: which tables exist, the distinct
    values of text dimensions (not keys), the latest value of each time dimension."""
    from assistant.lexicon import PROPER_NOUN_LIMIT

    join_keys = {(rel.left_table, lc) for rel in model.relationships for lc, _ in rel.columns} | {
        (rel.right_table, rc) for rel in model.relationships for _, rc in rel.columns
    }
    distinct: dict[tuple[str, str], list[str] | None] = {}
    anchors = {}
    missing: set[str] = set()
    empty: set[tuple[str, str]] = set()
    cursor = connect()
    try:
        for table in model.tables.values():
            source = exp.Table(
                this=exp.to_identifier(table.base),
                db=exp.to_identifier(table.schema) if table.schema else None,
                catalog=exp.to_identifier(table.database) if table.database else None,
            )
            try:
                cursor.execute(exp.select("1").from_(source).limit(0).sql(dialect="duckdb"))
            except Exception:
                missing.add(table.name)
                continue
            counts = exp.select(
                *[
                    exp.Count(this=sqlglot.parse_one(c.expr, read=READ))
                    for c in table.columns.values()
                ]
            ).from_(source.copy())
            non_null = cursor.execute(counts.sql(dialect="duckdb")).fetchone()
            if not any(non_null):  # no rows yet (e.g. churn predictions before a first train)
                missing.add(table.name)
                continue
            empty.update(
                (table.name, c.name)
                for c, n in zip(table.columns.values(), non_null, strict=True)
                if n == 0
            )
            for column in table.columns.values():
                expr = sqlglot.parse_one(column.expr, read=READ)
                if column.is_time:
                    query = exp.select(exp.Max(this=expr)).from_(source.copy())
                    value = cursor.execute(query.sql(dialect="duckdb")).fetchone()[0]
                    if to_date(value) is not None:
                        anchors[(table.name, column.name)] = to_date(value)
                    continue
                if not column.is_text or column.unique or (table.name, column.name) in join_keys:
                    continue
                if PII_COLUMN.search(column.name):  # never read contact details into memory
                    continue
                query = (
                    exp.select(expr.copy())
                    .distinct()
                    .from_(source.copy())
                    .where(exp.Not(this=exp.Is(this=expr.copy(), expression=exp.Null())))
                    .limit(PROPER_NOUN_LIMIT + 1)
                )
                values = [str(r[0]) for r in cursor.execute(query.sql(dialect="duckdb")).fetchall()]
                distinct[(table.name, column.name)] = (
                    sorted(values) if len(values) <= PROPER_NOUN_LIMIT else None
                )
    finally:
        close = getattr(cursor, "close", None)
        if close:
            close()
    if missing:
        log.debug("semantic model tables not in the database: %s", ", ".join(sorted(missing)))
    return {
        "distinct": {"\t".join(k): v for k, v in distinct.items()},
        "anchors": {"\t".join(k): v.isoformat() for k, v in anchors.items()},
        "missing": sorted(missing),
        "empty": sorted("\t".join(k) for k in empty),
    }


def _tables_in(sql: str) -> set[str]:
    try:
        tree = sqlglot.parse_one(sql, read=READ)
    except sqlglot.errors.SqlglotError:
        return set()
    return {t.name.lower().removeprefix("__") for t in tree.find_all(exp.Table)}


def _previous_intent(history: Sequence[Any]) -> Intent | None:
    for turn in reversed(list(history)):
        data = turn.intent if hasattr(turn, "intent") else (turn or {}).get("intent")
        status = turn.status if hasattr(turn, "status") else (turn or {}).get("status")
        if data and status == "answered":
            return Intent.from_dict(data)
    return None


def _looks_follow_up(question: str) -> bool:
    return bool(
        re.match(
            r"^\s*(and|what about|how about|now|only|just|also|same|instead|but)\b", question, re.I
        )
    )


def _until_sentence(description: str) -> str:
    for sentence in re.split(r"(?<=\.)\s+", description):
        if re.search(r"\b(until|not yet|once)\b", sentence, re.I):
            return sentence.rstrip(".")
    return ""
