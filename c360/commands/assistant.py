"""`c360 ask` and `c360 semantic-model validate|generate`.

`c360 ask` stays light: it imports the assistant package (sqlglot, duckdb), never SQLMesh or
Panel; only `semantic-model generate` reads the SQLMesh model files.
"""

from __future__ import annotations

import json
import logging
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from c360.commands.options import get_settings, run_app
from c360.core.errors import C360Error, InputError

log = logging.getLogger(__name__)

DEFAULT_MODEL = Path(__file__).resolve().parents[2] / "semantic_model" / "customer_analytics.yaml"

semantic_app = typer.Typer(
    name="semantic-model",
    help="The Cortex Analyst semantic model: validate a file, regenerate the committed one.",
    no_args_is_help=True,
)


class BackendName(StrEnum):
    offline = "offline"
    cortex = "cortex"
    openai = "openai"


ModelOpt = Annotated[
    Path | None,
    typer.Option("--semantic-model", help=f"Semantic model YAML (default: {DEFAULT_MODEL.name})."),
]
DatabaseOpt = Annotated[
    Path | None,
    typer.Option(
        "--database",
        help="DuckDB file to query (default: the published serving copy; for --backend cortex, "
        "Snowflake).",
    ),
]


def _load_model(path: Path | None) -> Any:
    from assistant.model import SemanticModel

    path = path or DEFAULT_MODEL
    if not path.exists():
        raise InputError(f"no semantic model at {path}")
    try:
        return SemanticModel.load(path)
    except Exception as exc:
        raise InputError(f"{path} is not a semantic model: {exc}") from None


def _database(model: Any, database: Path | None, backend: BackendName) -> Any:
    from assistant.database import DuckDBDatabase

    if backend is BackendName.cortex and database is None:
        return _snowflake_database()
    path = database or get_settings().serving_path
    if not path.exists():
        raise C360Error(
            f"no database at {path}: run `c360 run` (or `c360 demo`) to publish the serving copy"
        )
    return DuckDBDatabase.for_model(path, model.databases)


def _snowflake_database() -> Any:
    """Cortex Analyst's SQL runs where its tables are: on Snowflake, under a read-only role."""
    from assistant.database import SnowflakeDatabase
    from ingestion.snowflake.connect import connect

    settings = get_settings()
    settings.require_snowflake()
    reader = settings.model_copy(update={"snowflake_role": settings.assistant_snowflake_role})
    return SnowflakeDatabase(lambda: connect(reader, timeout=60))


def _backend(name: BackendName, model: Any) -> Any:
    settings = get_settings()
    if name is BackendName.offline:
        return "offline"
    if name is BackendName.cortex:
        from assistant.remote import CortexAnalystBackend

        missing = [v for v in ("C360_SNOWFLAKE_TOKEN",) if settings.snowflake_token is None]
        if not (settings.snowflake_account or settings.snowflake_host):
            missing.append("C360_SNOWFLAKE_ACCOUNT (or C360_SNOWFLAKE_HOST)")
        if missing:
            raise InputError(f"--backend cortex needs {', '.join(missing)} (see .env.example)")
        host = settings.snowflake_host or f"{settings.snowflake_account}.snowflakecomputing.com"
        port = f":{settings.snowflake_port}" if settings.snowflake_port else ""
        assert settings.snowflake_token is not None
        return CortexAnalystBackend(
            model,
            f"{settings.snowflake_protocol}://{host}{port}",
            settings.snowflake_token.get_secret_value(),
            token_type=settings.snowflake_token_type,
        )
    from assistant.remote import OpenAICompatibleBackend

    if not settings.openai_base_url or not settings.openai_model:
        raise InputError("--backend openai needs C360_OPENAI_BASE_URL and C360_OPENAI_MODEL")
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
    return OpenAICompatibleBackend(model, settings.openai_base_url, settings.openai_model, key)


def ask(
    question: Annotated[str, typer.Argument(help="The question, in plain English.")],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the result object as JSON.")
    ] = False,
    show_sql: Annotated[bool, typer.Option("--sql", help="Also print the SQL that ran.")] = False,
    semantic_model: ModelOpt = None,
    database: DatabaseOpt = None,
    backend: Annotated[
        BackendName | None,
        typer.Option(help="offline (default: $C360_ASSISTANT_BACKEND), cortex or openai."),
    ] = None,
    history: Annotated[
        Path | None,
        typer.Option(
            help="JSON file of earlier turns (`--json` outputs, one object or a list) for a "
            "follow-up question."
        ),
    ] = None,
    max_rows: Annotated[int, typer.Option(min=1, max=100_000, help="Row limit.")] = 1000,
) -> int:
    """Ask the assistant a question about the published data (read-only)."""
    from assistant.engine import Answer, Engine
    from assistant.store import AssistantStore

    settings = get_settings()
    model = _load_model(semantic_model)
    chosen = backend or BackendName(settings.assistant_backend)
    engine = Engine(
        model,
        _database(model, database, chosen),
        backend=_backend(chosen, model),
        store=AssistantStore(settings.assistant_store_path),
        max_rows=max_rows,
        cache_dir=settings.assistant_store_path.parent,
    )
    turns: list[Answer] = []
    if history is not None:
        try:
            loaded = json.loads(history.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InputError(f"--history {history}: {exc}") from None
        turns = [Answer.from_dict(t) for t in (loaded if isinstance(loaded, list) else [loaded])]
    answer = engine.ask(question, turns)
    if as_json:
        sys.stdout.write(json.dumps(answer.to_dict(), default=str) + "\n")
    else:
        _print(answer, show_sql)
    return 0


def _print(answer: Any, show_sql: bool) -> None:
    from rich.console import Console
    from rich.table import Table

    from assistant.answer import fmt

    console = Console()
    style = {"answered": "green", "clarify": "yellow", "refused": "red"}[answer.status]
    console.print(f"[{style}]{answer.status}[/{style}] {answer.answer}", highlight=False)
    for suggestion in answer.suggestions:
        console.print(f"  • {suggestion}", highlight=False)
    if answer.rows:
        table = Table(show_lines=False)
        for column in answer.columns:
            table.add_column(column)
        for row in answer.rows[:50]:
            table.add_row(*(fmt(c, v) for c, v in zip(answer.columns, row, strict=False)))
        console.print(table)
        if len(answer.rows) > 50:
            console.print(f"… {len(answer.rows) - 50:,} more rows (use --json for all)")
    if show_sql and answer.sql:
        console.print(answer.sql, markup=False, highlight=False)
    for warning in answer.warnings:
        console.print(f"[dim]warning: {warning}[/dim]", highlight=False)


@semantic_app.command("validate")
def validate_command(
    path: Annotated[Path, typer.Argument(help="Semantic model YAML to check.")],
    database: DatabaseOpt = None,
    offline: Annotated[
        bool, typer.Option("--no-database", help="Check the format only, not the database.")
    ] = False,
) -> int:
    """Check a semantic model: unknown keys, expressions that don't parse, missing columns."""
    from assistant.database import DuckDBDatabase
    from assistant.model import SemanticModel
    from assistant.validate import validate

    if not path.exists():
        raise InputError(f"no semantic model at {path}")
    db = None
    if not offline:
        target = database or get_settings().serving_path
        if not target.exists():
            raise C360Error(f"no database at {target}: pass --database or --no-database")
        try:
            databases = SemanticModel.load(path).databases
        except Exception as exc:  # validate() below reports what is wrong with the file
            log.debug("semantic model not loadable for its databases: %s", exc)
            databases = []
        db = DuckDBDatabase.for_model(target, databases)
    problems = validate(path, db)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{path}: {len(problems)} problem(s)", file=sys.stderr)
        return 1
    print(f"{path}: valid")
    return 0


@semantic_app.command("generate")
def generate_command(
    check: Annotated[
        bool, typer.Option("--check", help="Exit 1 if the committed file is stale; write nothing.")
    ] = False,
) -> int:
    """Regenerate semantic_model/customer_analytics.yaml from the gold models and the overlay."""
    from c360.pipeline.semantic_model import OUTPUT_PATH, build_semantic_model, generate
    from c360.pipeline.semantic_model import render_semantic_model as render

    if check:
        fresh = render(build_semantic_model())
        stale = not OUTPUT_PATH.exists() or OUTPUT_PATH.read_text(encoding="utf-8") != fresh
        print(
            f"{OUTPUT_PATH}: {'stale, run c360 semantic-model generate' if stale else 'up to date'}"
        )
        return 1 if stale else 0
    changed = generate()
    print(f"{OUTPUT_PATH}: {'written' if changed else 'unchanged'}")
    return 0


def register(app: typer.Typer) -> None:
    app.command()(ask)
    app.add_typer(semantic_app)


def main_light(argv: list[str]) -> int:
    """`c360 ask …` / `c360 semantic-model …` without importing the other command groups
    (the full CLI pulls in the generator, pandas and SQLMesh helpers: ~1 s of start-up).
    Errors are one line, exit codes as in `c360.cli.main`."""
    from c360.core.logs import configure_logging

    app = typer.Typer(name="c360", add_completion=False, pretty_exceptions_enable=False)
    register(app)
    try:
        configure_logging(get_settings().log_level)
    except C360Error as exc:  # a bad C360_* setting: one line, like every other error
        print(f"c360: error: {exc}", file=sys.stderr)
        return int(getattr(exc, "exit_code", 1))
    return run_app(app, argv)
