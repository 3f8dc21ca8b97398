"""`c360 run --watch`: files land, their rows reach the serving copy; kills lose nothing.

Every test runs the real command as a process (`python -m c360 run --watch`) on a private
copy of one small cold-built warehouse and lands real generated hourly files. Convergence
is checked against a cold build of the same files on a fresh warehouse (`reference`): each
landed file in `observability.load_history` once, as LOADED; bronze rows = the files' data
lines; every gold table equal to the reference's (EXCEPT ALL both ways on the serving
copies, which `c360 status --verify`'s check proves equal to prod); the serving copy equal
to prod. The kills hit their points through the fault hook `c360.core.faults`
(`C360_TEST_PAUSE_AT`): the process writes a marker file there and waits to be killed.

To keep cold builds short the portfolio is 1,000 customers with the newest two monthly files
and a model start at the first of them (`C360_HISTORY_START`); the hourly files are hours of
the recent past, so no run ever sees a row from its future.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from bench._support import generate, ingest_all, stage_files
from c360.core.clock import utc_now
from c360.core.settings import Settings
from c360.core.warehouse import connect

pytestmark = [
    pytest.mark.filterwarnings(
        "ignore:`json_encoders` is deprecated:pydantic.warnings.PydanticDeprecatedSince20"
    ),
]

REPO = Path(__file__).resolve().parents[1]
TIMEOUT = 120.0
#: Gold columns that record *when* a row was loaded: two warehouses loading the same files
#: differ there by construction, so the comparison with the reference leaves them out.
LOAD_TIME_COLUMNS = {
    "fact_transaction": {"ingestion_timestamp"},
    "dim_customer": {"created_timestamp", "updated_timestamp"},
}
#: Gold tables that log the pipeline's own work: `customer_changes` lists the customers each
#: load interval recomputed, so it depends on how loads were grouped into builds.
RUN_LOG_TABLES = {"customer_changes"}


@dataclass
class Feed:
    """The generated files, the cold-built base warehouse and the reference build."""

    source: Path  # landing zone of the generated portfolio
    base: Path  # data dir: history loaded, cold-built and published
    reference: Path  # data dir: history + every hourly file, cold-built and published
    hourly: list[str]  # the hourly files, oldest first
    history_start: str

    def settings(self, root: Path) -> Settings:
        return Settings(data_dir=root, history_start=self.history_start)

    def copy_base(self, destination: Path) -> Path:
        shutil.copytree(self.base, destination)  # copy2: modification times kept
        return destination

    def land(self, root: Path, *keys: str) -> None:
        """Write files into a landing zone as a producer would (temporary name, rename)."""
        for key in keys:
            target = root / "landing" / key
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(f".{target.name}.part")
            shutil.copyfile(self.source / key, partial)
            os.replace(partial, target)


@pytest.fixture(scope="module")
def feed(tmp_path_factory: pytest.TempPathFactory) -> Feed:
    from c360.pipeline.build import build
    from c360.pipeline.publish import publish
    from c360.pipeline.verify import verify_serving
    from ingestion.generator import generate_hourly

    root = tmp_path_factory.mktemp("continuous")
    portfolio = generate(root / "generated", 1000, seed=11, as_of=date.today() - timedelta(days=2))
    keys = portfolio.keys()
    months = [key for key in keys if key.startswith("transactions/historical/")][-2:]
    history = [key for key in keys if not key.startswith("transactions/")] + months
    with duckdb.connect() as con:  # the models start on the day of the oldest staged row
        (oldest,) = con.execute(
            "SELECT min(transaction_date)::DATE FROM read_csv(?)",
            [str(portfolio.landing / months[0])],
        ).fetchone()
    history_start = oldest.isoformat()
    hour = utc_now().replace(minute=0, second=0, microsecond=0) - timedelta(hours=4)
    generate_hourly(portfolio.landing, portfolio.generator, 3, start=hour)
    hourly = sorted(set(portfolio.keys()) - set(keys))
    assert len(hourly) == 3

    feed = Feed(portfolio.landing, root / "base", root / "reference", hourly, history_start)
    for data, files in ((feed.base, history), (feed.reference, history + hourly)):
        settings = feed.settings(data)
        stage_files(portfolio.landing, settings.landing_dir, files)
        ingest_all(settings)
        report = build(settings)
        assert report.ok, report.error
        publish(settings)
        assert all(
            check.ok for check in verify_serving(settings.warehouse_path, settings.serving_path)
        )
    return feed


class Watch:
    """One `c360 run --watch` process; its stdout and stderr go to files."""

    def __init__(self, feed: Feed, root: Path, *, pause_at: str | None = None) -> None:
        self.root = root
        runs = len(list(root.glob(".watch-*.out")))
        self.out = root / f".watch-{runs}.out"
        self.err = root / f".watch-{runs}.err"
        self.marker = root / f".watch-{runs}.paused"
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
            "C360_DATA_DIR": str(root),
            "C360_STAGE": "local",
            "C360_GATEWAY": "local",
            "C360_HISTORY_START": feed.history_start,
            "C360_LOG_LEVEL": "INFO",
            "COLUMNS": "250",
        }
        env.pop("C360_TEST_PAUSE_AT", None)
        if pause_at:
            env |= {"C360_TEST_PAUSE_AT": pause_at, "C360_TEST_PAUSE_MARKER": str(self.marker)}
        command = [sys.executable, "-m", "c360", "run", "--watch", "--interval", "0.2"]
        with self.out.open("w") as out, self.err.open("w") as err:
            self.proc = subprocess.Popen(
                [*command, "--debounce", "1", "--data-dir", str(root)],
                stdout=out,
                stderr=err,
                env=env,
                cwd=root,
            )

    def lines(self) -> list[str]:
        return self.out.read_text().splitlines()

    def wait_until(self, done: Callable[[], object], what: str) -> object:
        """Poll `done` until it is truthy; fail if the process exits or time runs out."""
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            if result := done():
                return result
            if self.proc.poll() is not None:
                pytest.fail(f"c360 run --watch exited ({self.proc.returncode}) {self._tail()}")
            time.sleep(0.05)
        pytest.fail(f"timed out waiting for {what} {self._tail()}")

    def wait_for_line(self, prefix: str) -> str:
        return self.wait_until(
            lambda: next((line for line in self.lines() if prefix in line), None), repr(prefix)
        )

    def ready(self) -> Watch:
        self.wait_for_line("Watching ")
        return self

    def kill_at_marker(self) -> None:
        self.wait_until(self.marker.exists, f"the pause marker {self.marker.name}")
        self.proc.kill()
        assert self.proc.wait(timeout=30) == -signal.SIGKILL

    def stop(self, sig: signal.Signals = signal.SIGTERM) -> int:
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            pytest.fail(f"c360 run --watch did not stop on {sig.name} {self._tail()}")

    def _tail(self) -> str:
        return f"\nstdout:\n{self.out.read_text()[-3000:]}\nstderr:\n{self.err.read_text()[-3000:]}"


@pytest.fixture
def watches():
    """Every process a test started is gone when it ends, whatever the test did."""
    started: list[Watch] = []
    yield started
    for watch in started:
        if watch.proc.poll() is None:
            watch.proc.kill()
            watch.proc.wait(timeout=30)


def start(watches: list[Watch], feed: Feed, root: Path, **options) -> Watch:
    watch = Watch(feed, root, **options)
    watches.append(watch)
    return watch


# --- reading the results -------------------------------------------------------------


def query(path: Path, sql: str, params: list | None = None) -> list[tuple]:
    """Read a DuckDB file (waiting while the watcher holds it)."""
    with connect(path, read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def file_ids(feed: Feed, key: str) -> list[str]:
    with duckdb.connect() as con:
        rows = con.execute(
            "SELECT DISTINCT transaction_id FROM read_csv(?, all_varchar = true)",
            [str(feed.source / key)],
        ).fetchall()
    return [row[0] for row in rows]


FACTS_OF = "SELECT count(*) FROM gold.fact_transaction WHERE list_contains(?, transaction_id)"


def facts_of(path: Path, ids: list[str]) -> int:
    return query(path, FACTS_OF, [ids])[0][0]


def visible(feed: Feed, root: Path, key: str) -> Callable[[], bool]:
    """The file's transactions are in the serving copy as the reference has them."""
    ids = file_ids(feed, key)
    expected = facts_of(feed.settings(feed.reference).serving_path, ids)
    assert expected > 0
    serving = feed.settings(root).serving_path

    def check() -> bool:
        try:
            with duckdb.connect(str(serving), read_only=True) as con:
                return con.execute(FACTS_OF, [ids]).fetchone()[0] == expected
        except duckdb.Error:  # not published yet
            return False

    return check


def watch_runs(root: Path) -> list[tuple]:
    return query(
        root / "WAREHOUSE.duckdb",
        "SELECT status, action FROM observability.pipeline_run_metadata "
        "WHERE triggered_by = 'watch' ORDER BY run_timestamp",
    )


def data_lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(1 for line in handle if line.strip()) - 1


def gold_differences(served: Path, reference: Path) -> dict[str, str]:
    """Gold tables of two serving copies that differ (load-time columns left out)."""
    differences = {}
    with duckdb.connect() as con:
        con.execute(f"ATTACH '{served}' AS served (READ_ONLY)")
        con.execute(f"ATTACH '{reference}' AS reference (READ_ONLY)")
        tables = [
            t
            for (t,) in con.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_catalog = 'reference' AND table_schema = 'gold' ORDER BY 1"
            ).fetchall()
        ]
        assert len(tables) > 15
        for table in [t for t in tables if t not in RUN_LOG_TABLES]:
            columns = [
                c
                for (c,) in con.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_catalog = "
                    "'reference' AND table_schema = 'gold' AND table_name = ? "
                    "ORDER BY ordinal_position",
                    [table],
                ).fetchall()
                if c not in LOAD_TIME_COLUMNS.get(table, set())
            ]
            select = ", ".join(f'"{c}"' for c in columns)
            counts = []
            for one, other in (("served", "reference"), ("reference", "served")):
                counts.append(
                    con.execute(
                        f"SELECT count(*) FROM (SELECT {select} FROM {one}.gold.{table} "
                        f"EXCEPT ALL SELECT {select} FROM {other}.gold.{table})"
                    ).fetchone()[0]
                )
            if any(counts):
                differences[table] = f"{counts[0]} rows only served, {counts[1]} only in reference"
    return differences


def assert_converged(feed: Feed, root: Path) -> None:
    from c360.pipeline.verify import verify_serving

    settings = feed.settings(root)
    landed = sorted(
        p.relative_to(settings.landing_dir).as_posix()
        for p in settings.landing_dir.rglob("*.csv")
        if not p.name.startswith(".")
    )
    history = query(
        settings.warehouse_path, "SELECT file_name, status FROM observability.load_history"
    )
    assert sorted(history) == [(key, "LOADED") for key in landed]  # each file once, LOADED
    bronze = query(
        settings.warehouse_path,
        "SELECT source_file, count(*) FROM (SELECT source_file FROM bronze.bronze_transactions "
        "UNION ALL SELECT source_file FROM bronze.bronze_customers "
        "UNION ALL SELECT source_file FROM bronze.bronze_campaign_assignments) GROUP BY 1",
    )
    assert dict(bronze) == {key: data_lines(settings.landing_dir / key) for key in landed}
    reference = feed.settings(feed.reference).serving_path
    assert gold_differences(settings.serving_path, reference) == {}
    checks = verify_serving(settings.warehouse_path, settings.serving_path)
    assert [check.table for check in checks if not check.ok] == []


# --- the tests -----------------------------------------------------------------------


def test_a_landed_file_reaches_the_serving_copy_and_a_burst_is_one_build(feed, tmp_path, watches):
    root = feed.copy_base(tmp_path / "data")
    watch = start(watches, feed, root).ready()
    assert "nothing to build" in watch.lines()[0]  # the copy is up to date: no catch-up build

    first, *burst = feed.hourly
    feed.land(root, first)
    watch.wait_until(visible(feed, root, first), "the first file in the serving copy")
    watch.wait_for_line("cycle 1:")
    assert facts_of(root / "WAREHOUSE.duckdb", file_ids(feed, first)) > 0  # and in gold

    feed.land(root, *burst)  # two files at once: one build
    for key in burst:
        watch.wait_until(visible(feed, root, key), f"{key} in the serving copy")
    line = watch.wait_for_line("cycle 2:")
    assert "2 files" in line and "build" in line and "freshness" in line

    assert watch.stop(signal.SIGINT) == 0
    lines = watch.lines()
    assert lines[-1].startswith("Stopped after 3 cycles: 3 files") and "2 builds" in lines[-1]
    assert not [line for line in lines if "cycle 3:" in line]
    assert watch_runs(root) == [("SUCCESS", "run"), ("SUCCESS", "run")]
    assert_converged(feed, root)


def test_sigterm_during_a_build_finishes_the_cycle_and_exits_0(feed, tmp_path, watches):
    root = feed.copy_base(tmp_path / "data")
    watch = start(watches, feed, root).ready()
    feed.land(root, feed.hourly[0])
    watch.wait_until(lambda: "rows loaded: building" in watch.err.read_text(), "the build")
    assert watch.stop(signal.SIGTERM) == 0
    lines = watch.lines()
    assert "cycle 1: 1 file" in lines[-2] and "publish" in lines[-2]
    assert lines[-1].startswith("Stopped after 2 cycles: 1 file") and "1 build." in lines[-1]
    assert visible(feed, root, feed.hourly[0])()
    assert "stopping after the current step" in watch.err.read_text()


def test_watch_is_refused_for_the_snowflake_gateway(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "c360", "run", "--watch", "--data-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(REPO), "C360_GATEWAY": "snowflake"},
        cwd=tmp_path,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "--watch is for the local gateway" in lines[0]


#: Where a kill hits (the fault hook's points) and what the process had done by then.
KILL_POINTS = {
    "load": "inside the first file's load transaction",
    "loaded": "files committed, build not started",
    "run": "inside the SQLMesh run",
    "publish": "new serving file written, not swapped in",
    "idle": "cycle over, waiting for files",
}


@pytest.mark.parametrize("point", list(KILL_POINTS))
def test_kill_9_then_a_restart_converges(feed, tmp_path, watches, point):
    root = feed.copy_base(tmp_path / "data")
    before = (root / "serving" / "SERVING.duckdb").stat().st_mtime_ns
    first = start(watches, feed, root, pause_at=point).ready()
    feed.land(root, *feed.hourly)
    first.kill_at_marker()  # kill -9 there
    served = (root / "serving" / "SERVING.duckdb").stat().st_mtime_ns
    assert (served != before) == (point == "idle")  # only a whole cycle had published

    restart = start(watches, feed, root).ready()
    catch_up = restart.lines()[0]
    assert "catch-up:" in catch_up
    assert restart.stop(signal.SIGTERM) == 0
    assert restart.lines()[-1].startswith("Stopped after 1 cycle:")
    if point in ("load", "loaded", "run"):
        assert "build" in catch_up and "publish" in catch_up
    elif point == "publish":
        assert "publish" in catch_up and "build " not in catch_up
    else:
        assert "nothing to build" in catch_up
    assert_converged(feed, root)
    # one successful build read the files, whichever process it was
    assert [status for status, _ in watch_runs(root)] == ["SUCCESS"]


def test_a_failed_build_is_reported_and_the_next_file_builds_again(tmp_path, monkeypatch):
    """The loop's control flow with a real pipe and stand-ins for build and publish."""
    import queue
    import threading

    from c360.pipeline import continuous
    from c360.pipeline.build import BuildReport
    from c360.pipeline.publish import PublishReport
    from ingestion.bronze import BRONZE_TRANSACTIONS, file_columns
    from ingestion.loader import Pipe
    from ingestion.stage import LocalStage

    settings = Settings(data_dir=tmp_path)
    outcomes = iter(["raises", "FAILED", "SUCCESS"])
    published = []

    def build(settings, *, verbose, triggered_by):
        assert triggered_by == "watch"
        outcome = next(outcomes)
        if outcome == "raises":
            raise RuntimeError("the project does not load")
        return BuildReport("run", "prod", "local", status=outcome)

    monkeypatch.setattr(continuous, "build", build)
    monkeypatch.setattr(
        continuous, "publish", lambda s: published.append(1) or PublishReport(s.serving_path)
    )
    settings.landing_dir.mkdir(parents=True)
    cycles: queue.Queue = queue.Queue()
    stop = threading.Event()
    loop = threading.Thread(
        target=continuous.watch_pipeline,
        args=(settings, Pipe(LocalStage(settings.landing_dir), settings.warehouse_path)),
        kwargs={"interval": 0.05, "debounce": 0.1, "stop": stop, "on_cycle": cycles.put},
    )
    loop.start()
    try:
        seen = [cycles.get(timeout=30)]  # the catch-up: nothing to do
        for hour in (10, 11, 12):
            key = f"transactions/streaming/2026/11/27/{hour}/transactions_20261127_{hour}0000.csv"
            row = f"TXN{hour:010d},CUST00000001,2026-11-27 {hour}:05:00,12.50,Shop,Grocery,Online"
            path = settings.landing_dir / key
            path.parent.mkdir(parents=True)
            path.write_text(",".join(file_columns(BRONZE_TRANSACTIONS)) + "\n" + row + "\n")
            seen.append(cycles.get(timeout=30))
    finally:
        stop.set()
        loop.join(timeout=30)
    assert [(c.number, c.files, c.rows) for c in seen] == [
        (0, 0, 0),
        (1, 1, 1),
        (2, 1, 1),
        (3, 1, 1),
    ]
    assert seen[0].build is None and seen[0].publish is None
    assert seen[1].error == "build: RuntimeError: the project does not load"
    assert seen[1].build is None and seen[1].publish is None  # nothing built: nothing published
    assert seen[2].build.status == "FAILED" and seen[2].publish is not None  # like `c360 run`
    assert seen[3].build.ok and seen[3].freshness_seconds is not None
    assert len(published) == 2
