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


def _missing(value: Any) -> bool:
    """None, NaN, NaT and NA alike (an open-ended SCD2 row has no valid_to)."""
    return value is None or (pd.api.types.is_scalar(value) and bool(pd.isna(value)))


_FORMATTERS: dict[str, Callable[[Any], str]] = {
    "money": theme.money,
    "money_cents": lambda v: theme.money(v, 2),
    "number": theme.number,
    "text": lambda v: "–" if _missing(v) else str(v),
}
_FORMATTERS["wrap"] = _FORMATTERS["text"]  # text that may wrap onto several lines
_RIGHT = {"money", "money_cents", "number"}


class RowList(JSComponent):
    """A read-only table of rows, clickable or not (pagination and sorting stay in SQL).

    Shows the columns `titles` names, in its order (every column when it is empty)."""

    value = param.DataFrame(default=None, doc="The rows (raw values)")
    titles = param.Dict(default={}, doc="Column -> header text; also which columns, in order")
    formats = param.Dict(default={}, doc="Column -> money | money_cents | number | text | wrap")

    # Python only: the browser gets the display strings below
    _property_mapping = {"value": None, "titles": None, "formats": None}

    header = param.List(default=[], doc="Header texts, in column order")
    cells = param.List(default=[], doc="Rows of display strings")
    right = param.List(default=[], doc="Per column: right-aligned (numbers)")
    wrap = param.List(default=[], doc="Per column: may wrap")
    empty_text = param.String(default="No rows.")
    clickable = param.Boolean(default=False, doc="Rows answer a click (see on_click)")
    scroll_height = param.Integer(default=520, doc="Scrolls beyond this height (px)")

    _esm = """
    export function render({ model, el }) {
      const wrap = document.createElement("div");
      wrap.className = "c360-rowlist" + (model.clickable ? " clickable" : "");
      const draw = () => {
        wrap.style.maxHeight = model.scroll_height + "px";
        const cls = (i) => (model.right[i] ? "num" : "") + (model.wrap[i] ? " wrap" : "");
        const table = document.createElement("table");
        const head = table.createTHead().insertRow();
        model.header.forEach((text, i) => {
          const th = document.createElement("th");
          th.textContent = text;
          th.className = cls(i);
          head.appendChild(th);
        });
        const body = table.createTBody();
        model.cells.forEach((cells, r) => {
          const row = body.insertRow();
          cells.forEach((text, i) => {
            const td = row.insertCell();
            td.textContent = text;
            td.className = cls(i);
          });
          if (!model.clickable) return;
          row.tabIndex = 0;
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
      model.on(["cells", "header", "right", "wrap", "empty_text", "scroll_height"], draw);
      return wrap;
    }
    """

    _stylesheets = [
        """
        .c360-rowlist { overflow: auto; border: 1px solid #dde3ea;
                        border-radius: 6px; background: #fff; }
        .c360-rowlist table { width: 100%; border-collapse: collapse; font-size: 13px; }
        .c360-rowlist th { position: sticky; top: 0; background: #f4f6f9; color: #12263f;
                           text-align: left; font-weight: 600; padding: 7px 8px;
                           border-bottom: 1px solid #dde3ea; white-space: nowrap; }
        .c360-rowlist td { padding: 6px 8px; border-bottom: 1px solid #eef1f5; color: #12263f;
                           white-space: nowrap; overflow: hidden; text-overflow: ellipsis;
                           max-width: 220px; }
        .c360-rowlist td.wrap { white-space: normal; max-width: 520px; }
        .c360-rowlist .num { text-align: right; }
        .c360-rowlist tbody tr:nth-child(even) { background: #fafbfc; }
        .c360-rowlist.clickable tbody tr { cursor: pointer; }
        .c360-rowlist.clickable tbody tr:hover, .c360-rowlist.clickable tbody tr:focus {
            background: #eaf2fb; outline: none; }
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
        columns = [c for c in self.titles if c in df.columns] if self.titles else list(df.columns)
        kinds = [self.formats.get(c, "text") for c in columns]
        formatters = [_FORMATTERS[kind] for kind in kinds]
        self.param.update(
            header=[self.titles.get(c, c) for c in columns],
            right=[kind in _RIGHT for kind in kinds],
            wrap=[kind == "wrap" for kind in kinds],
            cells=[
                [fmt(v) for fmt, v in zip(formatters, row, strict=True)]
                for row in df[columns].itertuples(index=False, name=None)
            ],
        )

    def _handle_msg(self, msg: Any) -> None:
        try:
            row = int(msg["row"])
        except (KeyError, TypeError, ValueError):
            return  # not a message this component sends
        if self.clickable and 0 <= row < len(self.cells):
            for callback in self._click_callbacks:
                callback(row)


class Form(JSComponent):
    """A group of inputs drawn by the browser as one model (a Panel widget is one or more each).

    `fields` describes the inputs, `values` holds their values (Python sets it; the
    browser redraws), and a change in the browser comes back as `on_change(name, value)`
    (`value` None for an emptied number). Kinds:

    - `multi`: a drop-down of check boxes (with a search box when it has many options);
      an option is its value or a `[value, label]` pair (the search looks at the label);
    - `select`: a drop-down list, options as `[label, value]` pairs;
    - `number`: a number ≥ `min`, sent when the input is committed (Enter, leaving it);
    - `date`: a day, sent as `YYYY-MM-DD` (None when emptied);
    - `checkbox`, `button` (sends its name as `value` True), `text` (read-only);
    - fields with the same `row` sit side by side.

    `errors` (name -> text) shows a message under a field, e.g. for a value the owner
    rejected; the owner clears it."""

    fields = param.List(default=[], doc="[{name, label, kind, options?, placeholder?, ...}]")
    values = param.Dict(default={}, doc="name -> value, as the owner holds them")
    errors = param.Dict(default={}, doc="name -> message under the field")
    horizontal = param.Boolean(default=False, doc="Lay the fields out in one line")

    _esm = """
    const SEARCH_FROM = 12;  // options from which a multi drop-down gets a search box

    function label(text, input) {
      const wrap = document.createElement("label");
      wrap.className = "c360-field-label";
      wrap.textContent = text;
      if (input) wrap.appendChild(input);
      return wrap;
    }

    export function render({ model, el }) {
      const form = document.createElement("div");
      form.className = "c360-form" + (model.horizontal ? " horizontal" : "");
      let setters = {};   // name -> (value) => void, draws a value sent by Python
      let notes = {};     // name -> element of its error message
      const send = (name, value) => model.send_msg({ name, value });
      let closers = [];

      const build = () => {
        setters = {}; notes = {}; closers = [];
        form.replaceChildren();
        let rowEl = null, rowKey = null;
        for (const f of model.fields) {
          const box = document.createElement("div");
          box.className = "c360-field c360-field-" + f.kind;
          box.dataset.name = f.name;
          if (f.width) box.style.width = f.width + "px";
          if (f.kind === "multi") {
            const details = document.createElement("details");
            details.className = "c360-multi";
            const summary = document.createElement("summary");
            summary.setAttribute("aria-label", f.label);
            details.appendChild(summary);
            const panel = document.createElement("div");
            panel.className = "c360-multi-panel";
            let search = null;
            if (f.options.length >= SEARCH_FROM) {
              search = document.createElement("input");
              search.type = "search";
              search.placeholder = "Search…";
              search.className = "c360-multi-search";
              panel.appendChild(search);
            }
            const boxes = [];
            for (const option of f.options) {
              // an option is its value, or [value, label] ("NY", "NY · New York")
              const [value, text] = Array.isArray(option) ? option : [option, option];
              const item = document.createElement("label");
              item.className = "c360-multi-option";
              const check = document.createElement("input");
              check.type = "checkbox";
              check.value = value;
              item.dataset.search = text.toLowerCase();
              item.appendChild(check);
              item.appendChild(document.createTextNode(text));
              panel.appendChild(item);
              boxes.push([check, item]);
              check.addEventListener("change", () => {
                send(f.name, boxes.filter(([c]) => c.checked).map(([c]) => c.value));
              });
            }
            if (search) search.addEventListener("input", () => {
              const q = search.value.toLowerCase();
              for (const [, item] of boxes) item.hidden = !item.dataset.search.includes(q);
            });
            details.appendChild(panel);
            const caption = (chosen) => {
              summary.textContent = chosen.length === 0 ? f.placeholder
                : chosen.length <= 2 ? chosen.join(", ") : `${chosen.length} selected`;
              summary.title = chosen.join(", ");
              summary.classList.toggle("chosen", chosen.length > 0);
            };
            setters[f.name] = (value) => {
              const chosen = value || [];
              for (const [c] of boxes) c.checked = chosen.includes(c.value);
              caption(chosen);
            };
            closers.push((path) => { if (!path.includes(details)) details.open = false; });
            details.addEventListener("keydown", (e) => {
              if (e.key === "Escape") { details.open = false; summary.focus(); }
            });
            box.appendChild(label(f.label));
            box.appendChild(details);
          } else if (f.kind === "select") {
            const select = document.createElement("select");
            for (const [text, value] of f.options) {
              const option = document.createElement("option");
              option.textContent = text;
              option.value = JSON.stringify(value);
              select.appendChild(option);
            }
            select.addEventListener("change", () => send(f.name, JSON.parse(select.value)));
            setters[f.name] = (value) => { select.value = JSON.stringify(value); };
            box.appendChild(label(f.label, select));
          } else if (f.kind === "number") {
            const input = document.createElement("input");
            input.type = "number";
            input.min = f.min ?? 0;
            if (f.step) input.step = f.step;
            input.placeholder = f.placeholder || "";
            input.addEventListener("change", () => {
              const text = input.value.trim();
              send(f.name, text === "" ? null : Number(text));
            });
            setters[f.name] = (value) => { input.value = value ?? ""; };
            box.appendChild(label(f.label, input));
          } else if (f.kind === "date") {
            const input = document.createElement("input");
            input.type = "date";
            input.addEventListener("change", () => send(f.name, input.value || null));
            setters[f.name] = (value) => { input.value = value ?? ""; };
            box.appendChild(label(f.label, input));
          } else if (f.kind === "checkbox") {
            const input = document.createElement("input");
            input.type = "checkbox";
            input.addEventListener("change", () => send(f.name, input.checked));
            setters[f.name] = (value) => { input.checked = !!value; };
            const wrap = label("", input);
            wrap.classList.add("c360-check");
            wrap.appendChild(document.createTextNode(f.label));
            box.appendChild(wrap);
          } else if (f.kind === "button") {
            const button = document.createElement("button");
            button.type = "button";
            button.textContent = f.label;
            button.className = "c360-button" + (f.primary ? " primary" : "");
            button.addEventListener("click", () => send(f.name, true));
            setters[f.name] = (value) => { button.disabled = value === false; };
            box.appendChild(button);
          } else {  // text
            const span = document.createElement("span");
            span.className = "c360-muted";
            setters[f.name] = (value) => { span.textContent = value ?? ""; };
            box.appendChild(span);
          }
          const note = document.createElement("div");
          note.className = "c360-field-error";
          notes[f.name] = note;
          box.appendChild(note);
          if (f.row) {
            if (rowKey !== f.row) {
              rowEl = document.createElement("div");
              rowEl.className = "c360-form-row";
              form.appendChild(rowEl);
              rowKey = f.row;
            }
            rowEl.appendChild(box);
          } else {
            rowKey = null;
            form.appendChild(box);
          }
        }
        draw();
        drawErrors();
      };
      const draw = () => {
        for (const [name, set] of Object.entries(setters)) set(model.values[name]);
      };
      const drawErrors = () => {
        for (const [name, note] of Object.entries(notes)) {
          note.textContent = model.errors[name] || "";
          note.parentElement.classList.toggle("invalid", !!model.errors[name]);
        }
      };
      build();
      model.on("fields", build);
      model.on("values", draw);
      model.on("errors", drawErrors);
      // a drop-down closes when the user clicks elsewhere (the page or another field)
      const outside = (e) => { const path = e.composedPath(); closers.forEach((c) => c(path)); };
      document.addEventListener("click", outside);
      model.on("remove", () => document.removeEventListener("click", outside));
      return form;
    }
    """

    _stylesheets = [
        """
        .c360-form { display: flex; flex-direction: column; gap: 10px; font-size: 13px;
                     color: #12263f; }
        .c360-form.horizontal { flex-direction: row; flex-wrap: wrap; align-items: flex-end;
                                gap: 14px; }
        .c360-form-row { display: flex; gap: 10px; }
        .c360-form-row > .c360-field { flex: 1; min-width: 0; }
        .c360-field-label { display: flex; flex-direction: column; gap: 4px; color: #12263f;
                            font-weight: 500; }
        .c360-field select, .c360-field input[type=number], .c360-field input[type=date],
        .c360-multi summary {
            font: inherit; color: #12263f; background: #fff; border: 1px solid #ced4da;
            border-radius: 4px; padding: 5px 8px; min-height: 32px; box-sizing: border-box;
            width: 100%; }
        .c360-field-multi { display: flex; flex-direction: column; gap: 4px; }
        .c360-multi { position: relative; }
        .c360-multi summary { list-style: none; cursor: pointer; color: #6c757d;
                              white-space: nowrap; overflow: hidden; text-overflow: ellipsis;
                              padding-right: 24px; }
        .c360-multi summary::-webkit-details-marker { display: none; }
        .c360-multi summary::after { content: "▾"; position: absolute; right: 9px;
                                     color: #5b6b7c; }
        .c360-multi summary.chosen { color: #12263f; }
        .c360-multi[open] summary { border-color: #1f5fa8; }
        .c360-multi-panel { position: absolute; z-index: 10; left: 0; right: 0; top: 100%;
                            margin-top: 2px; background: #fff; border: 1px solid #ced4da;
                            border-radius: 4px; box-shadow: 0 4px 12px rgba(0,0,0,.12);
                            max-height: 260px; overflow: auto; padding: 4px 0; }
        .c360-multi-search { margin: 2px 6px 4px 6px; width: calc(100% - 12px); font: inherit;
                             border: 1px solid #ced4da; border-radius: 4px; padding: 4px 6px;
                             box-sizing: border-box; }
        .c360-multi-option { display: flex; align-items: center; gap: 8px; padding: 4px 10px;
                             cursor: pointer; font-weight: 400; }
        .c360-multi-option:hover { background: #eaf2fb; }
        .c360-multi-option[hidden] { display: none; }
        .c360-check { flex-direction: row; align-items: center; gap: 6px; font-weight: 400;
                      min-height: 32px; }
        .c360-button { font: inherit; border: 1px solid #ced4da; background: #f8f9fa;
                       color: #12263f; border-radius: 4px; padding: 5px 14px; cursor: pointer;
                       min-height: 32px; }
        .c360-button:hover { background: #e9ecef; }
        .c360-button:disabled { opacity: .5; cursor: default; }
        .c360-button.primary { background: #1f5fa8; border-color: #1f5fa8; color: #fff; }
        .c360-field-text { align-self: flex-end; padding-bottom: 7px; }
        .c360-field-error { color: #c0392b; font-size: 12px; }
        .c360-field-error:empty { display: none; }
        .c360-field.invalid input, .c360-field.invalid select { border-color: #c0392b; }
        .c360-muted { color: #5b6b7c; font-size: 13px; }
        """
    ]

    def __init__(self, **params: Any) -> None:
        self._change_callbacks: list[Callable[[str, Any], None]] = []
        super().__init__(**params)

    def on_change(self, callback: Callable[[str, Any], None]) -> None:
        """`callback(name, value)` when the user changes a field (or presses a button)."""
        self._change_callbacks.append(callback)

    def _handle_msg(self, msg: Any) -> None:
        known = {f["name"] for f in self.fields}
        if not isinstance(msg, dict) or msg.get("name") not in known:
            return  # not a message this component sends
        for callback in self._change_callbacks:
            callback(msg["name"], msg.get("value"))


class TabBar(JSComponent):
    """The row of tab buttons, one model (`pn.Tabs` is a model per tab plus one per slot).

    The owner shows the active view; `active` is the index of the chosen tab, set by a
    click (or the arrow keys) in the browser or by Python."""

    titles = param.List(default=[], doc="The tabs' titles, in order")
    active = param.Integer(default=0, bounds=(0, None))

    _esm = """
    export function render({ model, el }) {
      const bar = document.createElement("div");
      bar.className = "c360-tabbar";
      bar.setAttribute("role", "tablist");
      const draw = () => {
        const buttons = model.titles.map((title, i) => {
          const tab = document.createElement("button");
          tab.type = "button";
          tab.className = "c360-tab" + (i === model.active ? " active" : "");
          tab.setAttribute("role", "tab");
          tab.setAttribute("aria-selected", String(i === model.active));
          tab.tabIndex = i === model.active ? 0 : -1;
          tab.textContent = title;
          tab.addEventListener("click", () => { model.active = i; });
          tab.addEventListener("keydown", (e) => {
            const step = { ArrowRight: 1, ArrowLeft: -1 }[e.key];
            if (!step) return;
            const next = (i + step + model.titles.length) % model.titles.length;
            model.active = next;
          });
          return tab;
        });
        bar.replaceChildren(...buttons);
        if (bar.contains(document.activeElement) || el.shadowRoot?.activeElement) {
          buttons[model.active]?.focus();
        }
      };
      draw();
      model.on(["titles", "active"], draw);
      return bar;
    }
    """

    _stylesheets = [
        """
        .c360-tabbar { display: flex; gap: 2px; border-bottom: 1px solid #dee2e6;
                       margin-bottom: 8px; }
        .c360-tab { font: inherit; font-size: 13px; color: #12263f; background: none;
                    border: 1px solid transparent; border-bottom: none;
                    border-radius: 6px 6px 0 0; padding: 8px 14px; margin-bottom: -1px;
                    cursor: pointer; }
        .c360-tab:hover { background: #f4f6f9; }
        .c360-tab.active { background: #fff; border-color: #dee2e6; font-weight: 600;
                           border-bottom: 1px solid #fff; }
        .c360-tab:focus-visible { outline: 2px solid #1f5fa8; outline-offset: -2px; }
        """
    ]
