"""`c360 docs`: regenerate the data dictionary, the ERD and the worked lineage example."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

import typer

from c360.commands.options import get_settings


def declared_tables() -> list:
    """Every table written from Python, from its one declaration: the loader's and the build's
    (c360.pipeline.docs), the churn model's metrics (churn.outputs.TABLES) and the assistant's
    log (assistant.store)."""
    from assistant.store import TABLES_DDL as ASSISTANT_TABLES
    from c360.pipeline.docs import DeclaredTable, columns_of, pipeline_tables
    from churn.outputs import DESCRIPTIONS as CHURN_DESCRIPTIONS
    from churn.outputs import SCHEMA as CHURN_SCHEMA
    from churn.outputs import TABLES as CHURN_TABLES

    tables = pipeline_tables()
    for name, columns in CHURN_TABLES.items():
        tables.append(
            DeclaredTable(
                f"{CHURN_SCHEMA}.{name}",
                columns_of(columns),
                CHURN_DESCRIPTIONS[name],
                "churn/outputs.py TABLES",
            )
        )
    for name, (description, ddl) in ASSISTANT_TABLES.items():
        tables.append(
            DeclaredTable(
                name,
                columns_of(ddl),
                description,
                "assistant/store.py TABLES_DDL",
                database="assistant store (C360_DATA_DIR/assistant/ASSISTANT.duckdb)",
            )
        )
    return tables


def render(docs_dir: Path | None = None) -> dict[Path, str]:
    """The generated docs (path -> text), from a SQLMesh Context loaded in a scratch data dir
    (nothing connects to a warehouse; the configured data dir is not touched)."""
    from c360.pipeline.context import make_context
    from c360.pipeline.docs import DOCS_DIR, render_all

    with tempfile.TemporaryDirectory(prefix="c360-docs-") as scratch:
        settings = get_settings().model_copy(update={"data_dir": Path(scratch), "gateway": "local"})
        context = make_context(settings)
        try:
            return render_all(context, declared_tables(), docs_dir or DOCS_DIR)
        finally:
            context.close()


def docs(
    check: Annotated[
        bool, typer.Option("--check", help="Exit 1 if a committed file is stale; write nothing.")
    ] = False,
) -> int:
    """Regenerate docs/data_dictionary.md, docs/erd.md and the lineage example in
    docs/lineage.md from the SQLMesh models and the tables declared in code."""
    from c360.pipeline.docs import write_all

    files = render()
    if check:
        stale = [p for p, text in files.items() if not p.exists() or p.read_text() != text]
        for path in files:
            print(f"{path}: {'stale, run make docs' if path in stale else 'up to date'}")
        return 1 if stale else 0
    written = write_all(files)
    for path in files:
        print(f"{path}: {'written' if path in written else 'unchanged'}")
    return 0


def register(app: typer.Typer) -> None:
    app.command()(docs)
