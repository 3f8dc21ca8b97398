"""Segment Explorer: filter the customers, see the metrics and the mix, page, export, open one."""

from __future__ import annotations

import io
import logging
import math
from collections.abc import Callable
from datetime import date

import pandas as pd
import panel as pn
import param
from panel.viewable import Viewer

from assistant.lexicon import STATE_NAMES
from dashboard import charts, theme
from dashboard.data import REGIONS, SORTABLE, SegmentFilters, Store
from dashboard.widgets import Form, RowList

log = logging.getLogger(__name__)

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
#: The filters that narrow the list.
LIST_FILTERS = (
    "segments",
    "states",
    "churn_risk",
    "card_types",
    "monthly_spend_min",
    "monthly_spend_max",
    "travel_dining_min",
    "ltv_min",
    "ltv_max",
)
#: What the form on the left edits (the region is a shortcut that adds states), and with the
#: list's controls all the forms show.
FILTER_PARAMS = ("region", *LIST_FILTERS)
FORM_PARAMS = (*FILTER_PARAMS, "sort_by", "descending", "page")
TITLE = theme.title_html(
    "Customer Segment Explorer",
    "Identify and export customer segments for targeted campaigns. "
    "Click a customer to open their Customer 360.",
)
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
    # check_on_set: a value from a link or the browser must be one of the choices (the
    # choices are only known at run time, and param checks them only when asked)
    segments = param.ListSelector(default=[], objects=[], check_on_set=True)
    states = param.ListSelector(default=[], objects=[], check_on_set=True)
    region = param.Selector(default="", objects=["", *REGIONS])
    churn_risk = param.ListSelector(default=[], objects=[], check_on_set=True)
    card_types = param.ListSelector(default=[], objects=[], check_on_set=True)
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

    @param.depends(*LIST_FILTERS, watch=True)
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
        # The filters and the list's controls are each one `Form` model, the metric cards
        # and the distribution one pane, the list one `RowList`: what a session costs the
        # server is mostly its Bokeh models (a Panel widget is one or more each)
        self._pager_text = ""
        self._filters = Form(fields=self._filter_fields(), width=320)
        self._filters.on_change(self._form_changed)
        self._cards = theme.html_pane(css_classes=["c360-segment-cards"])
        self._table = RowList(
            titles=LIST_TITLES,
            formats=LIST_FORMATS,
            empty_text="No customer matches these filters.",
            clickable=True,
            sizing_mode="stretch_width",
        )
        self._table.on_click(self.open_row)
        self._controls = Form(
            horizontal=True,
            fields=[
                {
                    "name": "sort_by",
                    "label": "Sort by",
                    "kind": "select",
                    "options": [[LIST_TITLES[c], c] for c in LIST_TITLES if c in SORTABLE],
                    "width": 200,
                },
                {"name": "descending", "label": "Descending", "kind": "checkbox"},
                {"name": "previous", "label": "‹ Previous", "kind": "button"},
                {"name": "next", "label": "Next ›", "kind": "button"},
                {"name": "pager", "label": "", "kind": "text"},
            ],
            sizing_mode="stretch_width",
        )
        self._controls.on_change(self._form_changed)
        self._download = pn.widgets.FileDownload(
            callback=self.export,
            filename=f"customer_segment_{date.today():%Y%m%d}.csv",
            label="Export segment to CSV",
            color="primary",
            width=220,
            align="end",
        )
        self._layout = pn.Row(
            self._filters,
            pn.Column(
                self._cards,
                pn.Row(self._controls, self._download, sizing_mode="stretch_width"),
                self._table,
                sizing_mode="stretch_width",
            ),
            sizing_mode="stretch_width",
        )
        self.param.watch(self._show_values, [*FORM_PARAMS, "pages"])
        self._show_values()

    def _filter_fields(self) -> list[dict]:
        def multi(name: str, label: str, placeholder: str) -> dict:
            options = list(self.param[name].objects)
            return {"name": name, "label": label, "kind": "multi", "options": options,
                    "placeholder": placeholder}  # fmt: skip

        def number(name: str, label: str, step: int, row: str | None = None) -> dict:
            return {"name": name, "label": label, "kind": "number", "step": step, "row": row}

        states = multi("states", "State", "All states")
        # a state is chosen by its code or its name ("new" finds NY, NJ, NH, NM)
        states["options"] = [[c, f"{c} · {STATE_NAMES.get(c, c)}"] for c in states["options"]]
        return [
            multi("segments", "Segment", "All segments"),
            {
                "name": "region",
                "label": "Add region",
                "kind": "select",
                "options": [["—", ""], *[[r, r] for r in REGIONS]],
            },
            states,
            multi("churn_risk", "Churn risk", "Any"),
            multi("card_types", "Card type", "Any"),
            number("monthly_spend_min", "Monthly spend ≥ $", 500, row="spend"),
            number("monthly_spend_max", "≤ $", 500, row="spend"),
            number("travel_dining_min", "Travel + dining ≥ $ / month", 500),
            number("ltv_min", "LTV ≥ $", 10_000, row="ltv"),
            number("ltv_max", "≤ $", 10_000, row="ltv"),
            {"name": "clear", "label": "Clear filters", "kind": "button"},
        ]

    def _form_changed(self, name: str, value: object) -> None:
        """A change in the browser: a button's action, or a parameter set (or refused)."""
        actions = {"clear": self.clear, "previous": lambda: self._step(-1),
                   "next": lambda: self._step(1)}  # fmt: skip
        if name in actions:
            actions[name]()
            return
        if name not in FORM_PARAMS:
            return
        form = self._filters if name in FILTER_PARAMS else self._controls
        try:
            self.param.update({name: value})
        except Exception as exc:  # noqa: BLE001 - any refused value is shown, not raised
            log.info("refused %s=%r: %s", name, value, exc)
            # the field keeps what was typed, with the reason under it; the filter in
            # force is unchanged
            form.errors = {**form.errors, name: _refusal(self.param[name])}
            return
        if name in form.errors:
            form.errors = {k: v for k, v in form.errors.items() if k != name}

    def _show_values(self, *_events) -> None:
        self._filters.values = {name: getattr(self, name) for name in FILTER_PARAMS}
        self._controls.values = {
            "sort_by": self.sort_by,
            "descending": self.descending,
            "previous": self.page > 1,
            "next": self.page < self.pages,
            "pager": self._pager_text,
        }

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
        self._cards.object = (
            TITLE
            + '<div style="height:12px"></div>'
            + theme.cards(
                theme.card("Customers", theme.number(s["customers"])),
                theme.card("Total LTV", theme.money(s["total_ltv"])),
                theme.card("Avg LTV", theme.money(s["avg_ltv"])),
            )
            + _distribution_chart(dist)
        )
        self._table.value = self.rows
        first = (self.page - 1) * PAGE_SIZE + 1 if s["customers"] else 0
        last = min(self.page * PAGE_SIZE, s["customers"])
        self._pager_text = (
            f"Page {self.page:,} of {self.pages:,} · "
            f"customers {first:,}–{last:,} of {s['customers']:,}"
        )
        self._show_values()

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


def _refusal(parameter: param.Parameter) -> str:
    """What the user is told about a value the filter cannot take."""
    bounds = getattr(parameter, "bounds", None)
    if bounds and bounds[0] is not None:
        return f"Enter a number of at least {bounds[0]:,}, or leave it empty."
    return "This value is not one of the choices."
