"""One look for every tab: colours, number formats, metric cards and message boxes."""

from __future__ import annotations

import html
from typing import Any

import pandas as pd
import panel as pn

ACCENT = "#1f5fa8"
GROUP_COLORS = {"treatment": "#1f5fa8", "control": "#9aa5b1"}
SEGMENT_COLORS = {
    "High-Value Travelers": "#1f5fa8",
    "Stable Mid-Spenders": "#4e9a6a",
    "Budget-Conscious": "#c9a227",
    "Declining": "#c0392b",
    "New & Growing": "#7d5ba6",
}
LEVEL_COLORS = {"critical": "#c0392b", "warning": "#d68910", "info": "#1f5fa8", "ok": "#2e7d32"}

CSS = """
body { margin: 0; background: #fff; font-family: -apple-system, "Segoe UI", Roboto,
       "Helvetica Neue", Arial, sans-serif; }
.c360-header-bar { background: #1f5fa8; color: #fff; display: flex; align-items: center;
                   gap: 22px; padding: 14px 20px; margin-bottom: 10px;
                   box-shadow: 0 2px 4px rgba(0,0,0,.15); }
.c360-header-title { font-size: 24px; font-weight: 400; }
.c360-header-note { font-size: 13px; }
.c360-cards { display: flex; flex-wrap: wrap; gap: 12px; }
.c360-card { background: #fff; border: 1px solid #dde3ea; border-radius: 8px;
             padding: 10px 16px; min-width: 150px; box-shadow: 0 1px 2px rgba(0,0,0,.04); }
.c360-card .label { color: #5b6b7c; font-size: 12px; text-transform: uppercase;
                    letter-spacing: .04em; }
.c360-card .value { color: #12263f; font-size: 24px; font-weight: 600; margin-top: 2px; }
.c360-card .sub { color: #5b6b7c; font-size: 12px; margin-top: 2px; }
.c360-card.prominent { border: 2px solid #1f5fa8; }
.c360-badge { display: inline-block; border-radius: 12px; padding: 3px 10px; margin: 2px 6px 2px 0;
              color: #fff; font-size: 13px; font-weight: 600; }
.c360-msg { border-radius: 6px; padding: 10px 14px; font-size: 14px; }
.c360-msg.error { background: #fdecea; color: #7f1d1d; border: 1px solid #f5c2c0; }
.c360-msg.warning { background: #fff4e5; color: #7a4b00; border: 1px solid #f7d7a8; }
.c360-msg.info { background: #eaf2fb; color: #12263f; border: 1px solid #c6dcf3; }
.c360-title { font-size: 20px; font-weight: 600; color: #12263f; margin: 0; }
.c360-muted { color: #5b6b7c; font-size: 13px; }
.c360-bars { padding: 4px 0 8px 0; }
.c360-bars-title { font-size: 13px; font-weight: 600; color: #12263f; margin-bottom: 6px; }
.c360-bar-row { display: flex; align-items: center; gap: 10px; margin: 5px 0; }
.c360-bar-label { width: 170px; flex: none; text-align: right; color: #5b6b7c; font-size: 13px; }
.c360-bar-track { flex: 1; display: flex; align-items: center; gap: 8px; }
.c360-bar { height: 24px; border-radius: 3px; min-width: 2px; }
.c360-bar-value { color: #12263f; font-size: 13px; white-space: nowrap; }
"""


def money(value: Any, digits: int = 0) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "–"
    value = float(value)
    text = f"${abs(value):,.{digits}f}"
    return f"-{text}" if value < 0 else text


def percent(value: Any, signed: bool = False, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "n/a"
    return f"{float(value):+,.{digits}f} %" if signed else f"{float(value):,.{digits}f} %"


def number(value: Any) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "–"
    return f"{value:,.0f}" if isinstance(value, int | float) else str(value)


def card(label: str, value: str, sub: str = "", prominent: bool = False) -> str:
    """One metric card (HTML; every value escaped)."""
    klass = "c360-card prominent" if prominent else "c360-card"
    sub_html = f'<div class="sub">{html.escape(sub)}</div>' if sub else ""
    return (
        f'<div class="{klass}"><div class="label">{html.escape(label)}</div>'
        f'<div class="value">{html.escape(value)}</div>{sub_html}</div>'
    )


def cards(*items: str) -> str:
    return f'<div class="c360-cards">{"".join(items)}</div>'


def badge(text: str, level: str) -> str:
    color = LEVEL_COLORS.get(level, LEVEL_COLORS["info"])
    return f'<span class="c360-badge" style="background:{color}">{html.escape(text)}</span>'


def message(text: str, level: str = "info") -> str:
    return f'<div class="c360-msg {level}">{html.escape(text)}</div>'


def html_pane(text: str = "", **kwargs: Any) -> pn.pane.HTML:
    return pn.pane.HTML(text, sizing_mode="stretch_width", **kwargs)


def header(title: str, note: str = "") -> str:
    """The bar at the top of every page: the product's name and a short note."""
    note_html = f'<span class="c360-header-note">{html.escape(note)}</span>' if note else ""
    title_html = f'<span class="c360-header-title">{html.escape(title)}</span>'
    return f'<div class="c360-header-bar">{title_html}{note_html}</div>'


def title_html(text: str, sub: str = "") -> str:
    sub_html = f'<div class="c360-muted">{html.escape(sub)}</div>' if sub else ""
    return f'<div class="c360-title">{html.escape(text)}</div>{sub_html}'


def title(text: str, sub: str = "") -> pn.pane.HTML:
    return html_pane(title_html(text, sub))


def table(df: pd.DataFrame | None = None, **kwargs: Any) -> pn.widgets.Tabulator:
    """A read-only table in the house style."""
    options: dict[str, Any] = {
        "show_index": False,
        "disabled": True,
        "sizing_mode": "stretch_width",
        "theme": "simple",
        "layout": "fit_data_table",
    }
    options.update(kwargs)
    return pn.widgets.Tabulator(df if df is not None else pd.DataFrame(), **options)


MONEY_FORMAT = {"type": "money", "symbol": "$", "precision": 0}
MONEY_CENTS = {"type": "money", "symbol": "$", "precision": 2}
