"""Dashboard figures on a published data dir (default ./data; full scale: `make demo` first).

1. every view's data queries, uncached: p50/p95 ms over N rounds (target p95 ≤ 100 ms);
2. page ready per tab for one Chromium (goto → the tab's content visible; target ≤ 2 s);
3. K concurrent sessions from this process (`bokeh.client.pull_session`) against a
   `c360 serve` subprocess: p95 session-ready (target ≤ 2 s).

    .venv/bin/python bench/dashboard.py --data-dir data [--rounds 20] [--sessions 20]
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from dashboard.data import REGIONS, SegmentFilters, Store  # noqa: E402

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


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, int(round(0.95 * len(values))) - 1)]


def query_figures(store: Store, rounds: int) -> dict[str, list[float]]:
    # customers spread over the whole portfolio (the first page by LTV would be the busiest
    # spenders only, whose latest 100 transactions are the most recent and cheapest to find)
    everyone = store.segment_summary(SegmentFilters())["customers"]
    pages = random.Random(42).sample(range(1, everyone + 1), rounds)
    ids = [store.customer_page(SegmentFilters(), page, 1).customer_id.iloc[0] for page in pages]
    campaign = store.campaigns().campaign_name.iloc[0]
    now = datetime.utcnow()
    views = {
        "segment explorer": lambda i: (
            store.segment_summary(SegmentFilters(segments=("High-Value Travelers",), ltv_min=i)),
            store.segment_distribution(SegmentFilters(states=REGIONS["Northeast"], ltv_min=i)),
            store.customer_page(SegmentFilters(travel_dining_min=1000 + i), 1 + i % 5, 25),
        ),
        "segment export (whole list)": lambda i: store.export_customers_csv(
            SegmentFilters(ltv_min=i)
        ),
        "customer 360": lambda i: (
            store.profile(ids[i]),
            store.decline_alert(ids[i]),
            store.monthly_spend(ids[i]),
            store.category_spend(ids[i]),
            store.transactions(ids[i]),
            store.card_history(ids[i]),
        ),
        "customer search": lambda i: store.suggest(f"smith{i}"),
        "campaign": lambda i: (
            store.campaigns(),
            store.campaign_trend(campaign),
            store.campaign_by_segment(campaign),
        ),
        "pipeline health": lambda i: (
            store.alerts(now),
            store.runs(),
            store.layer_counts(),
            store.quality_per_load(),
            store.quality_totals(),
            store.recent_loads(),
        ),
    }
    store.filter_options()  # opens the version (builds the customer list once)
    figures: dict[str, list[float]] = {}
    for name, run in views.items():
        times = []
        for i in range(rounds):
            store._version().cache.clear()  # measure the queries, not the cache
            started = time.perf_counter()
            run(i)
            times.append((time.perf_counter() - started) * 1000)
        figures[name] = times
    return figures


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(data_dir: Path, workers: int | None = None) -> tuple[subprocess.Popen, str, float]:
    port = free_port()
    env = {**os.environ, "C360_DATA_DIR": str(data_dir), "PYTHONPATH": str(REPO)}
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "c360", "serve", "--port", str(port), "--no-lineage"]
        + (["--workers", str(workers)] if workers else []),
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: --num-procs children stop with it
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{base}/liveness", timeout=2)
            return process, base, time.perf_counter() - started
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise SystemExit("c360 serve did not start")


def page_ready(base: str, rounds: int) -> dict[str, list[float]]:
    from playwright.sync_api import sync_playwright

    tabs = {
        "Segment Explorer": ("", "Total LTV"),
        "Customer 360": ("?customer_id=CUST00012345", "Recent transactions"),
        "AI Assistant": ("?tab=assistant", "AI-Powered Analytics Assistant"),
        "Campaign Performance": ("?tab=campaigns", "Treatment group"),
        "Pipeline Health": ("?tab=health", "Rows per model"),
    }
    figures: dict[str, list[float]] = {name: [] for name in tabs}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        page = browser.new_page(viewport={"width": 1500, "height": 1000})
        page.set_default_timeout(60_000)
        page.goto(base + "/")  # warm-up: the server opens the serving copy once
        page.get_by_text("Total LTV").wait_for()
        for _ in range(rounds):
            for name, (query, marker) in tabs.items():
                started = time.perf_counter()
                page.goto(base + "/" + query)
                page.get_by_text(marker).first.wait_for()
                figures[name].append(time.perf_counter() - started)
        browser.close()
    return figures


def sessions(base: str, count: int, seconds: float) -> tuple[list[float], int]:
    from _support import pull_session

    def one(_: int) -> float | None:
        started = time.perf_counter()
        try:
            with pull_session(url=base + "/") as session:
                assert session.document.roots
            return time.perf_counter() - started
        except Exception:  # noqa: BLE001 - counted as failed
            return None

    with ThreadPoolExecutor(max_workers=count) as pool:
        results = list(pool.map(one, range(count), timeout=seconds))
    done = [r for r in results if r is not None]
    return done, len(results) - len(done)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = Path(os.environ.get("C360_DATA_DIR", "data"))
    parser.add_argument("--data-dir", type=Path, default=default)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--page-rounds", type=int, default=3)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument(
        "--workers", type=int, default=None, help="c360 serve --workers (default: its own)"
    )
    parser.add_argument(
        "--sessions-only", action="store_true", help="only the concurrent sessions (3.)"
    )
    args = parser.parse_args()
    serving = args.data_dir / "serving" / "SERVING.duckdb"
    store = Store(serving)
    started = time.perf_counter()
    store.filter_options()
    print(f"open the serving copy + build the customer list: {time.perf_counter() - started:.2f} s")
    print(f"customers: {store.segment_summary(SegmentFilters())['customers']:,}")
    if not args.sessions_only:
        print("\nview data queries, uncached (ms)      p50      p95   target p95 ≤ 100")
        for name, times in query_figures(store, args.rounds).items():
            print(f"  {name:<34} {statistics.median(times):7.1f}  {p95(times):7.1f}")
    from c360.commands.serve import default_workers

    workers = args.workers or default_workers()
    process, base, start_seconds = start_server(args.data_dir, workers)
    try:
        print(f"\nc360 serve --workers {workers} up (liveness) after {start_seconds:.1f} s")
        # every process opens the serving copy on its first session: warm each of them
        sessions(base, 4 * workers, seconds=120)
        if not args.sessions_only:
            print("page ready, one browser (s)            p50      max   target ≤ 2")
            for name, times in page_ready(base, args.page_rounds).items():
                print(f"  {name:<34} {statistics.median(times):7.2f}  {max(times):7.2f}")
            time.sleep(20)  # the browser's sessions are closed and discarded before the next
        done, failed = sessions(base, args.sessions, seconds=120)
        print(
            f"\n{args.sessions} concurrent sessions (pull_session): p50 "
            f"{statistics.median(done):.2f} s, p95 {p95(done):.2f} s, max {max(done):.2f} s, "
            f"{failed} failed   (target p95 ≤ 2 s)"
        )
    finally:
        os.killpg(process.pid, signal.SIGTERM)  # the server and its forked workers
        process.wait(timeout=30)


if __name__ == "__main__":
    main()
