"""Benchmark: landing zone → bronze with the product loader (issue 3 targets).

Figures printed (never asserted — this is not a test):

- full history: the generated 18 months (~13.5M transactions, ~1.1 GB of CSV) plus
  customers and campaigns loaded into an empty warehouse by `ingestion.loader.ingest`
  (checksums, checks, load history and all); target <= 30 s on 2 cores;
- hourly latency: `c360 ingest --watch` runs as its own process; each hour a ~750-row
  streaming file is generated into the landing zone and the time from the file's
  arrival (its modification time) until its rows are visible in bronze to another
  process is measured from outside; the watcher's own recorded latency
  (load_history.latency_seconds) is printed next to it; target <= 5 s.

    .venv/bin/python bench/ingest.py [--customers 50000] [--hours 5] [--interval 1.0]
                                     [--data-dir DIR] [--keep]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import duckdb
from _support import AS_OF

from c360.core.settings import Settings
from ingestion.generator import generate_hourly, generate_portfolio
from ingestion.layout import streaming_key
from ingestion.loader import ingest
from ingestion.stage import LocalStage
from ingestion.watch import heartbeat_path

TARGET_FULL_SECONDS = 30.0
TARGET_LATENCY_SECONDS = 5.0


def _read(path: Path, sql: str, params: list) -> list[tuple] | None:
    """A short read-only look at the warehouse; None while the watcher holds the lock."""
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            return con.execute(sql, params).fetchall()
    except duckdb.IOException:
        return None


def full_history(settings: Settings, customers: int) -> None:
    landing = settings.landing_dir
    if not (landing / "transactions" / "historical").is_dir():
        print(f"generating {customers:,} customers into {settings.data_dir} ...", flush=True)
        generate_portfolio(
            landing, settings.generator_dir, customers, 42, AS_OF, show_progress=False
        )
    for path in settings.data_dir.glob("WAREHOUSE.duckdb*"):
        path.unlink()
    files = LocalStage(landing).list_files()
    size = sum(f.size for f in files)

    started = time.perf_counter()
    summary = ingest(settings)
    seconds = time.perf_counter() - started

    rows = summary.rows_loaded
    print()
    print(f"full history: {len(summary.results)} files, {size / 1e9:.2f} GB, {rows:,} rows")
    print(
        f"  load into bronze: {seconds:.1f} s  ({rows / seconds:,.0f} rows/s, "
        f"{size / 1e6 / seconds:,.0f} MB/s)  target <= {TARGET_FULL_SECONDS:.0f} s "
        f"-> {'OK' if seconds <= TARGET_FULL_SECONDS else 'MISSED'}"
    )
    print(f"  statuses: {dict(summary.by_status)}; rows rejected: {summary.rows_rejected:,}")


def hourly_latency(settings: Settings, hours: int, interval: float) -> None:
    env = {
        **os.environ,
        "C360_DATA_DIR": str(settings.data_dir),
        "C360_STAGE": "local",
        "C360_LOG_LEVEL": "WARNING",
    }
    beat = heartbeat_path(settings.data_dir)
    watcher = subprocess.Popen(
        [sys.executable, "-m", "c360", "ingest", "--watch", "--interval", str(interval)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not beat.exists():
            if time.monotonic() > deadline or watcher.poll() is not None:
                raise SystemExit("the watcher did not start")
            time.sleep(0.1)
        outside: list[tuple[str, float]] = []
        for _ in range(hours):
            time.sleep(interval * 1.37)  # land at an arbitrary point of the poll cycle
            summary = generate_hourly(settings.landing_dir, settings.generator_dir, 1)
            key = streaming_key(datetime.fromisoformat(summary.hours[0]), summary.file_format)
            landed = (settings.landing_dir / key).stat().st_mtime
            while True:
                found = _read(
                    settings.warehouse_path,
                    "SELECT count(*) FROM bronze.bronze_transactions WHERE source_file = ?",
                    [key],
                )
                if found and found[0][0]:
                    outside.append((key, time.time() - landed))
                    break
                if time.time() - landed > 120:
                    raise SystemExit(f"{key} did not reach bronze in 120 s")
                time.sleep(0.05)
    finally:
        watcher.send_signal(signal.SIGTERM)
        watcher.wait(timeout=60)

    recorded = dict(
        _read(
            settings.warehouse_path,
            "SELECT file_name, latency_seconds FROM observability.load_history "
            "WHERE file_name LIKE 'transactions/streaming/%'",
            [],
        )
        or []
    )
    print()
    print(f"hourly file -> bronze with `c360 ingest --watch --interval {interval}` running:")
    for key, seconds in outside:
        print(
            f"  {key}: visible after {seconds:.2f} s (recorded latency "
            f"{recorded.get(key, float('nan')):.2f} s)"
        )
    values = [s for _, s in outside]
    print(
        f"  median {statistics.median(values):.2f} s, max {max(values):.2f} s over "
        f"{len(values)} files; target <= {TARGET_LATENCY_SECONDS:.0f} s -> "
        f"{'OK' if max(values) <= TARGET_LATENCY_SECONDS else 'MISSED'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--hours", type=int, default=5)
    parser.add_argument("--interval", type=float, default=1.0)
    parser.add_argument("--data-dir", type=Path, help="reuse/keep this data dir")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data dir")
    args = parser.parse_args()

    root = args.data_dir or Path(tempfile.mkdtemp(prefix="c360-bench-ingest-"))
    settings = Settings(data_dir=root, stage="local")
    print(
        f"c360 ingestion benchmark on {platform.node()} ({os.cpu_count()} cores), data dir {root}"
    )
    try:
        full_history(settings, args.customers)
        hourly_latency(settings, args.hours, args.interval)
    finally:
        if args.data_dir is None and not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
