"""The dashboard: one page (header, tab row), one view per tab, filters and the customer in
the URL.

`create_app(store, ...)` builds one session's page; `dashboard/serve.py` is the script
`panel serve` runs (`c360 serve` starts it).
"""

from __future__ import annotations

import logging

import pandas as pd
import panel as pn
import param
from panel.io.callbacks import PeriodicCallback

from dashboard import theme
from dashboard.assistant_adapter import EngineLike, usage
from dashboard.data import NotPublished, Store, file_version
from dashboard.views.assistant_chat import AssistantChat
from dashboard.views.campaigns import CampaignPerformance
from dashboard.views.customer360 import Customer360
from dashboard.views.pipeline_health import PipelineHealth
from dashboard.views.segment_explorer import URL_PARAMS, SegmentExplorer
from dashboard.widgets import TabBar

#: What each view keeps in the URL (parameter -> query key).
URL_SYNCED = {"segments": URL_PARAMS, "customer": {"customer_id": "customer_id"}}

log = logging.getLogger(__name__)

TITLE = "c360 · Customer 360 Analytics"
TABS = ("segments", "customer", "assistant", "campaigns", "health")
TAB_TITLES = (
    "Segment Explorer",
    "Customer 360",
    "AI Assistant",
    "Campaign Performance",
    "Pipeline Health",
)
#: How often a session checks whether a new serving copy was published (seconds).
REFRESH_SECONDS = 10


class Navigation(param.Parameterized):
    tab = param.Selector(default=TABS[0], objects=list(TABS))


class Dashboard:
    """One session's views and the glue between them (views only render)."""

    def __init__(
        self,
        store: Store,
        engine: EngineLike | None = None,
        lineage: pd.DataFrame | None = None,
        roles: frozenset[str] | None = None,
    ) -> None:
        self.store = store
        self.nav = Navigation()
        # Views are built the first time their tab is shown: a session pays for what it sees.
        factories = {
            "segments": lambda: SegmentExplorer(store, on_open_customer=self.open_customer),
            "customer": lambda: Customer360(store),
            "assistant": lambda: AssistantChat(engine),
            "campaigns": lambda: CampaignPerformance(store),
            "health": lambda: PipelineHealth(store, lineage=lineage, usage=lambda: usage(engine)),
        }
        names = [n for n in TABS if roles is None or n in roles]
        if roles is not None:
            self.nav.param.tab.objects = names
            self.nav.tab = names[0]
        self._factories = {n: factories[n] for n in names}
        self._views: dict[str, object] = {}
        self._tab_names = names
        titles = dict(zip(TABS, TAB_TITLES, strict=True))
        # one model for the tab row, one for the page below it (see dashboard/widgets.py):
        # a view is built and added the first time its tab is shown, and hidden, not
        # removed, when another tab is chosen (coming back costs nothing)
        self.tabs = TabBar(titles=[titles[n] for n in names], sizing_mode="stretch_width")
        self.tabs.param.watch(self._tab_clicked, "active")
        self.body = pn.Column(sizing_mode="stretch_width")
        self.layout = pn.Column(
            self.tabs, self.body, sizing_mode="stretch_width", margin=(0, 10, 10, 10)
        )
        self._location = None
        #: query parameters of the link that were ignored (unknown or invalid), shown once
        self.url_errors: set[str] = set()
        self.notice = theme.html_pane(visible=False, css_classes=["c360-url-notice"])
        self.nav.param.watch(self._tab_changed, "tab")
        self._version = file_version(store.path)

    def view(self, name: str):
        """The view of tab `name`, built (and put into its tab) on first use."""
        if name not in self._views:
            self._views[name] = view = self._factories[name]()
            pn.panel(view).visible = name == self.nav.tab
            self.body.append(view)
            if self._location is not None and name in URL_SYNCED:
                self._location.sync(
                    view, URL_SYNCED[name], on_error=self._bad_url(view, URL_SYNCED[name])
                )
        return self._views[name]

    explorer = property(lambda self: self.view("segments"))
    customer = property(lambda self: self.view("customer"))
    assistant = property(lambda self: self.view("assistant"))
    campaigns = property(lambda self: self.view("campaigns"))
    health = property(lambda self: self.view("health"))

    def open_customer(self, customer_id: str) -> None:
        self.customer.customer_id = customer_id
        if "customer" in self._tab_names:
            self.nav.tab = "customer"

    def _tab_clicked(self, event) -> None:
        self.nav.tab = self._tab_names[event.new]

    def _tab_changed(self, event) -> None:
        if event.new in self._tab_names:
            self.show(event.new)

    def show(self, name: str) -> None:
        """Put tab `name` on screen (building its view the first time)."""
        self.view(name)
        for other, view in self._views.items():
            pn.panel(view).visible = other == name
        self.tabs.active = self._tab_names.index(name)

    def refresh_if_published(self) -> bool:
        """Re-render every view after a new serving copy was swapped in."""
        version = file_version(self.store.path)
        if version is None or version == self._version:
            return False
        self._version = version
        for name, view in self._views.items():
            {
                "segments": lambda v: v.refresh(),
                "customer": lambda v: v._show(),
                "campaigns": lambda v: v._show(),
                "health": lambda v: v.refresh(),
            }.get(name, lambda v: None)(view)
        return True

    def sync_url(self, location) -> None:
        """Filters, the customer and the tab in the query string (shareable, reloadable).

        A view is synced when it is built: a link names what it opens (`?customer_id=`
        builds Customer 360, `?segments=` the Segment Explorer), and a view nobody opens is
        never built for the URL's sake."""
        self._location = location
        query = location.query_params or {}
        known = {"tab", *(key for keys in URL_SYNCED.values() for key in keys.values())}
        self._unknown_url(sorted(key for key in query if key not in known))
        for name, keys in URL_SYNCED.items():
            if name in self._tab_names and any(key in query for key in keys.values()):
                self.view(name)  # syncs it
        if "customer" in self._views and self.customer.customer_id and "tab" not in query:
            self.open_customer(self.customer.customer_id)  # a deep link opens its tab
        location.sync(self.nav, {"tab": "tab"}, on_error=self._bad_url(self.nav, {"tab": "tab"}))

    def _bad_url(self, target: param.Parameterized, keys: dict[str, str]):
        def report(values: dict) -> None:
            # Location applies a group's values in one update and reports the whole group
            # when one fails (and again each time another object is synced): set them one by
            # one, so valid values apply and only the bad ones are named, once
            for name, value in values.items():
                try:
                    target.param.update(**{name: value})
                except Exception:  # any invalid value: reported, ignored
                    self.url_errors.add(keys.get(name, name))  # as the link spells it
            self._show_url_errors()

        return report

    def _unknown_url(self, keys: list[str]) -> None:
        self.url_errors.update(keys)
        self._show_url_errors()

    def _show_url_errors(self) -> None:
        if not self.url_errors:
            return
        names = sorted(self.url_errors)
        log.info("ignored URL parameters %s", names)
        self.notice.object = theme.message(
            f"Ignored link parameters that are not valid here: {', '.join(names)}", "warning"
        )
        self.notice.visible = True


def create_app(
    store: Store,
    engine: EngineLike | None = None,
    lineage: pd.DataFrame | None = None,
    roles: frozenset[str] | None = None,
) -> pn.Column:
    """One session's page: the header bar, then the tabs (or a message saying why not).

    The page is a plain layout in the house style, not a Panel template: a template's
    set-up (its design applied to every model, its resources resolved, its extra roots)
    cost as much per session as the whole Segment Explorer; see dashboard/widgets.py."""
    pn.config.raw_css = (
        [*pn.config.raw_css, theme.CSS] if theme.CSS not in pn.config.raw_css else pn.config.raw_css
    )
    if pn.state.curdoc is not None:
        pn.state.curdoc.title = TITLE
    header = theme.html_pane(css_classes=["c360-header"], margin=0)
    page = pn.Column(header, sizing_mode="stretch_width", margin=0)
    if roles is not None and not roles:
        header.object = theme.header(TITLE)
        page.append(theme.html_pane(theme.message("Your user has no dashboard role.", "error")))
        return page
    try:
        dashboard = Dashboard(store, engine, lineage, roles)
    except NotPublished as exc:
        header.object = theme.header(TITLE)
        page.append(theme.html_pane(theme.message(str(exc), "error")))
        return page
    published = store.manifest().get("published_at")
    header.object = theme.header(
        TITLE, f"published {published:%Y-%m-%d %H:%M} UTC" if published is not None else ""
    )
    page.append(dashboard.layout)
    if pn.state.location is not None:
        dashboard.sync_url(pn.state.location)
    if dashboard.url_errors:  # known once the link is applied; no hidden pane otherwise
        page.insert(1, dashboard.notice)
    dashboard.show(dashboard.nav.tab)  # the tab on screen; the others when first opened
    if pn.state.curdoc is not None and pn.state.curdoc.session_context is not None:
        # background: no busy event for it (a busy event of one session is sent to every
        # open session: with many sessions that alone loads the server)
        PeriodicCallback(
            callback=dashboard.refresh_if_published,
            period=REFRESH_SECONDS * 1000,
            background=True,
        ).start()
    page.dashboard = dashboard  # for tests and the benchmark
    return page
