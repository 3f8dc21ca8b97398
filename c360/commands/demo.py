"""`c360 demo`: the main job, end to end, on the embedded DuckDB default.

Generate the portfolio, then one `c360 run`: load the landing zone into bronze,
build silver and gold with SQLMesh, publish the serving copy, and print the
segment table and the campaign ROI.

Re-running the demo is safe: an existing portfolio of the same size and seed in the
data dir is reused (the loader then skips files it already loaded), a different one
is refused rather than mixed in, and `--fresh` starts over.
"""

from __future__ import annotations

import logging
from pathlib import Path

import typer

from c360.commands.options import (
    AsOfOpt,
    CustomersOpt,
    DataDirOpt,
    FreshOpt,
    SeedOpt,
    data_dir,
    existing_portfolio,
    parse_as_of,
    refuse_another_portfolio,
    reset_data_dir,
)
from c360.core.errors import C360Error

log = logging.getLogger(__name__)


def _ensure_portfolio(root: Path, customers: int, seed: int, as_of: str | None) -> None:
    """Generate the portfolio unless the same one is already in `root`."""
    from c360.commands.report import print_generation
    from ingestion.generator import generate_portfolio

    state = existing_portfolio(root)
    if state is not None:
        refuse_another_portfolio(root, state, customers, seed)
        log.info(
            "reusing the portfolio in %s (%s customers, history to %s); --fresh starts over",
            root,
            f"{state.customers:,}",
            state.as_of,
        )
        return
    summary = generate_portfolio(
        root / "landing", root / "generator", customers, seed, parse_as_of(as_of)
    )
    print_generation(summary)


def demo(
    customers: CustomersOpt = 50_000,
    seed: SeedOpt = 42,
    as_of: AsOfOpt = None,
    fresh: FreshOpt = False,
    data_dir_opt: DataDirOpt = None,
) -> None:
    """Run the main job end to end on the embedded DuckDB default (see README)."""
    from c360.commands.churn import print_holdout, retrain_for_demo
    from c360.commands.options import get_settings
    from c360.commands.pipeline import ingest_landing, print_run
    from c360.pipeline.run import run_pipeline

    parse_as_of(as_of)  # validate before touching anything
    root = data_dir(data_dir_opt)
    if fresh:
        reset_data_dir(root)
    _ensure_portfolio(root, customers, seed, as_of)
    settings = get_settings().model_copy(update={"data_dir": root, "gateway": "local"})
    report = run_pipeline(settings, ingest=ingest_landing, after_build=retrain_for_demo)
    print_run(report, tables_when_nothing_new=True)
    if not report.ok:
        raise C360Error(f"demo pipeline failed: {report.build.error or 'see the log above'}")
    print_holdout(settings, report.after_build)
    log.info(
        "done: the dashboard's copy is %s; `c360 generate --hourly 1 && c360 run` adds an hour",
        settings.serving_path,
    )


def register(app: typer.Typer) -> None:
    app.command()(demo)
