"""Customer 360: one customer's profile, spend trend, categories, transactions and card history."""

from __future__ import annotations

import logging
from datetime import date

import pandas as pd
import panel as pn
import param
from panel.viewable import Viewer

from dashboard import charts, theme
from dashboard.data import NOT_SCORED, InvalidCustomerId, Store, TransactionFilters
from dashboard.widgets import Form, RowList

log = logging.getLogger(__name__)

CHANNELS = ("In-Store", "Online", "Mobile")
#: The transaction filters the form edits.
TX_FIELDS = (
    "tx_categories",
    "tx_channels",
    "tx_amount_min",
    "tx_amount_max",
    "tx_date_from",
    "tx_date_to",
)
SUGGESTION_SEPARATOR = " · "


class Customer360(Viewer):
    customer_id = param.String(default="", doc="The customer shown (synced to ?customer_id=)")
    error = param.String(default="", doc="Why nothing is shown (malformed or unknown id)")
    profile = param.Dict(default=None, allow_None=True)

    tx_categories = param.ListSelector(default=[], objects=[], check_on_set=True)
    tx_channels = param.ListSelector(default=[], objects=list(CHANNELS), check_on_set=True)
    tx_amount_min = param.Number(default=None, allow_None=True, bounds=(0, None))
    tx_amount_max = param.Number(default=None, allow_None=True, bounds=(0, None))
    tx_date_from = param.CalendarDate(default=None, allow_None=True)
    tx_date_to = param.CalendarDate(default=None, allow_None=True)

    def __init__(self, store: Store, **params) -> None:
        self.store = store
        super().__init__(**params)
        self._build()
        self._show()

    # --- input -----------------------------------------------------------------------------
    def search(self, text: str) -> None:
        """What the search box does on Enter / choosing a suggestion."""
        text = (text or "").strip()
        if not text:
            return
        candidate = text.split(SUGGESTION_SEPARATOR, 1)[0].strip()
        try:
            self.customer_id = self.store.parse_customer_id(candidate)
            return
        except InvalidCustomerId:
            pass
        matches = self.store.suggest(text, limit=2)
        if len(matches) == 1:
            self.customer_id = str(matches.customer_id.iloc[0])
        elif len(matches) == 0:
            self.error = (
                f"No customer matches {text[:60]!r}: search by id (CUST########), name or e-mail."
            )
            self.customer_id = ""
        else:
            self.error = f"Several customers match {text[:60]!r}: pick one of the suggestions."
            self.customer_id = ""

    def _typed(self, event) -> None:
        text = event.new or ""
        if len(text.strip()) < 2:
            return
        found = self.store.suggest(text, limit=12)
        self._search.options = [
            SUGGESTION_SEPARATOR.join((r.customer_id, r.full_name, r.email))
            for r in found.itertuples()
        ]

    @param.depends("customer_id", watch=True)
    def _show(self) -> None:
        if not self.customer_id:
            self.profile = None
            self._render()
            return
        try:
            customer_id = self.store.parse_customer_id(self.customer_id)
        except InvalidCustomerId as exc:
            self.error, self.profile = str(exc), None
            self._render()
            return
        profile = self.store.profile(customer_id)
        if profile is None:
            self.error = f"Customer {customer_id} is not in the published data."
        else:
            self.error = ""
            categories = self.store.category_spend(customer_id, top=25).category_name.tolist()
            self.param.tx_categories.objects = sorted(set(categories) | set(self.tx_categories))
            self._show_tx_fields()
        self.profile = profile
        self._render()

    @property
    def transaction_filters(self) -> TransactionFilters:
        start, end = self.tx_date_from, self.tx_date_to
        return TransactionFilters(
            categories=tuple(self.tx_categories),
            channels=tuple(self.tx_channels),
            amount_min=self.tx_amount_min,
            amount_max=self.tx_amount_max,
            date_from=start,
            date_to=end,
        )

    @param.depends(*TX_FIELDS, watch=True)
    def _filter_transactions(self) -> None:
        if self.profile:
            self._tx_table.value = self.store.transactions(
                self.profile["customer_id"], self.transaction_filters
            )

    # --- layout ----------------------------------------------------------------------------
    def _build(self) -> None:
        w = pn.widgets
        self._search = w.AutocompleteInput(
            label="Find a customer",
            placeholder="Customer id, name or e-mail (e.g. CUST00012345)",
            options=[],
            restrict=False,
            case_sensitive=False,
            search_strategy="includes",
            min_characters=2,
            width=460,
        )
        self._search.param.watch(self._typed, "value_input")
        self._search.param.watch(lambda e: self.search(e.new), "value")
        self._message = theme.html_pane()
        self._profile = theme.html_pane()
        self._trend = charts.pane(height=300)
        self._categories = charts.pane(height=300)
        # the tables and the transaction filters are one model each (dashboard/widgets.py)
        self._tx_table = RowList(
            titles={
                "transaction_date": "Date",
                "transaction_amount": "Amount",
                "merchant_name": "Merchant",
                "category_name": "Category",
                "channel": "Channel",
                "transaction_id": "Transaction",
            },
            formats={"transaction_amount": "money_cents"},
            empty_text="No transaction matches these filters.",
            scroll_height=420,
            sizing_mode="stretch_width",
        )
        self._history = RowList(
            titles={
                "valid_from": "Valid from",
                "valid_to": "Valid to",
                "card_type": "Card",
                "credit_limit": "Credit limit",
                "is_current": "Current",
            },
            formats={"credit_limit": "money"},
            sizing_mode="stretch_width",
        )
        self._tx_form = Form(horizontal=True, sizing_mode="stretch_width")
        self._tx_form.on_change(self._tx_form_changed)
        self._show_tx_fields()
        self.param.watch(self._show_tx_values, list(TX_FIELDS))
        self._details = pn.Column(
            self._profile,
            pn.Row(self._trend, self._categories, sizing_mode="stretch_width"),
            theme.html_pane(
                '<span class="c360-muted">Hover a month for its MoM change; the orange '
                "diamond is the month in progress at its run rate.</span>"
            ),
            theme.title(
                "Recent transactions", "The customer's latest 100; the filters narrow them."
            ),
            self._tx_form,
            self._tx_table,
            theme.title(
                "Card and credit-limit history", "SCD type 2 versions of gold.dim_customer"
            ),
            self._history,
            sizing_mode="stretch_width",
            visible=False,
        )
        self._layout = pn.Column(
            theme.title("Customer 360 View", "Deep dive into one customer's profile and behaviour"),
            self._search,
            self._message,
            self._details,
            sizing_mode="stretch_width",
        )

    def _show_tx_fields(self) -> None:
        """The transaction filters (the categories are the customer's own)."""
        multi = {"kind": "multi", "placeholder": "Any"}
        self._tx_form.fields = [
            {"name": "tx_categories", "label": "Category", "width": 240,
             "options": list(self.param.tx_categories.objects), **multi},
            {"name": "tx_channels", "label": "Channel", "width": 200,
             "options": list(CHANNELS), **multi},
            {"name": "tx_amount_min", "label": "Amount ≥ $", "kind": "number", "width": 110},
            {"name": "tx_amount_max", "label": "≤ $", "kind": "number", "width": 110},
            {"name": "tx_date_from", "label": "From", "kind": "date", "width": 150},
            {"name": "tx_date_to", "label": "To", "kind": "date", "width": 150},
        ]  # fmt: skip
        self._show_tx_values()

    def _show_tx_values(self, *_events) -> None:
        start, end = self.tx_date_from, self.tx_date_to
        self._tx_form.values = {
            "tx_categories": self.tx_categories,
            "tx_channels": self.tx_channels,
            "tx_amount_min": self.tx_amount_min,
            "tx_amount_max": self.tx_amount_max,
            "tx_date_from": start.isoformat() if start else None,
            "tx_date_to": end.isoformat() if end else None,
        }

    def _tx_form_changed(self, name: str, value: object) -> None:
        """A change in the browser's transaction filters: applied, or refused and named."""
        try:
            if name in ("tx_date_from", "tx_date_to"):
                self.param.update({name: date.fromisoformat(value) if value else None})
            elif name in TX_FIELDS:
                self.param.update({name: value})
            else:
                return
        except Exception as exc:  # noqa: BLE001 - any refused value is shown, not raised
            log.info("refused %s=%r: %s", name, value, exc)
            self._tx_form.errors = {**self._tx_form.errors, name: "Not a valid value here."}
            return
        if name in self._tx_form.errors:
            self._tx_form.errors = {k: v for k, v in self._tx_form.errors.items() if k != name}

    def _render(self) -> None:
        profile = self.profile
        if profile is None:
            self._details.visible = False
            self._message.object = (
                theme.message(self.error, "error")
                if self.error
                else theme.message("Enter a customer id, a name or an e-mail to see a customer.")
            )
            return
        self._message.object = ""
        customer_id = profile["customer_id"]
        alert = self.store.decline_alert(customer_id)
        self._profile.object = _profile_html(profile, alert)
        monthly = self.store.monthly_spend(customer_id)
        self._trend.object = _trend_chart(monthly)
        self._categories.object = _category_chart(self.store.category_spend(customer_id))
        self._tx_table.value = self.store.transactions(customer_id, self.transaction_filters)
        self._history.value = self.store.card_history(customer_id)
        self._details.visible = True

    def __panel__(self) -> pn.viewable.Viewable:
        return self._layout


def _profile_html(p: dict, alert: dict | None) -> str:
    score = p.get("churn_risk_score")
    category = p.get("churn_risk_category")
    churn_value = NOT_SCORED if score is None else f"{score:.0f} / 100"
    churn_sub = "" if score is None else (category or "")
    mom = p.get("latest_mom_change_pct")
    items = [
        theme.card("Customer", str(p["full_name"]), f"{p['customer_id']} · {p['email']}"),
        theme.card("Segment", str(p["customer_segment"])),
        theme.card("Churn risk", churn_value, churn_sub, prominent=True),
        theme.card("Card", str(p["card_type"]), f"limit {theme.money(p['credit_limit'])}"),
        theme.card("Lifetime value", theme.money(p["lifetime_value"])),
        theme.card("Avg transaction", theme.money(p["avg_transaction_value"], 2)),
        theme.card(
            "Avg monthly spend",
            theme.money(p["avg_monthly_spend"]),
            f"MoM {theme.percent(mom, True)}",
        ),
        theme.card(
            "Location", f"{p['city']}, {p['state']}", f"age {p['age']} · {p['employment_status']}"
        ),
    ]
    html = theme.cards(*items)
    if alert:
        html = (
            theme.message(
                f"Spend decline alert ({alert['alert_month']:%b %Y}): monthly spend down "
                f"{abs(float(alert['spend_decline_pct'])):.0f} % "
                f"({theme.money(alert['prior_3m_monthly_spend'])} → "
                f"{theme.money(alert['recent_monthly_spend'])} a month).",
                "warning",
            )
            + html
        )
    return html


def _trend_chart(monthly: pd.DataFrame):
    """Complete months as a line; the month in progress as its run-rate (projected) point."""
    complete = monthly[monthly.is_complete_month.astype(bool)]
    current = monthly[~monthly.is_complete_month.astype(bool)]
    series = [
        charts.Series(
            "complete months",
            complete.month,
            complete.monthly_spend.astype(float),
            hover={
                "month": [f"{m:%b %Y}" for m in complete.month],
                "MoM": [theme.percent(v, signed=True) for v in complete.mom_change_pct],
                "transactions": [theme.number(v) for v in complete.transaction_count],
            },
        )
    ]
    if len(current):
        series.append(
            charts.Series(
                "month in progress (run rate)",
                current.month,
                current.projected_monthly_spend.astype(float),
                color="#d68910",
                line=False,
                marker="diamond",
                marker_size=14,
                hover={
                    "month": [f"{m:%b %Y} (so far)" for m in current.month],
                    "spent so far": [theme.money(v) for v in current.monthly_spend],
                },
            )
        )
    return charts.lines(
        series, title="Monthly spend (18 months)", y_label="spend ($)", legend=None, height=300
    )


def _category_chart(categories: pd.DataFrame):
    return charts.hbars(
        categories.category_name.tolist(),
        categories.total_spend.astype(float).tolist(),
        title="Spend by category (top 10)",
        value_label="spend ($)",
        kind="money",
        height=300,
        hover={
            "share": [theme.percent(v) for v in categories.spend_share_pct],
            "transactions": [theme.number(v) for v in categories.transaction_count],
        },
    )
