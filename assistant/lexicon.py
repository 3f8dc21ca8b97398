"""Words → semantic model elements: the vocabulary the offline parser matches questions against.

Everything here is built from the semantic model (names, synonyms, sample values, named
filters) and from the database it points at (distinct values of enum-like text dimensions, the
latest value of each time dimension). General English knowledge that is not about any one
warehouse lives here too: US state names ↔ codes (used when a dimension's values are state
codes), month names, number words.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache

from assistant.model import Column, SemanticModel

US_STATES = {
    "alabama": "AL", "alaska": "AK", "arizona": "AZ", "arkansas": "AR", "california": "CA",
    "colorado": "CO", "connecticut": "CT", "delaware": "DE", "district of columbia": "DC",
    "washington dc": "DC", "florida": "FL", "georgia": "GA", "hawaii": "HI", "idaho": "ID",
    "illinois": "IL", "indiana": "IN", "iowa": "IA", "kansas": "KS", "kentucky": "KY",
    "louisiana": "LA", "maine": "ME", "maryland": "MD", "massachusetts": "MA",
    "michigan": "MI", "minnesota": "MN", "mississippi": "MS", "missouri": "MO",
    "montana": "MT", "nebraska": "NE", "nevada": "NV", "new hampshire": "NH",
    "new jersey": "NJ", "new mexico": "NM", "new york": "NY", "north carolina": "NC",
    "north dakota": "ND", "ohio": "OH", "oklahoma": "OK", "oregon": "OR",
    "pennsylvania": "PA", "rhode island": "RI", "south carolina": "SC", "south dakota": "SD",
    "tennessee": "TN", "texas": "TX", "utah": "UT", "vermont": "VT", "virginia": "VA",
    "washington": "WA", "west virginia": "WV", "wisconsin": "WI", "wyoming": "WY",
    "puerto rico": "PR",
}  # fmt: skip
STATE_NAMES = {code: name.title() for name, code in US_STATES.items() if name != "washington dc"}
STATE_NAMES["DC"] = "District of Columbia"

MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4,
    "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9, "october": 10, "oct": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}  # fmt: skip
NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
    "twenty five": 25, "thirty": 30, "fifty": 50, "hundred": 100, "a dozen": 12, "dozen": 12,
}  # fmt: skip

#: Distinct values up to this many make a dimension enum-like: its values are matched in any case.
ENUM_LIMIT = 100
#: Up to this many, values are matched only where the question capitalises them (proper nouns).
PROPER_NOUN_LIMIT = 5000

_TOKEN = re.compile(
    r"\$?\d[\d,]*(?:\.\d+)?(?:\s?[kKmMbB](?![a-zA-Z]))?%?|[A-Za-z][A-Za-z0-9_']*|&|[<>]=?|=|/|\?"
)
_CONTRACTIONS = (
    (
        re.compile(r"\b(do|does|did|is|are|was|were|has|have|had|would|should|could)n't\b", re.I),
        r"\1 not",
    ),
    (re.compile(r"\bcan't\b", re.I), "can not"),
    (re.compile(r"\bwon't\b", re.I), "will not"),
    (re.compile(r"\b(what|who|where|how|that|it|there)'s\b", re.I), r"\1 is"),
    (re.compile(r"'s\b"), ""),
)  # fmt: skip


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A crude singular form, applied to the question and to the vocabulary alike."""
    w = word.lower()
    if len(w) <= 3 or not w.isalpha():
        return w
    if w.endswith("ies") and len(w) > 4:
        return w[:-3] + "y"
    if w.endswith(("sses", "shes", "ches", "xes")):
        return w[:-2]
    if w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1]
    return w


@dataclass(frozen=True)
class Token:
    raw: str  # as written (case kept)
    norm: str  # lower-case, singular
    number: float | None = None
    is_money: bool = False
    is_percent: bool = False


def _number(text: str) -> tuple[float, bool, bool] | None:
    m = re.fullmatch(r"(\$)?(\d[\d,]*(?:\.\d+)?)\s?([kKmMbB])?(%)?", text)
    if not m:
        return None
    value = float(m.group(2).replace(",", ""))
    scale = {"k": 1e3, "m": 1e6, "b": 1e9}.get((m.group(3) or "").lower(), 1)
    return value * scale, bool(m.group(1)) or bool(m.group(3)), bool(m.group(4))


def tokenize(text: str) -> list[Token]:
    """Words and numbers of a question (`$5K` → 5000, money; `30%` → 30, percent)."""
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    for pattern, repl in _CONTRACTIONS:
        text = pattern.sub(repl, text)
    tokens: list[Token] = []
    for match in _TOKEN.finditer(text):
        raw = match.group(0)
        parsed = _number(raw)
        if parsed is not None:
            value, money, percent = parsed
            tokens.append(Token(raw, str(value), value, money, percent))
            continue
        if raw == "&":
            tokens.append(Token(raw, "and"))
            continue
        for part in re.split(r"[-_']", raw) if not re.search(r"\d", raw) else [raw]:
            if part:
                tokens.append(Token(part, stem(part)))
    return tokens


_PLAIN = re.compile(r"[A-Za-z &\-_.,/()]+")
_PLAIN_WORD = re.compile(r"[A-Za-z]+|&")


@lru_cache(maxsize=65536)
def phrase_tokens(phrase: str) -> tuple[str, ...]:
    """The normalized tokens of a phrase (same result as `tokenize`, faster for plain words)."""
    if _PLAIN.fullmatch(phrase):
        return tuple("and" if w == "&" else stem(w) for w in _PLAIN_WORD.findall(phrase))
    return tuple(t.norm for t in tokenize(phrase) if t.raw not in ("?",))


def humanize(name: str) -> str:
    """`avg_monthly_spend` → `avg monthly spend`."""
    return name.replace("_", " ").strip()


@dataclass(frozen=True)
class Candidate:
    """One meaning of a matched phrase."""

    kind: str  # table | column | metric | filter | value
    table: str
    name: str = ""  # column, metric or filter name
    value: str | None = None  # for kind == value
    exact: bool = True  # matched a name/synonym/value exactly (not a state-name translation)


@dataclass
class Lexicon:
    """The phrase index, the values read from the database and the data's time anchors."""

    model: SemanticModel
    phrases: dict[tuple[str, ...], list[Candidate]] = field(
        default_factory=lambda: defaultdict(list)
    )
    case_sensitive: dict[str, list[Candidate]] = field(default_factory=lambda: defaultdict(list))
    proper_nouns: dict[tuple[str, ...], list[Candidate]] = field(
        default_factory=lambda: defaultdict(list)
    )
    values: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    state_columns: set[tuple[str, str]] = field(default_factory=set)
    id_patterns: list[tuple[re.Pattern[str], Candidate]] = field(default_factory=list)
    anchors: dict[tuple[str, str], date] = field(default_factory=dict)
    missing_tables: set[str] = field(default_factory=set)
    empty_columns: set[tuple[str, str]] = field(default_factory=set)
    max_phrase: int = 1

    def add(self, phrase: str, candidate: Candidate) -> None:
        key = phrase_tokens(phrase)
        if not key:
            return
        if candidate not in self.phrases[key]:
            self.phrases[key].append(candidate)
        self.max_phrase = max(self.max_phrase, len(key))

    # --- building ---------------------------------------------------------------------
    @classmethod
    def build(
        cls,
        model: SemanticModel,
        distinct_values: dict[tuple[str, str], list[str] | None],
        anchors: dict[tuple[str, str], date],
        missing_tables: set[str],
    ) -> Lexicon:
        """`distinct_values[(table, column)]`: the column's values (None: more than the limit)."""
        lex = cls(model=model, anchors=anchors, missing_tables=set(missing_tables))
        for table in model.tables.values():
            lex.add(humanize(table.name), Candidate("table", table.name))
            for synonym in table.synonyms:
                lex.add(synonym, Candidate("table", table.name))
            for column in table.columns.values():
                candidate = Candidate("column", table.name, column.name)
                lex.add(humanize(column.name), candidate)
                for synonym in column.synonyms:
                    lex.add(synonym, candidate)
                lex._add_values(column, distinct_values.get((table.name, column.name)))
            for metric in table.metrics.values():
                candidate = Candidate("metric", table.name, metric.name)
                lex.add(humanize(metric.name), candidate)
                for synonym in metric.synonyms:
                    lex.add(synonym, candidate)
            for named in table.filters.values():
                candidate = Candidate("filter", table.name, named.name)
                lex.add(humanize(named.name), candidate)
                for synonym in named.synonyms:
                    lex.add(synonym, candidate)
        return lex

    def _add_values(self, column: Column, found: list[str] | None) -> None:
        samples = list(column.sample_values)
        if column.unique or not column.is_text:
            if column.unique and samples:
                self._add_id_pattern(column, samples)
            return
        values = list(dict.fromkeys(samples + (found or [])))
        if found is not None:
            self.values[(column.table, column.name)] = values
        is_state = bool(values) and sum(v in STATE_NAMES for v in values) >= 0.8 * len(values)
        if is_state:
            self.state_columns.add((column.table, column.name))
            for name, code in US_STATES.items():
                self.add(name, Candidate("value", column.table, column.name, code, exact=False))
            for code in STATE_NAMES:
                self.case_sensitive[code].append(
                    Candidate("value", column.table, column.name, code)
                )
            return
        enum_like = column.is_enum or (found is not None and len(found) <= ENUM_LIMIT)
        for value in values:
            candidate = Candidate("value", column.table, column.name, value)
            if enum_like:
                self.add(value, candidate)
            elif len(values) <= PROPER_NOUN_LIMIT and _PLAIN.fullmatch(value):
                key = phrase_tokens(value)
                if key and candidate not in self.proper_nouns[key]:
                    self.proper_nouns[key].append(candidate)
                    self.max_phrase = max(self.max_phrase, len(key))

    def _add_id_pattern(self, column: Column, samples: list[str]) -> None:
        shapes = set()
        for sample in samples:
            shape = re.sub(r"\d+", lambda m: rf"\d{{{len(m.group(0))}}}", re.escape(sample))
            if shape != re.escape(sample):  # only ids with digits
                shapes.add(shape)
        for shape in sorted(shapes):
            self.id_patterns.append(
                (re.compile(rf"^{shape}$", re.I), Candidate("value", column.table, column.name))
            )

    # --- lookups ----------------------------------------------------------------------
    def anchor(self, table: str, column: str) -> date | None:
        return self.anchors.get((table, column))


def to_date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return None
