"""Shared fixtures: small real portfolios on disk, generated (and built) once per session.

The portfolio type and the builders live in `bench/_support.py`, shared with the
benchmarks, so a test and a benchmark exercise the same product path.
"""

from __future__ import annotations

import pytest

# SQLMesh extends sqlglot's parsers when it is imported; a dialect sqlglot loads before that
# keeps the plain parser (Snowflake's then reads `@this_model` as a staged file, and a model
# pre-statement fails). Tests parse Snowflake SQL before they build: load SQLMesh first.
import sqlmesh.core.dialect  # noqa: F401, I001

from bench._support import AS_OF, Portfolio, build_portfolio, generate

__all__ = ["AS_OF", "Portfolio"]


@pytest.fixture(scope="session")
def portfolio(tmp_path_factory: pytest.TempPathFactory) -> Portfolio:
    """A 4,000-customer portfolio (~1.1M transactions) with every defect enabled (not loaded)."""
    return generate(tmp_path_factory.mktemp("portfolio"), customers=4000, seed=7, as_of=AS_OF)


@pytest.fixture(scope="session")
def built_portfolio(tmp_path_factory: pytest.TempPathFactory) -> Portfolio:
    """A 2,000-customer portfolio (every defect, history to today), loaded by the product
    loader, cold-built with SQLMesh and published. Read-only: `copy_to` before changing it."""
    return build_portfolio(tmp_path_factory.mktemp("built"), customers=2000, seed=7)
