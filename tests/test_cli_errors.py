"""Bad settings and bad requests: one line naming what to change, exit code 2, nothing done.

Runs the real `c360` console script in a subprocess, as a user would.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_cli_generate import c360


@pytest.mark.parametrize(
    ("args", "env", "expected"),
    [
        (["--log-level", "LOUD", "status"], {}, "'LOUD' is not one of"),
        (["status"], {"C360_GATEWAY": "bigquery"}, "C360_GATEWAY='bigquery' is not allowed"),
        (["status"], {"C360_STAGE": "gcs"}, "C360_STAGE='gcs' is not allowed; use one of"),
        (["status"], {"C360_LOG_LEVEL": "chatty"}, "C360_LOG_LEVEL='chatty' is not allowed"),
    ],
)
def test_a_bad_setting_is_one_line_naming_the_variable(
    tmp_path: Path, args: list[str], env: dict, expected: str
) -> None:
    result = c360(*args, env={"C360_DATA_DIR": str(tmp_path), **env}, cwd=tmp_path)
    assert result.returncode == 2
    assert expected in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_the_snowflake_gateway_is_checked_before_anything_is_loaded(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert c360("generate", "-n", "50", "--data-dir", str(data)).returncode == 0
    env = {"C360_GATEWAY": "snowflake", "C360_SNOWFLAKE_ACCOUNT": ""}
    result = c360("run", "--data-dir", str(data), env=env, cwd=tmp_path)
    assert result.returncode == 1
    assert "C360_SNOWFLAKE_ACCOUNT, C360_SNOWFLAKE_USER, C360_SNOWFLAKE_PASSWORD" in result.stderr
    assert not (data / "WAREHOUSE.duckdb").exists()  # nothing was loaded into DuckDB first


def test_snowflake_setup_names_everything_missing_at_once(tmp_path: Path) -> None:
    result = c360("snowflake", "setup", env={"C360_DATA_DIR": str(tmp_path)}, cwd=tmp_path)
    assert result.returncode == 2
    for missing in ("C360_SNOWFLAKE_S3_ROLE_ARN", "C360_S3_BUCKET", "C360_SNOWFLAKE_SNS_TOPIC_ARN",
                    "C360_SNOWFLAKE_PASSWORD"):  # fmt: skip
        assert missing in result.stderr
    assert result.stderr.count("\n") == 1


def test_generate_refuses_to_mix_two_portfolios_and_fresh_replaces(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    assert c360("generate", "-n", "60", "--seed", "1", "--data-dir", data).returncode == 0
    again = c360("generate", "-n", "60", "--seed", "1", "--data-dir", data)
    assert again.returncode == 0
    assert "already holds this portfolio" in " ".join(again.stdout.split())  # rich wraps
    other = c360("generate", "-n", "80", "--seed", "1", "--data-dir", data)
    assert other.returncode == 2
    assert "already holds a portfolio of 60 customers" in other.stderr
    assert "--fresh" in other.stderr
    snapshots = sorted(p.name for p in (tmp_path / "data" / "landing" / "customers").iterdir())
    assert len(snapshots) == 2  # nothing of the second portfolio was written
    fresh = c360("generate", "-n", "80", "--seed", "1", "--fresh", "--data-dir", data)
    assert fresh.returncode == 0
    state = (tmp_path / "data" / "generator" / "state.json").read_text()
    assert '"customers": 80' in state


def test_run_and_status_on_an_empty_data_dir_say_what_to_do(tmp_path: Path) -> None:
    data = tmp_path / "empty"
    run = c360("run", "--data-dir", str(data), cwd=tmp_path)
    assert run.returncode == 1
    assert "has no files yet" in run.stderr and "c360 generate" in run.stderr
    assert not (data / "WAREHOUSE.duckdb").exists()  # no empty warehouse, no empty models
    status = c360("status", "--data-dir", str(tmp_path / "missing"), cwd=tmp_path)
    assert status.returncode == 1
    assert "nothing here yet" in status.stderr and "c360 demo" in status.stderr


def test_the_cli_starts_without_pandas_or_sqlmesh() -> None:
    """Every `c360` process pays for what the CLI imports before it knows the command: a
    no-op `c360 run` must decide in under 2 s, so the heavy libraries load only where used."""
    import subprocess
    import sys

    probe = (
        "import sys, c360.cli; "
        "print(sorted(m for m in ('pandas', 'sqlmesh', 'sklearn', 'panel') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.strip() == "[]", out.stdout
