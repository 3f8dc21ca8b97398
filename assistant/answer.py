"""Business-language answers and chart hints from a result (and the intent behind it)."""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from assistant.lexicon import STATE_NAMES, US_STATES, humanize
from assistant.parser import Intent


def _words(column: str) -> set[str]:
    return set(re.split(r"[^a-z0-9]+", column.lower()))


_PCT_WORDS = {"pct", "percent", "percentage", "share", "rate", "ratio"}
_CHANGE_WORDS = {"change", "lift", "vs", "difference", "growth", "delta"}
_MONEY_WORDS = {"spend", "value", "amount", "limit", "cost", "lift", "revenue", "price", "sales",
                "ltv", "income", "balance", "budget", "payment", "spending"}  # fmt: skip
_COUNT_WORDS = {"count", "number", "customers", "transactions", "rows", "merchants", "months",
                "days", "age", "observed", "tenure"}  # fmt: skip


def column_kind(column: str) -> str:
    """What a numeric result column holds, from its name: money | percent | count | number
    (how `fmt` and the dashboard's result table format it)."""
    words = _words(column)
    if words & _PCT_WORDS:
        return "percent"
    if words & _MONEY_WORDS and not words & _COUNT_WORDS:
        return "money"
    if words & _COUNT_WORDS:
        return "count"
    return "number"


def fmt(column: str, value: Any) -> str:
    """One value as a reader expects it: $ for money, % for shares, thousands separators."""
    if value is None:
        return "n/a"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        if value.day == 1 and ("month" in column or column in ("month", "period")):
            return f"{calendar.month_abbr[value.month]} {value.year}"
        return value.isoformat()
    if isinstance(value, int | float | Decimal):
        number = float(value)
        kind = column_kind(column)
        change = bool(_words(column) & _CHANGE_WORDS)
        if kind == "percent":
            return f"{number:+,.1f}%" if change else f"{number:,.1f}%"
        if kind == "money":
            sign = "-" if number < 0 else ("+" if change and number > 0 else "")
            magnitude = abs(number)
            return f"{sign}${magnitude:,.0f}" if magnitude >= 100 else f"{sign}${magnitude:,.2f}"
        if isinstance(value, int) or number.is_integer():
            return f"{number:,.0f}"
        return f"{number:,.2f}"
    return str(value)


def _label(column: str, value: Any, state_columns: set[str]) -> str:
    if column in state_columns and isinstance(value, str) and value in STATE_NAMES:
        return STATE_NAMES[value]
    return fmt(column, value)


def _conditions_text(intent: Intent) -> str:
    parts = [c.label for c in intent.conditions if c.label and c.kind != "time"]
    return " and ".join(parts)


def _time_text(intent: Intent) -> str:
    return next((c.label for c in intent.conditions if c.kind == "time"), "")


def compose(
    intent: Intent | None,
    columns: list[str],
    rows: list[tuple],
    *,
    state_columns: set[str],
    truncated: bool,
    entity: str = "rows",
) -> str:
    """One or two sentences with the numbers."""
    if intent is None:
        return _generic(columns, rows, state_columns, truncated)
    conds = _conditions_text(intent)
    when = _time_text(intent)
    scope = " ".join(x for x in (conds, when) if x)
    notes = _notes(intent)
    subject = intent.subject_label or (humanize(intent.subject) if intent.subject else entity)
    if not rows:
        return (f"No {subject} match {scope}." if scope else "The query returned no rows.") + notes
    if intent.mode == "profile":
        row = dict(zip(columns, rows[0], strict=False))
        key = columns[0]
        facts = [
            f"{humanize(c)} {_label(c, v, state_columns)}"
            for c, v in row.items()
            if c != key and v is not None
        ]
        missing = [humanize(c) for c, v in row.items() if v is None]
        text = f"{humanize(key)} {row[key]}: " + "; ".join(facts) + "."
        if missing:
            text += " Not available yet: " + ", ".join(missing) + "."
        return text
    if intent.mode == "list":
        n = len(rows)
        count = f"{n:,}{'+' if truncated else ''}"
        text = f"{count} {subject}" + (f" {scope}" if scope else "") + "."
        text = text.replace(" and with ", ", with ").replace(" and in ", ", in ")
        if truncated:
            text += f" Showing the first {n:,}."
        if intent.order_by.startswith("column:"):
            col = intent.order_by.split(".", 1)[1]
            if col in columns:
                i = columns.index(col)
                head = rows[0]
                name_col = next((j for j, c in enumerate(columns) if "name" in c), 0)
                word = "Highest" if intent.order_desc else "Lowest"
                text += f" {word} {humanize(col)}: {head[name_col]} ({fmt(col, head[i])})."
        return text + notes
    # aggregates
    measure = intent.measures[0] if intent.measures else None
    if intent.compare_overall and measure is not None and len(columns) >= 2:
        part, whole = rows[0][0], rows[0][1]
        national = any(
            c.column in {s.split(".")[-1] for s in state_columns} for c in intent.conditions
        )
        baseline = "national" if national else "overall"
        text = f"The {measure.label} {scope} is {fmt(columns[0], part)}"
        if part is not None and whole:
            diff = (float(part) / float(whole) - 1) * 100
            direction = "higher" if diff >= 0 else "lower"
            overall = fmt(columns[1], whole)
            if abs(diff) < 0.5:  # "0% lower" reads as a contradiction
                text += f", about the same as the {baseline} {measure.label} ({overall})"
            else:
                text += (
                    f", {abs(diff):.0f}% {direction} than the {baseline} {measure.label} of "
                    f"{overall}"
                )
        n = rows[0][2] if len(rows[0]) > 2 else None
        return text + (f" ({fmt('rows', n)} {subject} match)." if n is not None else ".") + notes
    if not intent.groups and measure is not None and measure.kind == "share":
        row = rows[0]
        target = measure.share_of.label if measure.share_of else ""
        verb = (
            "have " + target[5:] if target.startswith("with ")
            else "are " + target if target.startswith(("in ", "outside "))
            else "are " + target
        )  # fmt: skip
        if measure.name:
            text = f"{fmt(columns[0], row[0])} of the {humanize(measure.name)} {scope} is {target}"
        else:
            base = f"the {fmt('rows', row[1])} " if len(row) > 1 else "the "
            text = f"Of {base}{subject} {scope}, {fmt(columns[0], row[0])} {verb}"
        return text.replace("  ", " ").replace(" ,", ",").strip() + "." + notes
    is_count = measure is not None and (
        measure.kind == "count"
        or measure.label.startswith(("number of", "customer count"))
        or columns[0].endswith(("_count", "customers"))
        and isinstance(rows[0][0], int)
    )
    if not intent.groups and len(intent.measures) == 1 and is_count:
        value = rows[0][0]
        return f"{fmt('count', value)} {subject} {scope}".replace("  ", " ").strip() + "." + notes
    if not intent.groups:
        row = rows[0]
        bits = []
        for i, m in enumerate(intent.measures):
            if i < len(row):
                bits.append(
                    f"the {m.label} {scope} is {fmt(columns[i], row[i])}".replace("  ", " ")
                )
        text = "; ".join(bits)
        if len(row) > len(intent.measures):
            text += f" ({fmt(columns[-1], row[-1])} {humanize(columns[-1])})"
        return text[:1].upper() + text[1:] + "." + notes
    group = intent.groups[0]
    gcol = columns[0]
    mcol = columns[len(intent.groups)] if len(columns) > len(intent.groups) else columns[-1]
    mi = columns.index(mcol)
    label = measure.label if measure else humanize(mcol)
    if group.grain:
        first, last = rows[0], rows[-1]
        text = (
            f"{label[:1].upper() + label[1:]} {scope} by {group.grain.lower()}, "
            f"{fmt(gcol, first[0])} to {fmt(gcol, last[0])}: from {fmt(mcol, first[mi])} "
            f"to {fmt(mcol, last[mi])}"
        ).replace("  ", " ")
        if first[mi] and last[mi] is not None and float(first[mi]) != 0:
            change = (float(last[mi]) / float(first[mi]) - 1) * 100
            text += f" ({change:+.0f}%)"
        numeric = [r for r in rows if r[mi] is not None]
        if numeric:
            peak = max(numeric, key=lambda r: float(r[mi]))
            text += f"; peak {fmt(gcol, peak[0])} ({fmt(mcol, peak[mi])})"
        return text + "." + notes
    top = rows[0]
    word = "lowest" if intent.order_desc is False else "highest"
    lead = _label(gcol, top[0], state_columns)
    text = f"{label[:1].upper() + label[1:]} by {humanize(group.column)}"
    text += f" {scope}" if scope else ""
    text += f": {lead} is {word} with {fmt(mcol, top[mi])}"
    if len(rows) > 1:
        nxt = rows[1]
        text += f", then {_label(gcol, nxt[0], state_columns)} ({fmt(mcol, nxt[mi])})"
    text += f"; {len(rows):,} {humanize(group.column)} values shown."
    return text + notes


def _notes(intent: Intent) -> str:
    if not intent.notes:
        return ""
    return " Definitions: " + "; ".join(dict.fromkeys(intent.notes))


def _nice(column: str) -> str:
    text = humanize(column)
    for name in sorted(US_STATES, key=len, reverse=True):
        text = re.sub(rf"\b{name}\b", name.title(), text)
    return text


def _generic(
    columns: list[str], rows: list[tuple], state_columns: set[str], truncated: bool
) -> str:
    """Text for SQL the parser did not write (a verified query, Cortex, an LLM)."""
    if not rows:
        return "The query returned no rows."
    if len(rows) == 1:
        row = dict(zip(columns, rows[0], strict=False))
        for col in columns:
            for prefix in ("national_", "overall_", "all_", "total_"):
                if not col.startswith(prefix):
                    continue
                rest = col[len(prefix) :]
                part = next(
                    (c for c in columns if c != col and c.endswith(rest) and c != rest), None
                )
                if part is None or row[part] is None or not row[col]:
                    continue
                diff = (float(row[part]) / float(row[col]) - 1) * 100
                subject = _nice(part[: -len(rest)].strip("_")) or "selection"
                word = "higher" if diff >= 0 else "lower"
                text = (
                    f"The {humanize(rest)} of {subject} is {fmt(part, row[part])}, "
                    f"{abs(diff):.0f}% {word} than the {prefix.strip('_')} {humanize(rest)} "
                    f"of {fmt(col, row[col])}"
                )
                others = [
                    f"{_nice(c)}: {_label(c, v, state_columns)}"
                    for c, v in row.items()
                    if c not in (part, col) and not ("_vs_" in c or c.endswith("_pct"))
                ]
                return text + (f" ({'; '.join(others)})." if others else ".")
        parts = [f"{_nice(c)}: {_label(c, v, state_columns)}" for c, v in row.items()]
        return "; ".join(parts) + "."
    numeric = [
        i for i, v in enumerate(rows[0])
        if isinstance(v, int | float | Decimal) and not isinstance(v, bool)
    ]  # fmt: skip
    label_col = next((i for i, c in enumerate(columns) if "name" in c), None)
    if label_col is None:
        label_col = next((i for i, v in enumerate(rows[0]) if isinstance(v, str | date)), None)
    count = f"{len(rows):,}{'+' if truncated else ''} rows"
    if label_col is None or not numeric:
        return count + "."
    value_col = numeric[0]
    if isinstance(rows[0][label_col], date):
        first, last = rows[0], rows[-1]
        text = (
            f"{_nice(columns[value_col])[:1].upper()}{_nice(columns[value_col])[1:]} from "
            f"{fmt(columns[label_col], first[label_col])} "
            f"({fmt(columns[value_col], first[value_col])}) "
            f"to {fmt(columns[label_col], last[label_col])} "
            f"({fmt(columns[value_col], last[value_col])})"
        )
        if first[value_col]:
            change = (float(last[value_col]) / float(first[value_col]) - 1) * 100
            text += f", {change:+.0f}%"
        peak = max((r for r in rows if r[value_col] is not None), key=lambda r: float(r[value_col]))
        return (
            text
            + f"; peak {fmt(columns[label_col], peak[label_col])} "
            + f"({fmt(columns[value_col], peak[value_col])})."
        )
    shown = ", ".join(
        f"{_label(columns[label_col], r[label_col], state_columns)} "
        f"({fmt(columns[value_col], r[value_col])})"
        for r in rows[:3]
    )
    return (
        f"{count}, by {_nice(columns[value_col])}: {shown}" + (", …" if len(rows) > 3 else "") + "."
    )


def chart_for(
    intent: Intent | None, columns: list[str], rows: list[tuple]
) -> dict[str, str] | None:
    """A chart hint (kind, x, y) for the dashboard, or None when a table says it better."""
    if len(rows) < 2 or len(columns) < 2:
        return None
    numeric = [
        c for i, c in enumerate(columns)
        if all(isinstance(r[i], int | float | Decimal) and not isinstance(r[i], bool)
               for r in rows if r[i] is not None)
        and any(r[i] is not None for r in rows)
    ]  # fmt: skip
    if intent is not None and intent.mode in ("list", "profile"):
        return None
    first = columns[0]
    y = next((c for c in numeric if c != first), None)
    if y is None:
        return None
    if all(isinstance(r[0], date) for r in rows):
        return {"kind": "line", "x": first, "y": y}
    if all(isinstance(r[0], str) for r in rows) and len(rows) <= 50:
        return {"kind": "bar", "x": first, "y": y}
    return None
