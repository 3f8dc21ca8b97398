"""What `c360 ingest`, `run` and `status` print: readable at 80 columns, times in UTC.

A real 300-customer portfolio (21 files) is generated and loaded once; the tables are
rendered into an 80-column console, and the CLI is run from this checkout with
COLUMNS=80, as in a default terminal.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.console import Console

from bench._support import AS_OF
from c360.core.clock import parse_utc, utc_iso
from c360.core.settings import Settings
from ingestion import report
from ingestion.bronze import BRONZE_TRANSACTIONS, file_columns
from ingestion.generator import generate_portfolio
from ingestion.loader import IngestSummary, ingest
from ingestion.pipe_status import pipe_status
from ingestion.stage import LocalStage
from ingestion.watch import Heartbeat, heartbeat_path

ROOT = Path(__file__).resolve().parents[1]
WIDTH = 80


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, IngestSummary]:
    """A 300-customer portfolio (2 customer snapshots, campaigns, 18 months) in bronze."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("portfolio") / "data", stage="local")
    generate_portfolio(
        settings.landing_dir,
        settings.generator_dir,
        customers=300,
        seed=3,
        as_of=AS_OF,
        show_progress=False,
    )
    summary = ingest(settings)
    assert summary.by_status == {"LOADED": 21}
    return settings, summary


def render(monkeypatch: pytest.MonkeyPatch, function, *args, **kwargs) -> list[str]:
    """The lines `function` prints on an 80-column terminal."""
    console = Console(width=WIDTH, record=True, file=io.StringIO())
    monkeypatch.setattr(report, "stdout", console)
    function(*args, **kwargs)
    return console.export_text().splitlines()


def c360(*args: str, data_dir: Path) -> subprocess.CompletedProcess:
    """This checkout's CLI (not the installed console script) in an 80-column terminal."""
    env = {
        **os.environ,
        "C360_DATA_DIR": str(data_dir),
        "C360_STAGE": "local",
        "COLUMNS": str(WIDTH),
        "PYTHONPATH": str(ROOT),
    }
    return subprocess.run(
        [sys.executable, "-m", "c360", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=data_dir.parent,
    )


def assert_readable(lines: list[str], most: int) -> None:
    too_wide = [line for line in lines if cell_len(line) > WIDTH]
    assert not too_wide, "\n".join(too_wide)
    assert len(lines) < most, "\n".join(lines)


def header(lines: list[str], *columns: str) -> None:
    """The listing's column names stand side by side on one line (not stacked)."""
    assert any(line.split() == list(columns) for line in lines), "\n".join(lines)


def test_elide_keeps_the_start_of_the_folder_and_the_end_of_the_name():
    key = "transactions/historical/transactions_2025-06-01.csv"
    assert report.elide(key, 80) == key
    short = report.elide(key, 30)
    assert len(short) == 30 and short.startswith("transacti") and short.endswith("06-01.csv")
    assert "…" in short


def test_ingest_of_21_files_fits_80_columns_with_a_line_per_folder(monkeypatch, loaded):
    settings, summary = loaded

    lines = render(monkeypatch, report.print_ingest, summary)

    assert_readable(lines, most=25)
    text = "\n".join(lines)
    header(lines, "file", "status", "loaded", "rejected")
    for key in ("customers/customers_2025-06-01.csv", "campaigns/campaign_assignments.csv"):
        assert key in text
    (historical,) = [line for line in lines if "transactions/historical/" in line]
    months = [r for r in summary.results if r.key.startswith("transactions/historical/")]
    assert "(18 files)" in historical and f"{sum(r.row_count for r in months):,}" in historical


def test_status_of_21_files_fits_80_columns(monkeypatch, loaded):
    settings, _ = loaded

    lines = render(monkeypatch, report.print_status, pipe_status(settings))

    assert_readable(lines, most=30)
    header(lines, "at", "(UTC)", "file", "status", "loaded", "latency")
    text = "\n".join(lines)
    assert "customers/customers_2025-06-01.csv" in text
    assert "transactions/historical/ (18 files)" in text
    assert "--json lists every file" in text


def test_a_few_files_get_a_line_each_and_their_errors_one_line_each(monkeypatch, tmp_path):
    settings = Settings(data_dir=tmp_path / "data", stage="local")
    header_line = ",".join(file_columns(BRONZE_TRANSACTIONS))
    for hour in range(10, 14):
        folder = settings.landing_dir / f"transactions/streaming/2026/11/27/{hour}"
        folder.mkdir(parents=True)
        amount = "not a number" if hour == 10 else "12.50"
        (folder / f"transactions_20261127_{hour}0000.csv").write_text(
            f"{header_line}\n"
            f"TXN00000000{hour},CUST00000001,2026-11-27 {hour}:00:00,3.00,Shop,Grocery,Online\n"
            f"TXN00000001{hour},CUST00000002,2026-11-27 {hour}:00:00,{amount},Shop,Grocery,Online\n"
        )
    summary = ingest(settings)

    lines = render(monkeypatch, report.print_ingest, summary)

    assert_readable(lines, most=25)
    keys = [f.key for f in LocalStage(settings.landing_dir).list_files()]
    rows = [line for line in lines if line.startswith("transactions/")]
    assert len(rows) == len(keys) == 4  # one line per file, each name's end readable
    for key in keys:
        assert any(key[-20:] in row for row in rows), key
    (partial,) = [row for row in rows if "PARTIALLY_LOADED" in row]
    assert partial.split()[-2:] == ["1", "1"]  # loaded, rejected
    first = lines.index("First errors:")
    error, after = lines[first + 1 : first + 3]
    assert "…" in error and "_100000.csv: CAST: Error when converting" in error
    assert after.strip() == "Ingest summary"  # the message did not wrap onto a second line


def test_cli_status_and_ingest_fit_80_columns(loaded):
    settings, _ = loaded

    status = c360("status", data_dir=settings.data_dir)
    again = c360("ingest", data_dir=settings.data_dir)

    assert status.returncode == 0, status.stderr
    lines = status.stdout.splitlines()
    assert_readable(lines, most=30)
    header(lines, "at", "(UTC)", "file", "status", "loaded", "latency")
    assert again.returncode == 0 and "Nothing new to load" in again.stdout
    assert_readable(again.stdout.splitlines(), most=20)


def _timestamps(payload: dict) -> dict[str, str]:
    found = {k: v for k, v in payload.items() if k.endswith("Timestamp") and v is not None}
    for n, row in enumerate(payload["recent"]):
        found |= {f"recent[{n}].{k}": v for k, v in row.items() if k.endswith("_time")}
    return found


def test_status_json_times_are_iso_8601_utc_with_offset(loaded):
    settings, _ = loaded
    beat = heartbeat_path(settings.data_dir)
    polled = datetime.now(UTC).replace(microsecond=0)
    Heartbeat(os.getpid(), "file:///", "CONTINUE", 1.0, utc_iso(polled), utc_iso(polled), 0).write(
        beat
    )
    try:
        result = c360("status", "--json", data_dir=settings.data_dir)
    finally:
        beat.unlink()

    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["executionState"] == "RUNNING"
    times = _timestamps(payload)
    assert {"lastIngestedTimestamp", "lastPolledTimestamp", "recent[20].last_load_time"} <= set(
        times
    )
    for name, value in times.items():
        moment = datetime.fromisoformat(value)
        assert "T" in value and moment.utcoffset() == timedelta(0), (name, value)
    assert datetime.fromisoformat(payload["lastPolledTimestamp"]) == polled
    last_load = max(datetime.fromisoformat(row["last_load_time"]) for row in payload["recent"])
    assert abs(datetime.now(UTC) - last_load) < timedelta(hours=1)  # UTC, not local time


def test_a_heartbeat_without_an_offset_is_read_as_utc(loaded):
    """A watcher started before times carried an offset is still RUNNING, not misread."""
    settings, _ = loaded
    naive = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    beat = heartbeat_path(settings.data_dir)
    Heartbeat(os.getpid(), "x", "CONTINUE", 1.0, naive.isoformat(), naive.isoformat(), 0).write(
        beat
    )
    try:
        status = pipe_status(settings)
    finally:
        beat.unlink()
    assert status.executionState == "RUNNING"
    assert status.lastPolledTimestamp == utc_iso(naive)
    assert parse_utc(status.lastPolledTimestamp) == naive
