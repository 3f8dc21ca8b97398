"""Re-runs change nothing; re-sent files add nothing; late files and late customers are caught.

Each test works on a private copy of the shared cold build (history to today, built
with its clock at midnight) and moves the build clock and the loader's clock forward by hand, so the hours
after the history are simulated the same way whatever the time of day.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from bench._support import ingest_all, landing_keys

pytestmark = [
    pytest.mark.filterwarnings(
        "ignore:`json_encoders` is deprecated:pydantic.warnings.PydanticDeprecatedSince20"
    ),
]


@pytest.fixture
def portfolio(built_portfolio, tmp_path: Path):
    return built_portfolio.copy_to(tmp_path / "portfolio")


def gold_fingerprints(portfolio) -> dict[str, tuple]:
    """Row count and an order-free hash of every row, per gold table."""
    with duckdb.connect(str(portfolio.settings.warehouse_path), read_only=True) as con:
        tables = [
            row[0]
            for row in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'GOLD'"
            ).fetchall()
        ]
        return {
            table: con.execute(
                f"SELECT count(*), sum(hash(t::VARCHAR)) FROM gold.{table} t"  # noqa: S608
            ).fetchone()
            for table in tables
        }


def fact_count(portfolio) -> int:
    with duckdb.connect(str(portfolio.settings.warehouse_path), read_only=True) as con:
        return con.execute("SELECT count(*) FROM gold.fact_transaction").fetchone()[0]


def build_at(portfolio, hours: float, *, force: bool = False):
    from c360.pipeline.build import build

    report = build(
        portfolio.settings,
        execution_time=portfolio.history_end + timedelta(hours=hours),
        force=force,
    )
    assert report.ok, report.error
    return report


def loaded_at(portfolio, hours: float) -> datetime:
    """Simulated load time: `hours` after the end of the history (the builds' clock)."""
    return portfolio.history_end + timedelta(hours=hours)


def resend(portfolio, key: str, hours: float) -> int:
    """The source sends `key` again under a new name; the loader loads it. Returns its rows."""

    original = portfolio.root / "landing" / key
    copy = original.with_name(f"{original.stem}_resent{original.suffix}")
    copy.write_bytes(original.read_bytes())
    summary = ingest_all(portfolio.settings, loaded_at=loaded_at(portfolio, hours))
    assert summary.by_status == {"LOADED": 1}
    return summary.rows_loaded


def add_hourly_file(portfolio, hours: float) -> tuple[str, int]:
    """The first streaming batch after the history, loaded `hours` after it; returns its
    key and valid rows."""
    from ingestion.generator import generate_hourly

    landing = portfolio.root / "landing"
    before = set(landing_keys(landing))
    generate_hourly(landing, portfolio.root / "generator", 1)
    (key,) = set(landing_keys(landing)) - before
    assert ingest_all(portfolio.settings, loaded_at=loaded_at(portfolio, hours)).by_status == {
        "LOADED": 1
    }
    with duckdb.connect(str(portfolio.settings.warehouse_path), read_only=True) as con:
        valid = con.execute(
            f"""
            SELECT count(DISTINCT b.transaction_id) FROM bronze.bronze_transactions b
            JOIN silver.silver_customers c ON upper(trim(b.customer_id)) = c.customer_id
            WHERE b.source_file = '{key}' AND b.transaction_amount > 0
            """  # noqa: S608 - test data
        ).fetchone()[0]
    return key, valid


def runs_logged(portfolio) -> int:
    with duckdb.connect(str(portfolio.settings.warehouse_path), read_only=True) as con:
        return con.execute("SELECT count(*) FROM observability.pipeline_run_metadata").fetchone()[0]


def intervals_since(portfolio, model: str, created_after: datetime) -> list[tuple]:
    """The intervals SQLMesh recorded for `model` (by its load-time column) since a moment:
    what a build actually evaluated."""
    with duckdb.connect(str(portfolio.settings.warehouse_path), read_only=True) as con:
        return con.execute(
            "SELECT make_timestamp(start_ts * 1000), make_timestamp(end_ts * 1000) "
            "FROM sqlmesh._intervals WHERE name = ? AND NOT is_dev "
            "AND make_timestamp(created_ts * 1000) > ? ORDER BY start_ts",
            [model, created_after],
        ).fetchall()


def test_rerun_without_new_files_is_decided_without_building(portfolio) -> None:
    """Nothing new: the build stops before SQLMesh (nothing run, nothing written); forced,
    the SQLMesh run changes nothing in gold."""
    before = gold_fingerprints(portfolio)
    runs = runs_logged(portfolio)
    quick = build_at(portfolio, 1.1)
    assert (quick.action, quick.ok, quick.models_run) == ("none", True, 0)
    assert runs_logged(portfolio) == runs
    assert gold_fingerprints(portfolio) == before

    report = build_at(portfolio, 1.1, force=True)
    assert report.action == "run"
    assert report.restated_from is None
    assert gold_fingerprints(portfolio) == before
    duplicates = next(m for m in report.quality if m.check_type == "duplicate")
    assert duplicates.records_checked == 0
    assert all(m.records_failed == 0 for m in report.quality)  # zeros, not NULLs


def test_hourly_file_adds_its_valid_rows_and_a_resend_adds_nothing(portfolio) -> None:
    before = fact_count(portfolio)
    key, valid = add_hourly_file(portfolio, 1.05)
    first = build_at(portfolio, 1.1)
    assert first.action == "run"
    assert fact_count(portfolio) == before + valid
    after_file = gold_fingerprints(portfolio)

    resend(portfolio, key, 1.15)
    second = build_at(portfolio, 1.2)
    assert gold_fingerprints(portfolio)["FACT_TRANSACTION"] == after_file["FACT_TRANSACTION"]
    duplicates = next(m for m in second.quality if m.check_type == "duplicate")
    assert duplicates.records_checked == duplicates.records_failed > 0


def test_resent_historical_file_adds_nothing_to_the_facts(portfolio) -> None:
    before = gold_fingerprints(portfolio)
    month = sorted((portfolio.root / "landing" / "transactions" / "historical").glob("*.csv"))[3]
    key = month.relative_to(portfolio.root / "landing").as_posix()
    loaded = resend(portfolio, key, 1.05)
    report = build_at(portfolio, 1.1)
    assert report.restated_from is None  # every re-sent row is already in silver
    assert gold_fingerprints(portfolio)["FACT_TRANSACTION"] == before["FACT_TRANSACTION"]
    duplicates = next(m for m in report.quality if m.check_type == "duplicate")
    assert duplicates.records_failed == loaded


def test_late_file_is_processed_with_its_load_and_restates_nothing(portfolio) -> None:
    """The batch of the history's first hour arrives 9 hours late: it is the next load. The
    build evaluates silver and the fact only from the hour the previous build stopped in
    (what SQLMesh recorded), not from the late rows' transaction hour."""
    before = fact_count(portfolio)
    build_at(portfolio, 9, force=True)  # the hours after the history are processed
    previous_clock = portfolio.history_end + timedelta(hours=9)
    key, valid = add_hourly_file(portfolio, 9.45)  # the batch of hour 0 arrives 9 hours late
    report = build_at(portfolio, 9.5)
    assert (report.action, report.restated_from) == ("run", None)
    assert fact_count(portfolio) == before + valid
    for model in (
        '"WAREHOUSE"."SILVER"."SILVER_TRANSACTIONS"',
        '"WAREHOUSE"."GOLD"."FACT_TRANSACTION"',
    ):
        evaluated = intervals_since(portfolio, model, report.started_at)
        assert evaluated, model
        assert min(start for start, _ in evaluated) == previous_clock.replace(minute=0), model
    assert report.changed_since == previous_clock.replace(minute=0)


def test_transactions_of_a_customer_whose_snapshot_came_late_reach_the_facts(portfolio) -> None:
    with duckdb.connect(str(portfolio.settings.warehouse_path)) as con:
        customer_id, orphans = con.execute(
            """
            SELECT customer_id, count(*) FROM silver.silver_transactions
            WHERE NOT is_known_customer AND transaction_amount > 0
            GROUP BY customer_id ORDER BY max(transaction_date) DESC, customer_id LIMIT 1
            """
        ).fetchone()
        oldest = con.execute(
            "SELECT min(transaction_date) FROM silver.silver_transactions WHERE customer_id = ?",
            [customer_id],
        ).fetchone()[0]
    # the source delivers a corrected snapshot that introduces the customer, long after
    # the customer's transactions: a real landing file, loaded by the product loader
    from ingestion.generator.catalog import CUSTOMER_COLUMNS

    day = portfolio.history_end.date()
    late = portfolio.root / "landing" / "customers" / f"customers_{day}_correction.csv"
    late.write_text(
        ",".join(CUSTOMER_COLUMNS)
        + f"\n{customer_id},Late,Arrival,late@example.com,40,NY,Albany,Employed,Standard,"
        "9000.00,2020-01-01,Stable Mid-Spenders\n"
    )
    assert ingest_all(portfolio.settings, loaded_at=loaded_at(portfolio, 1.05)).by_status == {
        "LOADED": 1
    }
    before = fact_count(portfolio)
    report = build_at(portfolio, 1.1)
    assert "restate" in report.action
    assert report.changed_since is None  # restated aggregates: the next publish copies all
    assert fact_count(portfolio) == before + orphans
    assert oldest is not None


def mark_rows_loaded(portfolio, start: datetime, end: datetime) -> int:
    """Stamp silver_transactions' stored rows loaded in [start, end) (its physical table):
    an evaluation of that interval deletes and re-inserts them, and the stamp is gone."""
    with duckdb.connect(str(portfolio.settings.warehouse_path)) as con:
        (table,) = con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = "
            "'sqlmesh__SILVER' AND table_name LIKE 'SILVER__SILVER_TRANSACTIONS__%'"
        ).fetchone()
        physical = f'"sqlmesh__SILVER"."{table}"'
        con.execute(
            f"UPDATE {physical} SET merchant_name = 'STAMP' "  # noqa: S608 - test's own table
            "WHERE ingestion_timestamp >= ? AND ingestion_timestamp < ?",
            [start, end],
        )
        return con.execute(
            f"SELECT count(*) FROM {physical} WHERE merchant_name = 'STAMP'"  # noqa: S608
        ).fetchone()[0]


def missing_from_facts(portfolio, key: str) -> int:
    """Valid transactions of landing file `key` that are not in gold.fact_transaction."""
    with duckdb.connect(str(portfolio.settings.warehouse_path), read_only=True) as con:
        return con.execute(
            """
            SELECT count(DISTINCT b.transaction_id) FROM bronze.bronze_transactions b
            JOIN silver.silver_customers c ON upper(trim(b.customer_id)) = c.customer_id
            WHERE b.source_file = ? AND b.transaction_amount > 0
              AND upper(trim(b.transaction_id)) NOT IN (
                SELECT transaction_id FROM gold.fact_transaction)
            """,
            [key],
        ).fetchone()[0]


def stamped(portfolio) -> int:
    with duckdb.connect(str(portfolio.settings.warehouse_path), read_only=True) as con:
        return con.execute(
            "SELECT count(*) FROM silver.silver_transactions WHERE merchant_name = 'STAMP'"
        ).fetchone()[0]


def test_a_build_resumes_the_hour_the_last_build_stopped_in(portfolio) -> None:
    """A file loads at 9:06 and a build at 9:15 processes the hour in progress up to then.
    The next file loads at 9:30 and is built at 9:45, in the same hour: the build evaluates
    from 9:15, not from 9:00 (after a cold build that hour holds the whole history) — the
    rows stored for [9:00, 9:15) are untouched — and the new file's rows reach the facts.
    The publish is told to copy from 9:15."""
    add_hourly_file(portfolio, 9.1)
    build_at(portfolio, 9.25)
    nine = (portfolio.history_end + timedelta(hours=9)).replace(minute=0)
    marked = mark_rows_loaded(portfolio, nine, nine + timedelta(hours=1))
    assert marked > 0
    key, valid = add_hourly_file(portfolio, 9.5)
    report = build_at(portfolio, 9.75)
    assert (report.action, report.restated_from) == ("run", None)
    assert valid > 0 and missing_from_facts(portfolio, key) == 0
    assert stamped(portfolio) == marked
    assert report.changed_since == nine + timedelta(minutes=15)


def test_a_build_resumes_across_the_hour_when_nothing_came_after(portfolio) -> None:
    """The 9:15 build's hour is over when the next file (10:03) is built at 10:06: the build
    goes on from 9:15 (the rest of hour 9 is empty) and hour 9 is not evaluated again."""
    add_hourly_file(portfolio, 9.1)
    build_at(portfolio, 9.25)
    nine = (portfolio.history_end + timedelta(hours=9)).replace(minute=0)
    marked = mark_rows_loaded(portfolio, nine, nine + timedelta(hours=1))
    key, valid = add_hourly_file(portfolio, 10.05)
    report = build_at(portfolio, 10.1)
    assert valid > 0 and missing_from_facts(portfolio, key) == 0
    assert stamped(portfolio) == marked > 0
    assert report.changed_since == nine + timedelta(minutes=15)


def test_rows_stamped_before_the_last_build_but_loaded_after_it_are_restated(portfolio) -> None:
    """A loader whose clock is behind the build's stamps a file 9:06 after the 9:15 build
    (or its load committed while the build read bronze): the resumed run would not read
    it, so silver and what depends on it are re-processed from hour 9 (its stored rows are
    rewritten) and the rows arrive."""
    add_hourly_file(portfolio, 8.5)
    build_at(portfolio, 9.25)
    nine = (portfolio.history_end + timedelta(hours=9)).replace(minute=0)
    key, valid = add_hourly_file(portfolio, 9.1)  # stamped before the build, loaded after it
    assert mark_rows_loaded(portfolio, nine, nine + timedelta(hours=1)) == 0  # not in silver
    assert mark_rows_loaded(portfolio, nine - timedelta(hours=1), nine) > 0
    report = build_at(portfolio, 9.5)
    assert report.restated_from == nine
    assert "restate" in report.action and report.changed_since is None
    assert valid > 0 and missing_from_facts(portfolio, key) == 0
    assert stamped(portfolio) > 0  # hour 8 was not restated
