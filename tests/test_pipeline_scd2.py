"""SCD2 survives: two builds with a card change in between keep the old version.

FIELD_NOTES: with Snowflake-dialect models and a lower-case DuckDB file name SQLMesh
misses existing tables and rebuilds SCD2 history from scratch on every run, silently.
This builds a tiny hand-made warehouse twice — the second time after a snapshot that
upgrades one card — and checks the closed row, the open row and the fact keys.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

pytestmark = [
    pytest.mark.filterwarnings(
        "ignore:`json_encoders` is deprecated:pydantic.warnings.PydanticDeprecatedSince20"
    ),
]

# Dates relative to today: incremental models start '2 years ago' (config.yaml).
FIRST_SNAPSHOT = date.today() - timedelta(days=60)
SECOND_SNAPSHOT = date.today() - timedelta(days=20)


def _midnight(day: date, days: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day) + timedelta(days=days)


def _load_snapshot(
    warehouse: Path, day: date, card_of_ada: str, limit_of_ada: int, loaded_at: datetime
) -> None:
    from ingestion.bronze import BRONZE_TABLES

    with duckdb.connect(str(warehouse)) as con:
        con.execute("CREATE SCHEMA IF NOT EXISTS bronze")
        for table in BRONZE_TABLES:
            con.execute(table.ddl())
        source = f"customers/customers_{day:%Y-%m-%d}.csv"
        con.executemany(
            "INSERT INTO bronze.bronze_customers VALUES "
            "(?, ?, ?, ?, ?, 'NY', 'New York', 'Employed', ?, ?, DATE '2021-03-04', "
            "'Stable Mid-Spenders', ?, ?)",
            [
                ("CUST00000001", "Ada", "Lovelace", "ada@example.com", 36, card_of_ada,
                 limit_of_ada, loaded_at, source),
                ("CUST00000002", "Alan", "Turing", "alan@example.com", 41, "Premium", 20000,
                 loaded_at, source),
            ],
        )  # fmt: skip


def _load_transactions(warehouse: Path, start: date, days: int, loaded_at: datetime) -> None:
    """`days` of transactions from `start`, stamped as loaded at `loaded_at` (the simulated
    clock: silver processes by load time, up to the build's clock)."""
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            """
            INSERT INTO bronze.bronze_transactions
            SELECT 'TXN' || strftime(d, '%Y%m%d') || customer_id, customer_id,
                   d + INTERVAL 12 HOUR, 42.50, 'Cole Grocers', 'Grocery', 'In-Store',
                   ?::TIMESTAMP, 'transactions/historical/fixture.csv'
            FROM range(?::DATE, ?::DATE + ?::INT, INTERVAL 1 DAY) AS days(d)
            CROSS JOIN (VALUES ('CUST00000001'), ('CUST00000002')) AS c(customer_id)
            """,
            [loaded_at, start, start, days],
        )


def test_card_change_closes_the_old_row_and_opens_a_current_one(tmp_path: Path) -> None:
    from c360.core.settings import Settings
    from c360.pipeline.build import build

    settings = Settings(data_dir=tmp_path)
    assert settings.warehouse_path.name == "WAREHOUSE.duckdb"  # upper case, see the docstring
    warehouse = settings.warehouse_path
    first_clock = _midnight(FIRST_SNAPSHOT, 31)
    _load_snapshot(warehouse, FIRST_SNAPSHOT, "Standard", 5000, first_clock - timedelta(minutes=1))
    _load_transactions(warehouse, FIRST_SNAPSHOT, 30, first_clock - timedelta(minutes=1))
    first = build(settings, execution_time=first_clock)
    assert first.ok and first.action == "plan", first.error

    second_clock = _midnight(SECOND_SNAPSHOT, 5)
    _load_snapshot(warehouse, SECOND_SNAPSHOT, "Premium", 8000, second_clock - timedelta(minutes=1))
    _load_transactions(warehouse, SECOND_SNAPSHOT, 5, second_clock - timedelta(minutes=1))
    second = build(settings, execution_time=second_clock)
    assert second.ok and second.action == "run", second.error

    with duckdb.connect(str(warehouse), read_only=True) as con:
        history = con.execute(
            "SELECT customer_id, card_type, credit_limit, valid_from, valid_to "
            "FROM silver.silver_customer_history ORDER BY customer_id, valid_from"
        ).fetchall()
        versions = con.execute(
            "SELECT customer_key, card_type, is_current FROM gold.dim_customer "
            "WHERE customer_id = 'CUST00000001' ORDER BY valid_from"
        ).fetchall()
        keys_by_period = con.execute(
            "SELECT transaction_date::DATE >= ? AS after_change, list(DISTINCT customer_key) "
            "FROM gold.fact_transaction WHERE customer_id = 'CUST00000001' GROUP BY 1 ORDER BY 1",
            [SECOND_SNAPSHOT],
        ).fetchall()

    assert history == [
        ("CUST00000001", "Standard", 5000, date(2021, 3, 4), SECOND_SNAPSHOT),
        ("CUST00000001", "Premium", 8000, SECOND_SNAPSHOT, None),
        ("CUST00000002", "Premium", 20000, date(2021, 3, 4), None),
    ]
    (old_key, _, old_current), (new_key, _, new_current) = versions
    assert (old_current, new_current) == (False, True)
    assert keys_by_period == [(False, [old_key]), (True, [new_key])]
