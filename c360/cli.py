"""The `c360` command line: one front door for generating, loading, building and serving.

Commands stay thin: they parse options, call one package function and print its
summary. `main()` turns every user-facing error into one line on stderr with exit
code 2 (bad usage/input) or 1 (a failure the user can fix), never a traceback.
"""

from __future__ import annotations

import logging
import sys
import tempfile
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from c360.errors import C360Error
from c360.logs import configure_logging
from c360.settings import get_settings

log = logging.getLogger("c360")

app = typer.Typer(
    name="c360",
    help="Customer 360 analytics for credit-card portfolios.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


class Format(str, Enum):
    csv = "csv"
    parquet = "parquet"


def _as_of(value: str | None) -> date:
    if value is None:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f"{value!r} is not a date in YYYY-MM-DD form", param_hint="'--as-of'"
        ) from None


def _writable_dir(path: Path) -> Path:
    """Create `path` if needed and prove it is writable before hours of work start."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".c360-write-check-"):
            pass
    except OSError as exc:
        raise typer.BadParameter(
            f"cannot write to {path}: {exc.strerror or exc}", param_hint="'--data-dir'"
        ) from None
    return path


def _data_dir(value: Path | None) -> Path:
    return _writable_dir(value or get_settings().data_dir)


CustomersOpt = Annotated[
    int, typer.Option("--customers", "-n", min=1, max=9_999_999, help="Number of cardholders.")
]
SeedOpt = Annotated[int, typer.Option(help="Random seed: same seed, same bytes.")]
AsOfOpt = Annotated[
    str | None,
    typer.Option(
        "--as-of", help="Date (YYYY-MM-DD) that ends the 18-month history. Default: today."
    ),
]
FormatOpt = Annotated[Format, typer.Option("--format", help="File format of the landing zone.")]
DataDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="Folder for the landing zone, warehouse and generator state "
        "(default: $C360_DATA_DIR or ./data).",
    ),
]


@app.callback()
def _root(
    log_level: Annotated[
        str | None, typer.Option(help="DEBUG, INFO, WARNING or ERROR (default: $C360_LOG_LEVEL).")
    ] = None,
) -> None:
    configure_logging((log_level or get_settings().log_level).upper())


@app.command()
def generate(
    customers: CustomersOpt = 50_000,
    seed: SeedOpt = 42,
    as_of: AsOfOpt = None,
    file_format: FormatOpt = Format.csv,
    hourly: Annotated[
        int,
        typer.Option(
            min=0,
            help="Instead of the history, append this many hourly streaming batches "
            "(~750 transactions each) to the portfolio already in the data dir.",
        ),
    ] = 0,
    defects: Annotated[
        bool, typer.Option(help="Inject the documented defects (duplicates, blanks, ...).")
    ] = True,
    data_dir: DataDirOpt = None,
) -> None:
    """Generate a synthetic portfolio: customers, 18 months of transactions, hourly batches."""
    from c360.report import print_generation
    from ingestion.generator import generate_hourly, generate_portfolio
    from ingestion.generator.defects import DefectRates

    when = _as_of(as_of)
    root = _data_dir(data_dir)
    rates = None if defects else DefectRates.none()
    landing, state = root / "landing", root / "generator"
    if hourly:
        try:
            summary = generate_hourly(landing, state, hourly, rates=rates)
        except FileNotFoundError as exc:
            raise C360Error(str(exc)) from None
    else:
        summary = generate_portfolio(
            landing, state, customers, seed, when, file_format.value, rates=rates
        )
    print_generation(summary)


@app.command()
def demo(
    customers: CustomersOpt = 50_000,
    seed: SeedOpt = 42,
    as_of: AsOfOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Run the main job end to end on the embedded DuckDB default (see README)."""
    from c360.report import print_generation
    from ingestion.generator import generate_portfolio

    when = _as_of(as_of)
    root = _data_dir(data_dir)
    summary = generate_portfolio(root / "landing", root / "generator", customers, seed, when)
    print_generation(summary)


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


if __name__ == "__main__":
    sys.exit(main())
