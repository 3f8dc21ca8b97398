"""The real `c360` console script: help text, one-line errors with exit code 2, a run."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

C360 = shutil.which("c360", path=str(Path(sys.executable).parent))


def c360(
    *args: str, env: dict | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [C360, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
        cwd=cwd,
    )


def test_generate_help_documents_every_option():
    out = c360("generate", "--help").stdout
    for option in (
        "--customers",
        "--seed",
        "--as-of",
        "--format",
        "--hourly",
        "--defects",
        "--data-dir",
    ):
        assert option in out, option


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--customers", "0"], "'--customers'"),
        (["--customers", "-5"], "'--customers'"),
        (["--customers", "lots"], "'--customers'"),
        (["--format", "xml"], "'--format'"),
        (["--as-of", "2026-02-30"], "'--as-of'"),
        (["--as-of", "yesterday"], "'--as-of'"),
        (["--data-dir", "/proc/c360-cannot-write-here"], "'--data-dir'"),
    ],
)
def test_bad_option_values_give_one_line_and_exit_2(args, expected, tmp_path):
    result = c360("generate", *args, cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("c360: error:") and expected in lines[0]
    assert "Traceback" not in result.stderr


def test_unwritable_data_dir_from_a_file_path(tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    result = c360("generate", "--data-dir", str(blocker / "sub"))
    assert result.returncode == 2
    assert f"{blocker} is a file, not a directory" in " ".join(result.stderr.split())
    direct = c360("generate", "--data-dir", str(blocker))
    assert (
        direct.returncode == 2
        and "not a directory" in direct.stderr
        and "exists" not in direct.stderr
    )


def test_hourly_without_portfolio_is_a_clear_error(tmp_path):
    result = c360("generate", "--hourly", "1", "--data-dir", str(tmp_path))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"c360: error: no generated portfolio in {tmp_path} (missing state.json); "
        "run `c360 generate` first"
    ]


def test_generate_writes_portfolio_under_the_configured_data_dir(tmp_path):
    """C360_DATA_DIR is honoured when --data-dir is not given; the summary names what was made."""
    result = c360(
        "generate",
        "--customers",
        "200",
        "--as-of",
        "2026-11-27",
        env={"C360_DATA_DIR": str(tmp_path / "d")},
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "customers" in result.stdout and "200" in result.stdout
    assert len(list((tmp_path / "d/landing/transactions/historical").glob("*.csv"))) == 18
    assert (tmp_path / "d/generator/customers_truth.csv").exists()
    hourly = c360(
        "generate", "--hourly", "2", env={"C360_DATA_DIR": str(tmp_path / "d")}, cwd=tmp_path
    )
    assert hourly.returncode == 0, hourly.stderr
    assert len(list((tmp_path / "d/landing/transactions/streaming").rglob("*.csv"))) == 2
    assert "not ended yet" not in hourly.stdout  # hours of 2026-11-27: long over


def test_hourly_batches_ahead_of_the_clock_are_said_in_one_line(tmp_path):
    """Batches continue after the newest hour: 48 of them from today's midnight run past now."""
    from c360.core.clock import utc_now

    env = {"C360_DATA_DIR": str(tmp_path / "d")}
    today = utc_now().date().isoformat()
    made = c360("generate", "--customers", "200", "--as-of", today, env=env, cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    hourly = c360("generate", "--hourly", "48", env=env, cwd=tmp_path)
    assert hourly.returncode == 0, hourly.stderr
    note = " ".join(hourly.stdout.split())
    ahead = 48 - utc_now().hour  # today's hours that are over, then the rest of the 48
    assert f"note: {ahead} of the 48 hours" in note or f"note: {ahead - 1} of the 48 hours" in note
    assert "not ended yet" in note and "future-dated" in note
