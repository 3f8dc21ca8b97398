"""The served dashboard in a real browser: `c360 serve` on a free loopback port, Debian's
Chromium driven by Playwright (never a downloaded browser), UAT cases of spec 11.5.

Screenshots of every tab go to $C360_SCREENSHOT_DIR (default: a temporary folder).
Any browser console error fails the test that caused it.

`test_user_guide_screenshots` walks the user guides' steps (docs/guides/) and saves one
screenshot per tab and per assistant answer. By default it runs on the small test portfolio;
with $C360_SCREENSHOT_DATA_DIR set to a built data dir (the demo's) it serves that instead,
read-only: `make screenshots` writes docs/guides/img/ from the demo data that way.
"""

from __future__ import annotations

import csv
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest

from dashboard.data import SegmentFilters, Store

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
]
REPO = Path(__file__).resolve().parents[1]
READY_SECONDS = 120  # a bound for start-up on a busy machine, not a performance assertion
TIMEOUT_MS = 60_000

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs Debian chromium (make browser)"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, seconds: float = READY_SECONDS) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"c360 serve exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer within {seconds} s")


@contextmanager
def serving(data_dir: Path, log: Path, *options: str) -> Iterator[dict]:
    """`c360 serve` (panel serve underneath) over `data_dir` on a free loopback port."""
    port = free_port()
    env = {**os.environ, "C360_DATA_DIR": str(data_dir), "PYTHONPATH": str(REPO)}
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "c360", "serve", "--port", str(port), *options],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{base}/liveness", process)
        yield {"base": base, "port": port, "process": process, "log": log}
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="module")
def served(built_portfolio, tmp_path_factory) -> Iterator[dict]:
    """The dashboard over a private copy of the small portfolio."""
    portfolio = built_portfolio.copy_to(tmp_path_factory.mktemp("served") / "data")
    log = tmp_path_factory.mktemp("serve-log") / "serve.log"
    with serving(portfolio.root, log) as server:
        yield {**server, "portfolio": portfolio, "serving_path": portfolio.settings.serving_path}


@pytest.fixture(scope="module")
def guide_served(request, tmp_path_factory) -> Iterator[dict]:
    """The dashboard over $C360_SCREENSHOT_DATA_DIR (served read-only, never copied or
    republished), else over the small portfolio."""
    data = os.environ.get("C360_SCREENSHOT_DATA_DIR")
    if not data:
        yield request.getfixturevalue("served")
        return
    from c360.core.settings import Settings

    settings = Settings(data_dir=Path(data).resolve())
    if not settings.serving_path.exists():
        pytest.fail(f"C360_SCREENSHOT_DATA_DIR={data}: nothing published (run c360 demo first)")
    log = tmp_path_factory.mktemp("serve-log") / "serve.log"
    with serving(settings.data_dir, log) as server:
        yield {**server, "serving_path": settings.serving_path}


@pytest.fixture(scope="module")
def chromium_browser() -> Iterator:
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory) -> Path:
    folder = os.environ.get("C360_SCREENSHOT_DIR")
    path = Path(folder) if folder else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@contextmanager
def browser_page(chromium_browser) -> Iterator:
    """A page that fails the test on any browser console error."""
    context = chromium_browser.new_context(
        viewport={"width": 1500, "height": 1100}, accept_downloads=True
    )
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("requestfailed", lambda r: errors.append(f"request failed: {r.url}"))
    # Bokeh loads its icon font (chat buttons) from a CDN; with no outside network here the
    # request fails by design (the buttons show their names): the only failure tolerated
    icon_font = ("https://cdn.jsdelivr.net/npm/@tabler/icons-webfont", "ERR_NAME_NOT_RESOLVED")
    page.console_errors = errors
    yield page
    context.close()
    cdn_misses = [e for e in errors if e.startswith(f"request failed: {icon_font[0]}")]
    if cdn_misses:  # each failed request is also logged once as a console error
        errors = [e for e in errors if e not in cdn_misses]
        for _ in cdn_misses:
            if f"Failed to load resource: net::{icon_font[1]}" in errors:
                errors.remove(f"Failed to load resource: net::{icon_font[1]}")
    assert errors == [], f"browser console errors: {errors}"


@pytest.fixture
def dash(chromium_browser, served):
    with browser_page(chromium_browser) as page:
        yield page


@pytest.fixture
def guide_dash(chromium_browser, guide_served):
    with browser_page(chromium_browser) as page:
        yield page


def open_page(page, served, query: dict | None = None) -> None:
    url = served["base"] + "/"
    if query:
        url += "?" + urllib.parse.urlencode(query)
    page.goto(url)
    page.wait_for_selector(".c360-tab")


def count_on_page(page) -> int:
    text = page.locator(".c360-card").filter(has_text="Customers").first.locator(".value")
    return int(text.inner_text().replace(",", ""))


def test_segment_filter_and_export_download_every_row(dash, served, screenshots, tmp_path):
    """UAT 1: filter (segment + states), metrics, export, open the CSV; clearing restores."""
    store = Store(served["serving_path"])
    everyone = store.segment_summary(SegmentFilters())["customers"]
    filters = SegmentFilters(segments=("Stable Mid-Spenders",), states=("CA", "NY", "TX", "FL"))
    expected = store.segment_summary(filters)["customers"]
    open_page(
        dash,
        served,
        {
            "segments": json.dumps(list(filters.segments)),
            "states": json.dumps(list(filters.states)),
        },
    )
    dash.get_by_text("Total LTV").wait_for()
    assert count_on_page(dash) == expected
    assert 0 < expected < everyone
    dash.screenshot(path=screenshots / "segment_explorer.png", full_page=True)
    with dash.expect_download() as download:
        dash.get_by_role("button", name="Export segment to CSV").click()
    path = tmp_path / "segment.csv"
    download.value.save_as(path)
    with path.open() as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == expected  # the whole filtered list, more than one page
    assert {r["customer_segment"] for r in rows} == {"Stable Mid-Spenders"}
    assert {r["state"] for r in rows} <= set(filters.states)
    dash.get_by_role("button", name="Clear filters").click()
    deadline = time.monotonic() + 30
    while count_on_page(dash) != everyone and time.monotonic() < deadline:
        time.sleep(0.2)
    assert count_on_page(dash) == everyone
    # the URL follows the filters (a view can be shared): segments are cleared there too
    while (
        "Stable" in urllib.parse.unquote(dash.evaluate("location.search"))
        and time.monotonic() < deadline
    ):
        time.sleep(0.2)
    assert "Stable" not in urllib.parse.unquote(dash.evaluate("location.search"))


def wait_for_count(page, expected: int, seconds: float = 30) -> int:
    deadline = time.monotonic() + seconds
    while count_on_page(page) != expected and time.monotonic() < deadline:
        time.sleep(0.2)
    return count_on_page(page)


def test_filters_from_the_form_drive_the_list(dash, served, screenshots):
    """The filter form in the browser: a segment ticked in its drop-down, a region added,
    an LTV bound typed; a negative amount is refused with a message; the pager steps."""
    store = Store(served["serving_path"])
    open_page(dash, served)
    dash.get_by_text("Total LTV").wait_for()
    segment = dash.locator(".c360-field[data-name=segments]")
    segment.locator("summary").click()
    segment.get_by_label("Declining", exact=True).check()
    dash.keyboard.press("Escape")
    declining = SegmentFilters(segments=("Declining",))
    assert wait_for_count(dash, store.segment_summary(declining)["customers"]) > 0
    assert segment.locator("summary").inner_text() == "Declining"
    dash.locator(".c360-field[data-name=region] select").select_option(label="South")
    from dashboard.data import REGIONS

    south = SegmentFilters(segments=("Declining",), states=REGIONS["South"])
    assert wait_for_count(dash, store.segment_summary(south)["customers"]) > 0
    # a state found by its name in the drop-down's search box
    states = dash.locator(".c360-field[data-name=states]")
    states.locator("summary").click()
    states.get_by_placeholder("Search…").fill("new york")
    shown = states.locator(".c360-multi-option:visible")
    assert shown.all_inner_texts() == ["NY · New York"]
    shown.first.click()
    dash.keyboard.press("Escape")
    chosen = (*REGIONS["South"], "NY")
    with_ny = SegmentFilters(segments=("Declining",), states=chosen)
    assert wait_for_count(dash, store.segment_summary(with_ny)["customers"]) > 0
    ltv = dash.locator(".c360-field[data-name=ltv_min] input")
    ltv.fill("20000")
    ltv.press("Enter")
    bounded = SegmentFilters(segments=("Declining",), states=chosen, ltv_min=20000)
    expected = store.segment_summary(bounded)["customers"]
    assert wait_for_count(dash, expected) == expected
    spend = dash.locator(".c360-field[data-name=monthly_spend_min] input")
    spend.fill("-5")
    spend.press("Enter")
    dash.get_by_text("Enter a number of at least 0").wait_for()
    assert count_on_page(dash) == expected  # the refused bound changed nothing
    dash.screenshot(path=screenshots / "segment_explorer_form.png", full_page=True)
    dash.locator(".c360-field[data-name=clear] button").click()
    everyone = store.segment_summary(SegmentFilters())["customers"]
    assert wait_for_count(dash, everyone) == everyone
    assert segment.locator("summary").inner_text() == "All segments"
    dash.get_by_role("button", name="Next ›").click()
    dash.get_by_text(re.compile(r"Page 2 of [\d,]+")).wait_for()
    assert dash.get_by_role("button", name="‹ Previous").is_enabled()


def test_clicking_a_customer_in_the_list_opens_customer_360(dash, served):
    """The Segment Explorer's list: a click on a row opens that customer's Customer 360."""
    open_page(dash, served, {"segments": json.dumps(["Declining"])})
    row = dash.locator(".c360-rowlist tbody tr").nth(2)
    row.wait_for()
    customer_id = row.locator("td").first.inner_text()
    assert customer_id.startswith("CUST")
    assert "Declining" in row.inner_text()
    row.click()
    dash.get_by_text(f"{customer_id} ·").wait_for()
    dash.get_by_text("Recent transactions").wait_for()
    deadline = time.monotonic() + 30
    while "customer_id" not in dash.evaluate("location.search") and time.monotonic() < deadline:
        time.sleep(0.2)
    assert customer_id in dash.evaluate("location.search")  # shareable: the link names it


def test_deep_link_opens_the_customer(dash, served, screenshots):
    """UAT 2: ?customer_id= opens Customer 360 with the profile, both charts and the table."""
    open_page(dash, served, {"customer_id": "CUST00000007"})
    dash.get_by_text("CUST00000007 ·").wait_for()
    dash.get_by_text("Not scored yet").first.wait_for()
    dash.get_by_text("Recent transactions").wait_for()
    deadline = time.monotonic() + 60
    while dash.locator("canvas").count() < 2 and time.monotonic() < deadline:
        time.sleep(0.2)  # the trend and category charts (Bokeh draws on canvases)
    assert dash.locator("canvas").count() >= 2
    assert dash.locator(".c360-rowlist tbody tr").count() > 0
    # the transaction filters: only online ones once "Online" is ticked
    channel = dash.locator(".c360-field[data-name=tx_channels]")
    channel.locator("summary").click()
    channel.get_by_label("Online", exact=True).check()
    dash.keyboard.press("Escape")
    rows = dash.locator(".c360-rowlist").first.locator("tbody tr")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        # cells by their text content: innerText has no tabs while the list is re-rendered
        cells = rows.evaluate_all("rows => rows.map(r => Array.from(r.cells, c => c.textContent))")
        channels = {row[4] for row in cells if len(row) > 4}
        if channels == {"Online"}:
            break
        time.sleep(0.2)
    assert channels == {"Online"}
    dash.screenshot(path=screenshots / "customer_360.png", full_page=True)


def test_unknown_and_injected_ids_get_a_clear_message(dash, served, screenshots):
    open_page(dash, served, {"customer_id": "CUST99999999"})
    dash.get_by_text("is not in the published data").wait_for()
    open_page(dash, served, {"customer_id": "x' OR '1'='1"})
    dash.get_by_text("is not a customer id").wait_for()
    search = dash.get_by_placeholder("Customer id, name or e-mail (e.g. CUST00012345)")
    search.fill("'; DROP TABLE gold.customer_360_profile; --")
    search.press("Enter")
    dash.get_by_text("No customer matches").wait_for()
    dash.screenshot(path=screenshots / "customer_360_injection.png", full_page=True)
    store = Store(served["serving_path"])
    assert store.segment_summary(SegmentFilters())["customers"] > 0  # nothing was dropped


def test_every_other_tab_renders(dash, served, screenshots):
    """UAT 4 (campaign ROI > 0), the assistant tab, Pipeline Health: no console error."""
    open_page(dash, served)
    dash.get_by_role("tab", name="Campaign Performance").click()
    roi = dash.locator(".c360-card.prominent").filter(has_text="ROI").locator(".value")
    roi.wait_for()
    assert float(roi.inner_text().replace("%", "").replace(",", "").strip()) > 0
    dash.get_by_text("Treatment group").wait_for()
    dash.screenshot(path=screenshots / "campaign_performance.png", full_page=True)
    dash.get_by_role("tab", name="AI Assistant").click()
    # a sample question from the semantic model's onboarding queries, answered by the engine
    from assistant import SemanticModel
    from c360.commands.assistant import DEFAULT_MODEL

    question = SemanticModel.load(DEFAULT_MODEL).onboarding_questions()[0]
    dash.get_by_role("button", name=question).first.click()
    dash.get_by_text("View SQL").first.wait_for(timeout=TIMEOUT_MS)
    dash.get_by_text("answered").first.wait_for()
    # the question is the user's message (the sample button's label is not the only copy)
    asked = dash.locator(".message").filter(has_text=question)
    assert asked.count() >= 1 and asked.first.is_visible()
    # the reply's sentence is the engine's answer, numbers included
    from dashboard.assistant_adapter import load_engine

    engine = load_engine(served["serving_path"], DEFAULT_MODEL)
    expected = engine.ask(question, []).answer
    assert re.search(r"\d", expected), expected
    dash.get_by_text(expected).first.wait_for()
    assert dash.locator("details pre").first.is_visible() is False  # the SQL starts collapsed
    dash.get_by_text("View SQL").first.click()
    dash.locator("details pre").first.wait_for()
    assert "SELECT" in dash.locator("details pre").first.inner_text()
    dash.screenshot(path=screenshots / "ai_assistant.png", full_page=True)
    dash.get_by_role("tab", name="Pipeline Health").click()
    dash.get_by_text("Last runs", exact=True).wait_for()
    dash.get_by_text("SUCCESS").first.wait_for()
    dash.screenshot(path=screenshots / "pipeline_health.png", full_page=True)


def test_workers_share_the_port_and_stop_together(served, tmp_path):
    """`c360 serve --workers 2`: two processes listen on one port (SO_REUSEPORT) and the
    kernel spreads sessions over both; a session built from a websocket alone loads its
    CSS from this server, not Panel's CDN; SIGTERM stops every worker."""
    import psutil

    from bench._support import pull_session

    data_dir = served["portfolio"].root
    with serving(data_dir, tmp_path / "serve.log", "--workers", "2", "--no-lineage") as server:
        workers = psutil.Process(server["process"].pid).children()
        assert len(workers) == 2

        def open_sessions_and_look() -> tuple[dict, list[str]]:
            sessions = [pull_session(url=server["base"] + "/") for _ in range(16)]
            try:
                held = {
                    w.pid: sum(
                        1
                        for c in w.net_connections(kind="tcp")
                        if c.status == psutil.CONN_ESTABLISHED and c.laddr.port == server["port"]
                    )
                    for w in workers
                }
                stylesheets = [
                    m.url
                    for m in sessions[0].document.models
                    if type(m).__name__ == "ImportedStyleSheet"
                ]
            finally:
                for session in sessions:
                    session.close()
            return held, stylesheets

        # its own thread: Playwright's sync API runs an event loop in this one
        with ThreadPoolExecutor(max_workers=1) as pool:
            held, stylesheets = pool.submit(open_sessions_and_look).result(timeout=120)
        assert sum(held.values()) == 16 and all(held.values()), held
        assert stylesheets and not [u for u in stylesheets if u.startswith("http")], stylesheets
        server["process"].terminate()
        server["process"].wait(timeout=30)
        gone, alive = psutil.wait_procs(workers, timeout=20)
        assert not alive, alive


def test_log_in_roles_decide_the_tabs(chromium_browser, served, tmp_path):
    """`c360 serve --users` (two workers, sessions built where the websocket lands): each
    user sees the tabs of their role, the same on every log-in; a wrong password gets in
    nowhere."""
    users = tmp_path / "users.json"
    users.write_text(
        json.dumps(
            {
                "mia": {"password": "mia-secret-1", "role": "marketing_manager"},
                "ed": {"password": "ed-secret-1", "role": "data_engineer"},
            }
        )
    )
    everything = [
        "Segment Explorer", "Customer 360", "AI Assistant", "Campaign Performance",
        "Pipeline Health",
    ]  # fmt: skip
    options = ("--users", str(users), "--workers", "2", "--no-lineage")
    with serving(served["portfolio"].root, tmp_path / "serve.log", *options) as server:

        def log_in(user: str, password: str):
            page.goto(server["base"] + "/")
            page.fill("input[name=username]", user)
            page.fill("input[name=password]", password)
            page.locator("button[type=submit], input[type=submit]").first.click()

        for user, password, tabs in [
            ("mia", "mia-secret-1", everything[:4]),  # gold views only: no Pipeline Health
            ("ed", "ed-secret-1", everything),
            ("mia", "mia-secret-1", everything[:4]),
            ("ed", "ed-secret-1", everything),
        ]:
            with browser_page(chromium_browser) as page:
                log_in(user, password)
                page.wait_for_selector(".c360-tab")
                page.get_by_text("Total LTV").wait_for()
                assert page.locator(".c360-tab").all_inner_texts() == tabs, user
        context = chromium_browser.new_context()
        page = context.new_page()
        log_in("mia", "wrong-password")
        page.wait_for_load_state()
        time.sleep(1)
        assert page.locator(".c360-tab").count() == 0
        assert page.locator("input[name=password]").count() == 1  # still the log-in form
        assert "Invalid username or password" in page.inner_text("body")
        context.close()


def test_every_view_keeps_answering_through_ten_pipeline_runs(served):
    """A client opens every view non-stop (a session per tab, each built from the serving
    copy) while ten pipeline runs — an hourly file landed, loaded, built and published, as
    `c360 run` does — swap the serving file under it: 0 failed requests."""
    from bench._support import ingest_all, pull_session
    from c360.pipeline.build import build
    from c360.pipeline.publish import publish
    from ingestion.generator import generate_hourly

    portfolio = served["portfolio"]
    customer = Store(served["serving_path"]).customer_page(SegmentFilters(), 1, 1).customer_id[0]
    views = [
        {},
        {"customer_id": customer},
        {"tab": "assistant"},
        {"tab": "campaigns"},
        {"tab": "health"},
    ]
    failures: list[str] = []
    opened = {i: 0 for i in range(len(views))}
    stop = threading.Event()

    def client() -> None:
        while not stop.is_set():
            for i, arguments in enumerate(views):
                try:
                    with pull_session(url=served["base"] + "/", arguments=arguments) as session:
                        assert session.document.roots
                    opened[i] += 1
                except Exception as exc:  # noqa: BLE001 - every failure is reported
                    failures.append(f"{arguments}: {exc!r}")

    thread = threading.Thread(target=client)
    thread.start()
    publishes = 0
    try:
        for _ in range(10):
            generate_hourly(portfolio.landing, portfolio.generator, 1)
            assert ingest_all(portfolio.settings).results, "the hourly file was not loaded"
            report = build(portfolio.settings)
            assert report.ok and report.action == "run", report.error
            publishes += publish(portfolio.settings).skipped is None
    finally:
        stop.set()
        thread.join(timeout=120)
    assert failures == []
    assert publishes == 10
    assert min(opened.values()) >= 2, opened  # every view was opened during the runs
    assert served["process"].poll() is None


#: The user guides' screenshots (docs/guides/img/), in the order the guides show them.
GUIDE_QUESTIONS = (
    ("assistant_california.png", "What is the average spend of customers in California?"),
    (
        "assistant_northeast.png",
        "Show me customers in the Northeast spending over $5K/month who don't have premium cards",
    ),
)


def ask_in_chat(page, question: str) -> None:
    """Type a question into the chat box and send it with Enter, as a user does."""
    box = page.locator("textarea").last
    box.fill(question)
    box.press("Enter")


def test_user_guide_screenshots(guide_dash, guide_served, screenshots):
    """The guides' walkthrough (docs/guides/, docs/demo.md): one screenshot per tab and per
    assistant answer, each taken once what it shows is on screen."""
    page = guide_dash
    store = Store(guide_served["serving_path"])
    # Segment Explorer, user story 2: High-Value Travelers in NY, MA and CT
    travelers = SegmentFilters(segments=("High-Value Travelers",), states=("NY", "MA", "CT"))
    expected = store.segment_summary(travelers)["customers"]
    open_page(
        page,
        guide_served,
        {
            "segments": json.dumps(list(travelers.segments)),
            "states": json.dumps(["NY", "MA", "CT"]),
        },
    )
    page.get_by_text("Total LTV").wait_for()
    assert count_on_page(page) == expected > 0
    page.screenshot(path=screenshots / "segment_explorer.png", full_page=True)
    # user story 3: Declining customers at high churn risk (the model scored them)
    at_risk = SegmentFilters(segments=("Declining",), churn_risk=("High Risk",))
    expected = store.segment_summary(at_risk)["customers"]
    open_page(
        page,
        guide_served,
        {"segments": json.dumps(["Declining"]), "churn": json.dumps(["High Risk"])},
    )
    page.get_by_text("Total LTV").wait_for()
    assert count_on_page(page) == expected
    page.screenshot(path=screenshots / "segment_explorer_churn.png", full_page=True)
    # Customer 360, user story 4: the spec's customer when the data has it
    customer = "CUST00012345" if store.profile("CUST00012345") else "CUST00000007"
    open_page(page, guide_served, {"customer_id": customer})
    page.get_by_text(f"{customer} ·").wait_for()
    page.get_by_text("Recent transactions").wait_for()
    deadline = time.monotonic() + 60
    while page.locator("canvas").count() < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert page.locator("canvas").count() >= 2
    # the tab scrolls inside the template, so a taller window shows the transactions too
    page.set_viewport_size({"width": 1500, "height": 1700})
    page.wait_for_timeout(1000)  # let Bokeh finish drawing the charts
    page.screenshot(path=screenshots / "customer_360.png", full_page=True)
    page.set_viewport_size({"width": 1500, "height": 1100})
    # Campaign Performance, user story 6
    open_page(page, guide_served, {"tab": "campaigns"})
    page.get_by_text("Treatment group").wait_for()
    page.locator(".c360-card.prominent").filter(has_text="ROI").wait_for()
    page.wait_for_timeout(1000)
    page.screenshot(path=screenshots / "campaign_performance.png", full_page=True)
    # AI Assistant, user stories 2 and 5: typed questions, the SQL opened
    for image, question in GUIDE_QUESTIONS:
        open_page(page, guide_served, {"tab": "assistant"})
        ask_in_chat(page, question)
        page.locator(".message").filter(has_text=question).first.wait_for()
        page.get_by_text("View SQL").first.wait_for()
        page.get_by_text("View SQL").first.click()
        page.locator("details pre").first.wait_for()
        assert "SELECT" in page.locator("details pre").first.inner_text()
        page.screenshot(path=screenshots / image, full_page=True)
    # Pipeline Health, user story 1
    open_page(page, guide_served, {"tab": "health"})
    page.get_by_text("Last runs", exact=True).wait_for()
    page.get_by_text("SUCCESS").first.wait_for()
    page.set_viewport_size({"width": 1500, "height": 2300})  # down to the lineage table
    page.get_by_text("Lineage of the gold models").wait_for()
    # `c360 serve` read the gold models' upstream models from the SQLMesh project
    page.get_by_text("gold.customer_segments, gold.metric_mom_spend_change").first.wait_for()
    page.wait_for_timeout(1000)
    page.screenshot(path=screenshots / "pipeline_health.png", full_page=True)
