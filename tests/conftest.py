"""Shared fixtures: small real portfolios on disk, generated (and built) once per session.

The portfolio type and the builders live in `bench/_support.py`, shared with the
benchmarks, so a test and a benchmark exercise the same product path.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

# SQLMesh loads models in forked worker processes; forked from a test process that runs
# Playwright's and Panel's threads, a worker can die (BrokenProcessPool seen once in a clean
# `make test`, in tests/test_docs.py after the browser tests). Tests load in-process.
os.environ.setdefault("MAX_FORK_WORKERS", "1")

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


@pytest.fixture(scope="module")
def fakesnow_port() -> Iterator[int]:
    """A fakesnow server (Snowflake emulator) on 127.0.0.1, one per test module: the real
    snowflake-connector-python talks to it (C360_SNOWFLAKE_HOST/PORT/PROTOCOL)."""
    fakesnow = shutil.which("fakesnow", path=str(Path(sys.executable).parent))
    assert fakesnow, "fakesnow is a dev dependency: `make install`"
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen(
        [fakesnow, "-s", "--host", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("fakesnow server did not start") from None
                time.sleep(0.2)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=20)
