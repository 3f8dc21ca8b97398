"""`c360 serve`: the Panel dashboard over the published serving copy (`panel serve` underneath)."""

from __future__ import annotations

import json
import logging
import os
import sys
import tempfile
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
#: A whole filtered segment (50,000 customers ≈ 10 MB of CSV) goes over the websocket.
MAX_MESSAGE_BYTES = 200 * 1024 * 1024


def gold_lineage(settings: Settings) -> list[dict]:
    """Each gold model's direct upstream models, from the SQLMesh project (no warehouse I/O)."""
    from c360.pipeline.context import make_context

    context = make_context(settings)
    try:

        def schema_table(name: str) -> str:
            # model.name is `gold.x`, depends_on holds `"WAREHOUSE"."GOLD"."X"`: keep the last two
            return ".".join(name.replace('"', "").lower().split(".")[-2:])

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
    workers: int = 1,
) -> list[str]:
    """The `panel serve` command line that serves the dashboard."""
    origins = ["*"] if address in ("0.0.0.0", "::") else [f"{address}:{port}", f"localhost:{port}"]
    command = [sys.executable, "-m", "panel", "serve", str(APP), "--address", address]
    command += ["--port", str(port), "--liveness", "--index", "serve"]
    command += ["--websocket-max-message-size", str(MAX_MESSAGE_BYTES)]
    if workers > 1:  # forked server processes; each opens its own Store on its first session
        command += ["--num-procs", str(workers)]
    for origin in origins:
        command += ["--allow-websocket-origin", origin]
    if users_file is not None:
        credentials = Path(tempfile.mkdtemp(prefix="c360-auth-")) / "credentials.json"
        users = json.loads(users_file.read_text())
        credentials.write_text(json.dumps({u: e["password"] for u, e in users.items()}))
        command += ["--basic-auth", str(credentials), "--cookie-secret", os.urandom(16).hex()]
        command += ["--setup", str(SETUP)]
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
        int,
        typer.Option(
            min=1,
            help="Server processes (panel serve --num-procs): a session is built on one "
            "Python thread, so concurrent sessions queue on one process.",
        ),
    ] = 1,
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
        workers=workers,
    )
    print(f"c360 dashboard: http://{address}:{port}/  (Ctrl-C stops)", flush=True)
    log.debug("exec %s", command)
    os.execv(command[0], command)


def register(app: typer.Typer) -> None:
    app.command()(serve)
