"""`c360 demo`: the main job, end to end, on the embedded DuckDB default."""

from __future__ import annotations

import typer

from c360.commands.options import AsOfOpt, CustomersOpt, DataDirOpt, SeedOpt, data_dir, parse_as_of


def demo(
    customers: CustomersOpt = 50_000,
    seed: SeedOpt = 42,
    as_of: AsOfOpt = None,
    data_dir_opt: DataDirOpt = None,
) -> None:
    """Run the main job end to end on the embedded DuckDB default (see README)."""
    from c360.report import print_generation
    from ingestion.generator import generate_portfolio

    when = parse_as_of(as_of)
    root = data_dir(data_dir_opt)
    summary = generate_portfolio(root / "landing", root / "generator", customers, seed, when)
    print_generation(summary)


def register(app: typer.Typer) -> None:
    app.command()(demo)
