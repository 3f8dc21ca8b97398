"""Landing zone → bronze on the local stage: contract tables, exactly-once, watch, status, CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from bench._support import AS_OF
from c360.core.settings import Settings
from ingestion.bronze import BRONZE_TABLES
from ingestion.generator import generate_hourly, generate_portfolio
from ingestion.load_history import Status
from ingestion.loader import IngestSummary, Pipe, ingest
from ingestion.pipe_status import pipe_status
from ingestion.stage import LocalStage
from ingestion.watch import Heartbeat, heartbeat_path, watch

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings pointing at an empty data dir of this test."""
    monkeypatch.setenv("C360_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("C360_STAGE", "local")
    yield Settings()


def make_portfolio(settings: Settings, fmt: str = "csv", customers: int = 300) -> None:
    generate_portfolio(
        settings.landing_dir,
        settings.generator_dir,
        customers=customers,
        seed=3,
        as_of=AS_OF,
        file_format=fmt,
        show_progress=False,
    )


def data_rows(path: Path) -> int:
    """Rows in a landing file, counted independently of the loader (lines or Parquet rows)."""
    if path.suffix == ".parquet":
        return pq.ParquetFile(path).metadata.num_rows
    with path.open("rb") as handle:
        return sum(1 for line in handle if line.strip()) - 1


def query(settings: Settings, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def landing_files(settings: Settings) -> dict[str, Path]:
    return {
        f.key: settings.landing_dir / f.key for f in LocalStage(settings.landing_dir).list_files()
    }


def test_portfolio_loads_every_file_once_into_the_contract_tables(settings):
    make_portfolio(settings)
    files = landing_files(settings)

    summary = ingest(settings)

    assert summary.by_status == {"LOADED": len(files)}
    for table in BRONZE_TABLES:
        columns = query(
            settings,
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
            [table.schema, table.name],
        )
        assert columns == [(name, kind) for name, kind in table.columns]
    per_file = dict(
        query(
            settings,
            "SELECT source_file, count(*) FROM ("
            " SELECT source_file FROM bronze.bronze_customers UNION ALL"
            " SELECT source_file FROM bronze.bronze_transactions UNION ALL"
            " SELECT source_file FROM bronze.bronze_campaign_assignments) GROUP BY 1",
        )
    )
    assert per_file == {key: data_rows(path) for key, path in files.items()}
    routed = dict(query(settings, "SELECT file_name, table_name FROM observability.load_history"))
    assert routed["campaigns/campaign_assignments.csv"] == "bronze.bronze_campaign_assignments"
    assert all(
        table == "bronze.bronze_transactions"
        for key, table in routed.items()
        if key.startswith("transactions/")
    )
    missing_meta = query(
        settings,
        "SELECT count(*) FROM bronze.bronze_transactions "
        "WHERE ingestion_timestamp IS NULL OR source_file IS NULL",
    )
    assert missing_meta == [(0,)]


def test_second_run_loads_nothing(settings):
    make_portfolio(settings)
    first = ingest(settings)
    rows_before = query(settings, "SELECT count(*) FROM bronze.bronze_transactions")

    second = ingest(settings)

    assert second.results == []
    assert second.already_loaded == len(first.results)
    assert query(settings, "SELECT count(*) FROM bronze.bronze_transactions") == rows_before
    assert query(settings, "SELECT count(*) FROM observability.load_history") == [
        (len(first.results),)
    ]


def test_history_row_accounting_matches_bronze_for_every_file(settings):
    make_portfolio(settings)
    ingest(settings)
    rows = query(
        settings,
        """
        SELECT h.file_name, h.row_parsed, h.row_count, h.rows_rejected, h.error_count,
               (SELECT count(*) FROM bronze.bronze_transactions b
                 WHERE b.source_file = h.file_name
                   AND b.ingestion_timestamp = h.ingestion_timestamp),
               h.file_size, h.file_etag, h.latency_seconds, h.pipe_received_time <= h.last_load_time
        FROM observability.load_history h
        WHERE h.table_name = 'bronze.bronze_transactions'
        """,
    )
    files = landing_files(settings)
    assert len(rows) == 18
    for name, parsed, loaded, rejected, errors, in_bronze, size, etag, latency, ordered in rows:
        assert parsed == data_rows(files[name]) == loaded + rejected
        assert (rejected, errors) == (0, 0)
        assert in_bronze == loaded
        assert size == files[name].stat().st_size
        assert len(etag) == 32 and latency >= 0 and ordered


def test_parquet_landing_zone_loads_like_csv(settings):
    make_portfolio(settings, fmt="parquet")
    files = landing_files(settings)
    assert all(key.endswith(".parquet") for key in files)

    summary = ingest(settings)

    assert summary.by_status == {"LOADED": len(files)}
    per_file = dict(
        query(settings, "SELECT source_file, count(*) FROM bronze.bronze_transactions GROUP BY 1")
    )
    assert per_file == {
        key: data_rows(path) for key, path in files.items() if key.startswith("transactions/")
    }
    amounts = query(
        settings,
        "SELECT count(*) FROM bronze.bronze_transactions WHERE transaction_amount IS NULL",
    )
    assert amounts == [(0,)]


def test_new_hourly_batch_is_the_only_file_loaded(settings):
    make_portfolio(settings)
    ingest(settings)
    generate_hourly(settings.landing_dir, settings.generator_dir, 1)

    summary = ingest(settings)

    assert [r.key for r in summary.results] == [
        key for key in landing_files(settings) if key.startswith("transactions/streaming/")
    ]
    assert summary.results[0].status is Status.LOADED


def test_watch_loads_a_file_that_lands_while_it_runs(settings):
    make_portfolio(settings, customers=100)
    ingest(settings)
    pipe = Pipe(LocalStage(settings.landing_dir), settings.warehouse_path)
    stop = threading.Event()
    batches: list[IngestSummary] = []
    landed = threading.Event()

    def on_batch(summary: IngestSummary) -> None:
        batches.append(summary)
        landed.set()

    beat = heartbeat_path(settings.data_dir)
    watcher = threading.Thread(
        target=watch,
        args=(pipe,),
        kwargs={"interval": 0.1, "stop": stop, "on_batch": on_batch, "heartbeat": beat},
    )
    watcher.start()
    try:
        generate_hourly(settings.landing_dir, settings.generator_dir, 1)
        assert landed.wait(timeout=60), "the watcher never loaded the new file"
        running = Heartbeat.read(beat)
        assert running is not None and running.pid == os.getpid()
        for moment in (running.started_at, running.last_poll_at):  # ISO 8601 UTC, offset
            assert datetime.fromisoformat(moment).utcoffset() == timedelta(0), moment
        assert pipe_status(settings).executionState == "RUNNING"
    finally:
        stop.set()
        watcher.join(timeout=30)
    assert not watcher.is_alive()
    assert not beat.exists(), "a stopped watcher removes its heartbeat"
    loaded = [r for b in batches for r in b.results]
    assert [r.key.split("/")[1] for r in loaded] == ["streaming"]
    assert loaded[0].status is Status.LOADED and loaded[0].latency_seconds >= 0
    history = query(
        settings,
        "SELECT latency_seconds FROM observability.load_history WHERE file_name = ?",
        [loaded[0].key],
    )
    assert len(history) == 1 and history[0][0] >= 0
    assert pipe_status(settings).executionState == "STOPPED"


def test_status_counts_pending_files_and_names_the_last_load(settings):
    make_portfolio(settings, customers=100)
    files = landing_files(settings)
    (settings.landing_dir / "README.txt").write_text("not data\n")

    before = pipe_status(settings)
    assert before.pendingFileCount == len(files)
    assert before.lastIngestedFilePath is None and before.executionState == "STOPPED"

    ingest(settings)
    after = pipe_status(settings)
    assert after.pendingFileCount == 0
    assert after.lastIngestedFilePath in files
    assert len(after.recent) == len(files)
    assert after.lastError is None


def c360(*args: str, data_dir: Path) -> subprocess.CompletedProcess:
    """This checkout's CLI (`python -m c360` with the repository first on the path)."""
    env = {
        **os.environ,
        "C360_DATA_DIR": str(data_dir),
        "C360_STAGE": "local",
        "COLUMNS": "200",
        "PYTHONPATH": str(ROOT),
    }
    return subprocess.run(
        [sys.executable, "-m", "c360", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=data_dir.parent,
    )


def test_cli_ingest_twice_then_status_json(settings):
    make_portfolio(settings, customers=100)
    n_files = len(landing_files(settings))

    first = c360("ingest", data_dir=settings.data_dir)
    second = c360("ingest", data_dir=settings.data_dir)
    status = c360("status", "--json", data_dir=settings.data_dir)

    assert first.returncode == 0, first.stderr
    assert f"{n_files} ({n_files} LOADED)" in first.stdout
    assert second.returncode == 0 and "Nothing new to load" in second.stdout
    payload = json.loads(status.stdout)
    assert payload["pendingFileCount"] == 0 and len(payload["recent"]) == n_files
    assert payload["executionState"] == "STOPPED"


def test_cli_rejects_an_unknown_on_error_value_in_one_line(settings):
    result = c360("ingest", "--on-error", "IGNORE", data_dir=settings.data_dir)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("c360: error:") and "--on-error" in lines[0]
