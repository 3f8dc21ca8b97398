"""Silver is a function of the data: not of how files were grouped into runs, not of the
order of the lines in a file; and defects are flagged and counted, never silently accepted.

Tiny hand-made bronze (like tests/test_pipeline_scd2.py), built for real: one cold build of
a small base warehouse per module (models start 40 days ago, so the plan is short), then
each test works on private copies of it (same file name, so SQLMesh's views still resolve)
and loads its own files with explicit load times.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

pytestmark = [
    pytest.mark.filterwarnings(
        "ignore:`json_encoders` is deprecated:pydantic.warnings.PydanticDeprecatedSince20"
    ),
]

TODAY = date.today()
#: The models' start for these warehouses (C360_HISTORY_START): short history, quick plan.
HISTORY_START = TODAY - timedelta(days=40)
#: The first snapshot and the start of the transactions of the base warehouse.
FIRST_SNAPSHOT = TODAY - timedelta(days=30)
#: The base warehouse's cold build runs at this midnight; tests continue from it.
BASE_BUILT_AT = datetime(TODAY.year, TODAY.month, TODAY.day) - timedelta(days=5)

CUSTOMERS = {
    # customer_id: first name, last name, card, limit
    "CUST00000001": ("Ada", "Lovelace", "Standard", 5000),
    "CUST00000002": ("Alan", "Turing", "Premium", 20000),
    "CUST00000003": ("Grace", "Hopper", "Standard", 9000),
}


def settings_for(root: Path):
    from c360.core.settings import Settings

    return Settings(data_dir=root, history_start=HISTORY_START.isoformat())


def at(hours: float) -> datetime:
    """`hours` after the base warehouse's build."""
    return BASE_BUILT_AT + timedelta(hours=hours)


def customer_row(customer_id: str, card: str | None = None, limit: int | None = None) -> tuple:
    first, last, base_card, base_limit = CUSTOMERS[customer_id]
    return (
        customer_id, first, last, f"{first.lower()}@example.com", 40, "NY", "New York",
        "Employed", card or base_card, limit or base_limit, date(2021, 3, 4),
        "Stable Mid-Spenders",
    )  # fmt: skip


def load_customers(root: Path, day: date, loaded_at: datetime, rows: Iterable[tuple]) -> None:
    """One snapshot file `customers_<day>.csv`, its lines in the given order."""
    source = f"customers/customers_{day:%Y-%m-%d}.csv"
    with duckdb.connect(str(settings_for(root).warehouse_path)) as con:
        con.executemany(
            "INSERT INTO bronze.bronze_customers VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(*row, loaded_at, source) for row in rows],
        )


def load_transactions(root: Path, name: str, loaded_at: datetime, rows: Iterable[tuple]) -> None:
    """One transaction file: rows of (transaction_id, customer_id, transaction_date, amount)."""
    with duckdb.connect(str(settings_for(root).warehouse_path)) as con:
        con.executemany(
            "INSERT INTO bronze.bronze_transactions VALUES "
            "(?, ?, ?, ?, 'Cole Grocers', 'Grocery', 'In-Store', ?, ?)",
            [(*row, loaded_at, f"transactions/streaming/{name}.csv") for row in rows],
        )


def build_at(root: Path, hours: float, *, force: bool = False):
    from c360.pipeline.build import build

    report = build(settings_for(root), execution_time=at(hours), force=force)
    assert report.ok, report.error
    return report


def query(root: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(settings_for(root).warehouse_path), read_only=True) as con:
        return con.execute(sql).fetchall()


def failed(report, table_name: str, check_type: str) -> tuple[int | None, int]:
    (metric,) = [
        m for m in report.quality if (m.table_name, m.check_type) == (table_name, check_type)
    ]
    return metric.records_checked, metric.records_failed


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three customers in one snapshot, a transaction a day each, cold-built at BASE_BUILT_AT."""
    from ingestion.bronze import BRONZE_TABLES

    root = tmp_path_factory.mktemp("base")
    warehouse = settings_for(root).warehouse_path
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(warehouse)) as con:
        con.execute("CREATE SCHEMA IF NOT EXISTS bronze")
        for table in BRONZE_TABLES:
            con.execute(table.ddl())
    first_load = datetime(FIRST_SNAPSHOT.year, FIRST_SNAPSHOT.month, FIRST_SNAPSHOT.day, 1)
    load_customers(root, FIRST_SNAPSHOT, first_load, [customer_row(c) for c in CUSTOMERS])
    days = (BASE_BUILT_AT.date() - FIRST_SNAPSHOT).days
    history = [
        (
            f"TXN{day:02d}{customer_id}",
            customer_id,
            first_load + timedelta(days=day, hours=11),
            42.5,
        )
        for day in range(days)
        for customer_id in CUSTOMERS
    ]
    load_transactions(root, "history", BASE_BUILT_AT - timedelta(minutes=30), history)
    report = build_at(root, 0)
    assert report.action == "plan"
    return root


def copy_of(base: Path, destination: Path) -> Path:
    shutil.copytree(base, destination)
    return destination


def test_silver_transactions_do_not_depend_on_how_files_were_grouped_into_runs(
    base: Path, tmp_path: Path
) -> None:
    """Two files share a transaction id (the second re-sends it): loaded before one build,
    or with a build in between that leaves the shared row outside the next run's lookback,
    silver_transactions ends up identical."""
    file_a = [
        ("TXNA1", "CUST00000001", at(0.5), 10.0),
        ("TXNA2", "CUST00000002", at(0.6), 20.0),
        ("TXNA2", "CUST00000002", at(0.6), 20.0),  # an exact copy in the same file
    ]
    file_b = [
        ("TXNA1", "CUST00000001", at(0.5), 10.0),  # re-sent from file A
        ("TXNB1", "CUST00000003", at(9.5), 30.0),
    ]
    one_build, two_builds = copy_of(base, tmp_path / "one"), copy_of(base, tmp_path / "two")

    load_transactions(one_build, "a", at(1), file_a)
    load_transactions(one_build, "b", at(10), file_b)
    build_at(one_build, 10.1)

    load_transactions(two_builds, "a", at(1), file_a)
    build_at(two_builds, 8.1)  # the next run re-processes from 2:00, after TXNA1
    load_transactions(two_builds, "b", at(10), file_b)
    second = build_at(two_builds, 10.1)
    assert second.restated_from is None  # the re-sent row is in silver already: not late

    sql = "SELECT * FROM silver.silver_transactions ORDER BY transaction_id"
    assert query(one_build, sql) == query(two_builds, sql)
    copies = dict(
        query(
            one_build,
            "SELECT transaction_id, copies_received FROM silver.silver_transactions "
            "WHERE transaction_id IN ('TXNA1', 'TXNA2', 'TXNB1')",
        )
    )
    assert copies == {"TXNA1": 1, "TXNA2": 2, "TXNB1": 1}


def test_conflicting_copies_in_a_snapshot_give_the_same_dimension_in_either_order(
    base: Path, tmp_path: Path
) -> None:
    """The newest snapshot lists CUST00000001 twice, Standard 5000 and Premium 15000: whatever
    the order of the two lines, the kept row (the higher credit limit), the SCD2 versions and
    gold.dim_customer are the same, and the load's duplicate and conflict are counted."""
    ada_standard = customer_row("CUST00000001", "Standard", 5000)
    ada_premium = customer_row("CUST00000001", "Premium", 15000)
    others = [customer_row("CUST00000002"), customer_row("CUST00000003")]
    built = {}
    for order, lines in {
        "standard_first": [ada_standard, ada_premium, *others],
        "premium_first": [ada_premium, ada_standard, *others],
    }.items():
        root = copy_of(base, tmp_path / order)
        load_customers(root, BASE_BUILT_AT.date(), at(1), lines)
        report = build_at(root, 2)
        assert failed(report, "silver_customer_snapshots", "duplicate") == (4, 1)
        assert failed(report, "silver_customer_snapshots", "conflict") == (3, 1)
        built[order] = root

    dimension = "SELECT * FROM gold.dim_customer ORDER BY customer_key"
    assert query(built["standard_first"], dimension) == query(built["premium_first"], dimension)
    assert query(
        built["standard_first"],
        "SELECT card_type, credit_limit, valid_from, valid_to FROM gold.dim_customer "
        "WHERE customer_id = 'CUST00000001' ORDER BY valid_from",
    ) == [
        ("Standard", 5000, date(2021, 3, 4), BASE_BUILT_AT.date()),
        ("Premium", 15000, BASE_BUILT_AT.date(), None),
    ]


def test_rows_outside_the_history_are_counted_and_never_restated(
    base: Path, tmp_path: Path
) -> None:
    """A load with a row dated before the models' start, a row dated two days after its load,
    and a snapshot that no longer lists a customer: each is flagged and counted, and none of
    them makes a build restate anything — neither the next build nor the one after (forced:
    with nothing new a build stops before SQLMesh)."""
    root = copy_of(base, tmp_path / "warehouse")
    load_customers(
        root,
        BASE_BUILT_AT.date(),
        at(1),
        [customer_row("CUST00000001"), customer_row("CUST00000002")],  # CUST00000003 missing
    )
    before_start = datetime(HISTORY_START.year, HISTORY_START.month, HISTORY_START.day)
    future = at(1.01) + timedelta(days=2)
    load_transactions(
        root,
        "mixed",
        at(1.01),
        [
            ("TXNOK", "CUST00000001", at(0.5), 10.0),
            ("TXNFUTURE", "CUST00000002", future, 20.0),
            ("TXNOLD", "CUST00000001", before_start - timedelta(days=10), 30.0),
        ],
    )

    first = build_at(root, 2)
    assert (first.action, first.restated_from) == ("run", None)
    assert failed(first, "silver_transactions", "before_start") == (3, 1)
    assert failed(first, "silver_transactions", "future") == (3, 1)
    assert failed(first, "silver_transactions", "duplicate") == (1, 0)  # neither is a copy
    assert failed(first, "silver_customers", "missing_from_snapshot") == (3, 1)
    assert any("before the models' start" in warning for warning in first.warnings)
    # what failed comes first in the report (`c360 run` prints the first four checks)
    assert {(m.table_name, m.check_type) for m in first.quality[:3]} == {
        ("silver_transactions", "before_start"),
        ("silver_transactions", "future"),
        ("silver_customers", "missing_from_snapshot"),
    }

    second = build_at(root, 3, force=True)
    assert (second.action, second.restated_from) == ("run", None)
    assert all(metric.records_failed == 0 for metric in second.quality)  # no new load

    # the future-dated row is read with its load: flagged, and (otherwise valid) a fact; the
    # data clock does not jump two days ahead with it
    third = build_at(root, 1.01 + 48 + 1, force=True)
    assert (third.action, third.restated_from) == ("run", None)
    assert query(root, "SELECT last_transaction_at FROM gold.data_clock") == [(at(1.01),)]
    assert query(
        root,
        "SELECT transaction_id, is_future_dated, is_valid_for_facts FROM silver.silver_transactions "
        "WHERE transaction_id IN ('TXNOK', 'TXNFUTURE', 'TXNOLD') ORDER BY transaction_id",
    ) == [("TXNFUTURE", True, True), ("TXNOK", False, True)]
    assert query(
        root, "SELECT count(*) FROM gold.fact_transaction WHERE transaction_id = 'TXNFUTURE'"
    ) == [(1,)]
    # the missing customer stays current, flagged in silver and gold
    flagged = "SELECT customer_id, is_in_latest_snapshot FROM {} WHERE {} ORDER BY customer_id"
    expected = [("CUST00000001", True), ("CUST00000002", True), ("CUST00000003", False)]
    assert query(root, flagged.format("silver.silver_customers", "TRUE")) == expected
    assert query(root, flagged.format("gold.dim_customer", "is_current")) == expected
    assert query(root, flagged.format("gold.customer_360_profile", "TRUE")) == expected
