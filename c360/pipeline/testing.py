"""A *fixture* loader for tests and benchmarks — not the product loader.

The product loader (issue 3, `ingestion.loader`) owns landing → bronze with load
history and retries. Until it lands, tests and `bench/build.py` fill the bronze
contract (`ingestion.bronze`) with this: DuckDB `read_csv`/`read_parquet` over
generated landing files, stamping `ingestion_timestamp` and `source_file` (the
landing key, e.g. `transactions/historical/transactions_2025-06-01.csv`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

import duckdb

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
