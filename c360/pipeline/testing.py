"""A *fixture* loader for tests and benchmarks — not the product loader.

The product loader (issue 3, `ingestion.loader`) owns landing → bronze with load
history and retries. Until it lands, tests and `bench/build.py` fill the bronze
contract (`ingestion.bronze`) with this: DuckDB `read_csv`/`read_parquet` over
generated landing files, stamping `ingestion_timestamp` and `source_file` (the
landing key, e.g. `transactions/historical/transactions_2025-06-01.csv`).
"""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb

from c360.settings import Settings
from ingestion import layout
from ingestion.bronze import (
    BRONZE_CAMPAIGN_ASSIGNMENTS,
    BRONZE_CUSTOMERS,
    BRONZE_TABLES,
    BRONZE_TRANSACTIONS,
    Table,
    file_columns,
)


def _table_for(key: str) -> Table:
    if key.startswith(layout.CUSTOMERS_DIR + "/"):
        return BRONZE_CUSTOMERS
    if key.startswith(layout.CAMPAIGNS_DIR + "/"):
        return BRONZE_CAMPAIGN_ASSIGNMENTS
    return BRONZE_TRANSACTIONS


def _reader(path: Path, table: Table) -> str:
    types = dict(table.columns)
    if path.suffix == ".parquet":
        casts = ", ".join(f"CAST({c} AS {types[c]}) AS {c}" for c in file_columns(table))
        return f"SELECT {casts} FROM read_parquet('{path}')"  # noqa: S608 - fixture paths
    columns = ", ".join(f"'{c}': '{types[c]}'" for c in file_columns(table))
    return f"SELECT * FROM read_csv('{path}', header = true, columns = {{{columns}}})"  # noqa: S608


def landing_keys(landing_dir: Path) -> list[str]:
    """Every data file in the landing zone as a landing key, oldest data first."""
    keys = [
        p.relative_to(landing_dir).as_posix()
        for p in landing_dir.rglob("*")
        if p.is_file() and p.suffix in (".csv", ".parquet")
    ]
    return sorted(k for k in keys if not layout.is_hidden(k))


def load_bronze_fixture(
    warehouse: Path,
    landing_dir: Path,
    keys: Iterable[str] | None = None,
    *,
    ingested_at: datetime | None = None,
    resend: bool = False,
) -> Counter[str]:
    """Append landing files to the bronze tables of `warehouse`; returns rows per table.

    Files already in bronze (by `source_file`) are skipped unless `resend` is set,
    which simulates a source that sends the same file twice.
    """
    stamp = (ingested_at or datetime.now()).isoformat(sep=" ")
    loaded: Counter[str] = Counter()
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(warehouse)) as con:
        con.execute("CREATE SCHEMA IF NOT EXISTS bronze")
        for table in BRONZE_TABLES:
            con.execute(table.ddl())
        seen = {
            row[0]
            for table in BRONZE_TABLES
            for row in con.execute(f"SELECT DISTINCT source_file FROM {table.qualified}").fetchall()  # noqa: S608
        }
        for key in keys if keys is not None else landing_keys(landing_dir):
            if key in seen and not resend:
                continue
            table = _table_for(key)
            names = ", ".join(name for name, _ in table.columns)
            before = con.execute(f"SELECT count(*) FROM {table.qualified}").fetchone()[0]  # noqa: S608
            con.execute(
                f"INSERT INTO {table.qualified} ({names}) "  # noqa: S608
                f"SELECT *, TIMESTAMP '{stamp}', '{key}' FROM ({_reader(landing_dir / key, table)})"
            )
            after = con.execute(f"SELECT count(*) FROM {table.qualified}").fetchone()[0]  # noqa: S608
            loaded[table.qualified] += after - before
    return loaded


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
    """Generate, load (fixture loader), cold-build and publish once per process and key.

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
        load_bronze_fixture(settings.warehouse_path, root / "landing")
        history_end = datetime(as_of.year, as_of.month, as_of.day)
        report = build(settings, execution_time=history_end)
        if not report.ok:
            raise RuntimeError(f"fixture build failed: {report.error}")
        published = publish(settings, report.changed_since, report.execution_time)
        _BUILT[key] = BuiltPortfolio(root, as_of, summary, report, published)
    return _BUILT[key]
