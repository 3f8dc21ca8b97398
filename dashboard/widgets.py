"""Light components for what is on every session's first screen.

A session's cost on the server is mostly Bokeh models: a `Tabulator` of ten columns is ~35
of them (a column, an editor and a formatter each, a data source, a selection...), the
whole Segment Explorer list included. With 20 people opening the dashboard at once that
alone is a second of server time. `RowList` is one model: the rows arrive as display
strings (formatted here, in Python, with the theme's formats), the browser draws a plain
table, and a click on a row comes back as a message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import param
from panel.custom import JSComponent

from dashboard import theme

#: How a column's values are shown: a theme formatter name per column (default: as text).
Formats = dict[str, str]

_FORMATTERS: dict[str, Callable[[Any], str]] = {
    "money": theme.money,
    "number": theme.number,
    "text": lambda v: "" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v),
}


class RowList(JSComponent):
    """A read-only, clickable table of one page of rows (pagination and sorting stay in SQL)."""

    value = param.DataFrame(default=None, doc="The rows (raw values)")
    titles = param.Dict(default={}, doc="Column -> header text")
    formats = param.Dict(default={}, doc="Column -> money | number | text")

    # Python only: the browser gets the display strings below
    _property_mapping = {"value": None, "titles": None, "formats": None}

    header = param.List(default=[], doc="Header texts, in column order")
    cells = param.List(default=[], doc="Rows of display strings")
    right = param.List(default=[], doc="Per column: right-aligned (numbers)")
    empty_text = param.String(default="No rows.")

    _esm = """
    export function render({ model, el }) {
      const wrap = document.createElement("div");
      wrap.className = "c360-rowlist";
      const draw = () => {
        const table = document.createElement("table");
        const head = table.createTHead().insertRow();
        model.header.forEach((text, i) => {
          const th = document.createElement("th");
          th.textContent = text;
          if (model.right[i]) th.className = "num";
          head.appendChild(th);
        });
        const body = table.createTBody();
        model.cells.forEach((cells, r) => {
          const row = body.insertRow();
          row.tabIndex = 0;
          cells.forEach((text, i) => {
            const td = row.insertCell();
            td.textContent = text;
            if (model.right[i]) td.className = "num";
          });
          const open = () => model.send_msg({ row: r });
          row.addEventListener("click", open);
          row.addEventListener("keydown", (e) => { if (e.key === "Enter") open(); });
        });
        wrap.replaceChildren(table);
        if (!model.cells.length) {
          const none = document.createElement("div");
          none.className = "c360-rowlist-empty";
          none.textContent = model.empty_text;
          wrap.appendChild(none);
        }
      };
      draw();
      model.on(["cells", "header", "right", "empty_text"], draw);
      return wrap;
    }
    """

    _stylesheets = [
        """
        .c360-rowlist { max-height: 520px; overflow: auto; border: 1px solid #dde3ea;
                        border-radius: 6px; background: #fff; }
        .c360-rowlist table { width: 100%; border-collapse: collapse; font-size: 13px; }
        .c360-rowlist th { position: sticky; top: 0; background: #f4f6f9; color: #12263f;
                           text-align: left; font-weight: 600; padding: 7px 8px;
                           border-bottom: 1px solid #dde3ea; white-space: nowrap; }
        .c360-rowlist td { padding: 6px 8px; border-bottom: 1px solid #eef1f5; color: #12263f;
                           white-space: nowrap; overflow: hidden; text-overflow: ellipsis;
                           max-width: 220px; }
        .c360-rowlist .num { text-align: right; }
        .c360-rowlist tbody tr { cursor: pointer; }
        .c360-rowlist tbody tr:nth-child(even) { background: #fafbfc; }
        .c360-rowlist tbody tr:hover, .c360-rowlist tbody tr:focus { background: #eaf2fb;
                                                                    outline: none; }
        .c360-rowlist-empty { padding: 12px; color: #5b6b7c; font-size: 13px; }
        """
    ]

    def __init__(self, **params: Any) -> None:
        self._click_callbacks: list[Callable[[int], None]] = []
        super().__init__(**params)
        self._render()

    def on_click(self, callback: Callable[[int], None]) -> None:
        """`callback(row_index)` when a row is clicked (or Enter pressed on it)."""
        self._click_callbacks.append(callback)

    @param.depends("value", "titles", "formats", watch=True)
    def _render(self) -> None:
        df = self.value if self.value is not None else pd.DataFrame()
        columns = list(df.columns)
        formatters = [_FORMATTERS[self.formats.get(c, "text")] for c in columns]
        self.param.update(
            header=[self.titles.get(c, c) for c in columns],
            right=[self.formats.get(c, "text") != "text" for c in columns],
            cells=[
                [fmt(v) for fmt, v in zip(formatters, row, strict=True)]
                for row in df.itertuples(index=False, name=None)
            ],
        )

    def _handle_msg(self, msg: Any) -> None:
        try:
            row = int(msg["row"])
        except (KeyError, TypeError, ValueError):
            return  # not a message this component sends
        if 0 <= row < len(self.cells):
            for callback in self._click_callbacks:
                callback(row)
