"""The `c360` command line: one front door for generating, loading, building and serving.

Commands live in `c360.commands.*` and stay thin: they parse options, call one
package function and print its summary. `main()` turns every user-facing error
into one line on stderr — exit code 2 for bad usage or input, 1 for a failure the
user can fix — never a traceback.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Annotated

import typer

from c360.commands import assistant, churn, demo, docs, generate, ingest, pipeline, serve
from c360.commands.options import get_settings, run_app
from c360.core.logs import configure_logging

app = typer.Typer(
    name="c360",
    help="Customer 360 analytics for credit-card portfolios.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


class LogLevel(StrEnum):
    DEBUG = "DEBUG"
    INFO = "INFO"
    WARNING = "WARNING"
    ERROR = "ERROR"


@app.callback()
def _root(
    log_level: Annotated[
        LogLevel | None,
        typer.Option(case_sensitive=False, help="How much to log (default: $C360_LOG_LEVEL)."),
    ] = None,
) -> None:
    configure_logging(log_level.value if log_level else get_settings().log_level)


# Command groups, in the order `c360 --help` lists them.
for _module in (generate, demo, ingest, pipeline, churn, serve, assistant, docs):
    _module.register(app)


def main(argv: list[str] | None = None) -> int:
    """Console-script entry point: run the app, turn known errors into one line."""
    return run_app(app, sys.argv[1:] if argv is None else argv)
