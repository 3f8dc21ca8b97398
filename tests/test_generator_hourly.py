"""Hourly streaming batches (spec 5.4 hourly script, 11.1 TestTransactionGeneration)."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from bench._support import AS_OF
from ingestion.generator import catalog as cat
from ingestion.generator import generate_hourly, generate_portfolio
from ingestion.generator.defects import DefectRates


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hourly")
    generate_portfolio(
        root / "landing",
        root / "generator",
        customers=1500,
        seed=11,
        as_of=AS_OF,
        show_progress=False,
    )
    return root


def _read(path: Path) -> list[tuple]:
    return duckdb.sql(
        f"SELECT * FROM read_csv('{path}', types={{'transaction_amount': 'DECIMAL(12,2)'}})"
    ).fetchall()


def test_hourly_batches_continue_hour_after_hour(small):
    first = generate_hourly(small / "landing", small / "generator", 2)
    second = generate_hourly(small / "landing", small / "generator", 1)
    assert first.hours == ["2026-11-27T00:00", "2026-11-27T01:00"]
    assert second.hours == ["2026-11-27T02:00"]
    files = sorted((small / "landing/transactions/streaming").rglob("*.csv"))
    relative = [str(p.relative_to(small / "landing")) for p in files]
    assert relative == [
        "transactions/streaming/2026/11/27/00/transactions_20261127_000000.csv",
        "transactions/streaming/2026/11/27/01/transactions_20261127_010000.csv",
        "transactions/streaming/2026/11/27/02/transactions_20261127_020000.csv",
    ]


def test_batch_size_is_poisson_around_750(tmp_path, small):
    landing = tmp_path / "landing"
    summary = generate_hourly(
        landing, small / "generator", 24, rates=DefectRates.none(), start=datetime(2026, 12, 1)
    )
    sizes = [len(_read(p)) for p in sorted(landing.rglob("*.csv"))]
    assert all(500 <= n <= 1000 for n in sizes)  # spec 11.1: 750 +/- variance
    assert 700 <= sum(sizes) / len(sizes) <= 800
    assert summary.clean_transactions == sum(sizes)


def test_clean_batch_has_unique_ids_positive_amounts_valid_values(tmp_path, small):
    landing = tmp_path / "landing"
    generate_hourly(
        landing, small / "generator", 1, rates=DefectRates.none(), start=datetime(2026, 12, 2, 9)
    )
    (path,) = landing.rglob("*.csv")
    rows = _read(path)
    ids = [r[0] for r in rows]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"TXN2026120209\d{5}", i) for i in ids)
    assert all(r[3] > 0 for r in rows)
    assert {r[5] for r in rows} <= set(cat.CATEGORY_NAMES)
    assert {r[6] for r in rows} <= set(cat.CHANNELS)
    stamps = [r[2] for r in rows]
    assert min(stamps) >= datetime(2026, 12, 2, 9) and max(stamps) < datetime(2026, 12, 2, 10)


def test_silent_customers_never_appear_in_batches(tmp_path, small):
    landing = tmp_path / "landing"
    generate_hourly(
        landing, small / "generator", 6, rates=DefectRates.none(), start=datetime(2026, 12, 3)
    )
    (silent,) = duckdb.sql(
        f"""SELECT count(*) FROM read_csv('{landing}/**/*.csv') t
            JOIN read_csv('{small}/generator/customers_truth.csv') g USING (customer_id)
            WHERE g.silent_from IS NOT NULL"""
    ).fetchone()
    assert silent == 0


def test_defects_only_duplicate_exact_rows(tmp_path, small):
    landing = tmp_path / "landing"
    generate_hourly(landing, small / "generator", 12, start=datetime(2026, 12, 4))
    ((ids, exact),) = duckdb.sql(
        f"""WITH t AS (SELECT * FROM read_csv('{landing}/**/*.csv', types={{'transaction_amount': 'DECIMAL(12,2)'}}))
            SELECT (SELECT count(*) FROM (SELECT transaction_id FROM t GROUP BY 1 HAVING count(*) > 1)),
                   (SELECT count(*) FROM (SELECT * FROM t GROUP BY ALL HAVING count(*) > 1))"""
    ).fetchall()
    assert ids == exact > 0


def test_same_hour_same_bytes(tmp_path, small):
    a, b = tmp_path / "a", tmp_path / "b"
    generate_hourly(a, small / "generator", 1, start=datetime(2026, 12, 5, 13))
    generate_hourly(b, small / "generator", 1, start=datetime(2026, 12, 5, 13))
    (fa,), (fb,) = list(a.rglob("*.csv")), list(b.rglob("*.csv"))
    assert fa.read_bytes() == fb.read_bytes()


def test_hourly_without_a_portfolio_explains_what_to_do(tmp_path):
    with pytest.raises(FileNotFoundError, match="run `c360 generate` first"):
        generate_hourly(tmp_path / "landing", tmp_path / "generator", 1)
