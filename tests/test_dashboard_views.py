"""View logic without a browser: parameters, the frames views hold, messages, the chat adapter."""

from __future__ import annotations

import csv
import io

import pandas as pd
import panel as pn
import pytest
from panel.io.location import Location

from dashboard.access import authorized, tabs_for
from dashboard.app import Dashboard
from dashboard.assistant_adapter import DEFAULT_QUESTIONS, sample_questions, to_reply, usage
from dashboard.data import CUSTOMER_COLUMNS, LIST_COLUMNS, REGIONS, Store
from dashboard.views.assistant_chat import NOT_INSTALLED, AssistantChat
from dashboard.views.campaigns import CampaignPerformance
from dashboard.views.customer360 import Customer360
from dashboard.views.pipeline_health import PipelineHealth
from dashboard.views.segment_explorer import LIST_TITLES, PAGE_SIZE, SegmentExplorer


@pytest.fixture(scope="module")
def store(built_portfolio) -> Store:
    return Store(built_portfolio.settings.serving_path)


def test_segment_explorer_filters_pages_and_exports(store):
    opened: list[str] = []
    view = SegmentExplorer(store, on_open_customer=opened.append)
    everyone = view.summary["customers"]
    assert len(view.rows) == PAGE_SIZE and view.pages == -(-everyone // PAGE_SIZE)
    # the list on screen has its few columns, each titled; the export has them all
    assert tuple(view._table.value.columns) == LIST_COLUMNS == tuple(LIST_TITLES)
    view.segments = ["High-Value Travelers"]
    view.region = "Northeast"
    assert view.region == "" and set(view.states) <= set(REGIONS["Northeast"]) and view.states
    narrowed = view.summary["customers"]
    assert 0 < narrowed < everyone
    assert set(view.rows.customer_segment) == {"High-Value Travelers"}
    assert "Customers" in view._cards.object and f"{narrowed:,}" in view._cards.object
    view.segments = ["Stable Mid-Spenders"]
    view.states = []
    view.page = 2
    second = view.rows.customer_id.tolist()
    view.page = 1
    assert set(second).isdisjoint(view.rows.customer_id)
    rows = list(csv.DictReader(io.StringIO(view.export().getvalue().decode())))
    assert len(rows) == view.summary["customers"] > PAGE_SIZE
    assert tuple(rows[0]) == CUSTOMER_COLUMNS
    view.open_row(0)
    assert opened == [view.rows.customer_id.iloc[0]]
    view.clear()
    assert view.summary["customers"] == everyone


def test_segment_explorer_form_messages(store):
    """What the browser's filter form sends: values applied, bad ones refused and named."""
    view = SegmentExplorer(store)
    everyone = view.summary["customers"]
    view._form_changed("segments", ["Declining"])
    assert view.segments == ["Declining"] and view.summary["customers"] < everyone
    assert view._filters.values["segments"] == ["Declining"]
    declining = view.summary["customers"]
    view._form_changed("monthly_spend_min", -5)
    assert view.monthly_spend_min is None and view.summary["customers"] == declining
    assert "at least 0" in view._filters.errors["monthly_spend_min"]
    view._form_changed("monthly_spend_min", 100)
    assert view.monthly_spend_min == 100 and "monthly_spend_min" not in view._filters.errors
    # a value that is not one of the choices (a tampered message) is refused the same way
    view._form_changed("segments", ["'; DROP TABLE gold.customer_segments; --"])
    assert view.segments == ["Declining"] and "segments" in view._filters.errors
    view._form_changed("no_such_field", 1)  # ignored
    view._form_changed("next", True)
    assert view.page == 2 and view._controls.values["previous"] is True
    assert view._controls.values["pager"].startswith("Page 2 of")
    view.region = "Northeast"  # set from Python (a link): the form shows it
    assert set(view._filters.values["states"]) == set(view.states) and view.states
    view._form_changed("clear", True)
    assert view.summary["customers"] == everyone and view._filters.values["segments"] == []


def test_customer_360_deep_link_unknown_and_malformed(store):
    view = Customer360(store)
    assert not view._details.visible and "Enter a customer id" in view._message.object
    view.customer_id = "CUST00000007"
    assert view.error == "" and view.profile["customer_id"] == "CUST00000007"
    assert view._details.visible and "Not scored yet" in view._profile.object
    assert len(view._tx_table.value) == 100
    view.tx_channels = ["Online"]
    assert set(view._tx_table.value.channel) <= {"Online"}
    # what the browser's transaction filters send
    newest = view._tx_table.value.transaction_date.max()
    view._tx_form_changed("tx_date_from", f"{newest:%Y-%m-%d}")
    assert (view._tx_table.value.transaction_date.dt.date >= newest.date()).all()
    assert view._tx_form.values["tx_date_from"] == f"{newest:%Y-%m-%d}"
    view._tx_form_changed("tx_date_from", "not a date")
    assert "tx_date_from" in view._tx_form.errors
    view._tx_form_changed("tx_date_from", None)
    assert view.tx_date_from is None and "tx_date_from" not in view._tx_form.errors
    view._tx_form_changed("tx_amount_min", -1)
    assert view.tx_amount_min is None and "tx_amount_min" in view._tx_form.errors
    view._tx_form_changed("tx_channels", ["Teleport"])
    assert view.tx_channels == ["Online"] and "tx_channels" in view._tx_form.errors
    view.customer_id = "CUST99999999"
    assert "not in the published data" in view.error and not view._details.visible
    view.customer_id = "'; DROP TABLE gold.dim_customer; --"
    assert "not a customer id" in view.error and "error" in view._message.object
    view.search("CUST00000009 · Someone · someone@example.com")
    assert view.customer_id == "CUST00000009"
    view.search("zzzz-nobody-zzzz")
    assert view.customer_id == "" and "No customer matches" in view.error


def test_campaign_and_pipeline_views(store):
    view = CampaignPerformance(store)
    assert view.campaign and view.summary["roi_pct"] is not None
    assert "ROI" in view._roi.object and "Treatment group" in view._groups.object
    assert len(view.export().getvalue()) > 0
    health = PipelineHealth(store)
    assert "SUCCESS" in health._cards.object
    assert any("Churn" in a.title for a in health.alerts)
    # no failed audit in a clean build: a sentence, not an empty table
    failures = store.audit_failures(20)
    assert health._audits.visible == bool(len(failures))
    assert ("No audit failed" in health._audits_none.object) == (not len(failures))


def test_assistant_tab_answers_follows_up_and_stores_feedback(built_portfolio, tmp_path):
    """The chat over the real offline engine and the published copy: an answered question
    renders its table, chart, SQL card, export and 👍/👎 (stored in the assistant's store),
    and a follow-up passes the earlier answer back to the engine."""
    import duckdb

    from c360.commands.assistant import DEFAULT_MODEL
    from dashboard.assistant_adapter import load_engine

    store_path = tmp_path / "assistant" / "ASSISTANT.duckdb"
    engine = load_engine(built_portfolio.settings.serving_path, DEFAULT_MODEL, store_path)
    assert engine is not None
    chat = AssistantChat(engine)
    reply = chat.respond("What is the average lifetime value by segment?")
    names = [type(obj).__name__ for obj in reply.objects]
    assert {"Tabulator", "FileDownload"} <= set(names), names
    assert "answered" in reply.objects[0].object
    sql = next(obj for obj in reply.objects if "c360-sql" in obj.css_classes)
    assert "<details><summary>View SQL</summary>" in sql.object and "SELECT" in sql.object
    with duckdb.connect(str(built_portfolio.settings.serving_path), read_only=True) as con:
        segments = con.execute(
            "SELECT count(DISTINCT customer_segment) FROM gold.customer_360_profile"
        ).fetchone()[0]
    table = next(obj for obj in reply.objects if type(obj).__name__ == "Tabulator")
    assert len(table.value) == segments
    ltv = next(c for c in table.value.columns if "lifetime_value" in c or "ltv" in c)
    assert table.formatters[ltv]["symbol"] == "$"  # money shown as money, the values raw
    assert table.value[ltv].dtype == float
    feedback = reply.objects[-1]
    feedback[0].clicks += 1  # 👍
    follow_up = chat.respond("and in Texas?")
    assert "answered" in follow_up.objects[0].object or "clarify" in follow_up.objects[0].object
    assert len(chat.history) == 2 and chat.history[0].request_id
    with duckdb.connect(str(store_path), read_only=True) as con:
        stored = con.execute(
            "SELECT count(*) FROM observability.assistant_feedback WHERE positive"
        ).fetchone()[0]
    assert stored == 1
    used = usage(engine)  # Pipeline Health's assistant usage, from the assistant's own store
    assert used["questions"] == 2 and used["thumbs_up"] == 1 and used["thumbs_down"] == 0
    health = PipelineHealth(
        Store(built_portfolio.settings.serving_path), usage=lambda: usage(engine)
    )
    assert "Questions" in health._assistant.object and "Marked helpful" in health._assistant.object
    assert sample_questions(engine) == engine.model.onboarding_questions()[:8]
    assert to_reply({"status": "refused", "answer": "no"}).status == "refused"
    refused = chat.respond("'; DROP TABLE gold.customer_360_profile; --")
    assert "refused" in refused.objects[0].object


def test_assistant_tab_without_the_package_says_so():
    chat = AssistantChat(None)
    assert NOT_INSTALLED in chat.__panel__().objects[1].object
    assert sample_questions(None) == list(DEFAULT_QUESTIONS)
    assert usage(None) is None


def test_assistant_reply_names_its_verified_query_and_formats_numbers():
    from decimal import Decimal

    reply = to_reply(
        {
            "status": "answered",
            "answer": "The average is $3,081.",
            "columns": ["state", "average_monthly_spend", "vs_national_pct", "customers"],
            "rows": [["CA", Decimal("3080.95738"), -3.142133, 229]],
            "verified_query_used": {"name": "average_spend_california", "question": "…"},
            "sql": "SELECT 1",
        }
    )
    assert reply.verified_query == "average_spend_california"
    column = AssistantChat(None).render_reply(reply)
    assert "verified query: average_spend_california" in column.objects[0].object
    table = next(obj for obj in column.objects if type(obj).__name__ == "Tabulator")
    assert table.value.average_monthly_spend.iloc[0] == pytest.approx(3080.95738)
    assert table.formatters["average_monthly_spend"]["symbol"] == "$"
    assert table.formatters["vs_national_pct"]["symbol"] == " %"
    assert table.formatters["customers"]["precision"] == 0


def test_a_link_opens_only_what_it_names_and_reports_bad_parameters_once(store):
    board = Dashboard(store)
    location = Location(search='?segments=["Declining"]&tab=nowhere&colour=red&spend_min=oops')
    board.sync_url(location)
    board.view(board.nav.tab)
    # the valid filter applied, the invalid ones named once, in one notice
    assert board.explorer.segments == ["Declining"]
    assert board.url_errors == {"tab", "colour", "spend_min"}
    assert board.notice.visible and board.notice.object.count("Ignored link parameters") == 1
    assert "colour, spend_min, tab" in board.notice.object
    assert "customer" not in board._views  # nobody asked for Customer 360: not built
    board.open_customer("CUST00000003")  # a click builds it, and it joins the URL
    assert "customer_id=CUST00000003" in location.search
    assert board.notice.object.count("Ignored link parameters") == 1

    deep = Dashboard(store)
    deep.sync_url(Location(search="?customer_id=CUST00000007"))
    assert deep.nav.tab == "customer" and deep.customer.profile["customer_id"] == "CUST00000007"
    assert not deep.notice.visible

    # a segment or state that is not a choice is named, the rest of the link applies
    bad = Dashboard(store)
    bad.sync_url(Location(search='?states=["ZZ"]&cards=["Gold"]&segments=["Declining"]'))
    assert bad.url_errors == {"states", "cards"}
    assert bad.explorer.segments == ["Declining"]
    assert bad.explorer.states == [] and bad.explorer.card_types == []


def test_assistant_charts_skip_identifier_axes():
    from dashboard.views.assistant_chat import _chart, is_identifier

    people = pd.DataFrame(
        {"customer_id": ["CUST00000001", "CUST00000002"], "churn_risk_score": [100.0, 99.0]}
    )
    assert is_identifier(people.customer_id)
    assert _chart(people, {"type": "bar", "x": "customer_id", "y": "churn_risk_score"}) is None
    codes = people.rename(columns={"customer_id": "who"})
    assert _chart(codes, {"type": "bar", "x": "who", "y": "churn_risk_score"}) is None
    segments = pd.DataFrame({"segment": ["Declining", "New & Growing"], "customers": [5, 7]})
    chart = _chart(segments, {"type": "bar", "x": "segment", "y": "customers"})
    assert chart is not None and list(chart.y_range.factors) == ["New & Growing", "Declining"]
    months = pd.DataFrame({"month": ["2026-01", "2026-02"], "spend": [1.0, 2.0]})
    assert _chart(months, {"type": "line", "x": "month", "y": "spend"}) is not None


def test_roles_decide_the_tabs(store):
    users = {
        "mm": {"password": "x", "role": "marketing_manager"},
        "de": {"password": "y", "role": "data_engineer"},
    }
    assert tabs_for(None, {}) is None  # local mode: everything
    assert "health" not in tabs_for("mm", users) and "health" in tabs_for("de", users)
    assert not authorized("stranger", users) and authorized("mm", users)
    board = Dashboard(store, roles=tabs_for("mm", users))
    assert board.tabs.titles == [
        "Segment Explorer", "Customer 360", "AI Assistant", "Campaign Performance",
    ]  # fmt: skip
    board.open_customer("CUST00000003")
    assert board.nav.tab == "customer" and board.tabs.active == 1
    # the page shows the chosen view only (the others are kept, hidden)
    shown = [view for view in board.body.objects if view.visible]
    assert shown == [pn.panel(board.customer)]
    board.tabs.active = 0  # a click on the first tab
    assert board.nav.tab == "segments"
    assert [view for view in board.body.objects if view.visible] == [pn.panel(board.explorer)]


def test_quality_chart_has_one_point_per_load_even_within_a_second():
    from dashboard.views.pipeline_health import _quality_chart

    second = pd.Timestamp("2026-12-02 23:59:00")
    loads = [second + pd.Timedelta(microseconds=n) for n in (0, 5, 9)]
    quality = pd.DataFrame(
        {
            "loaded_at": loads,
            "table_name": ["silver_transactions"] * 3,
            "check_type": ["duplicate"] * 3,
            "checked": [10, 10, 10],
            "failed": [1, 2, 3],
            "failure_pct": [10.0, 20.0, 30.0],
        }
    )
    factors = list(_quality_chart(quality).x_range.factors)
    assert len(set(factors)) == 3 and factors[0] == "12-02 23:59:00"
