"""AI Assistant: a chat over the assistant engine (answer, table, chart, SQL, feedback)."""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable
from decimal import Decimal

import pandas as pd
import panel as pn
import param
from panel.viewable import Viewer

from dashboard import charts, theme
from dashboard.assistant_adapter import (
    EngineLike,
    Reply,
    column_kinds,
    sample_questions,
    to_reply,
)

STATUS_LEVELS = {"answered": "ok", "clarify": "warning", "refused": "critical"}
NOT_INSTALLED = (
    "The AI assistant is not available: its semantic model or engine could not be loaded "
    "(see the server log). The other tabs work without it."
)
#: Bootstrap's `.placeholder` utility (a half-transparent grey "loading" block) also matches
#: the body of Panel's chat messages: undo it there, so answers do not look disabled.
MESSAGE_CSS = """
.placeholder { background-color: transparent; opacity: 1; cursor: auto; min-height: 0;
               vertical-align: baseline; }
"""
#: Long sample questions wrap inside their column instead of widening the page.
WRAP_BUTTON_CSS = """
:host .bk-btn { white-space: normal; text-align: left; height: auto; line-height: 1.35;
                padding: 6px 10px; }
"""
SQL_CSS = """
details { border: 1px solid #dde3ea; border-radius: 6px; background: #fff; }
summary { cursor: pointer; padding: 6px 12px; color: #12263f; font-size: 14px; }
details[open] summary { border-bottom: 1px solid #dde3ea; }
pre { background: #f6f8fa; color: #12263f; border: 1px solid #dde3ea; border-radius: 6px;
      padding: 10px 12px; font-size: 12.5px; line-height: 1.45; white-space: pre-wrap;
      overflow-x: auto; margin: 8px; }
"""
#: Tabulator formatters per column kind (the values, and so the CSV export, stay raw).
FORMATTERS = {
    "money": {"type": "money", "symbol": "$", "thousand": ",", "precision": 2},
    "percent": {"type": "money", "symbol": " %", "symbolAfter": True, "precision": 1},
    "count": {"type": "money", "thousand": ",", "precision": 0},
    "number": {"type": "money", "thousand": ",", "precision": 2},
}


class AssistantChat(Viewer):
    history = param.List(default=[], doc="the engine's earlier answers in this session")

    def __init__(self, engine: EngineLike | None, **params) -> None:
        self.engine = engine
        super().__init__(**params)
        self._build()

    def respond(self, contents: str, user: str = "User", instance=None) -> pn.viewable.Viewable:
        """ChatInterface callback: ask the engine, render its reply."""
        question = str(contents).strip()
        if self.engine is None:
            return theme.html_pane(theme.message(NOT_INSTALLED, "info"))
        try:
            reply = to_reply(self.engine.ask(question, list(self.history)))
        except Exception as exc:  # one bad question must not break the session
            return theme.html_pane(theme.message(f"The assistant failed: {exc}", "error"))
        self.history = [*self.history, reply.turn]
        return self.render_reply(reply, send=self._send)

    def _send(self, text: str) -> None:
        self._chat.send(text, respond=True)

    def render_reply(self, reply: Reply, send: Callable[[str], None] | None = None) -> pn.Column:
        badges = theme.badge(reply.status, STATUS_LEVELS.get(reply.status, "info"))
        if reply.verified_query_used:
            badges += theme.badge(
                f"verified query: {reply.verified_query}"
                if reply.verified_query
                else "verified query used",
                "ok",
            )
        parts: list = [
            theme.html_pane(badges),
            pn.pane.Markdown(reply.answer or "", sizing_mode="stretch_width"),
        ]
        frame = pd.DataFrame(reply.rows, columns=reply.columns or None) if reply.rows else None
        if frame is not None:
            shown = _plain(frame.head(500))
            parts.append(
                theme.table(
                    shown,
                    height=min(60 + 30 * len(shown), 320),
                    # up to 7 columns fit inside the chat's width (fit to data ran past its
                    # edge); wider results scroll sideways rather than squeeze every header
                    layout="fit_columns" if len(shown.columns) <= 7 else "fit_data_table",
                    formatters=result_formatters(shown),
                    titles={c: _nice(c) for c in shown.columns},
                    text_align={c: "right" for c in _numeric(shown)},
                )
            )
            chart = _chart(shown, reply.chart)
            if chart is not None:
                parts.append(charts.pane(chart, height=280))
            parts.append(
                pn.widgets.FileDownload(
                    callback=lambda: io.BytesIO(frame.to_csv(index=False).encode()),
                    filename="assistant_result.csv",
                    label="Export result to CSV",
                    width=200,
                )
            )
        if reply.sql:
            # a native <details>: collapsed until opened, no server round trip (a collapsed
            # pn.Card kept its content's height as a blank box)
            parts.append(
                pn.pane.HTML(
                    f"<details><summary>View SQL</summary><pre>{html.escape(reply.sql)}</pre>"
                    "</details>",
                    sizing_mode="stretch_width",
                    stylesheets=[SQL_CSS],
                    css_classes=["c360-sql"],
                )
            )
        if reply.suggestions:
            buttons = []
            for suggestion in reply.suggestions:
                button = pn.widgets.Button(
                    label=suggestion, color="light", stylesheets=[WRAP_BUTTON_CSS]
                )
                if send is not None:
                    button.on_click(lambda _e, s=suggestion: send(s))
                buttons.append(button)
            parts.append(pn.FlexBox(*buttons))
        if reply.request_id and self.engine is not None:
            parts.append(self._feedback(reply.request_id))
        return pn.Column(*parts, sizing_mode="stretch_width")

    def _feedback(self, request_id: str) -> pn.Row:
        status = theme.html_pane(width=200)
        # words only: without an emoji font (offline, Debian's Chromium) 👍/👎 are empty boxes
        up = pn.widgets.Button(label="Helpful", width=110)
        down = pn.widgets.Button(label="Not helpful", width=130)

        def give(positive: bool) -> None:
            self.engine.feedback(request_id, positive, "")
            status.object = '<span class="c360-muted">Thanks, feedback stored.</span>'
            up.disabled = down.disabled = True

        up.on_click(lambda _e: give(True))
        down.on_click(lambda _e: give(False))
        return pn.Row(up, down, status)

    def _build(self) -> None:
        if self.engine is None:
            self._chat = None
            self._layout = pn.Column(
                theme.title("AI-Powered Analytics Assistant", "Ask questions in plain English"),
                theme.html_pane(
                    theme.message(NOT_INSTALLED, "info"), css_classes=["c360-assistant-missing"]
                ),
                sizing_mode="stretch_width",
            )
            return
        self._chat = pn.chat.ChatInterface(
            callback=self.respond,
            user="You",
            avatar="Y",
            callback_user="Assistant",
            callback_avatar="A",  # letters: the default avatars are emoji (no font offline)
            placeholder_text="Analyzing…",
            show_rerun=False,
            show_undo=False,
            # Bokeh draws button and reaction icons with a web font from a CDN: offline they
            # are blank, so the buttons carry their names and the 👍/👎 are our own buttons
            show_button_name=True,
            message_params={
                "show_reaction_icons": False,
                "show_copy_icon": False,
                "stylesheets": [MESSAGE_CSS],
            },
            sizing_mode="stretch_width",
            min_width=0,
            height=640,
        )
        samples = [
            pn.widgets.Button(
                label=q, color="light", sizing_mode="stretch_width", stylesheets=[WRAP_BUTTON_CSS]
            )
            for q in sample_questions(self.engine)
        ]
        for button in samples:
            button.on_click(lambda _e, q=button.label: self._send(q))
        self._layout = pn.Row(
            pn.Column(
                theme.title("AI-Powered Analytics Assistant", "Ask questions in plain English"),
                self._chat,
                sizing_mode="stretch_width",
                min_width=0,
            ),
            pn.Column(theme.title("Sample questions"), *samples, width=300, min_width=0),
            sizing_mode="stretch_width",
        )

    def __panel__(self) -> pn.viewable.Viewable:
        return self._layout


#: Values that name one row (customer ids, transaction ids): an axis of them is not a chart.
IDENTIFIER = re.compile(r"^[A-Z]{2,}\d{4,}$")


def _chart(frame: pd.DataFrame, spec) -> object | None:
    """A line or bar chart from the engine's chart hint ({type, x, y}), if it names columns
    and the x axis is not a list of identifiers (a bar per customer id says nothing the table
    does not say better)."""
    if not isinstance(spec, dict):
        return None
    x, y = spec.get("x"), spec.get("y")
    if x not in frame.columns or y not in frame.columns or is_identifier(frame[x]):
        return None
    values = pd.to_numeric(frame[y], errors="coerce")
    title = f"{_nice(y)} by {_nice(x).lower()}"
    kind = _value_kind(y, frame)
    if spec.get("type") == "line":
        datetime_x = pd.api.types.is_datetime64_any_dtype(frame[x]) or _looks_like_dates(frame[x])
        series = charts.Series(_nice(y), frame[x].tolist(), values.tolist())
        return charts.lines(
            [series],
            title=title,
            y_label=_nice(y),
            kind=kind,
            datetime_x=datetime_x,
            categorical_x=None if datetime_x else [str(v) for v in frame[x]],
            legend=None,
            height=280,
        )
    if frame[x].nunique() != len(frame):  # bars need one row per label
        return None
    return charts.hbars(
        [str(v) for v in frame[x]],
        values.tolist(),
        title=title,
        value_label=_nice(y),
        kind=kind,
        height=max(180, min(60 + 26 * len(frame), 520)),
    )


def is_identifier(column: pd.Series) -> bool:
    """A column of ids: named *_id / id, or every value like CUST00012345."""
    name = str(column.name or "").lower()
    if name == "id" or name.endswith("_id"):
        return True
    text = column.dropna().astype(str)
    return bool(len(text)) and text.str.match(IDENTIFIER).all()


def _looks_like_dates(column: pd.Series) -> bool:
    if column.dtype != object or not len(column):
        return False
    try:
        pd.to_datetime(column.astype(str), format="mixed")
    except (ValueError, TypeError):
        return False
    return True


def _value_kind(column: str, frame: pd.DataFrame) -> str:
    kind = column_kinds([column]).get(column, "number")
    return {"money": "money", "percent": "percent"}.get(kind, "count")


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """DuckDB's DECIMAL values as floats: Bokeh cannot send Decimal, and numbers format."""
    decimals = [
        c
        for c in frame.columns
        if frame[c].dtype == object and frame[c].map(lambda v: isinstance(v, Decimal)).any()
    ]
    return frame.astype({c: "float64" for c in decimals}) if decimals else frame


def _numeric(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])]


def result_formatters(frame: pd.DataFrame) -> dict[str, dict]:
    """Tabulator formatters for the numeric columns: $ and thousands for money, % for shares,
    thousands for counts (the frame keeps its raw values for sorting and the CSV export)."""
    numeric = [c for c in _numeric(frame) if not pd.api.types.is_bool_dtype(frame[c])]
    kinds = column_kinds(numeric)
    formatters = {}
    for column in numeric:
        kind = kinds.get(column, "number")
        if kind == "number" and pd.api.types.is_integer_dtype(frame[column]):
            kind = "count"
        formatters[column] = FORMATTERS[kind]
    return formatters


def _nice(column: str) -> str:
    return column.replace("_", " ").capitalize()
