"""Option types and validators shared by several commands."""

from __future__ import annotations

import tempfile
from datetime import date
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Annotated

import typer

from c360.core.settings import Settings


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this CLI process, read once (the only global read of settings)."""
    return Settings()


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
