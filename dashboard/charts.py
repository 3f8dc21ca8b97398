"""Every chart of the dashboard, as a plain Bokeh figure in one look.

A session builds its charts when it opens: a Bokeh figure costs a fraction of an
hvplot/HoloViews one (no element → plot translation per session), which is most of what a
session costs the server. Glyphs are added with `add_glyph`, one model each: the plotting
methods (`chart.line`, ...) also build a non-selection and a muted copy of every glyph,
which nothing here uses. Views pass the frames `dashboard.data` returns; nothing here
queries anything.

Ranges leave room around the data, so the first and last points (the month in progress,
the newest month of a trend) are drawn whole inside the frame.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import panel as pn
from bokeh.core.properties import field as source_field
from bokeh.models import (
    ColumnDataSource,
    DataRange1d,
    FactorRange,
    HBar,
    HoverTool,
    Legend,
    LegendItem,
    Line,
    NumeralTickFormatter,
    Scatter,
    Span,
    VBar,
)
from bokeh.plotting import figure

from dashboard import theme

MONEY_TICKS = "$0,0"
COUNT_TICKS = "0,0"
SHORT_TICKS = "0.[0]a"  # 12.9m
TEXT_COLOR = "#12263f"
MUTED_COLOR = "#5b6b7c"
GRID_COLOR = "#e6ebf0"
#: Colours of several series in one chart (the accent first).
PALETTE = ("#1f5fa8", "#d68910", "#4e9a6a", "#c0392b", "#7d5ba6", "#5b6b7c", "#17a2b8", "#c9a227")


def html_bars(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    title: str,
    colors: Sequence[str] | None = None,
    unit: str = "",
) -> str:
    """A few horizontal bars as HTML, each labelled with its value: one model for the browser
    instead of a figure's twenty (the Segment Explorer's first view, opened by every session).
    For a handful of categories; anything with axes to read is a Bokeh figure."""
    top = max([float(v or 0) for v in values] or [0]) or 1.0
    colors = list(colors) if colors is not None else [theme.ACCENT] * len(labels)
    rows = "".join(
        '<div class="c360-bar-row">'
        f'<div class="c360-bar-label">{html.escape(str(label))}</div>'
        '<div class="c360-bar-track">'
        f'<div class="c360-bar" style="width:{100 * float(value or 0) / top:.2f}%;'
        f'background:{color}"></div>'
        f'<span class="c360-bar-value">{float(value or 0):,.0f}{html.escape(unit)}</span>'
        "</div></div>"
        for label, value, color in zip(labels, values, colors, strict=True)
    )
    heading = f'<div class="c360-bars-title">{html.escape(title)}</div>'
    return f'<div class="c360-bars">{heading}{rows}</div>'


def pane(chart: Any = None, height: int = 300) -> pn.pane.Bokeh:
    """The pane a view keeps and updates (`pane.object = new chart`)."""
    return pn.pane.Bokeh(chart, sizing_mode="stretch_width", height=height, min_width=0)


def _figure(title: str, height: int, **kwargs: Any) -> figure:
    chart = figure(
        title=title,
        height=height,
        sizing_mode="stretch_width",
        toolbar_location=None,
        tools="",
        min_border_left=10,
        min_border_right=20,
        outline_line_color=None,
        **kwargs,
    )
    chart.title.text_font_size = "13px"
    chart.title.text_color = TEXT_COLOR
    for axis in (*chart.xaxis, *chart.yaxis):
        axis.axis_label_text_font_size = "12px"
        axis.axis_label_text_font_style = "normal"
        axis.axis_label_text_color = MUTED_COLOR
        axis.major_label_text_font_size = "11px"
        axis.major_label_text_color = MUTED_COLOR
        axis.axis_line_color = GRID_COLOR
        axis.major_tick_line_color = GRID_COLOR
        axis.minor_tick_line_color = None
    chart.grid.grid_line_color = GRID_COLOR
    return chart


def _ticks(kind: str) -> NumeralTickFormatter:
    return NumeralTickFormatter(
        # percent: one optional decimal, or ticks at 0.5 steps read "0, 1, 1, 2, 2"
        format={"money": MONEY_TICKS, "short": SHORT_TICKS, "percent": "0.[0]"}.get(
            kind, COUNT_TICKS
        )
    )


def _hover_format(kind: str) -> str:
    return {"money": "$0,0", "percent": "0.00", "short": "0,0"}.get(kind, "0,0")


def hbars(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    title: str,
    value_label: str,
    kind: str = "count",
    colors: Sequence[str] | None = None,
    height: int = 260,
    hover: dict[str, Sequence[Any]] | None = None,
) -> figure:
    """Horizontal bars, the first label on top; `kind` formats the values (money, count,
    percent, short)."""
    labels = [str(label) for label in labels]
    data = {
        "label": labels,
        "value": [float(v or 0) for v in values],
        "color": list(colors) if colors is not None else [theme.ACCENT] * len(labels),
    }
    tooltips = [
        (value_label, f"@value{{{_hover_format(kind)}}}" + (" %" if kind == "percent" else ""))
    ]
    for name, column in (hover or {}).items():
        key = f"extra_{len(data)}"
        data[key] = list(column)
        tooltips.append((name, f"@{key}"))
    chart = _figure(title, height, y_range=FactorRange(*reversed(labels)))
    bar = HBar(
        y="label", right="value", height=0.7, fill_color=source_field("color"), line_color=None
    )
    chart.add_glyph(ColumnDataSource(data), bar)
    chart.x_range = DataRange1d(start=0, range_padding=0.08)
    chart.xaxis.formatter = _ticks(kind)
    chart.xaxis.axis_label = value_label
    chart.ygrid.grid_line_color = None
    chart.add_tools(HoverTool(tooltips=[("", "@label"), *tooltips]))
    return chart


def vbars(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    title: str,
    value_label: str,
    kind: str = "count",
    height: int = 260,
) -> figure:
    """Vertical bars in the accent colour (e.g. rows per layer)."""
    labels = [str(label) for label in labels]
    source = ColumnDataSource({"label": labels, "value": [float(v or 0) for v in values]})
    chart = _figure(title, height, x_range=FactorRange(*labels))
    chart.add_glyph(source, VBar(x="label", top="value", width=0.7, fill_color=theme.ACCENT,
                                 line_color=None))  # fmt: skip
    chart.y_range = DataRange1d(start=0, range_padding=0.08)
    chart.yaxis.formatter = _ticks(kind)
    chart.yaxis.axis_label = value_label
    chart.xgrid.grid_line_color = None
    chart.add_tools(HoverTool(tooltips=[("", "@label"), (value_label, "@value{0,0}")]))
    return chart


def grouped_bars(
    groups: Sequence[str],
    periods: Sequence[str],
    values: dict[tuple[str, str], float],
    *,
    title: str,
    value_label: str,
    period_colors: dict[str, str],
    kind: str = "money",
    height: int = 320,
) -> figure:
    """Bars per (group, period), grouped by group (e.g. treatment/control × before/after)."""
    factors = [(g, p) for g in groups for p in periods]
    source = ColumnDataSource(
        {
            "factor": factors,
            "value": [float(values.get(f) or 0) for f in factors],
            "color": [period_colors[p] for _, p in factors],
            "label": [f"{g}, {p.lower()}" for g, p in factors],
        }
    )
    chart = _figure(title, height, x_range=FactorRange(*factors, group_padding=1.2))
    chart.add_glyph(source, VBar(x="factor", top="value", width=0.8,
                                 fill_color=source_field("color"), line_color=None))  # fmt: skip
    chart.y_range = DataRange1d(start=0, range_padding=0.1)
    chart.yaxis.formatter = _ticks(kind)
    chart.yaxis.axis_label = value_label
    chart.xgrid.grid_line_color = None
    chart.xaxis.group_text_font_size = "12px"
    chart.xaxis.group_text_color = TEXT_COLOR
    chart.add_tools(
        HoverTool(
            tooltips=[("", "@label"), (value_label, f"@value{{{_hover_format(kind)}}}")],
        )
    )
    return chart


@dataclass
class Series:
    """One line of a line chart: x and y values, how it looks, what hovering it shows."""

    label: str
    x: Sequence[Any]
    y: Sequence[float]
    color: str = theme.ACCENT
    dash: str = "solid"
    width: float = 2.5
    marker: str | None = "circle"
    marker_size: float = 7
    line: bool = True
    hover: dict[str, Sequence[Any]] = field(default_factory=dict)


def lines(
    series: Sequence[Series],
    *,
    title: str,
    y_label: str,
    kind: str = "money",
    x_label: str = "",
    datetime_x: bool = True,
    categorical_x: Sequence[str] | None = None,
    marks: Sequence[tuple[Any, str]] = (),
    legend: str | None = "top_right",
    height: int = 300,
) -> figure:
    """Lines (with markers) over time or over categories; `marks` are vertical lines
    (x, colour), e.g. an offer date. The x range is padded so no end point is cut off."""
    options: dict[str, Any] = {}
    if categorical_x is not None:
        options["x_range"] = FactorRange(*[str(c) for c in categorical_x], range_padding=0.04)
    elif datetime_x:
        options["x_axis_type"] = "datetime"
    chart = _figure(title, height, **options)
    if categorical_x is None:
        chart.x_range = DataRange1d(range_padding=0.05)
    chart.y_range = DataRange1d(start=0, range_padding=0.1)
    items: list[LegendItem] = []
    hovered = []
    for line in series:
        data: dict[str, Any] = {
            "x": list(line.x),
            "y": [None if pd.isna(v) else float(v) for v in line.y],
        }
        if datetime_x and categorical_x is None:
            data["x"] = [pd.Timestamp(v) for v in data["x"]]
        data["series"] = [line.label] * len(data["x"])
        for i, values in enumerate(line.hover.values()):
            data[f"extra_{i}"] = list(values)
        source = ColumnDataSource(data)
        renderers = []
        if line.line:
            renderers.append(
                chart.add_glyph(source, Line(x="x", y="y", line_color=line.color,
                                             line_width=line.width, line_dash=line.dash))
            )  # fmt: skip
        if line.marker:
            points = chart.add_glyph(source, Scatter(
                x="x", y="y", marker=line.marker, size=line.marker_size,
                fill_color=line.color, line_color="white", line_width=1,
            ))  # fmt: skip
            renderers.append(points)
            tooltips = [("", "@series"), (y_label or "value", f"@y{{{_hover_format(kind)}}}")]
            tooltips += [(name, f"@extra_{i}") for i, name in enumerate(line.hover)]
            hovered.append((points, tooltips))
        items.append(LegendItem(label=line.label, renderers=renderers))
    for points, tooltips in hovered:
        chart.add_tools(HoverTool(renderers=[points], tooltips=tooltips))
    for x, color in marks:
        location = pd.Timestamp(x) if datetime_x and categorical_x is None else x
        chart.add_layout(Span(location=location, dimension="height", line_color=color,
                              line_dash="dashed", line_width=2))  # fmt: skip
    chart.yaxis.formatter = _ticks(kind)
    chart.yaxis.axis_label = y_label
    chart.xaxis.axis_label = x_label
    if legend and len(series) > 1:
        outside = legend == "outside"  # beside the plot, for many series
        box = Legend(
            items=items,
            location="top_left" if outside else legend,
            label_text_font_size="11px",
            background_fill_alpha=0.8,
            border_line_color=None,
        )
        chart.add_layout(box, "right" if outside else "center")
    return chart
