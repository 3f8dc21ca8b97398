"""Fault tests of the loader: every bad file gets a clear status and no row goes missing.

Files are written by hand so each test shows exactly which bytes land; the row
accounting is checked against line counts made here, not by the loader.
"""

from __future__ import annotations

import gzip
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from c360.core.settings import Settings
from c360.core.warehouse import WarehouseBusy
from ingestion.bronze import BRONZE_TRANSACTIONS, file_columns
from ingestion.load_history import OnError, Status
from ingestion.loader import Pipe, ingest
from ingestion.stage import LocalStage, StageFile

HEADER = ",".join(file_columns(BRONZE_TRANSACTIONS))
HIST = "transactions/historical"
STREAM = "transactions/streaming/2026/11/27/10"


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("C360_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("C360_STAGE", "local")
    yield Settings()


_clock = [1_790_000_000.0]


def land(settings: Settings, key: str, content: str | bytes) -> Path:
    """Write a landing file atomically, with a modification time later than any before."""
    path = settings.landing_dir / key
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.part")
    partial.write_bytes(content.encode() if isinstance(content, str) else content)
    _clock[0] += 10
    os.utime(partial, (_clock[0], _clock[0]))
    os.replace(partial, path)
    return path


def txn(
    n: int, amount: str = "12.50", when: str = "2026-11-27 10:00:00", tid: str | None = None
) -> str:
    ident = f"TXN{n:010d}" if tid is None else tid
    return f"{ident},CUST{n:08d},{when},{amount},Shop {n},Grocery,Online"


def csv_text(*rows: str) -> str:
    return "\n".join([HEADER, *rows]) + "\n"


def query(settings: Settings, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def history(settings: Settings, key: str) -> list[dict]:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        cursor = con.execute(
            "SELECT * FROM observability.load_history WHERE file_name = ? ORDER BY last_load_time",
            [key],
        )
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def bronze_rows(settings: Settings, key: str) -> int:
    return query(
        settings, "SELECT count(*) FROM bronze.bronze_transactions WHERE source_file = ?", [key]
    )[0][0]


def rejected(settings: Settings, key: str) -> list[tuple]:
    return query(
        settings,
        "SELECT line_number, error_type, column_name, reason, raw_line FROM bronze.rejected_rows "
        "WHERE file_name = ? ORDER BY line_number",
        [key],
    )


# --- duplicates and re-sends -------------------------------------------------------


def test_same_name_same_bytes_resent_is_skipped_once(settings):
    key = f"{STREAM}/transactions_20261127_100000.csv"
    body = csv_text(txn(1), txn(2), txn(3))
    land(settings, key, body)
    assert ingest(settings).by_status == {"LOADED": 1}

    land(settings, key, body)  # the producer sends the very same file again
    second = ingest(settings)
    third = ingest(settings)

    assert second.by_status == {"LOAD_SKIPPED": 1}
    assert "already loaded" in second.results[0].first_error
    assert third.results == []
    assert bronze_rows(settings, key) == 3
    assert [h["status"] for h in history(settings, key)] == ["LOADED", "LOAD_SKIPPED"]


def test_same_name_new_content_is_loaded_and_recorded(settings):
    key = f"{STREAM}/transactions_20261127_100000.csv"
    land(settings, key, csv_text(txn(1), txn(2), txn(3)))
    ingest(settings)
    land(settings, key, csv_text(txn(1), txn(2), txn(3), txn(4)))

    summary = ingest(settings)

    assert summary.by_status == {"LOADED": 1}
    loads = history(settings, key)
    assert [(h["status"], h["row_count"]) for h in loads] == [("LOADED", 3), ("LOADED", 4)]
    assert loads[0]["file_etag"] != loads[1]["file_etag"]
    per_load = query(
        settings,
        "SELECT ingestion_timestamp, count(*) FROM bronze.bronze_transactions "
        "WHERE source_file = ? GROUP BY 1 ORDER BY 1",
        [key],
    )
    assert [n for _, n in per_load] == [3, 4]
    assert [t for t, _ in per_load] == [h["ingestion_timestamp"] for h in loads]


def test_force_loads_an_unchanged_file_again(settings):
    key = f"{HIST}/transactions_2026-11-01.csv"
    land(settings, key, csv_text(txn(1), txn(2)))
    ingest(settings)
    land(settings, key, csv_text(txn(1), txn(2)))

    summary = ingest(settings, force=True)

    assert summary.by_status == {"LOADED": 1}
    assert bronze_rows(settings, key) == 4


# --- malformed rows ----------------------------------------------------------------

MALFORMED = [
    # (line text, expected error_type, expected column) — line numbers follow from order
    (txn(2, amount="abc"), "CAST", "transaction_amount"),
    (txn(3, when="27/11/2026 10:00"), "CAST", "transaction_date"),
    (txn(4, amount="123456789012.00"), "CAST", "transaction_amount"),  # overflows DECIMAL(10,2)
    ("TXN0000000005,CUST00000005,2026-11-27 10:00:00,1.00,Shop 5,Grocery", "MISSING COLUMNS", None),
    (txn(6) + ",extra", "TOO MANY COLUMNS", None),
    (txn(7, tid=""), "MISSING ID", "transaction_id"),
    (txn(8, tid="   "), "MISSING ID", "transaction_id"),
]


def test_each_kind_of_bad_row_is_rejected_with_line_raw_text_and_reason(settings):
    key = f"{STREAM}/transactions_20261127_100000.csv"
    latin1 = "TXN0000000009,CUST00000009,2026-11-27 10:00:00,3.00,Caf\xe9 9,Dining,In-Store"
    lines = [txn(1), *(text for text, _, _ in MALFORMED), txn(10), txn(11, amount="")]
    body = (HEADER + "\n" + "\n".join(lines[:8]) + "\n").encode()
    body += latin1.encode("latin-1") + b"\n" + ("\n".join(lines[8:]) + "\n").encode()
    land(settings, key, body)

    summary = ingest(settings)

    assert summary.by_status == {"PARTIALLY_LOADED": 1}
    got = rejected(settings, key)
    expected_lines = list(range(3, 3 + len(MALFORMED))) + [10]
    assert [row[0] for row in got] == expected_lines
    for (line, kind, column, reason, raw), (text, want_kind, want_column) in zip(
        got, MALFORMED, strict=False
    ):
        assert kind == want_kind, (line, reason)
        assert column == want_column or want_column is None
        assert raw.rstrip() == text, line
        assert reason
    assert got[-1][1] == "INVALID ENCODING"
    # good rows, and the row with an empty amount (NULL, like Snowflake's EMPTY_FIELD_AS_NULL)
    assert bronze_rows(settings, key) == 3
    (record,) = history(settings, key)
    assert record["row_parsed"] == len(lines) + 1 == record["row_count"] + record["rows_rejected"]
    assert record["error_count"] == record["rows_rejected"] == len(got)
    assert record["first_error_line_number"] == 3
    assert record["first_error_column_name"] == "transaction_amount"
    assert "abc" in record["first_error_message"]


def test_line_numbers_count_physical_lines_across_blank_lines_and_quoted_newlines(settings):
    key = f"{HIST}/transactions_2026-09-01.csv"
    land(
        settings,
        key,
        "\n".join(
            [
                HEADER,
                txn(1),
                "",
                txn(2, amount="abc"),  # line 4
                "",
                txn(3, tid=""),  # line 6
                'TXN0000000004,CUST1,2026-11-27 10:00:00,1.00,"two\nlines",Grocery,Online',
                txn(5, tid=""),  # line 9
            ]
        )
        + "\n",
    )

    ingest(settings)

    assert [(r[0], r[1], r[4]) for r in rejected(settings, key)] == [
        (4, "CAST", txn(2, amount="abc")),
        (6, "MISSING ID", txn(3, tid="")),
        (9, "MISSING ID", txn(5, tid="")),
    ]
    assert query(
        settings,
        "SELECT merchant_name FROM bronze.bronze_transactions WHERE source_file = ? "
        "ORDER BY transaction_id",
        [key],
    ) == [("Shop 1",), ("two\nlines",)]


def test_a_file_of_only_bad_rows_fails_but_keeps_every_row(settings):
    key = f"{HIST}/transactions_2026-10-01.csv"
    land(settings, key, csv_text(txn(1, amount="x"), txn(2, tid=""), txn(3) + ",1"))

    summary = ingest(settings)

    assert summary.by_status == {"LOAD_FAILED": 1}
    assert bronze_rows(settings, key) == 0
    assert [r[1] for r in rejected(settings, key)] == ["CAST", "MISSING ID", "TOO MANY COLUMNS"]


def test_parquet_rows_that_do_not_fit_the_contract_are_rejected(settings):
    key = f"{STREAM}/transactions_20261127_100000.parquet"
    table = pa.table(
        {
            "transaction_id": ["T1", None, "T3", "T4"],
            "customer_id": ["C1", "C2", "C3", "C4"],
            "transaction_date": [
                "2026-11-27 10:00:00",
                "2026-11-27 10:01:00",
                "soon",
                "2026-11-27 10:03:00",
            ],
            "transaction_amount": ["1.50", "2.50", "3.50", "four"],
            "merchant_name": ["a", "b", "c", "d"],
            "merchant_category": ["Grocery", None, "Dining", "Travel"],
            "channel": ["Online", "Online", "Mobile", "In-Store"],
        }
    )
    path = settings.landing_dir / key
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path)

    summary = ingest(settings)

    assert summary.by_status == {"PARTIALLY_LOADED": 1}
    assert bronze_rows(settings, key) == 1
    got = rejected(settings, key)
    assert [(r[0], r[1], r[2]) for r in got] == [
        (2, "MISSING ID", "transaction_id"),
        (3, "CAST", "transaction_date"),
        (4, "CAST", "transaction_amount"),
    ]
    assert '"transaction_amount":"four"' in got[2][4]


def test_parquet_with_other_columns_or_garbage_bytes_fails_as_a_whole(settings):
    drifted = f"{STREAM}/transactions_20261127_100000.parquet"
    garbage = f"{STREAM}/transactions_20261127_110000.parquet"
    path = settings.landing_dir / drifted
    path.parent.mkdir(parents=True, exist_ok=True)
    columns = {name: ["x", "y"] for name in file_columns(BRONZE_TRANSACTIONS)}
    pq.write_table(pa.table({**columns, "loyalty_points": [1, 2]}), path)
    land(settings, garbage, b"PAR1 this is not parquet at all")

    results = {r.key: r for r in ingest(settings).results}

    assert results[drifted].status is Status.LOAD_FAILED
    assert "Parquet schema does not match" in results[drifted].first_error
    assert (results[drifted].row_parsed, results[drifted].rows_rejected) == (2, 2)
    assert results[garbage].status is Status.LOAD_FAILED
    assert "unreadable Parquet file" in results[garbage].first_error


# --- whole-file faults -------------------------------------------------------------


def test_empty_header_only_truncated_gzip_and_bad_header_each_get_a_clear_status(settings):
    good = land(settings, f"{HIST}/transactions_2026-01-01.csv", csv_text(txn(1), txn(2)))
    empty = land(settings, f"{HIST}/transactions_2026-02-01.csv", b"")
    header_only = land(settings, f"{HIST}/transactions_2026-03-01.csv", HEADER + "\n")
    whole = gzip.compress(csv_text(*(txn(i) for i in range(1, 2001))).encode())
    land(settings, f"{HIST}/transactions_2026-04-01.csv.gz", whole[: len(whole) // 2])
    land(settings, f"{HIST}/transactions_2026-05-01.csv.gz", whole)
    land(settings, f"{HIST}/transactions_2026-06-01.csv", HEADER.encode() + b",caf\xe9\n")
    swapped = HEADER.replace("transaction_id,customer_id", "customer_id,transaction_id")
    land(settings, f"{HIST}/transactions_2026-07-01.csv", swapped + "\n" + txn(1) + "\n")

    summary = ingest(settings)

    outcome = {
        r.key.rsplit("_", 1)[1]: (r.status, r.row_count, r.first_error) for r in summary.results
    }
    assert outcome["2026-01-01.csv"][:2] == (Status.LOADED, 2)
    assert outcome["2026-02-01.csv"][0] is Status.LOAD_FAILED
    assert "empty file" in outcome["2026-02-01.csv"][2]
    assert outcome["2026-03-01.csv"] == (Status.LOADED, 0, None)
    assert outcome["2026-04-01.csv.gz"][0] is Status.LOAD_FAILED
    assert "truncated gzip" in outcome["2026-04-01.csv.gz"][2]
    assert outcome["2026-05-01.csv.gz"][:2] == (Status.LOADED, 2000)
    assert outcome["2026-06-01.csv"][0] is Status.LOAD_FAILED
    assert "not UTF-8" in outcome["2026-06-01.csv"][2]
    assert outcome["2026-07-01.csv"][0] is Status.LOAD_FAILED
    assert "does not match bronze.bronze_transactions" in outcome["2026-07-01.csv"][2]
    assert query(settings, "SELECT count(*) FROM bronze.bronze_transactions") == [(2002,)]
    # rejected as a whole, still counted: rows loaded (0) + rows rejected = rows in the file
    accounting = {
        r.key.rsplit("_", 1)[1]: (r.row_parsed, r.row_count, r.rows_rejected)
        for r in summary.results
    }
    assert accounting["2026-02-01.csv"] == (0, 0, 0)
    assert accounting["2026-06-01.csv"] == (0, 0, 0)  # header only, and not UTF-8
    assert accounting["2026-07-01.csv"] == (1, 0, 1)
    truncated_rows = accounting["2026-04-01.csv.gz"]
    assert 0 < truncated_rows[0] < 2000 and truncated_rows[1:] == (0, truncated_rows[0])
    for path in (good, empty, header_only):
        assert path.exists()  # the loader never moves or deletes landing files
    assert ingest(settings).results == []  # failed versions are not retried until re-sent


def test_a_fixed_file_sent_again_after_failing_is_loaded(settings):
    key = f"{HIST}/transactions_2026-02-01.csv"
    land(settings, key, b"")
    assert ingest(settings).by_status == {"LOAD_FAILED": 1}
    land(settings, key, csv_text(txn(1)))

    assert ingest(settings).by_status == {"LOADED": 1}
    assert [h["status"] for h in history(settings, key)] == ["LOAD_FAILED", "LOADED"]


def test_unknown_folders_and_suffixes_are_ignored_not_recorded(settings):
    land(settings, "README.txt", "hello\n")
    land(settings, "other/transactions.csv", csv_text(txn(1)))
    land(settings, f"{HIST}/notes.json", "{}")
    land(settings, f"{HIST}/.transactions_2026-11-01.csv.part", csv_text(txn(1)))

    summary = ingest(settings)

    assert summary.results == []
    assert sorted(summary.unrouted) == [
        "README.txt",
        "other/transactions.csv",
        f"{HIST}/notes.json",
    ]
    assert query(settings, "SELECT count(*) FROM observability.load_history") == [(0,)]


# --- ON_ERROR ----------------------------------------------------------------------


def test_skip_file_loads_nothing_of_a_bad_file_but_records_why(settings):
    bad = f"{HIST}/transactions_2026-01-01.csv"
    good = f"{HIST}/transactions_2026-02-01.csv"
    land(settings, bad, csv_text(txn(1), txn(2, amount="oops"), txn(3)))
    land(settings, good, csv_text(txn(4)))

    summary = ingest(settings, on_error=OnError.SKIP_FILE)

    assert {r.key: r.status for r in summary.results} == {
        bad: Status.LOAD_SKIPPED,
        good: Status.LOADED,
    }
    assert bronze_rows(settings, bad) == 0 and bronze_rows(settings, good) == 1
    (record,) = history(settings, bad)
    assert (record["row_parsed"], record["row_count"], record["rows_rejected"]) == (3, 0, 3)
    assert [r[0] for r in rejected(settings, bad)] == [3]


def test_abort_statement_stops_the_run_at_the_first_bad_file(settings):
    first = f"{HIST}/transactions_2026-01-01.csv"
    bad = f"{HIST}/transactions_2026-02-01.csv"
    later = f"{HIST}/transactions_2026-03-01.csv"
    land(settings, first, csv_text(txn(1)))
    land(settings, bad, csv_text(txn(2), txn(3, amount="oops")))
    land(settings, later, csv_text(txn(4)))

    summary = ingest(settings, on_error="ABORT_STATEMENT")

    assert summary.aborted_on == bad
    assert [(r.key, r.status) for r in summary.results] == [
        (first, Status.LOADED),
        (bad, Status.LOAD_FAILED),
    ]
    assert bronze_rows(settings, bad) == 0 and bronze_rows(settings, later) == 0
    assert [r.key for r in ingest(settings).results] == [later]  # still pending, loads next


# --- concurrency: files that appear or change during a load ----------------------


class ArrivingStage(LocalStage):
    """A real local stage where a producer drops a file while the first load runs."""

    def __init__(self, root: Path, arrive: callable) -> None:
        super().__init__(root)
        self.arrive = arrive

    @contextmanager
    def local_copy(self, file: StageFile) -> Iterator[Path]:
        with super().local_copy(file) as path:
            if self.arrive:
                self.arrive()
                self.arrive = None
            yield path


def test_a_file_that_lands_during_a_load_is_loaded_by_the_next_pass_exactly_once(settings):
    first = f"{HIST}/transactions_2026-01-01.csv"
    late = f"{STREAM}/transactions_20261127_100000.csv"
    land(settings, first, csv_text(*(txn(i) for i in range(1, 501))))
    stage = ArrivingStage(settings.landing_dir, lambda: land(settings, late, csv_text(txn(900))))

    one = ingest(settings, stage=stage)
    two = ingest(settings, stage=stage)
    three = ingest(settings, stage=stage)

    assert [r.key for r in one.results] == [first]
    assert [r.key for r in two.results] == [late]
    assert three.results == []
    assert (bronze_rows(settings, first), bronze_rows(settings, late)) == (500, 1)


class GrowingStage(LocalStage):
    """A real local stage whose producer appends to a file while it is being loaded."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.grown = False

    def checksum(self, file: StageFile, local: Path) -> str:
        digest = super().checksum(file, local)
        if not self.grown:
            self.grown = True
            with local.open("a") as handle:
                handle.write(txn(99) + "\n")
        return digest


def test_a_file_that_changes_while_loading_is_rolled_back_and_loaded_once_later(settings):
    key = f"{STREAM}/transactions_20261127_100000.csv"
    land(settings, key, csv_text(txn(1), txn(2)))
    stage = GrowingStage(settings.landing_dir)

    first = ingest(settings, stage=stage)
    assert first.deferred == [key] and first.results == []
    assert bronze_rows(settings, key) == 0
    assert history(settings, key) == []

    second = ingest(settings, stage=stage)
    assert second.by_status == {"LOADED": 1}
    assert bronze_rows(settings, key) == 3


# --- crash safety and the single-writer lock -------------------------------------

BIG_ROWS = 3_000_000


def _write_big_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect() as con:
        con.execute(
            f"""
            COPY (
              SELECT 'TXN' || lpad(i::VARCHAR, 10, '0') AS transaction_id,
                     'CUST' || lpad((i % 5000)::VARCHAR, 8, '0') AS customer_id,
                     TIMESTAMP '2026-01-01' + to_seconds(i) AS transaction_date,
                     ((i % 50000) / 100.0)::DECIMAL(10,2) AS transaction_amount,
                     'Shop ' || (i % 700) AS merchant_name,
                     'Grocery' AS merchant_category,
                     'Online' AS channel
              FROM range({BIG_ROWS}) t(i)
            ) TO '{path}' (HEADER, DELIMITER ',')
            """
        )


def test_kill_9_in_the_middle_of_a_large_load_then_rerun_loads_exactly_once(settings, tmp_path):
    key = f"{HIST}/transactions_2026-01-01.csv"
    _write_big_file(settings.landing_dir / key)
    env = {
        **os.environ,
        "C360_DATA_DIR": str(settings.data_dir),
        "C360_STAGE": "local",
        "COLUMNS": "400",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "c360", "--log-level", "DEBUG", "ingest"],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    try:
        for line in proc.stderr:  # wait until the load of the big file has started
            if f"loading {key}" in line:
                break
        time.sleep(0.5)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=60)
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL

    # Whatever the moment of the kill: all of the file or none of it, and no success claimed
    # for rows that are not there.
    if settings.warehouse_path.exists():
        with duckdb.connect(str(settings.warehouse_path)) as con:
            tables = {
                t for (t,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()
            }
            if "bronze_transactions" in tables and "load_history" in tables:
                rows = con.execute("SELECT count(*) FROM bronze.bronze_transactions").fetchone()[0]
                claimed = con.execute(
                    "SELECT coalesce(sum(row_count), 0) FROM observability.load_history"
                ).fetchone()[0]
                assert rows in (0, BIG_ROWS) and rows == claimed

    rerun = ingest(settings)

    assert [r.status for r in rerun.results] in ([Status.LOADED], [])
    assert bronze_rows(settings, key) == BIG_ROWS
    assert query(
        settings, "SELECT count(DISTINCT transaction_id) FROM bronze.bronze_transactions"
    ) == [(BIG_ROWS,)]
    assert [h["status"] for h in history(settings, key)] == ["LOADED"]


HOLD_LOCK = """
import sys, duckdb
con = duckdb.connect(sys.argv[1])
print("locked", flush=True)
sys.stdin.read()
con.close()
"""


@contextmanager
def lock_holder(path: Path) -> Iterator[subprocess.Popen]:
    """Another process holding the warehouse (as `c360 run` would) until stdin closes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout.readline().strip() == "locked"
        yield proc
    finally:
        if proc.stdin and not proc.stdin.closed:
            proc.stdin.close()
        proc.wait(timeout=30)
        proc.stdout.close()


def test_a_busy_warehouse_is_waited_for_and_then_loaded(settings):
    key = f"{HIST}/transactions_2026-01-01.csv"
    land(settings, key, csv_text(txn(1)))
    with lock_holder(settings.warehouse_path) as holder:
        releaser = threading.Timer(1.0, holder.stdin.close)
        releaser.start()
        summary = Pipe(
            LocalStage(settings.landing_dir), settings.warehouse_path, lock_timeout=60
        ).run_once()
        releaser.join()
    assert summary.by_status == {"LOADED": 1}


def test_a_warehouse_held_too_long_is_a_one_line_error_naming_the_holder(settings):
    land(settings, f"{HIST}/transactions_2026-01-01.csv", csv_text(txn(1)))
    with lock_holder(settings.warehouse_path) as holder:
        pipe = Pipe(LocalStage(settings.landing_dir), settings.warehouse_path, lock_timeout=0.5)
        with pytest.raises(WarehouseBusy) as caught:
            pipe.run_once()
    message = str(caught.value)
    assert "in use by another process" in message and str(holder.pid) in message
    assert "\n" not in message


WAIT_FOR_LOCK = """
import sys, time, duckdb
path, log = sys.argv[1], sys.argv[2]
told = False
while True:
    try:
        con = duckdb.connect(path)
        break
    except duckdb.IOException:
        if not told:
            print("waiting", flush=True)
            told = True
        time.sleep(0.05)
with open(log, "a") as handle:
    handle.write("other process\\n")
time.sleep(0.2)
con.close()
"""


class HandoffStage(LocalStage):
    """Starts a process that wants the warehouse just before the second file, and notes
    in a log when each later file's load starts."""

    def __init__(self, root: Path, warehouse: Path, log: Path) -> None:
        super().__init__(root)
        self.warehouse, self.log, self.calls = warehouse, log, 0
        self.waiter: subprocess.Popen | None = None

    @contextmanager
    def local_copy(self, file: StageFile) -> Iterator[Path]:
        self.calls += 1
        if self.calls == 2:
            self.waiter = subprocess.Popen(
                [sys.executable, "-c", WAIT_FOR_LOCK, str(self.warehouse), str(self.log)],
                stdout=subprocess.PIPE,
                text=True,
            )
            assert self.waiter.stdout.readline().strip() == "waiting"
        if self.calls == 3:
            with self.log.open("a") as handle:
                handle.write("third file\n")
        with super().local_copy(file) as path:
            yield path


def test_a_long_pass_hands_the_warehouse_to_a_waiting_process_between_files(settings, tmp_path):
    for month in (1, 2, 3):
        land(settings, f"{HIST}/transactions_2026-0{month}-01.csv", csv_text(txn(month)))
    log = tmp_path / "order.log"
    stage = HandoffStage(settings.landing_dir, settings.warehouse_path, log)
    pipe = Pipe(stage, settings.warehouse_path, hold_seconds=0, handoff_seconds=2.0)

    try:
        summary = pipe.run_once()
    finally:
        assert stage.waiter is not None
        stage.waiter.wait(timeout=60)
        stage.waiter.stdout.close()

    assert summary.by_status == {"LOADED": 3}
    assert stage.waiter.returncode == 0
    assert log.read_text().splitlines() == ["other process", "third file"]


# --- unreadable folders and files -------------------------------------------------------


@contextmanager
def unprivileged() -> Iterator[None]:
    """Run as an ordinary user: root reads any file whatever its mode, users do not."""
    if os.geteuid() != 0:
        yield
        return
    os.setegid(65534)
    os.seteuid(65534)  # the kernel drops root's file-permission override with the euid
    try:
        yield
    finally:
        os.seteuid(0)
        os.setegid(0)


@pytest.fixture
def shared_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """A data dir any user may write (the test loads as an ordinary user)."""
    import shutil
    import tempfile

    root = Path(tempfile.mkdtemp(prefix="c360-perm-"))
    root.chmod(0o777)
    (root / "data").mkdir(mode=0o777)
    (root / "data").chmod(0o777)
    monkeypatch.setenv("C360_DATA_DIR", str(root / "data"))
    monkeypatch.setenv("C360_STAGE", "local")
    yield Settings()
    for path in root.rglob("*"):
        path.chmod(0o777 if path.is_dir() else 0o666)
    shutil.rmtree(root)


def test_an_unreadable_folder_or_file_is_reported_and_the_rest_loads(shared_settings, tmp_path):
    settings = shared_settings
    # load once as the test's own user first: every module the loader needs is imported
    # then (the interpreter's own files need not be readable by the ordinary user)
    warm = Settings(data_dir=tmp_path / "warm-up")
    land(warm, f"{HIST}/transactions_2026-01-01.csv", csv_text(txn(9)))
    assert ingest(warm).by_status == {"LOADED": 1}
    good = f"{HIST}/transactions_2026-01-01.csv"
    locked_file = f"{HIST}/transactions_2026-02-01.csv"
    locked_folder_file = "transactions/streaming/2026/11/27/10/transactions_20261127_100000.csv"
    land(settings, good, csv_text(txn(1)))
    land(settings, locked_file, csv_text(txn(2)))
    land(settings, locked_folder_file, csv_text(txn(3)))
    for folder in settings.landing_dir.rglob("*"):
        if folder.is_dir():
            folder.chmod(0o777)
    locked_folder = settings.landing_dir / "transactions/streaming/2026/11/27"
    (settings.landing_dir / locked_file).chmod(0o000)
    locked_folder.chmod(0o000)

    with unprivileged():
        summary = ingest(settings)
    assert summary.by_status == {"LOADED": 1} and summary.results[0].key == good
    problems = " | ".join(summary.unreadable)
    assert "transactions/streaming/2026/11/27/" in problems and "ermission denied" in problems
    assert locked_file in problems
    assert history(settings, locked_file) == []  # not decided: it stays pending

    (settings.landing_dir / locked_file).chmod(0o644)  # the operator fixes the permissions
    locked_folder.chmod(0o755)
    with unprivileged():
        again = ingest(settings)
    assert sorted(r.key for r in again.results) == sorted([locked_file, locked_folder_file])
    assert again.by_status == {"LOADED": 2} and again.unreadable == []
