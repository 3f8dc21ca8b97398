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

from c360.commands import assistant, churn, demo, generate, ingest, pipeline, serve
from c360.commands.options import get_settings
from c360.core.errors import C360Error
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
for _module in (generate, demo, ingest, pipeline, churn, serve, assistant):
    _module.register(app)


def main(argv: list[str] | None = None) -> int:
    """Console-script entry point: run the app, turn known errors into one line."""
    args = sys.argv[1:] if argv is None else argv
    try:
        result = app(args, prog_name="c360", standalone_mode=False)
    except typer.TyperException as exc:  # usage errors and bad option values
        message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
        print(f"c360: error: {message}", file=sys.stderr)
        return int(getattr(exc, "exit_code", 2))
    except C360Error as exc:
        print(f"c360: error: {exc}", file=sys.stderr)
        return int(getattr(exc, "exit_code", 1))
    except (typer.Abort, KeyboardInterrupt):
        print("c360: aborted", file=sys.stderr)
        return 130
    return result if isinstance(result, int) else 0
