"""The offline semantic parser: a question (+ the previous turn) → an `Intent`, or a reason to ask.

It knows English (question words, aggregations, comparisons, negation, time windows, ranking,
grouping, shares) and nothing about any warehouse: every noun and value it recognises comes
from the `Lexicon`, i.e. from the semantic model and the database it points at. The `Intent`
says *what* to compute over the model's logical tables; `assistant.planner` turns it into SQL.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from assistant.lexicon import (
    MONTHS,
    NUMBER_WORDS,
    STATE_NAMES,
    Candidate,
    Lexicon,
    Token,
    humanize,
    phrase_tokens,
    tokenize,
)
from assistant.model import Column, SemanticModel

# --- words the parser knows (general English, not about any warehouse) ------------------
AGGREGATIONS = {
    "average": "AVG", "avg": "AVG", "mean": "AVG", "typical": "AVG", "total": "SUM", "sum": "SUM",
    "overall": "SUM", "combined": "SUM", "median": "MEDIAN", "maximum": "MAX", "max": "MAX",
    "minimum": "MIN", "min": "MIN",
}  # fmt: skip
COUNT_CUES = (("how", "many"), ("number", "of"), ("count", "of"), ("count",))
GREATER = {
    ("over",): ">", ("above",): ">", ("more", "than"): ">", ("greater", "than"): ">",
    ("higher", "than"): ">", ("bigger", "than"): ">", ("larger", "than"): ">",
    ("exceeding",): ">", ("exceed",): ">", ("older", "than"): ">", (">",): ">",
    ("at", "least"): ">=", (">=",): ">=", ("under",): "<", ("below",): "<",
    ("less", "than"): "<", ("lower", "than"): "<", ("fewer", "than"): "<",
    ("smaller", "than"): "<", ("younger", "than"): "<", ("<",): "<", ("at", "most"): "<=",
    ("up", "to"): "<=", ("<=",): "<=", ("equal", "to"): "=", ("exactly",): "=", ("=",): "=",
}  # fmt: skip
NEGATIONS = {
    "not",
    "no",
    "without",
    "except",
    "excluding",
    "exclude",
    "non",
    "never",
    "nor",
    "outside",
}
DESC_WORDS = {"highest", "most", "largest", "biggest", "best", "greatest", "top", "maximum",
              "leading", "richest", "highest-risk"}  # fmt: skip
ASC_WORDS = {"lowest", "least", "smallest", "fewest", "worst", "bottom", "minimum"}
POPULAR = {"popular", "common", "frequent", "frequently", "often", "used"}
SHARE_WORDS = {"share", "percentage", "percent", "proportion", "fraction", "ratio", "pct"}
LIST_CUES = {"show", "list", "who", "which", "find", "give", "display", "identify", "get", "pull",
             "what", "tell", "see"}  # fmt: skip
GROUP_CUES = {"by", "per", "each", "every", "across", "breakdown", "split", "between"}
GRAINS = {"day": "DAY", "daily": "DAY", "week": "WEEK", "weekly": "WEEK", "month": "MONTH",
          "monthly": "MONTH", "quarter": "QUARTER", "quarterly": "QUARTER", "year": "YEAR",
          "yearly": "YEAR", "annual": "YEAR", "annually": "YEAR"}  # fmt: skip
TREND_WORDS = {"trend", "over time", "evolution", "evolve", "history", "timeline", "trajectory"}
COMPARE_WORDS = {"vs", "versus", "compared", "compare", "comparison", "relative", "against"}
OVERALL_WORDS = {"national", "nationally", "overall", "nationwide", "everyone", "country",
                 "portfolio", "average customer", "all customer"}  # fmt: skip
FOLLOW_UP_STARTS = ("and", "what about", "how about", "now", "only", "just", "also", "same",
                    "instead", "but", "then", "ok", "okay", "what if", "same for",
                    "now by")  # fmt: skip
FILLER = {
    "the", "a", "an", "of", "for", "in", "on", "at", "to", "me", "is", "are", "was", "were", "be",
    "do", "doe", "did", "have", "ha", "had", "our", "we", "us", "my", "i", "you", "your", "please",
    "all", "with", "and", "or", "that", "this", "these", "those", "there", "their", "they",
    "them", "it", "its", "can", "could", "would", "should", "will", "from", "into", "as", "about",
    "like", "so", "than", "then", "any", "some", "each", "every", "much", "many", "how", "what",
    "which", "who", "whom", "whose", "where", "when", "why", "show", "list", "give", "tell",
    "find", "get", "see", "display", "identify", "pull", "up", "out", "over", "under", "more",
    "less", "most", "least", "by", "per", "across", "between", "among", "amongst", "within",
    "during", "since", "last", "past", "previous", "prior", "current", "next", "month",
    "week", "day", "year", "quarter", "time", "trend", "top", "bottom", "highest", "lowest",
    "average", "total", "number", "count", "sum", "mean", "median", "share", "percent",
    "percentage", "not", "no", "without", "don", "dont", "doesn", "isn", "aren", "just", "only",
    "also", "now", "ok", "okay", "breakdown", "split", "broken", "down", "compare", "compared",
    "vs", "versus", "national", "overall", "been", "being", "has", "am", "let", "know", "want",
    "need", "look", "looking", "here", "whole", "entire", "complete", "full", "summary",
    "detail", "details", "information", "info", "data", "record", "records", "row", "rows",
    "value", "values", "kind", "type", "sort", "ordered", "order", "rank", "ranked", "ranking",
    "largest", "biggest", "best", "worst", "smallest", "fewest", "greatest", "popular",
    "common", "frequent", "spending", "spend", "spent", "trends", "again", "instead",
    "same", "both", "either", "other", "others", "else", "way", "ways", "result", "results",
    "currently", "right", "today", "ever", "still", "even", "yet", "if", "what's", "whats",
    "relative", "against", "exceeding", "above", "below", "older", "younger",
    "greater", "higher", "lower", "fewer", "bigger", "smaller", "exactly", "equal",
    "money", "dollars", "dollar", "usd", "amount", "one", "two", "three", "ten", "doing",
    "done", "make", "made", "making", "people", "person", "folks", "group", "groups",
    "category", "categories", "high", "low", "risk", "risky",
}  # fmt: skip
#: Function words: never a match on their own (a longer phrase may contain them).
STOP = {
    "the", "a", "an", "of", "for", "in", "on", "at", "to", "me", "is", "are", "was", "were", "be",
    "do", "doe", "did", "have", "ha", "had", "our", "we", "us", "my", "i", "you", "your", "please",
    "all", "with", "and", "or", "that", "this", "these", "those", "there", "their", "they", "them",
    "it", "its", "can", "could", "would", "should", "will", "from", "into", "as", "about", "so",
    "than", "then", "any", "some", "each", "every", "how", "what", "which", "who", "when", "by",
    "per", "not", "no", "show", "list", "give", "tell", "find", "get", "see", "now", "only",
    "just", "also", "over", "under", "more", "less", "most", "least", "top", "up", "out",
}  # fmt: skip
MONEY_HINTS = ("spend", "value", "amount", "limit", "cost", "lift", "revenue", "price", "sale",
               "ltv", "income", "balance", "salary", "budget", "payment")  # fmt: skip
FALL_WORDS = {"decline", "declines", "declined", "drop", "drops", "dropped", "fall", "fell",
              "decrease", "decreased", "loss", "losses", "reduction", "shrink"}  # fmt: skip
CHANGE_COLUMN = re.compile(r"(^|_)(change|growth|delta|diff|lift|trend)(_|$)", re.I)
#: A column that already holds an average or a ratio: summing it over rows means nothing.
AVERAGED = re.compile(r"(^|_)(avg|average|mean|pct|percent|rate|ratio|share)(_|$)", re.I)
PII_COLUMN = re.compile(r"e[-_ ]?mail|phone|ssn|social_security|password|address|birth", re.I)


# --- the intent -----------------------------------------------------------------------------
@dataclass
class Condition:
    table: str
    kind: str  # values | filter | compare | time | boolean
    column: str = ""
    values: list[str] = field(default_factory=list)
    op: str = ""
    number: float | None = None
    number2: float | None = None
    negate: bool = False
    start: str | None = None  # ISO dates, half-open [start, end)
    end: str | None = None
    label: str = ""
    metric: str = ""  # compare on a metric → HAVING


@dataclass
class Measure:
    table: str
    kind: str  # metric | fact | count | share
    name: str = ""
    agg: str = ""
    label: str = ""
    share_of: Condition | None = None
    phrase: str = ""  # the words that named it (to find the same measure on another table)


@dataclass
class Grouping:
    table: str
    column: str
    grain: str = ""  # DAY | WEEK | MONTH | QUARTER | YEAR for time dimensions
    label: str = ""


@dataclass
class Intent:
    mode: str  # aggregate | list | profile
    measures: list[Measure] = field(default_factory=list)
    groups: list[Grouping] = field(default_factory=list)
    conditions: list[Condition] = field(default_factory=list)
    order_desc: bool | None = None
    order_by: str = ""  # "measure:0" or "column:table.col"
    limit: int | None = None
    compare_overall: bool = False
    subject: str = ""  # table whose rows are listed / counted
    list_columns: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    subject_label: str = ""

    def tables(self) -> list[str]:
        names = [m.table for m in self.measures] + [g.table for g in self.groups]
        names += [c.table for c in self.conditions] + [t for t, _ in self.list_columns]
        if self.subject:
            names.append(self.subject)
        for m in self.measures:
            if m.share_of is not None:
                names.append(m.share_of.table)
        return list(dict.fromkeys(names))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Intent:
        data = dict(data)
        data["measures"] = [
            Measure(**{**m, "share_of": Condition(**m["share_of"]) if m.get("share_of") else None})
            for m in data.get("measures", [])
        ]
        data["groups"] = [Grouping(**g) for g in data.get("groups", [])]
        data["conditions"] = [Condition(**c) for c in data.get("conditions", [])]
        data["list_columns"] = [tuple(x) for x in data.get("list_columns", [])]
        return cls(**data)


@dataclass
class ParseResult:
    intent: Intent | None = None
    clarify: str = ""
    suggestions: list[str] = field(default_factory=list)
    unavailable: str = ""  # a table the question needs is not in the database


@dataclass
class Match:
    start: int
    end: int
    candidates: list[Candidate]
    text: str
    chosen: Candidate | None = None
    negate: bool = False


class Parser:
    """Stateless apart from the lexicon; one per engine."""

    def __init__(self, model: SemanticModel, lexicon: Lexicon):
        self.model = model
        self.lex = lexicon
        self._graph = _Graph(model)

    # --- matching ------------------------------------------------------------------------
    def match(self, tokens: list[Token]) -> list[Match]:
        matches: list[Match] = []
        i = 0
        while i < len(tokens):
            found = self._match_at(tokens, i)
            if found is None:
                i += 1
                continue
            matches.append(found)
            i = found.end
        return matches

    def _match_at(self, tokens: list[Token], i: int) -> Match | None:
        raw = tokens[i].raw
        for pattern, candidate in self.lex.id_patterns:
            if pattern.match(raw):
                value = raw.upper() if raw.upper() != raw and raw[:1].isalpha() else raw
                chosen = Candidate("value", candidate.table, candidate.name, value)
                return Match(i, i + 1, [chosen], raw)
        best: Match | None = None
        for length in range(min(self.lex.max_phrase, len(tokens) - i), 0, -1):
            span = tokens[i : i + length]
            key = tuple(t.norm for t in span)
            text = " ".join(t.raw for t in span)
            if key in self.lex.phrases:
                if length == 1 and key[0] in STOP and not self._strong_single(key):
                    continue
                best = self._value_before_its_column(tokens, i, length) or Match(
                    i, i + length, list(self.lex.phrases[key]), text
                )
                break
            if key in self.lex.proper_nouns and all(t.raw[:1].isupper() for t in span):
                best = Match(i, i + length, list(self.lex.proper_nouns[key]), text)
                break
        if best is None and raw in self.lex.case_sensitive and raw.isupper() and len(raw) == 2:
            best = Match(i, i + 1, list(self.lex.case_sensitive[raw]), raw)
        return best

    def _value_before_its_column(self, tokens: list[Token], i: int, length: int) -> Match | None:
        """Reads "the treatment group" as the value *treatment* of the column *treatment group*.

        The longest phrase is the column's own name, but a value of that column opens it and no
        group cue ("by", "per") precedes it: a filter on the value, as "the control group" is
        (the rest, "group", still names the column and is absorbed like any mention).
        """
        key = tuple(t.norm for t in tokens[i : i + length])
        columns = {(c.table, c.name) for c in self.lex.phrases[key] if c.kind == "column"}
        if not columns or len(columns) != len(self.lex.phrases[key]):
            return None
        before = [t.norm for t in tokens[max(0, i - 2) : i]]
        if before[-1:] and before[-1] in GROUP_CUES or before[-2:-1] and before[0] in GROUP_CUES:
            return None
        for cut in range(length - 1, 0, -1):
            values = [
                c for c in self.lex.phrases.get(key[:cut], [])
                if c.kind == "value" and (c.table, c.name) in columns
            ]  # fmt: skip
            if values:
                text = " ".join(t.raw for t in tokens[i : i + cut])
                return Match(i, i + cut, values, text)
        return None

    def _strong_single(self, key: tuple[str, ...]) -> bool:
        """A filler word is still a match when it names a value or a named filter."""
        return any(c.kind in ("value", "filter") for c in self.lex.phrases[key])

    # --- the parse -----------------------------------------------------------------------
    def parse(self, question: str, previous: Intent | None = None) -> ParseResult:
        tokens = tokenize(question)
        words = [t.norm for t in tokens]
        text = " ".join(words)
        # "per month", "by year": a grain word, not the column that happens to be called "month"
        matches = [
            m for m in self.match(tokens)
            if not (m.end - m.start == 1 and words[m.start] in GRAINS
                    and all(self._is_time_column(c) for c in m.candidates))
        ]  # fmt: skip
        follow_up = previous is not None and self._is_follow_up(text, matches)
        time_window = self._time_window(text)
        covered = {i for m in matches for i in range(m.start, m.end)}
        grain = self._grain([w if i not in covered else "" for i, w in enumerate(words)])
        top_n, desc = self._ranking(words, tokens)
        popular = any(w in POPULAR for w in words)
        share = any(w in SHARE_WORDS for w in words) or "%" in question and "what" in words
        compare_overall = any(w in COMPARE_WORDS for w in words) and any(
            w in OVERALL_WORDS for w in words
        )
        self._mark_negations(tokens, matches)
        unresolved: list[str] = []
        comparisons = self._comparisons(tokens, matches, unresolved)
        explicit_time = [m for m in matches if any(self._is_time_column(c) for c in m.candidates)]

        root_hint = previous.tables() if follow_up and previous else []
        focus = self._focus(matches, bool(time_window or grain), explicit_time, root_hint)
        if focus is None and not follow_up:
            return self._clarify_unknown(tokens, matches)
        for m in matches:
            m.chosen = self._choose(m, focus, root_hint)
            # "customers" names the table (a subject) unless counted ("how many customers")
            if (
                m.chosen is not None
                and m.chosen.kind == "metric"
                and not self._count_before(words, m.start)
            ):
                table_cands = [c for c in m.candidates if c.kind == "table"]
                if table_cands:
                    m.chosen = next((c for c in table_cands if c.table == focus), table_cands[0])

        unknown = self._unknown_words(tokens, matches)
        named = [w for w in unknown if w[:1].isupper() and w != tokens[0].raw and len(w) > 2]
        if named and not follow_up:
            # "the most Premium members" where no Premium exists: a value we don't hold is
            # asked about, never silently dropped
            return self._clarify_words(named, focus, matches, question)
        agg_problem = self._dangling_aggregation(tokens, matches)
        if agg_problem:
            return self._clarify_measure(agg_problem, focus)
        if unresolved:
            return self._clarify_comparison(unresolved[0], focus)

        measures: list[Measure] = []
        implicit_agg: set[int] = set()  # measures whose aggregation nobody asked for
        groups: list[Grouping] = []
        conditions: list[Condition] = []
        subject = ""
        id_value: Match | None = None
        used: set[int] = set()

        per_unit = ""
        # group-by targets: a dimension right after by/per/each/across/for each
        for idx, m in enumerate(matches):
            prev = words[m.start - 1] if m.start > 0 else ""
            prev2 = words[m.start - 2] if m.start > 1 else ""
            if m.chosen is None:
                continue
            is_group_cue = (
                prev in GROUP_CUES
                or (prev == "each" and prev2 == "for")
                or (prev in ("the", "their") and prev2 in GROUP_CUES)
            )
            if is_group_cue:
                dims = [c for c in m.candidates if c.kind == "column"
                        and self.model.tables[c.table].columns[c.name].kind != "fact"]  # fmt: skip
                if m.chosen.kind not in ("column", "table") and dims:
                    m.chosen = next((c for c in dims if c.table == focus), dims[0])
            if prev == "per" and m.chosen.kind == "table":
                # "spend per transaction", "average spend per customer": the unit an average
                # is taken over, not one row per id
                per_unit = m.chosen.table
                used.add(idx)
                continue
            if is_group_cue and m.chosen.kind in ("column", "table"):
                grouping = self._grouping_for(m.chosen)
                if grouping is not None:
                    groups.append(grouping)
                    used.add(idx)
        # values, filters, ids
        values_by_column: dict[tuple[str, str], list[Match]] = {}
        for idx, m in enumerate(matches):
            c = m.chosen
            if c is None or idx in used:
                continue
            if c.kind == "value":
                column = self.model.tables[c.table].columns[c.name]
                if column.unique:
                    id_value = m
                values_by_column.setdefault((c.table, c.name), []).append(m)
                used.add(idx)
            elif c.kind == "filter":
                named = self.model.tables[c.table].filters[c.name]
                conditions.append(
                    Condition(
                        c.table,
                        "filter",
                        column=c.name,
                        negate=m.negate,
                        label=("excluding " if m.negate else "") + humanize(named.name),
                    )
                )
                regional = any(
                    (c.table, col) in self.lex.state_columns
                    for col in self.model.tables[c.table].columns
                    if re.search(rf"\b{re.escape(col)}\b", named.expr)
                )
                phrase = re.sub(r"^the\s+", "", m.text, flags=re.IGNORECASE)  # "the Northeast"
                text = f"the {phrase[:1].upper()}{phrase[1:]}" if regional else f"({m.text})"
                if m.negate:
                    text = ("outside " if regional else "excluding ") + text.strip("()")
                elif regional:
                    text = "in " + text
                conditions[-1].label = text
                used.add(idx)
            elif c.kind == "column" and self.model.tables[c.table].columns[c.name].is_boolean:
                # "predicted to churn", "not already churned": a yes/no column is a filter
                conditions.append(
                    Condition(
                        c.table, "boolean", column=c.name, negate=m.negate,
                        label=("not " if m.negate else "") + m.text.lower(),
                    )
                )  # fmt: skip
                used.add(idx)
        for (table, column_name), ms in values_by_column.items():
            column = self.model.tables[table].columns[column_name]
            positive = [m for m in ms if not m.negate]
            negative = [m for m in ms if m.negate]
            for group_ms, negate in ((positive, False), (negative, True)):
                if not group_ms:
                    continue
                values = list(dict.fromkeys(m.chosen.value for m in group_ms if m.chosen))
                conditions.append(
                    Condition(
                        table,
                        "values",
                        column=column_name,
                        values=values,
                        negate=negate,
                        label=self._values_label(column, values, negate),
                    )
                )
        # comparisons (over $5K, above 70, older than 60)
        for comp in comparisons:
            conditions.append(comp)
        # "treatment vs control", "compare Texas and California": one row per value
        side_by_side = any(w in COMPARE_WORDS or w == "between" for w in words)
        if side_by_side and not groups:
            for condition in conditions:
                if (
                    condition.kind == "values"
                    and len(condition.values) > 1
                    and not condition.negate
                ):
                    groups.append(
                        Grouping(
                            condition.table, condition.column, label=humanize(condition.column)
                        )
                    )
                    break
        # measures
        for idx, m in enumerate(matches):
            c = m.chosen
            if c is None or idx in used:
                continue
            if c.kind == "metric":
                if any(comp.metric == c.name and comp.table == c.table for comp in comparisons):
                    continue
                metric = self.model.tables[c.table].metrics[c.name]
                measures.append(
                    Measure(c.table, "metric", c.name, label=humanize(metric.name), phrase=m.text)
                )
                used.add(idx)
            elif c.kind == "column":
                column = self.model.tables[c.table].columns[c.name]
                if any(comp.column == c.name and comp.table == c.table for comp in comparisons):
                    used.add(idx)
                    continue
                agg = self._aggregation_before(words, m.start)
                if column.kind == "fact" or (agg and column.is_numeric):
                    implicit_agg.add(len(measures)) if agg is None else None
                    if agg is None:
                        averaged = AVERAGED.search(c.name) is not None  # never sum averages
                        agg = "SUM" if self._graph.is_event(c.table) and not averaged else "AVG"
                    label = (
                        f"{'' if agg in ('SUM', 'AVG') else agg.lower() + ' '}{humanize(c.name)}"
                    )
                    if agg == "AVG" and not humanize(c.name).startswith("avg"):
                        plain = re.sub(r"\b(avg|average|mean)\b\s*", "", humanize(c.name)).strip()
                        label = "average " + plain
                    elif agg == "SUM":
                        label = "total " + humanize(c.name)
                    measures.append(
                        Measure(c.table, "fact", c.name, agg=agg, label=label, phrase=m.text)
                    )
                    used.add(idx)
                elif self._count_before(words, m.start, 2) and not any(
                    x.kind in ("count", "metric") for x in measures
                ):
                    measures.append(
                        Measure(
                            c.table,
                            "count",
                            c.name,
                            label=f"number of distinct {humanize(c.name)} values",
                        )
                    )
                    used.add(idx)
            elif c.kind == "table":
                if self._count_before(words, m.start):
                    table = self.model.tables[c.table]
                    key = table.primary_key[0] if table.primary_key else ""
                    measures.append(Measure(c.table, "count", key, label=f"number of {m.text}"))
                    used.add(idx)
                    subject = subject or c.table
                elif not subject:
                    subject = c.table

        if per_unit:
            measures = [self._per_row(m, per_unit) for m in measures]
        # an entity measure ("spending" of customers) over time → the event table's measure
        if (time_window is not None or grain) and not explicit_time:
            measures = self._retarget_for_time(measures, conditions)
        # a time window binds to an explicitly named time column, else the event table's
        if time_window is not None:
            column = self._time_column(explicit_time, measures, conditions, focus)
            if column is not None:
                start, end, label = self._window_bounds(time_window, column)
                negate = self._unowned_negation(words, matches)
                conditions.append(
                    Condition(
                        column.table, "time", column.name, start=start, end=end, negate=negate,
                        label=("not " if negate else "") + label,
                    )
                )  # fmt: skip
        if grain:
            if not explicit_time:
                measures = self._retarget_for_time(measures, conditions)
            column = self._time_column(explicit_time, measures, conditions, focus)
            if column is not None and not any(g.grain for g in groups):
                groups = [g for g in groups if g.column != column.name] + [
                    Grouping(column.table, column.name, grain, label=grain.lower())
                ]
                if column is not None and not any(c.kind == "time" for c in conditions):
                    cut = self._complete_periods(column, grain)
                    if cut is not None:
                        conditions.append(cut)

        if follow_up and previous is not None:
            return self._merge(previous, measures, groups, conditions, top_n, desc, subject)

        # shares: "what share of customers are premium" → the last value condition is the share
        if share and conditions:
            target = next(
                (
                    c
                    for c in reversed(conditions)
                    if c.kind in ("values", "filter", "compare", "boolean")
                ),
                None,
            )
            if target is not None:
                conditions.remove(target)
                base = measures[0] if measures and measures[0].kind in ("fact", "metric") else None
                measures = [
                    Measure(
                        base.table if base else target.table,
                        "share",
                        base.name if base else "",
                        agg=base.agg if base else "",
                        label=f"share of {base.label if base else 'rows'} that are {target.label}",
                        share_of=target,
                    )
                ]
                subject = subject or target.table

        if id_value is not None and not measures and not groups:
            table = id_value.chosen.table  # type: ignore[union-attr]
            intent = Intent(mode="profile", conditions=conditions, subject=table)
            intent.list_columns = [
                (table, col.name)
                for col in self.model.tables[table].columns.values()
                if not PII_COLUMN.search(col.name)
            ]
            return self._finish(intent)

        list_cue = (
            bool(set(words[:3]) & LIST_CUES)
            or "who" in words
            or bool(
                matches
                and matches[0].start == 0
                and matches[0].chosen is not None
                and matches[0].chosen.kind == "table"
            )
        )
        ranked = bool(top_n or desc is not None)
        # "who spent the most in Texas": "who" asks for the rows of the measure's table, ranked
        if (
            ranked and not subject and not groups and "who" in words and measures
            and all(i in implicit_agg for i in range(len(measures)))
            and len({m.table for m in measures}) == 1
            and self.model.tables[measures[0].table].primary_key
            and not self._graph.is_event(measures[0].table)
        ):  # fmt: skip
            subject = measures[0].table
        elif (
            ranked and not subject and not groups and "who" in words and measures
            and self._graph.is_event(measures[0].table)
        ):  # fmt: skip
            # "who spent the most on travel": the events' most joined entity (a hub), ranked
            hubs = [t for t in self._graph.reach(measures[0].table) if t != measures[0].table
                    and self.model.tables[t].primary_key]  # fmt: skip
            if hubs:
                hub = max(
                    hubs, key=lambda t: (self._graph.degree(t), -list(self.model.tables).index(t))
                )
                table = self.model.tables[hub]
                groups.append(Grouping(hub, table.primary_key[0], label=table.entity))
        # "the 10 customers with the highest credit limit": a ranked list, not an aggregate
        other_dim = next(
            (
                m.chosen for m in matches
                if m.chosen is not None and m.chosen.kind == "column"
                and m.chosen.table != subject
                and self.model.tables[m.chosen.table].columns[m.chosen.name].kind == "dimension"
                and not self.model.tables[m.chosen.table].columns[m.chosen.name].unique
                and not any(c.column == m.chosen.name for c in conditions)
            ),
            None,
        )  # fmt: skip
        if ranked and measures and not groups and other_dim is not None:
            # "which categories do Declining customers spend the most on": group by it
            groups.append(Grouping(other_dim.table, other_dim.name, label=humanize(other_dim.name)))
            measures = self._retarget_for_time(measures, conditions, [other_dim.table])
        elif (
            ranked and subject and not groups and measures
            and all(i in implicit_agg for i in range(len(measures)))
            and all(m.table == subject for m in measures)
        ):  # fmt: skip
            measures = []
        # "which 3 states have the most customers": a ranked grouping, counted
        if ranked and subject and not groups and not measures:
            dim = next(
                (
                    m.chosen for m in matches
                    if m.chosen is not None and m.chosen.kind == "column"
                    and self.model.tables[m.chosen.table].columns[m.chosen.name].kind == "dimension"
                    and not self.model.tables[m.chosen.table].columns[m.chosen.name].unique
                    and not any(c.column == m.chosen.name for c in conditions)
                ),
                None,
            )  # fmt: skip
            if dim is not None and self._ranking_column(matches, subject, comparisons) is None:
                groups.append(Grouping(dim.table, dim.name, label=humanize(dim.name)))
        if not measures and not groups and not subject and list_cue and conditions:
            # "who is at risk of churning": the rows the filter is about
            table = conditions[0].table
            if self.model.tables[table].primary_key and all(c.table == table for c in conditions):
                subject = table
        if not measures and not groups and subject and (list_cue or ranked):
            if unknown and words[0] in ("what", "how"):
                # "what is the ROI of the campaign": asks for a number the model doesn't hold
                return self._clarify_words(unknown, focus)
            if top_n or desc is not None:
                order_col = self._ranking_column(matches, subject, comparisons)
                other = next(
                    (m.chosen.table for m in matches
                     if m.chosen is not None and m.chosen.kind == "table"
                     and m.chosen.table != subject
                     and self.model.tables[m.chosen.table].primary_key
                     and self._graph.root([subject, m.chosen.table]) is not None),
                    None,
                )  # fmt: skip
                if order_col is None and other is not None:
                    # "which member borrowed the most books": members ranked by how many
                    # distinct books their events reach
                    key = self.model.tables[other].primary_key[0]
                    entity = self.model.tables[other].entity
                    intent = Intent(
                        mode="aggregate",
                        measures=[Measure(other, "count", key, label=f"number of {entity}")],
                        groups=[
                            Grouping(
                                subject,
                                self.model.tables[subject].primary_key[0],
                                label=self.model.tables[subject].entity,
                            )
                        ],
                        conditions=conditions,
                        subject=subject,
                        order_by="measure:0",
                        order_desc=desc if desc is not None else True,
                        limit=top_n or 10,
                    )
                    return self._finish(intent)
                if order_col is None:
                    return self._clarify_ranking(subject)
            intent = Intent(mode="list", conditions=conditions, subject=subject)
            intent.list_columns = self._list_columns(subject, matches, conditions)
            if top_n or desc is not None:
                intent.order_by = f"column:{order_col.table}.{order_col.name}"  # type: ignore[union-attr]
                intent.order_desc = desc if desc is not None else True
                if self._falls(words, order_col.name):  # type: ignore[union-attr]
                    intent.order_desc = not intent.order_desc
                intent.limit = top_n or 10
                pair = (order_col.table, order_col.name)  # type: ignore[union-attr]
                if pair not in intent.list_columns:
                    intent.list_columns.append(pair)
            else:
                ordering = next(
                    (c for c in conditions if c.kind == "compare" and not c.metric), None
                )
                if ordering is not None:
                    intent.order_by = f"column:{ordering.table}.{ordering.column}"
                    intent.order_desc = ordering.op in (">", ">=")
            return self._finish(intent)

        count_cue = self._count_before(words, len(words), len(words))
        # "which merchants are most popular": the dimension named is the grouping
        if not groups and not measures and (popular or ranked):
            for m in matches:
                c = m.chosen
                if c is None or c.kind != "column":
                    continue
                column = self.model.tables[c.table].columns[c.name]
                if (
                    column.kind == "dimension"
                    and not column.unique
                    and not any(x.column == c.name for x in conditions)
                ):
                    groups.append(Grouping(c.table, c.name, label=humanize(c.name)))
                    break
        if not measures and not groups and count_cue and conditions:
            # "how many High-Value Travelers are there": count the rows the values describe
            table = self.model.tables[subject or conditions[0].table]
            key = table.primary_key[0] if table.primary_key else ""
            measures = [Measure(table.name, "count", key, label=f"number of {table.entity}")]
            subject = subject or table.name
        if not measures:
            # "which categories are most popular", "customers by state": count what's there
            counted = self._default_count(groups, conditions, subject, popular)
            if counted is None:
                if unknown:
                    return self._clarify_words(unknown, focus)
                if subject and conditions:
                    table = self.model.tables[subject]
                    key = table.primary_key[0] if table.primary_key else ""
                    counted = Measure(
                        subject,
                        "count",
                        key,
                        label=f"number of {self.model.tables[subject].entity}",
                    )
                else:
                    return self._clarify_unknown(tokens, matches)
            measures = [counted]
        # a dimension named as the subject ("which merchant categories ...") is the grouping
        if not groups:
            for m in matches:
                c = m.chosen
                if c is None or c.kind != "column":
                    continue
                column = self.model.tables[c.table].columns[c.name]
                if (
                    column.kind == "dimension"
                    and not column.unique
                    and (popular or top_n or desc is not None)
                    and not any(x.column == c.name for x in conditions)
                ):
                    groups.append(Grouping(c.table, c.name, label=humanize(c.name)))
                    break
                if column.kind == "dimension" and column.unique and (top_n or desc is not None):
                    groups.append(Grouping(c.table, c.name, label=humanize(c.name)))
                    break
            if not groups and (top_n or desc is not None) and subject:
                table = self.model.tables[subject]
                if table.primary_key and not any(m.kind == "count" for m in measures):
                    groups.append(Grouping(subject, table.primary_key[0], label=table.entity))
        intent = Intent(
            mode="aggregate",
            measures=measures,
            groups=groups,
            conditions=conditions,
            subject=subject,
        )
        if top_n or desc is not None or popular:
            intent.order_by = "measure:0"
            intent.order_desc = desc if desc is not None else True
            if measures and self._falls(words, measures[0].name):
                intent.order_desc = not intent.order_desc
            if top_n:
                intent.limit = top_n
            elif any(self.model.tables[g.table].columns[g.column].unique for g in groups):
                intent.limit = 10  # "which customers spent the most": the top ten, not all
        elif groups and not any(g.grain for g in groups):
            intent.order_by = "measure:0"
            intent.order_desc = True
        # "average spend of customers in California" → and how it compares with everyone
        single_avg = (
            len(measures) == 1
            and not groups
            and (
                measures[0].agg == "AVG"
                or (
                    measures[0].kind == "metric"
                    and self.model.tables[measures[0].table]
                    .metrics[measures[0].name]
                    .expr.upper()
                    .startswith("AVG(")
                )
            )
        )
        if single_avg and any(c.kind in ("values", "filter") for c in conditions):
            intent.compare_overall = True
        elif compare_overall and len(measures) == 1 and not groups:
            intent.compare_overall = True
        return self._finish(intent)

    # --- pieces ----------------------------------------------------------------------------
    def _finish(self, intent: Intent) -> ParseResult:
        if intent.subject and not intent.subject_label:
            intent.subject_label = self.model.tables[intent.subject].entity
        elif not intent.subject_label and intent.measures:
            intent.subject_label = self.model.tables[intent.measures[0].table].entity
        missing = [t for t in intent.tables() if t in self.lex.missing_tables]
        for condition in intent.conditions:
            if condition.kind == "filter":
                named = self.model.tables[condition.table].filters[condition.column]
                if named.description:
                    intent.notes.append(f"{humanize(named.name)}: {named.description}")
        if missing:
            table = self.model.tables[missing[0]]
            return ParseResult(intent=intent, unavailable=table.name)
        used = [(g.table, g.column) for g in intent.groups]
        used += [(c.table, c.column) for c in intent.conditions if c.column]
        used += [(m.table, m.name) for m in intent.measures if m.kind in ("fact", "count")]
        used += [
            (m.table, col.name)
            for m in intent.measures
            if m.kind == "metric"
            for col in self.model.tables[m.table].columns.values()
            if re.search(
                rf"\b{re.escape(col.name)}\b", self.model.tables[m.table].metrics[m.name].expr
            )
        ]
        empty = [pair for pair in used if pair in self.lex.empty_columns]
        if empty and intent.mode == "aggregate":
            table, column = empty[0]
            return ParseResult(
                clarify=f"I can't answer that yet: {humanize(column)} ({table}) has no values in "
                "the data yet.",
                suggestions=self.model.onboarding_questions()[:4],
            )
        if not self._graph.connect(intent.tables()):
            return ParseResult(
                clarify="Those items are not related in the semantic model, so I cannot combine "
                "them in one answer.",
                suggestions=self.model.onboarding_questions()[:4],
            )
        return ParseResult(intent=intent)

    def _is_follow_up(self, text: str, matches: list[Match]) -> bool:
        if any(text.startswith(start + " ") or text == start for start in FOLLOW_UP_STARTS):
            return True
        kinds = {c.kind for m in matches for c in m.candidates}
        return len(text.split()) <= 4 and not kinds & {"metric", "table"}

    def _mark_negations(self, tokens: list[Token], matches: list[Match]) -> None:
        words = [t.norm for t in tokens]
        for m in matches:
            window = words[max(0, m.start - 4) : m.start]
            if any(w in NEGATIONS for w in window) or (
                len(window) >= 2 and window[-2:] == ["other", "than"]
            ):
                # the negation must not already belong to an earlier match in the window
                earlier = [o for o in matches if m.start - 4 <= o.start < m.start and o is not m]
                neg_pos = max(
                    i
                    for i in range(max(0, m.start - 4), m.start)
                    if words[i] in NEGATIONS | {"than"}
                )
                if not any(o.end > neg_pos for o in earlier):
                    m.negate = True

    def _per_row(self, measure: Measure, unit: str) -> Measure:
        """A sum over the rows of `unit` asked "per" row is the average row: total spend per
        transaction → AVG(transaction_amount)."""
        if measure.table != unit:
            # the same words on the unit's own table ("spend" of transactions, not of customers)
            key = tuple(phrase_tokens(measure.phrase)) if measure.phrase else ()
            bare = tuple(w for w in key if w not in AGGREGATIONS)  # "average spend" → spend
            same = [c for k in (key, bare) for c in self.lex.phrases.get(k, []) if c.table == unit]
            metric = next((c for c in same if c.kind == "metric"), None)
            if metric is None:
                return measure
            measure = Measure(unit, "metric", metric.name, phrase=measure.phrase)
        if measure.kind == "fact" and measure.agg == "SUM":
            return replace(measure, agg="AVG", label="average " + humanize(measure.name))
        if measure.kind == "metric":
            expr = self.model.tables[unit].metrics[measure.name].expr
            inner = re.fullmatch(r"\s*SUM\(\s*(\w+)\s*\)\s*", expr, re.I)
            if inner and inner.group(1) in self.model.tables[unit].columns:
                name = inner.group(1)
                return Measure(unit, "fact", name, agg="AVG", label="average " + humanize(name),
                               phrase=measure.phrase)  # fmt: skip
        return measure

    def _unowned_negation(self, words: list[str], matches: list[Match]) -> bool:
        """A "not" that negates no named thing ("have not transacted in the last 90 days")
        negates the time window: the rows with nothing in it."""
        for i, w in enumerate(words):
            if w not in NEGATIONS:
                continue
            if any(m.start > i and m.start - i <= 4 and m.negate for m in matches):
                continue
            if words[i + 1 : i + 3] == ["in", "the"] or (i > 0 and words[i - 1] == "than"):
                continue  # "not in the Northeast" is owned by a filter; "other than" by a value
            return True
        return False

    def _comparisons(
        self, tokens: list[Token], matches: list[Match], unresolved: list[str]
    ) -> list[Condition]:
        """Conditions for "over $5K", "above 70"…; a comparison nothing numeric owns is added
        to `unresolved` (the question is then clarified, never answered without it)."""
        words = [t.norm for t in tokens]
        out: list[Condition] = []
        for i, token in enumerate(tokens):
            if token.number is None:
                continue
            op = None
            op_start = i
            for length in (2, 1):
                key = tuple(words[i - length : i]) if i - length >= 0 else None
                if key and key in GREATER:
                    op, op_start = GREATER[key], i - length
                    break
            number2 = None
            if op is None and i >= 1 and words[i - 1] == "between":
                if (
                    i + 2 < len(tokens)
                    and words[i + 1] == "and"
                    and tokens[i + 2].number is not None
                ):
                    op, op_start, number2 = "between", i - 1, tokens[i + 2].number
            if op is None and i + 2 < len(words) and words[i + 1] == "or":
                if words[i + 2] in ("more", "higher", "above", "greater"):
                    op = ">="
                elif words[i + 2] in ("less", "fewer", "lower", "below"):
                    op = "<="
            if op is None:
                continue
            target = self._comparison_target(tokens, matches, op_start, i)
            if target is None:
                unresolved.append(" ".join(t.raw for t in tokens[op_start : i + 1]))
                continue
            table, name, is_metric = target
            label_name = humanize(name)
            value_text = _format_number(token.number, token.is_money or self._is_money(table, name))
            if number2 is not None:
                value_text += " and " + _format_number(number2, token.is_money)
            op_text = {">": "over", ">=": "at least", "<": "under", "<=": "at most", "=": "exactly",
                       "between": "between"}[op]  # fmt: skip
            out.append(
                Condition(
                    table,
                    "compare",
                    column="" if is_metric else name,
                    metric=name if is_metric else "",
                    op=op,
                    number=token.number,
                    number2=number2,
                    label=f"with {label_name} {op_text} {value_text}",
                )
            )
        return out

    def _comparison_target(
        self, tokens: list[Token], matches: list[Match], op_start: int, num_at: int
    ) -> tuple[str, str, bool] | None:
        words = [t.norm for t in tokens]
        # age words
        if words[op_start] in ("older", "younger") or (
            num_at + 1 < len(words)
            and words[num_at + 1] in ("year", "yr")
            and num_at + 2 < len(words)
            and words[num_at + 2] == "old"
        ):
            age = self._age_column(list(self.model.tables))
            if age is not None:
                return age
        # "customers over 65": people counted by a bare number are counted by their age
        entity = next(
            (
                m for m in matches
                if m.end <= op_start and all(w in ("are", "who", "aged", "is") for w in
                                             words[m.end : op_start])
                and any(c.kind == "table" or (c.kind == "metric" and m.start == 0)
                        for c in m.candidates)
            ),
            None,
        )  # fmt: skip
        token = tokens[num_at]
        plain = not token.is_money and token.number is not None and 0 < token.number < 130
        if entity is not None and plain and not any(m.start == num_at + 1 for m in matches):
            age = self._age_column([c.table for c in entity.candidates])
            if age is not None:
                return age
        numeric = [
            m for m in matches
            if any(self._numeric_candidate(c) for c in m.candidates)
            and not any(c.kind == "table" for c in m.candidates)
        ]  # fmt: skip
        # "more than 300 transactions": a table noun after the number → its count column
        nxt = next((m for m in matches if m.start == num_at + 1), None)
        if nxt is not None and any(c.kind == "table" for c in nxt.candidates):
            stem_word = words[nxt.start]
            for m_table in [c.table for c in matches[0].candidates] + list(self.model.tables):
                for column in self.model.tables[m_table].columns.values():
                    if column.kind == "fact" and stem_word in phrase_tokens(humanize(column.name)):
                        return m_table, column.name, False
        after = [m for m in numeric if m.start > num_at and m.start - num_at <= 2]
        before = [m for m in numeric if m.end <= op_start and op_start - m.end <= 3]
        pick = after[0] if after else (before[-1] if before else None)
        if pick is None:
            return None
        monthly = (
            num_at + 2 < len(words)
            and words[num_at + 1] in ("/", "a", "per")
            and words[num_at + 2] == "month"
        )
        cands = [c for c in pick.candidates if self._numeric_candidate(c)]
        if monthly:
            cands.sort(key=lambda c: "month" not in c.name)
        chosen = pick.chosen if pick.chosen in cands else cands[0]
        pick.chosen = chosen
        return chosen.table, chosen.name, chosen.kind == "metric"

    def _age_column(self, tables: list[str]) -> tuple[str, str, bool] | None:
        """The column called (or also known as) "age", in `tables` or a table they join to."""
        near = list(tables)
        for t in tables:
            near += [x for x in self._graph.reach(t) if x not in near]
        for name in near + [t for t in self.model.tables if t not in near]:
            for column in self.model.tables[name].columns.values():
                if column.name.lower() == "age" or "age" in (s.lower() for s in column.synonyms):
                    return name, column.name, False
        return None

    def _numeric_candidate(self, c: Candidate) -> bool:
        if c.kind == "metric":
            return True
        if c.kind == "column":
            column = self.model.tables[c.table].columns[c.name]
            return column.is_numeric and not column.is_time
        return False

    def _is_money(self, table: str, name: str) -> bool:
        return any(h in name.lower() for h in MONEY_HINTS)

    def _is_time_column(self, c: Candidate) -> bool:
        return c.kind == "column" and self.model.tables[c.table].columns[c.name].is_time

    def _focus(
        self,
        matches: list[Match],
        temporal: bool,
        explicit_time: list[Match],
        hint: list[str],
    ) -> str | None:
        scores: dict[str, float] = {}
        for m in matches:
            tables = {c.table for c in m.candidates}
            weight = 1.0 / len(tables)
            # a value or named filter pulls hard towards its table, unless several tables hold
            # it (then the other words decide: "merchants by spend in Dining")
            strong = len(tables) == 1 and any(c.kind in ("value", "filter") for c in m.candidates)
            for t in tables:
                scores[t] = scores.get(t, 0.0) + weight * (2.0 if strong else 1.0)
        for t in hint:
            scores[t] = scores.get(t, 0.0) + 0.75
        events = set()
        if temporal and not explicit_time:
            for t in list(scores):
                if self._graph.is_event(t) and self.model.tables[t].time_dimensions:
                    scores[t] += 1.5
                    events.add(t)
        if not scores:
            return None
        order = list(self.model.tables)
        available = [t for t in scores if t not in self.lex.missing_tables]
        pool = available or list(scores)
        # a tie over a time window goes to the events ("customers who spent most last month")
        return max(pool, key=lambda t: (scores[t], t in events, -order.index(t)))

    def _choose(self, m: Match, focus: str | None, hint: list[str]) -> Candidate | None:
        if len(m.candidates) == 1:
            return m.candidates[0]
        in_focus = [c for c in m.candidates if c.table == focus]
        pool = in_focus or [c for c in m.candidates if c.table in hint]
        if not pool:
            reachable = (
                [c for c in m.candidates if self._graph.connect([focus, c.table])] if focus else []
            )
            pool = reachable or m.candidates
        rank = {"filter": 0, "value": 1, "metric": 2, "column": 3, "table": 4}
        reach = self._graph.reach(focus) if focus else {}
        # a value named with its column nearby wins; then the nearest table along the focus's
        # joins, and of equally near ones the more specific (a lookup only the focus joins,
        # not a hub every table joins: "spend in Dining" is the transactions' category, not the
        # customers' top category); else prefer coarser columns (fewer values)
        return sorted(
            pool,
            key=lambda c: (
                rank.get(c.kind, 9),
                not c.exact,
                len(reach.get(c.table, ())) or 99 if c.kind == "value" and reach else 0,
                self._graph.degree(c.table) if c.kind == "value" and reach else 0,
                c.kind == "value"
                and c.value not in self.model.tables[c.table].columns[c.name].sample_values,
                len(self.lex.values.get((c.table, c.name), [])) if c.kind == "value" else 0,
            ),
        )[0]

    def _grouping_for(self, c: Candidate) -> Grouping | None:
        if c.kind == "table":
            table = self.model.tables[c.table]
            if not table.primary_key:
                return None
            return Grouping(c.table, table.primary_key[0], label=table.entity)
        column = self.model.tables[c.table].columns[c.name]
        if column.is_time:
            return Grouping(c.table, c.name, "MONTH", label="month")
        if column.kind == "fact":
            return None
        return Grouping(c.table, c.name, label=humanize(c.name))

    def _values_label(self, column: Column, values: list[str], negate: bool) -> str:
        shown = [STATE_NAMES.get(v, v) if (column.table, column.name) in self.lex.state_columns
                 else v for v in values]  # fmt: skip
        joined = " or ".join(shown)
        if (column.table, column.name) in self.lex.state_columns:
            return ("outside " if negate else "in ") + joined
        if negate:
            return f"with {humanize(column.name)} other than {joined}"
        return f"with {humanize(column.name)} {joined}"

    def _aggregation_before(self, words: list[str], start: int) -> str | None:
        for w in words[max(0, start - 3) : start]:
            if w in AGGREGATIONS:
                return AGGREGATIONS[w]
        return None

    def _count_before(self, words: list[str], start: int, reach: int = 4) -> bool:
        window = words[max(0, start - reach) : start]
        for cue in COUNT_CUES:
            n = len(cue)
            if any(tuple(window[i : i + n]) == cue for i in range(len(window) - n + 1)):
                return True
        return False

    def _ranking(self, words: list[str], tokens: list[Token]) -> tuple[int | None, bool | None]:
        top_n = None
        desc = None
        for i, w in enumerate(words):
            if w in ("top", "bottom", "first", "last") and i + 1 < len(tokens):
                nxt = tokens[i + 1]
                number = nxt.number if nxt.number is not None else NUMBER_WORDS.get(nxt.norm)
                if (
                    number is not None
                    and 0 < number <= 1000
                    and (
                        i + 2 >= len(words)
                        or words[i + 2] not in ("month", "day", "week", "year", "quarter")
                    )
                ):
                    top_n = int(number)
                    desc = w != "bottom"
            if w in DESC_WORDS and desc is None and w != "top":
                desc = True
            if w in ASC_WORDS and desc is None:
                desc = False
            if (
                w == "top"
                and desc is None
                and not (i + 1 < len(words) and words[i + 1] == "category")
            ):
                desc = True
        if top_n is None and desc is not None:
            # "which 3 states have the most …", "the 10 customers with the highest …"
            comparison_words = {w for key in GREATER for w in key} | {"between", "and", "or"}
            units = ("month", "day", "week", "year", "quarter", "%")
            for i, t in enumerate(tokens):
                if t.number is None or t.is_money or t.is_percent or not 0 < t.number <= 1000:
                    continue
                if i > 0 and words[i - 1] in comparison_words:
                    continue
                if i + 1 < len(words) and words[i + 1] in units or float(t.number) != int(t.number):
                    continue
                if 1900 <= t.number <= 2100:
                    continue
                top_n = int(t.number)
                break
        return top_n, desc

    def _falls(self, words: list[str], column: str) -> bool:
        """ "the biggest decline / drop / fall" in a signed change: the most negative first."""
        return bool(set(words) & FALL_WORDS) and CHANGE_COLUMN.search(column) is not None

    def _ranking_column(
        self, matches: list[Match], subject: str, comparisons: list[Condition]
    ) -> Column | None:
        for m in matches:
            c = m.chosen
            if c is not None and c.kind == "column":
                column = self.model.tables[c.table].columns[c.name]
                if column.is_numeric and not column.is_time:
                    return column
        return None

    def _list_columns(
        self, subject: str, matches: list[Match], conditions: list[Condition]
    ) -> list[tuple[str, str]]:
        table = self.model.tables[subject]
        cols: list[tuple[str, str]] = [(subject, k) for k in table.primary_key[:1]]
        for column in table.columns.values():
            if (
                column.is_text
                and "name" in column.name.lower()
                and not PII_COLUMN.search(column.name)
            ):
                cols.append((subject, column.name))
                break
        reach = self._graph.reach(subject)
        for condition in conditions:
            if condition.table not in reach:
                continue  # a condition on events ("last month"): shown by the filter, not a column
            if condition.kind in ("values", "compare", "boolean", "time") and condition.column:
                cols.append((condition.table, condition.column))
            if condition.kind == "filter":
                named = self.model.tables[condition.table].filters[condition.column]
                for column in self.model.tables[condition.table].columns.values():
                    if re.search(rf"\b{re.escape(column.expr)}\b", named.expr):
                        cols.append((condition.table, column.name))
        for m in matches:
            c = m.chosen
            if c is not None and c.kind == "column" and not PII_COLUMN.search(c.name):
                cols.append((c.table, c.name))
        # a few descriptive columns of the subject so a list reads on its own
        for column in table.columns.values():
            if len(cols) >= 7:
                break
            if column.kind == "dimension" and column.is_enum:
                if (subject, column.name) not in self.lex.empty_columns:
                    cols.append((subject, column.name))
        return list(dict.fromkeys(cols))

    def _default_count(
        self,
        groups: list[Grouping],
        conditions: list[Condition],
        subject: str,
        popular: bool,
    ) -> Measure | None:
        tables = [g.table for g in groups] + [c.table for c in conditions]
        if subject:
            tables.append(subject)
        if not tables:
            return None
        if popular or groups:
            root = self._graph.root(list(dict.fromkeys(tables)), prefer_event=popular)
            if root is None:
                return None
            table = self.model.tables[root]
            for metric in table.metrics.values():
                if (
                    metric.expr.upper().startswith("COUNT(")
                    and "DISTINCT" not in metric.expr.upper()
                ):
                    return Measure(root, "metric", metric.name, label=humanize(metric.name))
            for metric in table.metrics.values():
                if metric.expr.upper().startswith("COUNT("):
                    return Measure(root, "metric", metric.name, label=humanize(metric.name))
            key = table.primary_key[0] if table.primary_key else ""
            return Measure(root, "count", key, label=f"number of {table.entity}")
        return None

    def _time_column(
        self,
        explicit: list[Match],
        measures: list[Measure],
        conditions: list[Condition],
        focus: str | None,
    ) -> Column | None:
        for m in explicit:
            for c in [m.chosen, *m.candidates]:
                if c is not None and self._is_time_column(c):
                    return self.model.tables[c.table].columns[c.name]
        tables = (
            [m.table for m in measures] + [c.table for c in conditions] + ([focus] if focus else [])
        )
        for t in tables:
            if self._graph.is_event(t) and self.model.tables[t].time_dimensions:
                return self.model.tables[t].time_dimensions[0]
        # "last month" is about events (transactions, monthly changes) before it is about an
        # entity's own dates (an account's opening): a joined event table's time comes first
        for t in self.model.tables.values():
            if (
                self._graph.is_event(t.name)
                and t.time_dimensions
                and t.name not in self.lex.missing_tables
                and self._graph.connect([t.name, *tables])
            ):
                return t.time_dimensions[0]
        for t in tables:
            if self.model.tables[t].time_dimensions:
                return self.model.tables[t].time_dimensions[0]
        return None

    def _complete_periods(self, column: Column, grain: str) -> Condition | None:
        """A trend leaves out the period in progress (one day of a month reads as a collapse)."""
        anchor = self.lex.anchor(column.table, column.name)
        if anchor is None:
            return None
        nxt = anchor + timedelta(days=1)
        starts = {
            "DAY": nxt,
            "WEEK": nxt - timedelta(days=nxt.weekday()),
            "MONTH": nxt.replace(day=1),
            "QUARTER": date(nxt.year, 3 * ((nxt.month - 1) // 3) + 1, 1),
            "YEAR": date(nxt.year, 1, 1),
        }
        end = starts.get(grain)
        if end is None or end == nxt:
            return None
        return Condition(
            column.table,
            "time",
            column.name,
            end=end.isoformat(),
            label=f"(complete {grain.lower()}s, before {_day(end)})",
        )

    def _retarget_for_time(
        self, measures: list[Measure], conditions: list[Condition], extra: list[str] = ()
    ) -> list[Measure]:
        """A measure of an entity table (no event time) "by month" → the same words on an
        event table that joins it (average spend per customer → spend per month). `extra`:
        tables that must be reachable too (a grouping by merchant category)."""
        tables = [m.table for m in measures] + [c.table for c in conditions] + list(extra)
        if not extra and any(
            self._graph.is_event(t) and self.model.tables[t].time_dimensions for t in tables
        ):
            return measures
        if extra and all(x in self._graph.reach(m.table) for m in measures for x in tables):
            return measures
        events = [
            t for t in self.model.tables
            if self._graph.is_event(t) and self.model.tables[t].time_dimensions
            and t not in self.lex.missing_tables
            and all(x in self._graph.reach(t) for x in tables)
        ]  # fmt: skip
        out = []
        for measure in measures:
            replaced = None
            words = phrase_tokens(measure.phrase or measure.label)
            for event in events:
                for n in range(len(words), 0, -1):
                    for i in range(len(words) - n + 1):
                        # the words left out may only say how to aggregate ("average
                        # spend" → spend), never what ("spend decline" is not spend)
                        left_out = words[:i] + words[i + n :]
                        if any(
                            w not in AGGREGATIONS and w not in FILLER and w not in GRAINS
                            for w in left_out
                        ):
                            continue
                        for c in self.lex.phrases.get(words[i : i + n], []):
                            if c.table == event and c.kind in ("metric", "column"):
                                if (
                                    c.kind == "column"
                                    and self.model.tables[event].columns[c.name].kind != "fact"
                                ):
                                    continue
                                kind = "metric" if c.kind == "metric" else "fact"
                                label = humanize(c.name)
                                agg = "SUM" if kind == "fact" else ""
                                replaced = Measure(
                                    event, kind, c.name, agg=agg, label=label, phrase=measure.phrase
                                )
                                break
                        if replaced:
                            break
                    if replaced:
                        break
                if replaced:
                    break
            out.append(replaced or measure)
        return out

    # --- time ------------------------------------------------------------------------------
    def _time_window(self, text: str) -> tuple[str, int, int | None] | None:
        """("last", N, unit-months/days) etc. — a normalized description of the window."""
        num = (
            r"(\d+(?:\.0)?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|eighteen)"
        )
        m = re.search(
            rf"\b(?:last|past|previous|prior|trailing)\s+{num}\s+(day|week|month|quarter|year)\b",
            text,
        )
        if m:
            n = m.group(1)
            count = int(float(n)) if n[0].isdigit() else {**NUMBER_WORDS, "eighteen": 18}[n]
            return (
                "last",
                count,
                {"day": 1, "week": 7, "month": -1, "quarter": -3, "year": -12}[m.group(2)],
            )
        m = re.search(r"\b(?:last|past|previous|prior)\s+(day|week|month|quarter|year)\b", text)
        if m:
            return (
                "last",
                1,
                {"day": 1, "week": 7, "month": -1, "quarter": -3, "year": -12}[m.group(1)],
            )
        m = re.search(
            r"\b(?:this|current)\s+(week|month|quarter|year)\b"
            r"|\b(month|year) to date\b|\b(ytd|mtd)\b",
            text,
        )
        if m:
            unit = m.group(1) or m.group(2) or ("year" if m.group(3) == "ytd" else "month")
            return ("this", 0, {"week": 7, "month": -1, "quarter": -3, "year": -12}[unit])
        month_names = "|".join(sorted(MONTHS, key=len, reverse=True))
        m = re.search(rf"\bsince\s+({month_names})(?:\s+(20\d\d))?\b", text)
        if m:
            return ("since_month", MONTHS[m.group(1)], int(m.group(2)) if m.group(2) else None)
        m = re.search(r"\bsince\s+(20\d\d)\b", text)
        if m:
            return ("since_year", int(m.group(1)), None)
        m = re.search(rf"\b(?:in|during|for|of)\s+({month_names})(?:\s+(20\d\d))?\b", text)
        if m and m.group(1) not in ("may", "mar") or (m and m.group(2)):
            return ("month", MONTHS[m.group(1)], int(m.group(2)) if m.group(2) else None)
        m = re.search(
            r"\b(?:q([1-4])|([1-4])(?:\.0)?\s*(?:st|nd|rd|th)\s+quarter"
            r"|(first|second|third|fourth)\s+quarter)"
            r"(?:\s+(?:of\s+)?(20\d\d))?\b",
            text,
        )
        if m:
            ordinal = {"first": 1, "second": 2, "third": 3, "fourth": 4}
            quarter = int(m.group(1) or m.group(2) or ordinal[m.group(3)])
            return ("quarter", quarter, int(m.group(4)) if m.group(4) else None)
        m = re.search(r"\b(?:in|during|for|of)\s+(20\d\d)\b", text)
        if m:
            return ("year", int(m.group(1)), None)
        if re.search(r"\byesterday\b", text):
            return ("last", 1, 1)
        return None

    def _window_bounds(
        self, window: tuple[str, int, int | None], column: Column
    ) -> tuple[str, str, str]:
        anchor = self.lex.anchor(column.table, column.name) or date.today()
        kind, n, unit = window
        month_start = anchor.replace(day=1)
        complete = anchor.day == calendar.monthrange(anchor.year, anchor.month)[1]
        if kind == "last" and unit is not None and unit > 0:  # days / weeks
            days = n * unit
            start = anchor - timedelta(days=days - 1)
            end = anchor + timedelta(days=1)
            label = f"in the last {days} days ({_day(start)} to {_day(anchor)})"
        elif kind == "last" and unit is not None:  # months, quarters, years
            months = n * -unit
            end = _add_months(month_start, 1) if complete else month_start
            start = _add_months(end, -months)
            label = (
                f"in the last {months} complete months "
                f"({_month(start)} to {_month(_add_months(end, -1))})"
                if months > 1
                else f"last month ({_month(start)})"
            )
        elif kind == "this":
            months = -(unit or -1)
            if unit == 7:
                start = anchor - timedelta(days=anchor.weekday())
            elif months == 12:
                start = date(anchor.year, 1, 1)
            elif months == 3:
                start = date(anchor.year, 3 * ((anchor.month - 1) // 3) + 1, 1)
            else:
                start = month_start
            end = anchor + timedelta(days=1)
            label = f"from {_day(start)} to {_day(anchor)} (to date)"
        elif kind == "since_month":
            year = unit or (anchor.year if n <= anchor.month else anchor.year - 1)
            start = date(year, n, 1)
            end = anchor + timedelta(days=1)
            label = f"since {_month(start)}"
        elif kind == "since_year":
            start = date(n, 1, 1)
            end = anchor + timedelta(days=1)
            label = f"since {n}"
        elif kind == "month":
            year = unit or (anchor.year if n <= anchor.month else anchor.year - 1)
            start = date(year, n, 1)
            end = _add_months(start, 1)
            label = f"in {_month(start)}"
        elif kind == "quarter":
            first_month = 3 * (n - 1) + 1
            year = unit or (anchor.year if first_month <= anchor.month else anchor.year - 1)
            start = date(year, first_month, 1)
            end = _add_months(start, 3)
            label = f"in Q{n} {year}"
        else:  # year
            start = date(n, 1, 1)
            end = date(n + 1, 1, 1)
            label = f"in {n}"
        return start.isoformat(), end.isoformat(), label

    def _grain(self, words: list[str]) -> str:
        text = " ".join(words)
        for i, w in enumerate(words):
            if w in GRAINS and (
                w.endswith("ly")
                or (i > 0 and words[i - 1] in ("by", "per", "each", "every"))
                or (i > 1 and words[i - 2] in ("by", "per") and words[i - 1] == "the")
            ):
                return GRAINS[w]
        if any(t in text for t in TREND_WORDS) or "over time" in text:
            return "MONTH"
        return ""

    # --- follow-ups -----------------------------------------------------------------------
    def _merge(
        self,
        previous: Intent,
        measures: list[Measure],
        groups: list[Grouping],
        conditions: list[Condition],
        top_n: int | None,
        desc: bool | None,
        subject: str,
    ) -> ParseResult:
        intent = Intent.from_dict(previous.to_dict())
        intent.notes = []
        for condition in conditions:
            cols = self._condition_columns(condition)
            intent.conditions = [
                c for c in intent.conditions
                if not (self._condition_columns(c) & cols)
                and not (c.kind == condition.kind == "time")
            ]  # fmt: skip
            intent.conditions.append(condition)
        if measures:
            intent.measures = measures
            if intent.mode != "aggregate":
                intent.mode = "aggregate"
        if any(g.grain for g in groups):
            intent.measures = self._retarget_for_time(intent.measures, intent.conditions)
            column = self._time_column([], intent.measures, intent.conditions, None)
            if column is not None:
                groups = [
                    Grouping(column.table, column.name, g.grain, g.label) if g.grain else g
                    for g in groups
                ]
                intent.conditions = [
                    c for c in intent.conditions
                    if not (c.kind == "time" and not c.start and c.column != column.name)
                ]  # fmt: skip
                grain = next(g.grain for g in groups if g.grain)
                if not any(c.kind == "time" for c in intent.conditions):
                    cut = self._complete_periods(column, grain)
                    if cut is not None:
                        intent.conditions.append(cut)
        if groups:
            intent.groups = groups
            intent.compare_overall = False
            if intent.mode == "list" and not intent.measures:
                table = self.model.tables[intent.subject]
                key = table.primary_key[0] if table.primary_key else ""
                intent.measures = [
                    Measure(intent.subject, "count", key, label=f"number of {table.entity}")
                ]
                intent.mode = "aggregate"
            if any(g.grain for g in groups):
                intent.order_by, intent.order_desc, intent.limit = "", None, None
            elif not intent.order_by:
                intent.order_by, intent.order_desc = "measure:0", True
        if top_n:
            intent.limit = top_n
        if desc is not None and intent.order_by:
            intent.order_desc = desc
        if intent.mode == "list":
            for condition in conditions:
                if (
                    condition.column
                    and (condition.table, condition.column) not in intent.list_columns
                ):
                    intent.list_columns.append((condition.table, condition.column))
        return self._finish(intent)

    def _condition_columns(self, condition: Condition) -> set[tuple[str, str]]:
        if condition.kind == "filter":
            named = self.model.tables[condition.table].filters[condition.column]
            return {
                (condition.table, col.name)
                for col in self.model.tables[condition.table].columns.values()
                if re.search(rf"\b{re.escape(col.expr)}\b", named.expr)
            } or {(condition.table, condition.column)}
        return {(condition.table, condition.column or condition.metric)}

    # --- clarifications ----------------------------------------------------------------------
    def _unknown_words(self, tokens: list[Token], matches: list[Match]) -> list[str]:
        covered = {i for m in matches for i in range(m.start, m.end)}
        out = []
        for i, t in enumerate(tokens):
            if i in covered or t.number is not None or not t.raw[:1].isalpha():
                continue
            if t.norm in FILLER or t.norm in AGGREGATIONS or t.norm in GRAINS or len(t.norm) <= 2:
                continue
            if (
                t.norm in NEGATIONS
                or t.norm in SHARE_WORDS
                or t.norm in POPULAR
                or t.norm in MONTHS
            ):
                continue
            if t.norm in DESC_WORDS | ASC_WORDS | COMPARE_WORDS | OVERALL_WORDS | LIST_CUES:
                continue
            out.append(t.raw)
        return out

    def _dangling_aggregation(self, tokens: list[Token], matches: list[Match]) -> str:
        """An aggregation word followed by a word the model does not know ("average income")."""
        starts = {m.start for m in matches}
        covered = {i for m in matches for i in range(m.start, m.end)}
        for i, t in enumerate(tokens):
            if t.norm not in AGGREGATIONS or i in covered:
                continue
            j = i + 1
            while j < len(tokens) and tokens[j].norm in ("the", "a", "an", "of", "our", "monthly"):
                j += 1
            if j >= len(tokens) or j in starts or j in covered:
                continue
            word = tokens[j]
            if word.norm in FILLER or not word.raw[:1].isalpha() or word.norm in GRAINS:
                continue
            return word.raw
        return ""

    def _clarify_measure(self, word: str, focus: str | None) -> ParseResult:
        options = self._measure_suggestions(focus)
        return ParseResult(
            clarify=f"I could not find '{word}' in the {self.model.name} semantic model. "
            f"I can measure: {', '.join(options[:6])}.",
            suggestions=[f"What is the {o}?" for o in options[:4]],
        )

    def _clarify_comparison(self, text: str, focus: str | None) -> ParseResult:
        tables = [focus] if focus else []
        tables += [t for t in self.model.tables if t not in tables]
        numeric = [
            humanize(c.name)
            for t in tables
            for c in self.model.tables[t].columns.values()
            if c.is_numeric and not c.is_time and not c.unique and not c.name.endswith("_key")
        ]
        options = list(dict.fromkeys(numeric))[:6]
        return ParseResult(
            clarify=f"'{text}' of what? Name the number to compare, e.g. {', '.join(options)}.",
            suggestions=[
                f"{self.model.tables[tables[0]].entity.capitalize()} with {o} {text}"
                for o in options[:3]
            ],
        )

    def _clarify_ranking(self, subject: str) -> ParseResult:
        table = self.model.tables[subject]
        facts = [c.name for c in table.columns.values() if c.kind == "fact"]
        facts.sort(key=lambda n: not any(h in n for h in MONEY_HINTS))
        return ParseResult(
            clarify=f"Ranked by what? I can rank {table.entity} by "
            + ", ".join(humanize(f) for f in facts[:5])
            + ".",
            suggestions=[f"Top 10 {table.entity} by {humanize(f)}" for f in facts[:3]],
        )

    def _clarify_words(
        self,
        unknown: list[str],
        focus: str | None,
        matches: Sequence[Match] = (),
        question: str = "",
    ) -> ParseResult:
        """An unknown name. When the question also names an enum-like dimension ("a Platinum
        card": card type), say which values it has and offer the question with each of them
        instead of the unknown word."""
        hints: list[str] = []
        suggestions: list[str] = []
        for m in matches:
            chosen = m.chosen
            if chosen is None or chosen.kind != "column":
                continue
            column = self.model.tables[chosen.table].columns[chosen.name]
            values = [str(v) for v in column.sample_values]
            if column.kind != "dimension" or not column.is_enum or not values:
                continue
            name = humanize(column.name).capitalize()
            hints.append(f"{name} is one of: {', '.join(values[:8])}.")
            word = re.compile(rf"\b{re.escape(unknown[0])}\b")
            if question and word.search(question):
                suggestions += [word.sub(value, question, count=1) for value in values[:3]]
        return ParseResult(
            clarify=f"I don't know what '{' '.join(unknown[:3])}' refers to in the "
            f"{self.model.name} semantic model." + (" " + " ".join(hints[:2]) if hints else ""),
            suggestions=list(dict.fromkeys(suggestions))[:4]
            or self.model.onboarding_questions()[:4],
        )

    def _clarify_unknown(self, tokens: list[Token], matches: list[Match]) -> ParseResult:
        unknown = self._unknown_words(tokens, matches)
        about = f" ('{' '.join(unknown[:3])}')" if unknown else ""
        return ParseResult(
            clarify=f"I could not map that question{about} to the {self.model.name} semantic "
            "model. Try one of these, or name a measure and a filter.",
            suggestions=self.model.onboarding_questions()[:5],
        )

    def _measure_suggestions(self, focus: str | None) -> list[str]:
        tables = [self.model.tables[focus]] if focus else list(self.model.tables.values())
        names: list[str] = []
        for table in tables + [t for t in self.model.tables.values() if t not in tables]:
            names += [humanize(m) for m in table.metrics]
        return list(dict.fromkeys(names))


class _Graph:
    """The model's relationships as a graph: which tables join, and in which direction."""

    def __init__(self, model: SemanticModel):
        self.model = model
        self.forward: dict[str, set[str]] = {t: set() for t in model.tables}
        self.edges: dict[tuple[str, str], Any] = {}
        for rel in model.relationships:
            if rel.left_table not in model.tables or rel.right_table not in model.tables:
                continue
            self.forward[rel.left_table].add(rel.right_table)
            self.edges[(rel.left_table, rel.right_table)] = rel
            if rel.relationship_type == "one_to_one":
                self.forward[rel.right_table].add(rel.left_table)
                self.edges[(rel.right_table, rel.left_table)] = rel

    def degree(self, table: str) -> int:
        """How many relationships touch `table` (a hub is joined by many, a lookup by one)."""
        return sum(table in (r.left_table, r.right_table) for r in self.model.relationships)

    def is_event(self, table: str) -> bool:
        return any(
            r.left_table == table and r.relationship_type == "many_to_one"
            for r in self.model.relationships
        )

    def reach(self, root: str) -> dict[str, list[str]]:
        """Tables reachable from `root` along many→one / one→one edges, with their paths."""
        paths = {root: [root]}
        queue = [root]
        while queue:
            node = queue.pop(0)
            for nxt in sorted(self.forward[node]):
                if nxt not in paths:
                    paths[nxt] = paths[node] + [nxt]
                    queue.append(nxt)
        return paths

    def root(self, tables: list[str], prefer_event: bool = False) -> str | None:
        """The table from which every one of `tables` is reachable (no fan-out), nearest first."""
        candidates = []
        for t in self.model.tables:
            paths = self.reach(t)
            if all(x in paths for x in tables):
                cost = sum(len(paths[x]) for x in tables)
                candidates.append((0 if t in tables and not prefer_event else 1, cost, t))
        if prefer_event:
            events = [c for c in candidates if self.is_event(c[2])]
            candidates = events or candidates
        return min(candidates)[2] if candidates else None

    def connect(self, tables: list[str]) -> bool:
        tables = [t for t in tables if t]
        if len(set(tables)) <= 1:
            return True
        undirected: dict[str, set[str]] = {t: set() for t in self.model.tables}
        for a, b in self.edges:
            undirected[a].add(b)
            undirected[b].add(a)
        seen = {tables[0]}
        queue = [tables[0]]
        while queue:
            node = queue.pop()
            for nxt in undirected[node]:
                if nxt not in seen:
                    seen.add(nxt)
                    queue.append(nxt)
        return all(t in seen for t in tables)


def _add_months(d: date, months: int) -> date:
    index = d.year * 12 + d.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _month(d: date) -> str:
    return f"{calendar.month_name[d.month]} {d.year}"


def _day(d: date) -> str:
    return f"{d.day} {calendar.month_abbr[d.month]} {d.year}"


def _format_number(value: float, money: bool) -> str:
    if money:
        return f"${value:,.0f}" if value == int(value) else f"${value:,.2f}"
    return f"{value:,.0f}" if value == int(value) else f"{value:,.2f}"


__all__ = ["Condition", "Grouping", "Intent", "Measure", "ParseResult", "Parser", "phrase_tokens"]
