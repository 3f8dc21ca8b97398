"""Same seed => byte-identical files; another seed or format => different files."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb

from bench._support import AS_OF
from ingestion.generator import generate_portfolio


def _digests(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _make(root: Path, seed: int, fmt: str = "csv") -> None:
    generate_portfolio(
        root / "landing",
        root / "generator",
        customers=300,
        seed=seed,
        as_of=AS_OF,
        file_format=fmt,
        show_progress=False,
    )


def test_same_seed_gives_byte_identical_output(tmp_path):
    _make(tmp_path / "a", seed=5)
    _make(tmp_path / "b", seed=5)
    first, second = _digests(tmp_path / "a"), _digests(tmp_path / "b")
    assert len(first) == 23  # 2 customer snapshots, 18 months, campaign, truth, state.json
    assert first == second


def test_another_seed_gives_other_data(tmp_path):
    _make(tmp_path / "a", seed=5)
    _make(tmp_path / "b", seed=6)
    first, second = _digests(tmp_path / "a"), _digests(tmp_path / "b")
    assert first.keys() == second.keys()
    changed = [k for k in first if first[k] != second[k] and k.startswith("landing/")]
    assert len(changed) == 21


def test_parquet_holds_the_same_rows_as_csv(tmp_path):
    _make(tmp_path / "csv", seed=5)
    _make(tmp_path / "pq", seed=5, fmt="parquet")
    files = sorted((tmp_path / "pq/landing/transactions/historical").iterdir())
    assert all(p.suffix == ".parquet" for p in files) and len(files) == 18
    diff = duckdb.sql(
        f"""SELECT count(*) FROM (
              SELECT * EXCLUDE (filename) FROM read_parquet('{tmp_path}/pq/landing/transactions/**/*.parquet', filename=true)
              EXCEPT ALL
              SELECT * EXCLUDE (filename) FROM read_csv('{tmp_path}/csv/landing/transactions/**/*.csv', filename=true,
                     types={{'transaction_amount': 'DECIMAL(12,2)'}}))"""
    ).fetchone()[0]
    assert diff == 0
