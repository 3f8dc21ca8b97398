"""Benchmark: continuous-mode freshness — a landing file written → its rows in the serving copy.

Figures printed (never asserted — this is not a test):

- freshness: `c360 run --watch` runs as its own process on a cold-built warehouse (the
  generated 18-month history, `_support.build_portfolio`); hourly files (`generate_hourly`,
  ~750 rows each at 50,000 customers) are written into the landing zone one by one, each
  after the previous one is visible, and for each the time from its rename into the landing
  zone until all of its transactions are in `gold.fact_transaction` of the read-only serving
  copy is measured from outside; median and max, target median <= 10 s, max <= 15 s;
- the watcher's own line per cycle (load, build, publish, freshness as it measured it);
- lower bound: the same file loaded with plain DuckDB (open a database file, INSERT ...
  SELECT FROM read_csv, close) — the floor of any "file → queryable rows" path — and the
  ratio of the median freshness to it.

A live feed sends the hour that just ended, so each file holds the generator's next hourly
batch (without defects, so every row reaches the fact) moved to the hour before the moment
it is written. One warm-up file first lets the watcher's first cycle run the intervals
between the cold build's clock (the end of the history) and now; it is not counted.

    .venv/bin/python bench/freshness.py [--customers 50000] [--files 10]
        [--small-customers N] [--interval 1] [--debounce 1] [--keep DIR]

`--small-customers N` also measures a portfolio of N customers first (a quick check:
`--customers 0 --small-customers 2000 --files 3`).
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
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb
from _support import Portfolio, build_portfolio

from c360.core.clock import utc_now
from c360.core.logs import configure_logging
from ingestion.generator import generate_hourly
from ingestion.generator.defects import DefectRates
from ingestion.layout import streaming_key

REPO = Path(__file__).resolve().parents[1]
TARGET_MEDIAN_SECONDS = 10.0
TARGET_MAX_SECONDS = 15.0
#: Give up on a file that is not visible after this long.
GIVE_UP_SECONDS = 300.0


@dataclass
class Scale:
    label: str
    customers: int
    history_rows: int = 0
    cold_seconds: float = 0.0
    freshness: list[float] = field(default_factory=list)
    plain: list[float] = field(default_factory=list)
    cycles: list[str] = field(default_factory=list)


def _shifted_file(source: Path, target: Path, end: datetime) -> list[str]:
    """Write `source`'s rows to `target`'s hidden partial name with their times moved into
    the hour before `end`; return the partial path's transaction ids."""
    partial = target.with_name(f".{target.name}.part")
    partial.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect() as con:
        con.execute(
            "CREATE TABLE batch AS SELECT * FROM read_csv(?, all_varchar = true, "
            "types = {'transaction_date': 'TIMESTAMP'})",
            [str(source)],
        )
        offset = con.execute(
            "SELECT ?::TIMESTAMP - INTERVAL 1 HOUR - date_trunc('hour', min(transaction_date)) "
            "FROM batch",
            [end],
        ).fetchone()[0]
        con.execute("UPDATE batch SET transaction_date = transaction_date + ?", [offset])
        con.execute(f"COPY batch TO '{partial}' (HEADER, DELIMITER ',')")
        return [row[0] for row in con.execute("SELECT transaction_id FROM batch").fetchall()]


def _visible(serving: Path, ids: list[str]) -> bool:
    # a semi-join (hash join on the ids): `list_contains(?, transaction_id)` evaluated the
    # list per fact row, 4.3 s over 12.8M rows, which the figure then included
    try:
        with duckdb.connect(str(serving), read_only=True) as con:
            found = con.execute(
                "SELECT count(*) FROM gold.fact_transaction "
                "WHERE transaction_id IN (SELECT unnest(?))",
                [ids],
            ).fetchone()[0]
    except duckdb.Error:
        return False
    return found == len(ids)


def _wait_visible(serving: Path, ids: list[str], watcher: subprocess.Popen) -> float:
    """Seconds until every id is in the serving copy; the copy is read only when replaced."""
    started = time.perf_counter()
    seen = None
    while time.perf_counter() - started < GIVE_UP_SECONDS:
        if watcher.poll() is not None:
            raise SystemExit(f"c360 run --watch exited with {watcher.returncode}")
        try:
            stat = serving.stat()
            current = (stat.st_ino, stat.st_mtime_ns)
        except FileNotFoundError:
            current = None
        if current != seen:
            seen = current
            if _visible(serving, ids):
                return time.perf_counter() - started
        time.sleep(0.02)
    raise SystemExit(f"rows not visible after {GIVE_UP_SECONDS:.0f} s")


def _plain_load(csv: Path, scratch: Path) -> float:
    """Plain DuckDB: open a database file, insert the file's rows, close."""
    database = scratch / "PLAIN.duckdb"
    for leftover in (database, database.with_name(database.name + ".wal")):
        leftover.unlink(missing_ok=True)
    started = time.perf_counter()
    with duckdb.connect(str(database)) as con:
        con.execute("CREATE TABLE transactions AS SELECT * FROM read_csv(?)", [str(csv)])
    return time.perf_counter() - started


def _measure(label: str, root: Path, customers: int, files: int, args) -> Scale:
    scale = Scale(label, customers)
    print(f"\n== {label} ({root})", flush=True)
    started = time.perf_counter()
    portfolio: Portfolio = build_portfolio(root, customers, seed=42, as_of=date.today())
    scale.cold_seconds = time.perf_counter() - started
    settings = portfolio.settings
    with duckdb.connect(str(settings.serving_path), read_only=True) as con:
        scale.history_rows = con.execute("SELECT count(*) FROM gold.fact_transaction").fetchone()[0]
    print(
        f"generated, loaded, cold-built and published in {scale.cold_seconds:.0f} s "
        f"({scale.history_rows:,} facts)",
        flush=True,
    )
    feed = root / "feed"  # the batches, generated outside the watched landing zone
    batches = generate_hourly(feed, portfolio.generator, files + 1, rates=DefectRates.none())
    sources = [
        feed / streaming_key(datetime.fromisoformat(hour), batches.file_format)
        for hour in batches.hours
    ]

    out, err = root / "watch.out", root / "watch.err"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
        "C360_DATA_DIR": str(root),
        "C360_STAGE": "local",
        "C360_GATEWAY": "local",
        "COLUMNS": "200",
    }
    command = [sys.executable, "-m", "c360", "run", "--watch"]
    command += ["--interval", str(args.interval), "--debounce", str(args.debounce)]
    with out.open("w") as stdout, err.open("w") as stderr:
        watcher = subprocess.Popen(command, stdout=stdout, stderr=stderr, env=env, cwd=root)
    try:
        deadline = time.monotonic() + 120
        while "Watching " not in out.read_text():
            if time.monotonic() > deadline or watcher.poll() is not None:
                raise SystemExit(f"c360 run --watch did not start:\n{err.read_text()[-2000:]}")
            time.sleep(0.1)
        for number, source in enumerate(sources):
            time.sleep(args.interval * 1.37)  # land at an arbitrary point of the poll cycle
            end = utc_now().replace(microsecond=0)
            target = settings.landing_dir / streaming_key(end)
            ids = _shifted_file(source, target, end)
            os.replace(target.with_name(f".{target.name}.part"), target)
            seconds = _wait_visible(settings.serving_path, ids, watcher)
            if number == 0:
                print(f"warm-up file visible after {seconds:.1f} s (not counted)", flush=True)
                continue
            scale.freshness.append(seconds)
            scale.plain.append(_plain_load(target, root))
            print(f"file {number}: {len(ids)} rows visible after {seconds:.1f} s", flush=True)
    finally:
        watcher.send_signal(signal.SIGINT)
        try:
            watcher.wait(timeout=120)
        except subprocess.TimeoutExpired:
            watcher.kill()
            watcher.wait()
    scale.cycles = out.read_text().splitlines()
    return scale


def _report(scale: Scale, args) -> None:
    median, worst = statistics.median(scale.freshness), max(scale.freshness)
    plain = statistics.median(scale.plain)
    ok = median <= TARGET_MEDIAN_SECONDS and worst <= TARGET_MAX_SECONDS
    print(f"\n{scale.label}: {scale.customers:,} customers, {scale.history_rows:,} facts")
    print("  the watcher's cycles:")
    for line in scale.cycles:
        print(f"    {line}")
    print(
        f"  freshness (file written -> rows in the serving copy), {len(scale.freshness)} files, "
        f"--interval {args.interval:g} --debounce {args.debounce:g}: median {median:.1f} s, "
        f"max {worst:.1f} s (target median <= {TARGET_MEDIAN_SECONDS:.0f} s, max <= "
        f"{TARGET_MAX_SECONDS:.0f} s -> {'OK' if ok else 'MISSED'})"
    )
    print(
        f"  plain DuckDB load of the same file (open, INSERT from read_csv, close): median "
        f"{plain * 1000:.0f} ms; freshness / plain = {median / plain:,.0f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=50_000, help="0 skips the full scale")
    parser.add_argument("--files", type=int, default=10, help="files measured (after a warm-up)")
    parser.add_argument(
        "--small-customers", type=int, default=0, help="also measure a portfolio this small first"
    )
    parser.add_argument("--interval", type=float, default=1.0, help="the watcher's --interval")
    parser.add_argument("--debounce", type=float, default=1.0, help="the watcher's --debounce")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    args = parser.parse_args()
    if args.files < 1:
        parser.error("--files must be at least 1")
    configure_logging("WARNING")  # the figures below are the output

    work = args.keep or Path(tempfile.mkdtemp(prefix="c360-bench-freshness-"))
    scales = [
        (f"{count:,} customers", work / name, count)
        for name, count in (("small", args.small_customers), ("full", args.customers))
        if count
    ]
    results = []
    try:
        for label, root, customers in scales:
            results.append(_measure(label, root, customers, args.files, args))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    machine = platform.processor() or platform.machine()
    print(f"\nmachine: {machine}, {os.cpu_count()} cores; history to {date.today()}")
    for scale in results:
        _report(scale, args)


if __name__ == "__main__":
    main()
