"""`c360 generate`: the synthetic portfolio and hourly batches."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

import typer

from c360.commands.options import (
    AsOfOpt,
    CustomersOpt,
    DataDirOpt,
    Format,
    FormatOpt,
    FreshOpt,
    SeedOpt,
    data_dir,
    existing_portfolio,
    parse_as_of,
    refuse_another_portfolio,
    reset_data_dir,
)
from c360.commands.report import stdout
from c360.core.clock import utc_now
from c360.core.errors import C360Error, InputError


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
        bool,
        typer.Option(metavar="", help="Inject the documented defects (duplicates, blanks, ...)."),
    ] = True,
    fresh: FreshOpt = False,
    data_dir_opt: DataDirOpt = None,
) -> None:
    """Generate a synthetic portfolio: customers, 18 months of transactions, hourly batches."""
    from c360.commands.report import print_generation
    from ingestion.generator import generate_hourly, generate_portfolio
    from ingestion.generator.defects import DefectRates

    when = parse_as_of(as_of)
    root = data_dir(data_dir_opt)
    rates = None if defects else DefectRates.none()
    landing, state = root / "landing", root / "generator"
    if hourly:
        try:
            summary = generate_hourly(landing, state, hourly, rates=rates)
        except FileNotFoundError as exc:
            raise C360Error(str(exc)) from None
    else:
        if fresh:
            reset_data_dir(root)
        elif (state_found := existing_portfolio(root)) is not None:
            refuse_another_portfolio(root, state_found, customers, seed)
            if (state_found.as_of, state_found.file_format) == (str(when), file_format.value):
                stdout.print(
                    f"{root} already holds this portfolio (history to {state_found.as_of}); "
                    "nothing to do — `--hourly N` adds batches, `--fresh` starts over."
                )
                return
            raise InputError(
                f"{root} already holds this portfolio with history to {state_found.as_of} "
                f"({state_found.file_format}); use --fresh to regenerate it"
            )
        summary = generate_portfolio(
            landing, state, customers, seed, when, file_format.value, rates=rates
        )
    print_generation(summary)
    if hourly:
        _note_hours_ahead(summary.hours)


def _note_hours_ahead(hours: list[str]) -> None:
    """Batches continue after the newest hour in the landing zone, so calling `--hourly`
    faster than the clock writes hours that have not ended yet: say so in one line (silver
    flags their transactions as future-dated until their time comes)."""
    now = utc_now()
    ahead = [hour for hour in hours if datetime.fromisoformat(hour) + timedelta(hours=1) > now]
    if ahead:
        which = (
            f"hour {ahead[0].replace('T', ' ')} has"
            if len(hours) == 1
            else f"{len(ahead)} of the {len(hours)} hours (from {ahead[0].replace('T', ' ')}) have"
        )
        stdout.print(
            f"note: {which} not ended yet (now {now:%Y-%m-%d %H:%M} UTC): its transactions are "
            "dated ahead of their load, and silver flags them as future-dated until then."
        )


def register(app: typer.Typer) -> None:
    app.command()(generate)
