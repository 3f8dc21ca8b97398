"""Shared by the benchmarks and the test suite: real portfolios through the product path.

The generator writes the landing zone, the product loader (`ingestion.loader.ingest`)
loads it into bronze — load history, dedup of re-sent files, rejected rows — and
SQLMesh builds it, so what tests assert and benchmarks measure is what users run.
Nothing here ships in the wheel: `bench/` scripts import it as `_support` (their own
folder is on `sys.path`), pytest as `bench._support` (the repository root is).

Time is simulated where it matters: a portfolio's history ends at midnight of its
as-of date, the cold build runs "at" that moment and bronze rows are stamped as loaded
just before it, so a test can replay the hours after the history deterministically.
"""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

from c360.core.settings import Settings
from ingestion import layout
from ingestion.generator import GenerationSummary, generate_portfolio
from ingestion.generator.window import HistoryWindow

#: The as-of date of every generated portfolio whose content a test pins (file names,
#: month boundaries). Portfolios that SQLMesh builds end today instead (`as_of=None`),
#: because the models start relative to today ('2 years ago').
AS_OF = date(2026, 11, 27)


#: What makes the SQLMesh project (a copy can be edited without touching the checkout).
PROJECT_PARTS = (
    "config.yaml",
    "external_models.yaml",
    "models",
    "audits",
    "macros",
    "seeds",
    "linter",
)


def copy_project(destination: Path) -> Path:
    """A private copy of the SQLMesh project, with its YAML unit tests, in `destination`."""
    from c360.pipeline.context import PROJECT_ROOT

    destination.mkdir(parents=True)
    for part in PROJECT_PARTS:
        source = PROJECT_ROOT / part
        if source.is_dir():
            shutil.copytree(source, destination / part)
        else:
            shutil.copy(source, destination / part)
    (destination / "tests").mkdir()
    for unit_test in (PROJECT_ROOT / "tests").glob("test_*.yaml"):
        shutil.copy(unit_test, destination / "tests" / unit_test.name)
    return destination


def landing_keys(landing_dir: Path) -> list[str]:
    """Every data file in the landing zone as a landing key, oldest data first."""
    keys = [
        p.relative_to(landing_dir).as_posix()
        for p in landing_dir.rglob("*")
        if p.is_file() and p.suffix in (".csv", ".parquet")
    ]
    return sorted(k for k in keys if not layout.is_hidden(k))


def stage_files(source_landing: Path, target_landing: Path, keys: list[str]) -> None:
    """Put `keys` of one landing zone into another (hard links: no copy of the bytes)."""
    for key in keys:
        target = target_landing / key
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(source_landing / key, target)
        except OSError:
            shutil.copy2(source_landing / key, target)


def pull_session(url: str, **kwargs: Any) -> Any:
    """`bokeh.client.pull_session` with the Bokeh models the dashboard sends (Panel's and
    the dashboard's own, e.g. `RowList`) known to this client process."""
    import panel.models.tabulator  # noqa: F401
    from bokeh.client import pull_session as pull

    import dashboard.widgets  # noqa: F401

    return pull(url=url, **kwargs)


def simulated_clock(start: datetime) -> Callable[[], datetime]:
    """A loader clock at `start` that ticks one microsecond per call (files stay ordered)."""
    ticks = itertools.count()
    return lambda: start + timedelta(microseconds=next(ticks))


def ingest_all(settings: Settings, *, loaded_at: datetime | None = None) -> Any:
    """Load every new landing file with the product loader; fail loudly on a bad file.

    `loaded_at` stamps the rows (simulated time); None uses the wall clock.
    """
    from c360.core.clock import utc_now
    from ingestion.loader import ingest

    clock = simulated_clock(loaded_at) if loaded_at is not None else utc_now
    summary = ingest(settings, clock=clock)
    bad = {k: v for k, v in summary.by_status.items() if k not in ("LOADED", "LOAD_SKIPPED")}
    if bad or summary.rows_rejected:
        raise RuntimeError(f"fixture ingest did not load cleanly: {summary.by_status}")
    return summary


@dataclass
class Portfolio:
    """A generated portfolio in `root` (landing zone, generator state) and, once built,
    its warehouse, serving file and the reports of the cold build."""

    root: Path
    as_of: date
    summary: GenerationSummary
    build: Any = None
    publish: Any = None

    @property
    def landing(self) -> Path:
        return self.root / "landing"

    @property
    def generator(self) -> Path:
        return self.root / "generator"

    @property
    def window(self) -> HistoryWindow:
        return HistoryWindow(self.as_of)

    @property
    def history_end(self) -> datetime:
        """Midnight of the as-of date: the history ends here and the cold build ran "at" it."""
        return datetime(self.as_of.year, self.as_of.month, self.as_of.day)

    @property
    def settings(self) -> Settings:
        return Settings(data_dir=self.root)

    def keys(self) -> list[str]:
        return landing_keys(self.landing)

    def copy_to(self, destination: Path) -> Portfolio:
        """A private copy (warehouse, serving file, landing zone) for tests that change it."""
        shutil.copytree(self.root, destination, dirs_exist_ok=False)
        return replace(self, root=destination)

    def sql(self, query: str, params: list | None = None) -> list[tuple]:
        """Run `query` in a fresh DuckDB with views over the generated files (no loader)."""
        con = duckdb.connect()
        land, generator = self.landing, self.generator
        con.execute(
            f"""
            CREATE VIEW transactions AS
              SELECT * , filename AS source_file
              FROM read_csv('{land}/transactions/historical/*.csv', filename = true,
                            types = {{'transaction_amount': 'DECIMAL(12,2)'}});
            CREATE VIEW customers AS
              SELECT *, filename AS source_file
              FROM read_csv('{land}/customers/*.csv', filename = true);
            CREATE VIEW latest_customers AS
              SELECT * FROM customers
              QUALIFY source_file = max(source_file) OVER ();
            CREATE VIEW truth AS SELECT * FROM read_csv('{generator}/customers_truth.csv');
            CREATE VIEW campaign AS
              SELECT * FROM read_csv('{land}/campaigns/campaign_assignments.csv');
            """
        )
        try:
            return con.execute(query, params or []).fetchall()
        finally:
            con.close()


def generate(
    root: Path, customers: int, seed: int = 7, as_of: date | None = None, **options: Any
) -> Portfolio:
    """Generate a portfolio into `root` (history to `as_of`, default today)."""
    as_of = as_of or date.today()
    summary = generate_portfolio(
        root / "landing",
        root / "generator",
        customers,
        seed,
        as_of,
        show_progress=False,
        **options,
    )
    return Portfolio(root, as_of, summary)


def build_portfolio(
    root: Path, customers: int = 2000, seed: int = 7, as_of: date | None = None
) -> Portfolio:
    """Generate, ingest (product loader), cold-build and publish a portfolio in `root`.

    Bronze is stamped as loaded a minute before the end of the history and the cold build
    runs at it, so the hours after it can be simulated deterministically.
    """
    from c360.pipeline.build import build
    from c360.pipeline.publish import publish

    portfolio = generate(root, customers, seed, as_of)
    settings = portfolio.settings
    ingest_all(settings, loaded_at=portfolio.history_end - timedelta(minutes=1))
    report = build(settings, execution_time=portfolio.history_end)
    if not report.ok:
        raise RuntimeError(f"fixture build failed: {report.error}")
    published = publish(settings)
    return replace(portfolio, build=report, publish=published)
