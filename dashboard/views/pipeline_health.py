"""Pipeline Health (spec 5.6): runs, rows per layer, data quality, ingestion, alerts, lineage."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pandas as pd
import panel as pn
import param
from panel.viewable import Viewer

from c360.core.clock import utc_now
from dashboard import charts, theme
from dashboard.data import Store
from dashboard.widgets import RowList

QUALITY_CHECKS = ("duplicate", "null", "referential", "range")
#: Loads shown in the data-quality chart (each point is one loaded file).
QUALITY_LOADS = 30
#: The data layers of the rows-per-layer chart (observability tables are bookkeeping: a few
#: hundred rows would be an empty bar beside millions).
DATA_LAYERS = ("bronze", "silver", "gold")
#: The watcher's state (ingestion.pipe_status) as the card says it: (value, explanation).
PIPE_STATES = {
    "RUNNING": ("watching", "c360 run --watch loads each file as it lands"),
    "STALLED": ("stalled", "a watcher started but has not polled for a while"),
    "STOPPED": ("off", "no watcher: files load at each c360 run"),
    "unknown": ("unknown", "this server cannot see the watcher's heartbeat"),
}


class PipelineHealth(Viewer):
    alerts = param.List(default=[])

    def __init__(
        self,
        store: Store,
        lineage: pd.DataFrame | None = None,
        usage: Callable[[], dict[str, Any] | None] | None = None,
        **params,
    ) -> None:
        self.store = store
        self.lineage = lineage
        #: the assistant's usage summary (from its own store, through the adapter)
        self.usage = usage
        super().__init__(**params)
        self._build()
        self.refresh()

    def refresh(self, now: datetime | None = None) -> None:
        now = now or utc_now()
        store = self.store
        self.alerts = store.alerts(now)
        self._alerts.object = "".join(
            theme.badge(f"{a.title} {a.detail}".strip(), a.level) for a in self.alerts
        ) or theme.badge("All checks within thresholds (spec 10.5)", "ok")
        runs = store.runs(20)
        ingest = store.ingestion(now)
        last = runs.iloc[0] if len(runs) else None
        self._cards.object = theme.cards(
            theme.card(
                "Last run",
                str(last.status) if last is not None else "none",
                f"{last.run_timestamp:%Y-%m-%d %H:%M} UTC · {last.action}"
                if last is not None
                else "",
                prominent=True,
            ),
            theme.card(
                "Duration",
                f"{last.duration_seconds:,.1f} s" if last is not None else "–",
                f"{last.models_run} models, {last.models_failed} failed"
                if last is not None
                else "",
            ),
            theme.card(
                "Files in the last hour",
                theme.number(ingest["files_last_hour"] or 0),
                f"{ingest['failed_last_hour'] or 0} failed",
            ),
            theme.card(
                "Ingestion latency",
                _seconds(ingest["latency_last_hour"] or ingest["latency_all"]),
                "average, last hour" if ingest["latency_last_hour"] else "average, all loads",
            ),
            theme.card("Load errors (24 h)", theme.number(ingest["errors_last_day"] or 0)),
            theme.card(
                "Continuous loading",
                *PIPE_STATES.get(ingest["pipe_state"], (str(ingest["pipe_state"]), "")),
            ),
            theme.card(
                "Freshness",
                _age(now, ingest["published_at"]),
                f"published; data to {_when(ingest['last_transaction_at'])}",
            ),
        )
        self._runs.value = runs
        counts = store.layer_counts()
        self._layers.value = counts
        data = counts[counts.layer.isin(DATA_LAYERS)]
        per_layer = data.groupby("layer", sort=False).record_count.sum()
        self._layer_chart.object = charts.vbars(
            per_layer.index.tolist(),
            per_layer.tolist(),
            title="Rows per layer, all its tables (newest build)",
            value_label="rows",
            kind="short",
            height=260,
        )
        self._quality.object = _quality_chart(store.quality_per_load(QUALITY_LOADS))
        self._quality_totals.object = _quality_totals(store.quality_totals())
        self._loads.value = store.recent_loads(20)
        failures = store.audit_failures(20)
        self._audits.value = failures
        self._audits.visible = bool(len(failures))
        self._audits_none.object = (
            "" if len(failures) else theme.message("No audit failed in the recent runs.", "info")
        )
        self._assistant.object = _usage_cards(self.usage() if self.usage is not None else None)
        manifest = store.manifest()
        self._manifest.object = (
            '<span class="c360-muted">Serving copy published '
            f"{_when(manifest['published_at'])} UTC, covers the build of "
            f"{_when(manifest['covered_run'])} UTC, {manifest['tables']} tables.</span>"
        )

    def _build(self) -> None:
        self._alerts = theme.html_pane()
        self._cards = theme.html_pane()
        self._manifest = theme.html_pane()
        # the tables are one model each (a Tabulator is ~35): dashboard/widgets.py
        self._runs = RowList(
            scroll_height=260,
            sizing_mode="stretch_width",
            titles={
                "run_timestamp": "Run (UTC)",
                "status": "Status",
                "action": "Action",
                "models_run": "Models",
                "models_failed": "Failed",
                "duration_seconds": "Seconds",
            },
        )
        self._layers = RowList(
            scroll_height=260,
            sizing_mode="stretch_width",
            titles={"layer": "Layer", "model_name": "Model", "record_count": "Rows"},
            formats={"record_count": "number"},
        )
        self._layer_chart = charts.pane(height=260)
        self._quality = charts.pane(height=300)
        self._quality_totals = theme.html_pane()
        self._loads = RowList(
            scroll_height=260,
            sizing_mode="stretch_width",
            titles={
                "last_load_time": "Loaded (UTC)",
                "file_name": "File",
                "table_name": "Table",
                "status": "Status",
                "row_count": "Rows",
                "error_count": "Errors",
                "latency_seconds": "Latency (s)",
                "first_error_message": "First error",
            },
            formats={"row_count": "number", "error_count": "number"},
        )
        self._audits = RowList(scroll_height=160, sizing_mode="stretch_width")
        self._audits_none = theme.html_pane()
        self._assistant = theme.html_pane()
        lineage = (
            RowList(
                value=self.lineage,
                scroll_height=300,
                sizing_mode="stretch_width",
                titles={"model": "Model", "kind": "Kind", "upstream": "Reads"},
                formats={"upstream": "wrap"},
            )
            if self.lineage is not None and len(self.lineage)
            else theme.html_pane(
                theme.message(
                    "Lineage is shown when the dashboard is started by `c360 serve`.", "info"
                )
            )
        )
        self._layout = pn.Column(
            theme.title(
                "Pipeline Health", "Runs, rows per layer, data quality and ingestion (spec 5.6)"
            ),
            self._alerts,
            self._cards,
            self._manifest,
            pn.Row(
                pn.Column(theme.title("Last runs"), self._runs, sizing_mode="stretch_width"),
                pn.Column(self._layer_chart, sizing_mode="stretch_width"),
                sizing_mode="stretch_width",
            ),
            self._quality,
            self._quality_totals,
            # the loads have eight columns: the whole width (half of it cut file and table)
            theme.title("Recent loads"),
            self._loads,
            theme.title("Rows per model"),
            self._layers,
            theme.title("Failed audits"),
            self._audits_none,
            self._audits,
            theme.title("Assistant usage"),
            self._assistant,
            theme.title(
                "Lineage of the gold models", "Upstream models of each gold model (from SQLMesh)"
            ),
            lineage,
            sizing_mode="stretch_width",
        )

    def __panel__(self) -> pn.viewable.Viewable:
        return self._layout


def _seconds(value) -> str:
    if value is None:
        return "–"
    value = float(value)
    return f"{value:,.1f} s" if value < 120 else f"{value / 60:,.1f} min"


def _when(value) -> str:
    return "–" if value is None else f"{pd.Timestamp(value):%Y-%m-%d %H:%M}"


def _age(now: datetime, then) -> str:
    if then is None:
        return "–"
    seconds = (now - pd.Timestamp(then).to_pydatetime()).total_seconds()
    if seconds < 120:
        return f"{seconds:,.0f} s ago"
    if seconds < 7200:
        return f"{seconds / 60:,.0f} min ago"
    return f"{seconds / 3600:,.1f} h ago"


def _check_name(table_name: str, check_type: str) -> str:
    return f"{table_name.replace('silver_', '')} · {check_type}"


def _quality_chart(quality: pd.DataFrame):
    """% of rows failing per check, one point per load (the newest QUALITY_LOADS loads)."""
    quality = quality[quality.check_type.isin(QUALITY_CHECKS)]
    if not len(quality):
        return None
    loads = sorted(quality.loaded_at.unique())
    labels: dict = {}
    for at in loads:  # loads within the same second get a running number: factors are unique
        label = f"{pd.Timestamp(at):%m-%d %H:%M:%S}"
        taken = sum(1 for v in labels.values() if v.split(" #")[0] == label)
        labels[at] = f"{label} #{taken + 1}" if taken else label
    series = []
    checks = quality.groupby(["table_name", "check_type"], sort=True)
    for color, ((table_name, check_type), rows) in zip(charts.PALETTE, checks, strict=False):
        series.append(
            charts.Series(
                _check_name(table_name, check_type),
                [labels[at] for at in rows.loaded_at],
                rows.failure_pct.astype(float).fillna(0.0),
                color=color,
                width=2,
                marker_size=6,
                hover={
                    "loaded (UTC)": [
                        f"{pd.Timestamp(at):%Y-%m-%d %H:%M:%S}" for at in rows.loaded_at
                    ],
                    "failing": [
                        f"{f:,} of {c:,}" for f, c in zip(rows.failed, rows.checked, strict=True)
                    ],
                },
            )
        )
    chart = charts.lines(
        series,
        title=f"Data quality per load: % of the load's rows failing (last {len(loads)} loads)",
        y_label="% failing",
        kind="percent",
        x_label="load time (UTC, month-day)",
        categorical_x=[labels[at] for at in loads],
        legend="outside",
        height=300,
    )
    chart.xaxis.major_label_orientation = 0.8
    return chart


def _quality_totals(totals: pd.DataFrame) -> str:
    """One sentence: each check's rate over every load measured (the whole history)."""
    totals = totals[totals.check_type.isin(QUALITY_CHECKS)]
    if not len(totals):
        return ""
    since = pd.Timestamp(totals.first_load_at.min())
    rates = ", ".join(
        f"{_check_name(r.table_name, r.check_type)} {theme.percent(r.failure_pct, digits=2)}"
        for r in totals.itertuples()
    )
    return (
        f'<span class="c360-muted">Over every load since {since:%Y-%m-%d %H:%M} UTC: '
        f"{rates} of rows failing.</span>"
    )


def _usage_cards(usage: dict[str, Any] | None) -> str:
    if usage is None:
        return theme.message("The assistant's log is not available on this server.", "info")
    questions = usage.get("questions") or 0
    if not questions:
        return theme.message("No questions have been asked to the assistant yet.", "info")
    refused = usage.get("refused") or 0
    last = usage.get("last_asked_at")
    return theme.cards(
        theme.card(
            "Questions",
            theme.number(questions),
            f"last {pd.Timestamp(last):%Y-%m-%d %H:%M} UTC" if last is not None else "",
        ),
        theme.card(
            "Answered",
            theme.number(usage.get("answered") or 0),
            f"{usage.get('clarify') or 0} asked to clarify",
        ),
        theme.card("Refused", theme.number(refused), f"{theme.percent(100 * refused / questions)}"),
        # words, not 👍/👎: there is no emoji font offline (they would show as empty boxes)
        theme.card("Marked helpful", theme.number(usage.get("thumbs_up") or 0)),
        theme.card("Marked not helpful", theme.number(usage.get("thumbs_down") or 0)),
    )
