"""What the assistant refuses before any backend sees the question (nothing runs for these).

- requests to change data (delete, drop, update, insert, … or an imperative "change/set/…");
- SQL-injection text (statement separators with SQL, comments, quote tricks, UNION SELECT);
- prompt injection ("ignore previous instructions", "you are now …", "reveal your prompt");
- personal data that is not ours to hand out (SSNs, passwords, card numbers, phone numbers,
  addresses) and bulk dumps of contact details (every customer's e-mail);
- topics outside any analytics model (weather, news, jokes, …).

These are questions *about the request*, written once for every semantic model; the offline
parser still refuses nothing it merely cannot map — that is a `clarify`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

_WRITE_WORDS = re.compile(
    # "drop" alone is also a fall ("the largest drop in spend"): a write only as a command
    # or with a database object after it
    r"^\s*(please\s+|can\s+you\s+|could\s+you\s+)?drop\b"
    r"|\bdrop\s+(table|tables|view|views|schema|database|column|index|the\s+\w+\s+table)\b"
    r"|\b(delete|truncate|insert|update|alter|grant|revoke|merge\s+into|upsert|overwrite|"
    r"erase|wipe|purge|shutdown|vacuum|attach|detach|pragma|install|copy\s+\w+\s+to)\b",
    re.I,
)
_WRITE_IMPERATIVE = re.compile(
    r"^\s*(please\s+|can\s+you\s+|could\s+you\s+|go\s+ahead\s+and\s+)?"
    r"(change|modify|set|rename|remove|edit|reset|upgrade|downgrade|cancel|close|assign|mark|"
    r"add|create|write|save|store|move|replace|fix|correct|increase|decrease|raise|lower)\b",
    re.I,
)
_INJECTION_SQL = re.compile(
    r"(;\s*\w+)|(--)|(/\*)|(\*/)|(\bunion\s+(all\s+)?select\b)|(['\"]\s*(or|and)\s+['\"]?\w+['\"]?\s*=)"
    r"|(\b(sleep|benchmark|pg_sleep|waitfor\s+delay|xp_cmdshell|load_extension|read_csv|read_parquet|"
    r"getenv|system\$\w+)\s*\()|(\bexec(ute)?\s*\()|(\b1\s*=\s*1\b)",
    re.I,
)
_PROMPT_INJECTION = re.compile(
    r"\b(ignore|disregard|forget|override|bypass)\b.{0,40}\b(instruction|instructions|rules|prompt|"
    r"guardrails?|policy|policies|previous|above|prior)\b"
    r"|\b(system|developer|hidden)\s+prompt\b|\byou\s+are\s+now\b|\bact\s+as\b|\bpretend\s+(to\s+be|you)\b"
    r"|\bjailbreak\b|\bdeveloper\s+mode\b|\bdo\s+anything\s+now\b|\breveal\b.{0,30}\b(prompt|instructions)\b"
    r"|\bnew\s+instructions\b|\bfrom\s+now\s+on\b",
    re.I,
)
_SECRET_PII = re.compile(
    r"\b(ssns?|social\s+security|passwords?|passcodes?|pins?|cvv|cvc|security\s+codes?|"
    r"(credit\s+)?card\s+numbers?|account\s+numbers?|routing\s+numbers?|phone\s+numbers?|"
    r"telephone|mobile\s+numbers?|home\s+address(es)?|street\s+address(es)?|addresses|"
    r"date\s+of\s+birth|dob|birthdays?|driver'?s?\s+licen[cs]e|passport|tax\s+id)\b",
    re.I,
)
_CONTACT_DUMP = re.compile(r"\b(e-?mails?|email\s+address(es)?|contact\s+details)\b", re.I)
_BULK = re.compile(
    r"\b(all|every|each|everyone|list|export|dump|download|extract|entire|whole)\b", re.I
)
_OUT_OF_SCOPE = re.compile(
    r"\b(weather|forecast|temperature|rain|news|headlines?|stock\s+price|share\s+price|bitcoin|"
    r"crypto|sports?|football|soccer|recipes?|jokes?|poems?|poetry|lyrics|translate|"
    r"capital\s+of|president|prime\s+minister|horoscope|restaurant\s+near|write\s+(me\s+)?"
    r"(a\s+)?(code|script|program|essay|story)|meaning\s+of\s+life)\b",
    re.I,
)
_SINGLE_ID = re.compile(r"\b[A-Za-z]{2,}\d{4,}\b")


@dataclass(frozen=True)
class Refusal:
    reason: str  # write | sql_injection | prompt_injection | pii | out_of_scope
    message: str


def check(question: str, known: Callable[[str], bool] = lambda phrase: False) -> Refusal | None:
    """A refusal for questions the assistant must not act on, else None.

    `known(phrase)` says whether the semantic model knows a phrase: an out-of-scope topic word
    that the model does know (a "Sports" category, say) is not refused.
    """
    text = question.strip()
    if not text:
        return None
    if _PROMPT_INJECTION.search(text):
        return Refusal(
            "prompt_injection",
            "I can't follow instructions embedded in a question; I only answer questions about "
            "the data in the semantic model.",
        )
    if _INJECTION_SQL.search(text):
        return Refusal(
            "sql_injection",
            "That question contains SQL syntax (statement separators, comments or quote tricks). "
            "Ask in plain words; I write the query myself and it only ever reads.",
        )
    if _WRITE_WORDS.search(text) or _WRITE_IMPERATIVE.search(text):
        return Refusal(
            "write",
            "I can only read data: I never change, add or delete anything. Ask a question "
            "about the data instead.",
        )
    if _SECRET_PII.search(text):
        return Refusal(
            "pii",
            "I don't provide personal identifiers or secrets (SSNs, passwords, card or phone "
            "numbers, addresses); most are not in the analytics data at all.",
        )
    if _CONTACT_DUMP.search(text) and _BULK.search(text) and not _SINGLE_ID.search(text):
        return Refusal(
            "pii",
            "I don't export contact details in bulk. Ask for an analysis, or look up one "
            "customer's profile by its id.",
        )
    topic = _OUT_OF_SCOPE.search(text)
    if topic and not known(topic.group(0)):
        return Refusal(
            "out_of_scope",
            "That is outside the data I can answer about. I answer questions about the tables "
            "in the semantic model.",
        )
    return None
