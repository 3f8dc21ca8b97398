"""`c360 serve`: the Panel dashboard over the published serving copy (`panel serve` underneath)."""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Annotated

import typer

from c360.commands.assistant import DEFAULT_MODEL as SEMANTIC_MODEL
from c360.commands.options import get_settings
from c360.core.errors import C360Error, InputError
from c360.core.settings import Settings

log = logging.getLogger(__name__)

APP = Path(__file__).resolve().parents[2] / "dashboard" / "serve.py"
SETUP = APP.with_name("auth_setup.py")
#: The log-in page: Panel's own loads its logo from a CDN (nothing here does).
LOGIN_PAGE = APP.with_name("login.html")
#: A whole filtered segment (50,000 customers ≈ 10 MB of CSV) goes over the websocket.
MAX_MESSAGE_BYTES = 200 * 1024 * 1024


def gold_lineage(settings: Settings) -> list[dict]:
    """Each gold model's direct upstream models, from the SQLMesh project (no warehouse I/O)."""
    from c360.pipeline.context import make_context, schema_table

    context = make_context(settings)
    try:
        # model.name is `gold.x`, depends_on holds `"WAREHOUSE"."GOLD"."X"`
        rows = []
        for model in context.models.values():
            name = schema_table(model.name)
            if not name.startswith("gold."):
                continue
            upstream = sorted(schema_table(d) for d in model.depends_on)
            rows.append({"model": name, "kind": model.kind.name, "upstream": ", ".join(upstream)})
        return sorted(rows, key=lambda r: r["model"])
    finally:
        context.close()


def panel_command(
    settings: Settings,
    *,
    address: str,
    port: int,
    lineage_file: Path | None = None,
    users_file: Path | None = None,
) -> list[str]:
    """The command line of one dashboard process: `panel serve` with its port bound
    SO_REUSEPORT (`dashboard.server`), so that `workers` of them can share the port."""
    origins = ["*"] if address in ("0.0.0.0", "::") else [f"{address}:{port}", f"localhost:{port}"]
    command = [sys.executable, "-m", "dashboard.server", str(APP), "--address", address]
    command += ["--port", str(port), "--liveness", "--index", "serve"]
    command += ["--websocket-max-message-size", str(MAX_MESSAGE_BYTES)]
    # The page is the same shell for every session (its content arrives on the websocket):
    # serve it from a cached session instead of building one per page request. Without
    # this, a page request and its websocket that reach different workers build the
    # session twice (the page's copy is never used).
    command += ["--reuse-sessions"]
    for origin in origins:
        command += ["--allow-websocket-origin", origin]
    if users_file is not None:
        credentials = Path(tempfile.mkdtemp(prefix="c360-auth-")) / "credentials.json"
        users = json.loads(users_file.read_text())
        credentials.write_text(json.dumps({u: e["password"] for u, e in users.items()}))
        command += ["--basic-auth", str(credentials), "--cookie-secret", os.urandom(16).hex()]
        command += ["--setup", str(SETUP), "--basic-login-template", str(LOGIN_PAGE)]
    command += ["--args", "--serving-path", str(settings.serving_path.resolve())]
    command += ["--heartbeat", str((settings.data_dir / ".c360" / "pipe.json").resolve())]
    command += ["--semantic-model", str(SEMANTIC_MODEL)]
    command += ["--assistant-store", str(settings.assistant_store_path.resolve())]
    if lineage_file is not None:
        command += ["--lineage", str(lineage_file)]
    return command


def serve(
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 5006,
    address: Annotated[
        str, typer.Option(help="Address to bind (0.0.0.0 in a container; default loopback only).")
    ] = "127.0.0.1",
    users: Annotated[
        Path | None,
        typer.Option(
            help='Log-in: JSON {"user": {"password": "...", "role": "data_analyst"}} '
            "(roles: marketing_manager, data_analyst, data_engineer). Default: no log-in.",
        ),
    ] = None,
    lineage: Annotated[
        bool, typer.Option(help="Show the gold models' lineage (loads the SQLMesh project).")
    ] = True,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Server processes sharing the port (default: one per core, at most 4). A "
            "session is built on one Python thread, so concurrent sessions queue on one process.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Serve the dashboard (Segment Explorer, Customer 360, AI Assistant, Campaign
    Performance, Pipeline Health) over the published serving copy, with /liveness."""
    settings = get_settings()
    if settings.gateway == "local" and not settings.serving_path.exists():
        raise C360Error(
            f"nothing is published yet at {settings.serving_path}: "
            "run `c360 run` or `c360 demo` first"
        )
    if users is not None:
        if not users.exists():
            raise InputError(f"--users {users}: no such file")
        os.environ["C360_DASHBOARD_USERS_FILE"] = str(users.resolve())
        try:
            from dashboard.access import load_users

            load_users(users)
        except (ValueError, KeyError, TypeError) as exc:
            raise InputError(f"--users {users}: {exc}") from None
    lineage_file = None
    if lineage:
        try:
            rows = gold_lineage(settings)
            lineage_file = Path(tempfile.mkdtemp(prefix="c360-lineage-")) / "lineage.json"
            lineage_file.write_text(json.dumps(rows))
        except Exception as exc:  # lineage is a nicety: the dashboard serves without it
            log.warning("lineage not available: %s", exc)
    command = panel_command(
        settings,
        address=address,
        port=port,
        lineage_file=lineage_file,
        users_file=users,
    )
    _check_port_free(address, port)
    workers = workers or default_workers()
    plural = "es" if workers > 1 else ""
    print(
        f"c360 dashboard: http://{address}:{port}/  ({workers} server process{plural}; "
        "Ctrl-C stops)",
        flush=True,
    )
    log.debug("run %d x %s", workers, command)
    if workers == 1:
        os.execv(command[0], command)
    raise typer.Exit(run_workers(command, workers))


def _check_port_free(address: str, port: int) -> None:
    """Fail in one line when something already listens on the port.

    The workers bind with SO_REUSEPORT, which would otherwise let a second `c360 serve`
    (another data dir, say) share the port silently, each answering half the requests. A
    plain bind here fails on any listener, SO_REUSEPORT ones included."""
    try:
        with socket.socket(socket.AF_INET6 if ":" in address else socket.AF_INET) as probe:
            probe.bind((address, port))
    except OSError as exc:
        raise C360Error(
            f"{address}:{port} is in use ({exc.strerror}): stop what listens there or pick "
            "another --port"
        ) from None


def default_workers() -> int:
    """One server process per core, at most 4 (each holds its own connection and caches)."""
    return max(1, min(4, os.cpu_count() or 1))


def run_workers(command: list[str], workers: int) -> int:
    """Run `workers` copies of `command` until one exits (or Ctrl-C); stop the rest with it.

    Each process opens its own Store on its first session. A worker that dies takes the
    dashboard down with a non-zero exit rather than leaving it half served; SIGTERM (a
    container stop, a test's teardown) stops every worker, like Ctrl-C."""

    def stop(signum, frame):  # noqa: ARG001 - signal handler signature
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    processes = [subprocess.Popen(command) for _ in range(workers)]
    code = 0
    try:
        while all(p.poll() is None for p in processes):
            time.sleep(0.5)
        code = next(p.returncode for p in processes if p.returncode is not None)
        log.error("a dashboard server process exited with code %s: stopping the others", code)
        code = code or 1
    except KeyboardInterrupt:
        code = 0
    finally:
        for p in processes:
            if p.poll() is None:
                p.terminate()
        for p in processes:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
    return code


def register(app: typer.Typer) -> None:
    app.command()(serve)
