"""Campaign Performance: treatment vs control, ROI and significance, pre/post and monthly trend."""

from __future__ import annotations

import io

import pandas as pd
import panel as pn
import param
from panel.viewable import Viewer

from dashboard import charts, theme
from dashboard.data import Store
from dashboard.widgets import RowList

#: Display names of the campaigns the generator knows; others show their own name.
CAMPAIGN_LABELS = {"retention_offer_month16": "Declining Segment Retention Offer (Month 16)"}


def campaign_label(name: str) -> str:
    return CAMPAIGN_LABELS.get(name, name.replace("_", " ").capitalize())


class CampaignPerformance(Viewer):
    campaign = param.Selector(default=None, objects=[], allow_None=True)
    summary = param.Dict(default=None, allow_None=True)

    def __init__(self, store: Store, **params) -> None:
        self.store = store
        names = store.campaigns().campaign_name.tolist()
        self.param.campaign.objects = names
        if names and params.get("campaign") is None:
            params["campaign"] = names[0]
        super().__init__(**params)
        self._build()
        self._show()

    def export(self) -> io.BytesIO:
        return io.BytesIO(self.store.export_campaign_csv(self.campaign or ""))

    @param.depends("campaign", watch=True)
    def _show(self) -> None:
        self.summary = self.store.campaign_summary(self.campaign) if self.campaign else None
        self._render()

    def _build(self) -> None:
        self._select = pn.widgets.Select.from_param(
            self.param.campaign,
            label="Campaign",
            options={campaign_label(n): n for n in self.param.campaign.objects},
            width=420,
        )
        self._message = theme.html_pane()
        self._groups = theme.html_pane()
        self._roi = theme.html_pane()
        self._bars = charts.pane(height=320)
        self._trend = charts.pane(height=320)
        self._segments = RowList(
            sizing_mode="stretch_width",
            formats={
                "customers": "number",
                "avg_spend_before": "money",
                "avg_spend_after": "money",
                "avg_lift": "money",
            },
            titles={
                "customer_segment": "Segment",
                "treatment_group": "Group",
                "customers": "Customers",
                "avg_spend_before": "Avg spend before",
                "avg_spend_after": "Avg spend after",
                "avg_lift": "Avg lift",
            },
        )
        self._download = pn.widgets.FileDownload(
            callback=self.export,
            filename="campaign_performance.csv",
            label="Export campaign customers to CSV",
            color="primary",
            width=280,
        )
        self._layout = pn.Column(
            theme.title(
                "Campaign Performance Analytics", "Measure retention campaign impact and ROI"
            ),
            pn.Row(self._select, pn.layout.HSpacer(), self._download),
            self._message,
            self._roi,
            self._groups,
            pn.Row(self._bars, self._trend, sizing_mode="stretch_width"),
            theme.title("By segment at the offer"),
            self._segments,
            sizing_mode="stretch_width",
        )

    def _render(self) -> None:
        s = self.summary
        if s is None:
            self._message.object = theme.message("No campaign has been published yet.", "info")
            for pane in (self._groups, self._roi):
                pane.object = ""
            return
        self._message.object = ""
        self._download.filename = f"campaign_{self.campaign}.csv"
        significance = (
            f"significant (p {_p(s['p_value'])})"
            if s["is_significant"]
            else f"not significant (p {_p(s['p_value'])})"
        )
        self._roi.object = theme.cards(
            theme.card(
                "ROI",
                theme.percent(s["roi_pct"], digits=0),
                "a month of incremental revenue against the one-off cost (spec 3.8)",
                prominent=True,
            ),
            theme.card("Campaign cost", theme.money(s["campaign_cost"])),
            theme.card(
                "Incremental revenue / month",
                theme.money(s["incremental_revenue"]),
                "(treatment lift − control lift) × treated",
            ),
            theme.card(
                "Lift difference",
                theme.money(s["lift_difference"]),
                f"per customer per month, {significance}",
            ),
        )
        self._groups.object = (
            '<div style="display:flex;gap:24px;flex-wrap:wrap">'
            + _group_html("Treatment group", s, "treatment")
            + _group_html("Control group", s, "control")
            + "</div>"
        )
        self._bars.object = _prepost_chart(s)
        trend = self.store.campaign_trend(self.campaign)
        self._trend.object = _trend_chart(trend, s["offer_date"])
        self._segments.value = self.store.campaign_by_segment(self.campaign)

    def __panel__(self) -> pn.viewable.Viewable:
        return self._layout


def _p(value) -> str:
    if value is None:
        return "n/a"
    return "< 0.0001" if float(value) < 0.0001 else f"= {float(value):.4f}"


def _group_html(title: str, s: dict, group: str) -> str:
    return (
        f'<div><div class="c360-muted" style="font-weight:600">{title}</div>'
        + theme.cards(
            theme.card("Customers", theme.number(s[f"{group}_customers"])),
            theme.card("Avg spend before", theme.money(s[f"{group}_pre_avg_spend"])),
            theme.card(
                "Avg spend after",
                theme.money(s[f"{group}_post_avg_spend"]),
                theme.percent(s.get(f"{group}_spend_change_pct"), signed=True),
            ),
            theme.card("Avg lift", theme.money(s[f"{group}_avg_lift"])),
            theme.card(
                "Retention rate", theme.percent(s.get(f"{group}_retention_rate_pct"), digits=0)
            ),
        )
        + "</div>"
    )


def _prepost_chart(s: dict):
    values = {
        (group.capitalize(), period): s[f"{group}_{key}_avg_spend"]
        for group in ("treatment", "control")
        for period, key in (("Before", "pre"), ("After", "post"))
    }
    return charts.grouped_bars(
        ["Treatment", "Control"],
        ["Before", "After"],
        values,
        title="Average monthly spend before vs after the offer",
        value_label="avg monthly spend ($)",
        period_colors={"Before": "#9aa5b1", "After": theme.ACCENT},
        height=320,
    )


def _trend_chart(trend: pd.DataFrame, offer_date):
    """Both groups month by month. Until the offer they spend alike (that is what a random
    control means), so the lines would hide each other: treatment is a solid line, control a
    dashed line with hollow markers drawn on top, both visible where they overlap."""
    series = []
    for group, dash, marker in (("treatment", "solid", "circle"), ("control", "dashed", "square")):
        rows = trend[trend.treatment_group == group]
        series.append(
            charts.Series(
                group.capitalize(),
                rows.month,
                rows.avg_spend.astype(float),
                color=theme.GROUP_COLORS[group] if group == "treatment" else "#5b6b7c",
                dash=dash,
                width=3 if group == "treatment" else 2,
                marker=marker,
                marker_size=7 if group == "treatment" else 6,
                hover={
                    "month": [f"{m:%b %Y}" for m in rows.month],
                    "customers": [theme.number(v) for v in rows.customers],
                },
            )
        )
    marks = [(offer_date, "#c0392b")] if offer_date is not None else []
    # spend falls toward the offer: the lower left is the empty corner for the legend
    return charts.lines(
        series,
        title="Average monthly spend per group (red: the offer)",
        y_label="avg spend ($)",
        marks=marks,
        legend="bottom_left",
        height=320,
    )
