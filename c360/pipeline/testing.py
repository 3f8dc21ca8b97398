"""Test and benchmark support: real portfolios loaded by the real loader and built once.

Tests and `bench/build.py` go through the product path — the generator writes the
landing zone, `ingestion.loader.ingest` loads it into bronze (load history, dedup of
re-sent files, rejected rows), SQLMesh builds it — so what they measure is what users
run. `stage_files` lets a benchmark expose only part of a landing zone to the loader.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from c360.settings import Settings
from ingestion import layout


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


def ingest_all(settings: Settings) -> Any:
    """Load every new landing file with the product loader; fail loudly on a bad file."""
    from ingestion.loader import ingest

    summary = ingest(settings)
    bad = {k: v for k, v in summary.by_status.items() if k not in ("LOADED", "LOAD_SKIPPED")}
    if bad or summary.rows_rejected:
        raise RuntimeError(f"fixture ingest did not load cleanly: {summary.by_status}")
    return summary


# --- a built portfolio, shared by the pipeline test modules -------------------------------------


@dataclass
class BuiltPortfolio:
    """A generated portfolio, loaded into bronze, built and published (read-only: copy it)."""

    root: Path
    as_of: date
    summary: Any
    build: Any
    publish: Any

    @property
    def history_end(self) -> datetime:
        """Midnight of the as-of date: the history ends here and the cold build ran "at" it."""
        return datetime(self.as_of.year, self.as_of.month, self.as_of.day)

    @property
    def settings(self) -> Settings:
        return Settings(data_dir=self.root)

    def copy_to(self, destination: Path) -> BuiltPortfolio:
        """A private copy (warehouse, serving file, landing zone) for tests that change it."""
        shutil.copytree(self.root, destination, dirs_exist_ok=False)
        return replace(self, root=destination)


_BUILT: dict[tuple, BuiltPortfolio] = {}


def built_portfolio(
    base: Path, customers: int = 2000, seed: int = 7, as_of: date | None = None
) -> BuiltPortfolio:
    """Generate, ingest (product loader), cold-build and publish once per process and key.

    The cold build runs with its clock at the end of the history (midnight of `as_of`,
    default today), so tests can simulate the hours after it deterministically.
    """
    from c360.pipeline.build import build
    from c360.pipeline.publish import publish
    from ingestion.generator import generate_portfolio

    as_of = as_of or date.today()
    key = (base, customers, seed, as_of)
    if key not in _BUILT:
        root = base / f"portfolio-{customers}-{seed}-{as_of}"
        summary = generate_portfolio(
            root / "landing", root / "generator", customers, seed, as_of, show_progress=False
        )
        settings = Settings(data_dir=root)
        ingest_all(settings)
        history_end = datetime(as_of.year, as_of.month, as_of.day)
        report = build(settings, execution_time=history_end)
        if not report.ok:
            raise RuntimeError(f"fixture build failed: {report.error}")
        published = publish(settings, report.changed_since, report.execution_time)
        _BUILT[key] = BuiltPortfolio(root, as_of, summary, report, published)
    return _BUILT[key]
