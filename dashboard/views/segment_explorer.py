"""Segment Explorer: filter the customers, see the metrics and the mix, page, export, open one."""

from __future__ import annotations

import io
import math
from collections.abc import Callable
from datetime import date

import pandas as pd
import panel as pn
import param
from panel.viewable import Viewer

from dashboard import charts, theme
from dashboard.data import REGIONS, SORTABLE, SegmentFilters, Store
from dashboard.widgets import RowList

PAGE_SIZE = 25
#: Filters kept in the URL (parameter -> query key), so a view can be shared and reloaded.
URL_PARAMS = {
    "segments": "segments",
    "states": "states",
    "churn_risk": "churn",
    "card_types": "cards",
    "monthly_spend_min": "spend_min",
    "monthly_spend_max": "spend_max",
    "travel_dining_min": "travel_dining_min",
    "ltv_min": "ltv_min",
    "ltv_max": "ltv_max",
    "page": "page",
    "sort_by": "sort",
}
LIST_FORMATS = {
    "lifetime_value": "money",
    "avg_monthly_spend": "money",
    "travel_dining_monthly_spend": "money",
    "churn_risk_score": "number",
}
#: The list on screen: LIST_COLUMNS (the CSV export has every CUSTOMER_COLUMNS column).
LIST_TITLES = {
    "customer_id": "Customer",
    "full_name": "Name",
    "state": "State",
    "customer_segment": "Segment",
    "card_type": "Card",
    "lifetime_value": "LTV",
    "avg_monthly_spend": "Spend / month",
    "travel_dining_monthly_spend": "Travel + dining / mo",
    "churn_risk_score": "Churn",
    "churn_risk_category": "Risk",
}


class SegmentExplorer(Viewer):
    # no `doc=` on the filters: a widget shows it as a "?" tooltip repeating its label
    segments = param.ListSelector(default=[], objects=[])
    states = param.ListSelector(default=[], objects=[])
    region = param.Selector(default="", objects=["", *REGIONS])
    churn_risk = param.ListSelector(default=[], objects=[])
    card_types = param.ListSelector(default=[], objects=[])
    monthly_spend_min = param.Number(default=None, allow_None=True, bounds=(0, None))
    monthly_spend_max = param.Number(default=None, allow_None=True, bounds=(0, None))
    travel_dining_min = param.Number(default=None, allow_None=True, bounds=(0, None))
    ltv_min = param.Number(default=None, allow_None=True, bounds=(0, None))
    ltv_max = param.Number(default=None, allow_None=True, bounds=(0, None))
    page = param.Integer(default=1, bounds=(1, None))
    sort_by = param.Selector(default="lifetime_value", objects=sorted(SORTABLE))
    descending = param.Boolean(default=True)

    summary = param.Dict(default={}, doc="Customers, total and average LTV of the filter")
    rows = param.DataFrame(default=None, doc="The page on screen")
    pages = param.Integer(default=1)

    def __init__(
        self, store: Store, on_open_customer: Callable[[str], None] | None = None, **params
    ) -> None:
        self.store = store
        self.on_open_customer = on_open_customer
        options = store.filter_options()
        self.param.segments.objects = options["segment"]
        self.param.states.objects = options["state"]
        self.param.churn_risk.objects = options["churn"]
        self.param.card_types.objects = options["card_type"]
        super().__init__(**params)
        self._build()
        self.refresh()

    # --- state ---------------------------------------------------------------------------
    @property
    def filters(self) -> SegmentFilters:
        return SegmentFilters(
            segments=tuple(self.segments),
            states=tuple(self.states),
            churn_risk=tuple(self.churn_risk),
            card_types=tuple(self.card_types),
            monthly_spend_min=self.monthly_spend_min,
            monthly_spend_max=self.monthly_spend_max,
            travel_dining_min=self.travel_dining_min,
            ltv_min=self.ltv_min,
            ltv_max=self.ltv_max,
        )

    @param.depends("region", watch=True)
    def _apply_region(self) -> None:
        if self.region:
            known = set(self.param.states.objects)
            wanted = [s for s in REGIONS[self.region] if s in known]
            self.states = sorted(set(self.states) | set(wanted))
            self.region = ""

    @param.depends(
        "segments",
        "states",
        "churn_risk",
        "card_types",
        "monthly_spend_min",
        "monthly_spend_max",
        "travel_dining_min",
        "ltv_min",
        "ltv_max",
        watch=True,
    )
    def _filters_changed(self) -> None:
        if self.page != 1:
            self.page = 1  # triggers refresh
        else:
            self.refresh()

    @param.depends("page", "sort_by", "descending", watch=True)
    def _page_changed(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        filters = self.filters
        self.summary = self.store.segment_summary(filters)
        self.pages = max(1, math.ceil(self.summary["customers"] / PAGE_SIZE))
        if self.page > self.pages:
            self.page = self.pages
            return
        self.rows = self.store.customer_page(
            filters, self.page, PAGE_SIZE, self.sort_by, self.descending
        )
        self._render(filters)

    def export(self) -> io.BytesIO:
        """The whole filtered list (every page), built on the server."""
        return io.BytesIO(self.store.export_customers_csv(self.filters))

    def open_row(self, index: int) -> None:
        if self.rows is None or not (0 <= index < len(self.rows)):
            return
        customer_id = str(self.rows.iloc[index].customer_id)
        if self.on_open_customer:
            self.on_open_customer(customer_id)

    # --- layout ----------------------------------------------------------------------------
    def _build(self) -> None:
        w = pn.widgets
        self._filters = pn.Column(
            w.MultiChoice.from_param(
                self.param.segments, label="Segment", placeholder="All segments"
            ),
            w.Select.from_param(
                self.param.region, label="Add region", options={"—": "", **{r: r for r in REGIONS}}
            ),
            w.MultiChoice.from_param(self.param.states, label="State", placeholder="All states"),
            w.MultiChoice.from_param(self.param.churn_risk, label="Churn risk", placeholder="Any"),
            w.MultiChoice.from_param(self.param.card_types, label="Card type", placeholder="Any"),
            pn.Row(
                w.FloatInput.from_param(
                    self.param.monthly_spend_min, label="Monthly spend ≥ $", step=500
                ),
                w.FloatInput.from_param(self.param.monthly_spend_max, label="≤ $", step=500),
            ),
            w.FloatInput.from_param(
                self.param.travel_dining_min, label="Travel + dining ≥ $ / month", step=500
            ),
            pn.Row(
                w.FloatInput.from_param(self.param.ltv_min, label="LTV ≥ $", step=10_000),
                w.FloatInput.from_param(self.param.ltv_max, label="≤ $", step=10_000),
            ),
            w.Button(label="Clear filters", color="light", on_click=lambda _: self.clear()),
            width=320,
        )
        # the metric cards and the distribution are one pane (every model costs each session)
        self._cards = theme.html_pane(css_classes=["c360-segment-cards"])
        # one model per session (a Tabulator is ~35): see dashboard/widgets.py
        self._table = RowList(
            titles=LIST_TITLES,
            formats=LIST_FORMATS,
            empty_text="No customer matches these filters.",
            sizing_mode="stretch_width",
        )
        self._table.on_click(self.open_row)
        self._pager = theme.html_pane()
        self._download = w.FileDownload(
            callback=self.export,
            filename=f"customer_segment_{date.today():%Y%m%d}.csv",
            label="Export segment to CSV",
            color="primary",
            width=220,
        )
        prev_button = w.Button(label="‹ Previous", width=110)
        next_button = w.Button(label="Next ›", width=110)
        prev_button.on_click(lambda _: self._step(-1))
        next_button.on_click(lambda _: self._step(1))
        self._layout = pn.Row(
            self._filters,
            pn.Column(
                theme.title(
                    "Customer Segment Explorer",
                    "Identify and export customer segments for targeted campaigns. "
                    "Click a customer to open their Customer 360.",
                ),
                self._cards,
                pn.Row(
                    w.Select.from_param(
                        self.param.sort_by,
                        label="Sort by",
                        options={LIST_TITLES[c]: c for c in LIST_TITLES if c in SORTABLE},
                        width=220,
                    ),
                    w.Checkbox.from_param(self.param.descending, label="Descending", align="end"),
                    pn.layout.HSpacer(),
                    self._download,
                ),
                self._table,
                pn.Row(prev_button, next_button, self._pager),
                sizing_mode="stretch_width",
            ),
            sizing_mode="stretch_width",
        )

    def _step(self, delta: int) -> None:
        self.page = min(max(1, self.page + delta), self.pages)

    def clear(self) -> None:
        self.param.update(
            segments=[],
            states=[],
            churn_risk=[],
            card_types=[],
            monthly_spend_min=None,
            monthly_spend_max=None,
            travel_dining_min=None,
            ltv_min=None,
            ltv_max=None,
        )

    def _render(self, filters: SegmentFilters) -> None:
        s = self.summary
        dist = self.store.segment_distribution(filters)
        self._cards.object = theme.cards(
            theme.card("Customers", theme.number(s["customers"])),
            theme.card("Total LTV", theme.money(s["total_ltv"])),
            theme.card("Avg LTV", theme.money(s["avg_ltv"])),
        ) + _distribution_chart(dist)
        self._table.value = self.rows
        first = (self.page - 1) * PAGE_SIZE + 1 if s["customers"] else 0
        last = min(self.page * PAGE_SIZE, s["customers"])
        self._pager.object = (
            f'<span class="c360-muted">Page {self.page:,} of {self.pages:,} · '
            f"customers {first:,}–{last:,} of {s['customers']:,}</span>"
        )

    def __panel__(self) -> pn.viewable.Viewable:
        return self._layout


def _distribution_chart(dist: pd.DataFrame) -> str:
    if dist.empty:
        return theme.message("No customer matches these filters.", "info")
    return charts.html_bars(
        dist.customer_segment.tolist(),
        dist.customers.tolist(),
        title="Segment distribution (customers)",
        colors=[theme.SEGMENT_COLORS.get(s, theme.ACCENT) for s in dist.customer_segment],
    )
