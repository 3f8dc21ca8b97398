"""Option types and validators shared by several commands."""

from __future__ import annotations

import sys
import tempfile
from datetime import date
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from c360.core.errors import C360Error, InputError
from c360.core.settings import Settings


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this CLI process, read once (the only global read of settings).

    A bad value is one line naming the variable and what it accepts (exit code 2).
    """
    try:
        return Settings()
    except ValidationError as exc:
        raise InputError("; ".join(_describe(error) for error in exc.errors())) from None


def _describe(error: dict) -> str:
    field = ".".join(str(part) for part in error.get("loc", ()))
    variable = f"C360_{field.upper()}"
    allowed = (error.get("ctx") or {}).get("expected")
    given = error.get("input")
    if allowed:
        return f"{variable}={given!r} is not allowed; use one of {allowed}"
    return f"{variable}={given!r}: {error.get('msg', 'invalid value')}"


class Format(StrEnum):
    csv = "csv"
    parquet = "parquet"


def parse_as_of(value: str | None) -> date:
    """`--as-of` as a date (default today), or a usage error naming the option."""
    if value is None:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f"{value!r} is not a date in YYYY-MM-DD form", param_hint="'--as-of'"
        ) from None


def writable_dir(path: Path, option: str = "--data-dir") -> Path:
    """Create `path` if needed and prove it is writable before long work starts."""
    blocker = next((p for p in (path, *path.parents) if p.exists() and not p.is_dir()), None)
    if blocker is not None:
        raise typer.BadParameter(
            f"{path} cannot be a folder: {blocker} is a file, not a directory",
            param_hint=f"'{option}'",
        )
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".c360-write-check-"):
            pass
    except OSError as exc:
        raise typer.BadParameter(
            f"cannot write to {path}: {exc.strerror or exc}", param_hint=f"'{option}'"
        ) from None
    return path


def data_dir(value: Path | None) -> Path:
    """The data dir from `--data-dir`, else settings; checked writable."""
    return writable_dir(value or get_settings().data_dir)


#: What a data dir holds that `--fresh` removes (everything generate/ingest/run make).
DATA_DIR_OUTPUTS = (
    "landing",
    "generator",
    "WAREHOUSE.duckdb",
    "WAREHOUSE.duckdb.wal",
    "serving",
)


def reset_data_dir(root: Path) -> None:
    """`--fresh`: delete what an earlier portfolio left in `root` (nothing else)."""
    import shutil

    for name in DATA_DIR_OUTPUTS:
        path = root / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


def existing_portfolio(root: Path) -> Any:
    """The generator state of the portfolio already in `root`, or None."""
    from ingestion.generator.portfolio import GeneratorState

    try:
        return GeneratorState.load(root / "generator")
    except FileNotFoundError:
        return None


def refuse_another_portfolio(root: Path, state: Any, customers: int, seed: int) -> None:
    """One data dir holds one portfolio: a different one is refused, never mixed in."""
    if (state.customers, state.seed) != (customers, seed):
        raise InputError(
            f"{root} already holds a portfolio of {state.customers:,} customers "
            f"(seed {state.seed}, history to {state.as_of}); use --fresh to replace it "
            "or another --data-dir"
        )


FreshOpt = Annotated[
    bool,
    typer.Option(metavar="", help="Delete what an earlier portfolio made in the data dir first."),
]

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


def run_app(app: typer.Typer, args: list[str]) -> int:
    """Run a typer app as `c360`, every known error turned into one line on stderr: exit code
    2 for bad usage or input, 1 for a failure the user can fix, 130 when interrupted."""
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
