"""The S3 stage against a real S3 API: a moto server on 127.0.0.1 started by these tests.

boto3 talks HTTP to a separate process, exactly as it would to AWS or MinIO,
so uploads, listings, ETags, If-Match downloads and error responses are real.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import boto3
import duckdb
import pytest

from c360.core.errors import C360Error
from c360.core.settings import Settings
from ingestion.generator import generate_portfolio
from ingestion.load_history import Status
from ingestion.loader import IngestSummary, Pipe, ingest
from ingestion.s3_stage import S3Stage
from ingestion.stage import LocalStage, md5_of
from ingestion.upload import upload_landing
from ingestion.watch import watch

MOTO = shutil.which("moto_server", path=str(Path(sys.executable).parent))
C360 = shutil.which("c360", path=str(Path(sys.executable).parent))
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_moto(extra_env: dict[str, str] | None = None) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    proc = subprocess.Popen(
        [MOTO, "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **(extra_env or {})},
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("moto server did not start")


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    proc, url = _start_moto()
    yield url
    _stop(proc)


@pytest.fixture
def s3_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, moto_endpoint: str
) -> Iterator[Settings]:
    """Settings for an S3 stage on a fresh bucket (under a key prefix) in the moto server."""
    bucket = f"c360-{uuid.uuid4().hex[:12]}"
    for name, value in {
        **CREDENTIALS,
        "C360_DATA_DIR": str(tmp_path / "data"),
        "C360_STAGE": "s3",
        "C360_S3_BUCKET": bucket,
        "C360_S3_PREFIX": "acquired/",
        "C360_S3_ENDPOINT_URL": moto_endpoint,
        "C360_S3_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    boto3.client("s3", endpoint_url=moto_endpoint, region_name="us-east-1").create_bucket(
        Bucket=bucket
    )
    yield Settings()


def client(settings: Settings):
    return boto3.client("s3", endpoint_url=settings.s3_endpoint_url, region_name="us-east-1")


def small_portfolio(settings: Settings) -> None:
    generate_portfolio(
        settings.landing_dir,
        settings.generator_dir,
        customers=100,
        seed=11,
        as_of=date(2026, 11, 27),
        show_progress=False,
    )


def data_rows(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(1 for line in handle if line.strip()) - 1


def query(settings: Settings, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def test_upload_is_idempotent_and_etags_are_the_local_md5(s3_settings):
    small_portfolio(s3_settings)
    local = LocalStage(s3_settings.landing_dir).list_files()
    stage = S3Stage.from_settings(s3_settings)

    first = upload_landing(s3_settings.landing_dir, stage)
    second = upload_landing(s3_settings.landing_dir, stage)

    assert sorted(first.uploaded) == sorted(f.key for f in local)
    assert second.uploaded == [] and len(second.unchanged) == len(local)
    listed = {f.key: f.etag for f in stage.list_files()}
    assert listed == {f.key: md5_of(s3_settings.landing_dir / f.key) for f in local}
    keys = [
        o["Key"]
        for o in client(s3_settings).list_objects_v2(Bucket=s3_settings.s3_bucket)["Contents"]
    ]
    assert all(k.startswith("acquired/") for k in keys)


def test_files_on_s3_load_into_bronze_once_with_stage_keys_as_source_file(s3_settings):
    small_portfolio(s3_settings)
    upload_landing(s3_settings.landing_dir, S3Stage.from_settings(s3_settings))
    local_rows = {
        f.key: data_rows(s3_settings.landing_dir / f.key)
        for f in LocalStage(s3_settings.landing_dir).list_files()
        if f.key.startswith("transactions/")
    }

    first = ingest(s3_settings)
    second = ingest(s3_settings)

    assert first.by_status == {"LOADED": 21}
    assert second.results == [] and second.already_loaded == 21
    per_file = dict(
        query(
            s3_settings, "SELECT source_file, count(*) FROM bronze.bronze_transactions GROUP BY 1"
        )
    )
    assert per_file == local_rows
    locations = query(s3_settings, "SELECT DISTINCT stage_location FROM observability.load_history")
    assert locations == [(f"s3://{s3_settings.s3_bucket}/acquired/",)]


def _put(settings: Settings, key: str, body: bytes) -> None:
    client(settings).put_object(Bucket=settings.s3_bucket, Key=f"acquired/{key}", Body=body)


HEADER = (
    b"transaction_id,customer_id,transaction_date,transaction_amount,merchant_name,"
    b"merchant_category,channel\n"
)
ROW = b"TXN0000000001,CUST00000001,2026-11-27 10:00:00,5.00,Shop,Grocery,Online\n"
ROW2 = b"TXN0000000002,CUST00000001,2026-11-27 10:05:00,7.00,Shop,Grocery,Online\n"


def test_resent_object_same_bytes_is_skipped_new_bytes_are_loaded(s3_settings):
    key = "transactions/streaming/2026/11/27/10/transactions_20261127_100000.csv"
    _put(s3_settings, key, HEADER + ROW)
    ingest(s3_settings)
    time.sleep(1.1)  # S3 modification times have one-second resolution
    _put(s3_settings, key, HEADER + ROW)
    skipped = ingest(s3_settings)
    _put(s3_settings, key, HEADER + ROW2)  # same size, new bytes, maybe the same second
    loaded = ingest(s3_settings)

    assert skipped.by_status == {"LOAD_SKIPPED": 1}
    assert loaded.by_status == {"LOADED": 1}
    ids = query(s3_settings, "SELECT transaction_id FROM bronze.bronze_transactions ORDER BY 1")
    assert ids == [("TXN0000000001",), ("TXN0000000002",)]


def test_watch_loads_an_object_put_while_it_runs(s3_settings):
    pipe = Pipe(S3Stage.from_settings(s3_settings), s3_settings.warehouse_path)
    stop, arrived = threading.Event(), threading.Event()
    seen: list[IngestSummary] = []

    def on_batch(summary: IngestSummary) -> None:
        seen.append(summary)
        arrived.set()

    thread = threading.Thread(
        target=watch, args=(pipe,), kwargs={"interval": 0.2, "stop": stop, "on_batch": on_batch}
    )
    thread.start()
    try:
        _put(s3_settings, "transactions/streaming/2026/11/27/11/t.csv", HEADER + ROW + ROW2)
        assert arrived.wait(timeout=60), "the watcher never loaded the new object"
    finally:
        stop.set()
        thread.join(timeout=30)
    (result,) = [r for s in seen for r in s.results]
    assert result.status is Status.LOADED and result.row_count == 2


def c360(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [C360, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **env},
        cwd=cwd,
    )


def _one_line_error(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("c360: error:"), result.stderr
    return lines[0]


def test_upload_to_a_missing_bucket_is_one_clear_line(s3_settings, tmp_path):
    small_portfolio(s3_settings)
    env = {"C360_S3_BUCKET": "no-such-bucket-c360", "C360_LOG_LEVEL": "ERROR"}
    line = _one_line_error(c360("upload", env=env, cwd=tmp_path))
    assert "'no-such-bucket-c360' does not exist" in line and "C360_S3_BUCKET" in line


def test_wrong_credentials_are_one_clear_line(s3_settings, tmp_path):
    small_portfolio(s3_settings)
    proc, url = _start_moto({"INITIAL_NO_AUTH_ACTION_COUNT": "0"})  # this server checks keys
    try:
        env = {"C360_S3_ENDPOINT_URL": url, "AWS_ACCESS_KEY_ID": "AKIAWRONGWRONGWRONG1"}
        upload = _one_line_error(c360("upload", env=env, cwd=tmp_path))
        ingest_line = _one_line_error(c360("ingest", env=env, cwd=tmp_path))
    finally:
        _stop(proc)
    for line in (upload, ingest_line):
        assert "S3 refused" in line and "AWS_ACCESS_KEY_ID" in line


def test_missing_credentials_are_one_clear_line(s3_settings, tmp_path, monkeypatch):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    with pytest.raises(C360Error, match="no AWS credentials") as caught:
        S3Stage.from_settings(s3_settings).list_files()
    assert "AWS_ACCESS_KEY_ID" in str(caught.value)


def test_an_unreachable_endpoint_is_retried_then_reported(s3_settings):
    stage = S3Stage(s3_settings.s3_bucket, endpoint_url=f"http://127.0.0.1:{_free_port()}")
    with pytest.raises(C360Error, match="cannot reach S3"):
        stage.list_files()
