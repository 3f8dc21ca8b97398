"""Shared fixtures: small real portfolios on disk, read back with real DuckDB."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pytest

from ingestion.generator import GenerationSummary, generate_portfolio
from ingestion.generator.window import HistoryWindow

AS_OF = date(2026, 11, 27)


@dataclass
class Portfolio:
    root: Path
    summary: GenerationSummary
    window: HistoryWindow

    @property
    def landing(self) -> Path:
        return self.root / "landing"

    @property
    def generator(self) -> Path:
        return self.root / "generator"

    def sql(self, query: str, params: list | None = None) -> list[tuple]:
        """Run `query` in a fresh DuckDB with views over the generated files."""
        con = duckdb.connect()
        land = self.landing
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
            CREATE VIEW truth AS SELECT * FROM read_csv('{self.generator}/customers_truth.csv');
            CREATE VIEW campaign AS
              SELECT * FROM read_csv('{land}/campaigns/campaign_assignments.csv');
            """
        )
        try:
            return con.execute(query, params or []).fetchall()
        finally:
            con.close()


@pytest.fixture(scope="session")
def portfolio(tmp_path_factory: pytest.TempPathFactory) -> Portfolio:
    """A 4,000-customer portfolio (~1.1M transactions) with every defect enabled."""
    root = tmp_path_factory.mktemp("portfolio")
    summary = generate_portfolio(
        root / "landing",
        root / "generator",
        customers=4000,
        seed=7,
        as_of=AS_OF,
        show_progress=False,
    )
    return Portfolio(root, summary, HistoryWindow(AS_OF))
