"""AI Assistant: a chat over the assistant engine (answer, table, chart, SQL, feedback)."""

from __future__ import annotations

import io
from collections.abc import Callable

import pandas as pd
import panel as pn
import param
from panel.viewable import Viewer

from dashboard import theme
from dashboard.assistant_adapter import EngineLike, Reply, sample_questions, to_reply

STATUS_LEVELS = {"answered": "ok", "clarify": "warning", "refused": "critical"}
NOT_INSTALLED = (
    "The AI assistant is not available: its semantic model or engine could not be loaded "
    "(see the server log). The other tabs work without it."
)


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
            badges += theme.badge("verified query used", "ok")
        parts: list = [
            theme.html_pane(badges),
            pn.pane.Markdown(reply.answer or "", sizing_mode="stretch_width"),
        ]
        frame = pd.DataFrame(reply.rows, columns=reply.columns or None) if reply.rows else None
        if frame is not None:
            parts.append(theme.table(frame.head(500), height=min(60 + 30 * len(frame), 320)))
            chart = _chart(frame, reply.chart)
            if chart is not None:
                parts.append(pn.pane.HoloViews(chart, sizing_mode="stretch_width", height=280))
            parts.append(
                pn.widgets.FileDownload(
                    callback=lambda: io.BytesIO(frame.to_csv(index=False).encode()),
                    filename="assistant_result.csv",
                    label="Export result to CSV",
                    width=200,
                )
            )
        if reply.sql:
            parts.append(
                pn.Card(
                    pn.pane.Markdown(f"```sql\n{reply.sql}\n```", sizing_mode="stretch_width"),
                    title="View SQL",
                    collapsed=True,
                    sizing_mode="stretch_width",
                )
            )
        if reply.suggestions:
            buttons = []
            for suggestion in reply.suggestions:
                button = pn.widgets.Button(label=suggestion, color="light")
                if send is not None:
                    button.on_click(lambda _e, s=suggestion: send(s))
                buttons.append(button)
            parts.append(pn.FlexBox(*buttons))
        if reply.request_id and self.engine is not None:
            parts.append(self._feedback(reply.request_id))
        return pn.Column(*parts, sizing_mode="stretch_width")

    def _feedback(self, request_id: str) -> pn.Row:
        status = theme.html_pane(width=200)
        up = pn.widgets.Button(label="👍", width=50)
        down = pn.widgets.Button(label="👎", width=50)

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
            callback_user="Assistant",
            placeholder_text="Analyzing…",
            show_rerun=False,
            show_undo=False,
            # Bokeh draws button and reaction icons with a web font from a CDN: offline they
            # are blank, so the buttons carry their names and the 👍/👎 are our own buttons
            show_button_name=True,
            message_params={"show_reaction_icons": False},
            sizing_mode="stretch_width",
            height=640,
        )
        samples = [
            pn.widgets.Button(label=q, color="light", sizing_mode="stretch_width")
            for q in sample_questions(self.engine)
        ]
        for button in samples:
            button.on_click(lambda _e, q=button.label: self._send(q))
        self._layout = pn.Row(
            pn.Column(
                theme.title("AI-Powered Analytics Assistant", "Ask questions in plain English"),
                self._chat,
                sizing_mode="stretch_width",
            ),
            pn.Column(theme.title("Sample questions"), *samples, width=320),
            sizing_mode="stretch_width",
        )

    def __panel__(self) -> pn.viewable.Viewable:
        return self._layout


def _chart(frame: pd.DataFrame, spec) -> object | None:
    """A line or bar chart from the engine's chart hint ({type, x, y}), if it names columns."""
    if not isinstance(spec, dict):
        return None
    x, y = spec.get("x"), spec.get("y")
    if x not in frame.columns or y not in frame.columns:
        return None
    kind = "line" if spec.get("type") == "line" else "bar"
    data = frame.assign(**{y: pd.to_numeric(frame[y], errors="coerce")})
    return getattr(data.hvplot, kind)(x=x, y=y, responsive=True, height=280, color=theme.ACCENT)
