"""`c360 run`: ingest new landing files, build silver/gold with SQLMesh, publish for serving."""

from __future__ import annotations

import logging
import os
import signal
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from c360.commands.options import DataDirOpt, data_dir, get_settings
from c360.core.errors import C360Error, InputError
from c360.core.settings import Settings

if TYPE_CHECKING:
    from ingestion.loader import IngestSummary

log = logging.getLogger(__name__)
stdout = Console()


def ingest_landing(settings: Settings) -> IngestSummary:
    """The run's first step: load every new landing file into bronze, then say what loaded."""
    from ingestion.loader import ingest
    from ingestion.report import print_ingest

    summary = ingest(settings, show_progress=True)
    print_ingest(summary)
    return summary


def _money(value: Any) -> str:
    if value is None:
        return "–"
    return f"-${-value:,.0f}" if value < 0 else f"${value:,.0f}"


def _percent(value: Any) -> str:
    return "n/a" if value is None else f"{value:,.0f}%"


def _change(value: Any) -> str:
    """A signed percent change: `+23%`, `-26%`."""
    return "n/a" if value is None else f"{value:+,.0f}%"


def _p_value(value: Any) -> str:
    """`p < 0.0001` rather than a rounded `0.0000` (or, worse, a falsy 0 shown as 1)."""
    if value is None:
        return "= n/a"
    return "< 0.0001" if value < 0.0001 else f"= {value:.4f}"


def print_run(report: Any, *, tables_when_nothing_new: bool = False) -> None:
    """Build status, then the segment table and the campaign ROI from the serving file
    (with nothing new, one line — and the tables only if asked: `c360 demo` shows them)."""
    build = report.build
    if build.action == "none":
        published = report.publish is not None and report.publish.skipped == "up to date"
        stdout.print(
            f"Nothing new since the last build (loads up to "
            f"{build.bronze_watermark:%Y-%m-%d %H:%M:%S}; checked in {build.seconds:.1f} s): "
            + ("the serving copy is up to date." if published else "serving copy refreshed.")
        )
        if tables_when_nothing_new and report.publish is not None:
            _print_tables(report.publish.path)
        return
    head = Table(title=f"Pipeline run {build.run_id[:8]} ({build.environment})", show_header=False)
    head.add_row("status / action", f"{build.status} / {build.action}")
    head.add_row("models evaluated / failed", f"{build.models_run} / {build.models_failed}")
    head.add_row("build time", f"{build.seconds:.1f} s")
    if build.restated_from:
        head.add_row("re-processed late data from", str(build.restated_from))
    for metric in build.quality[:4]:
        head.add_row(
            f"{metric.table_name} {metric.check_type}",
            f"{metric.records_failed:,} of {metric.records_checked or 0:,}",
        )
    if report.publish is not None and not report.publish.skipped:
        head.add_row("published", f"{report.publish.path} ({report.publish.seconds:.1f} s)")
    stdout.print(head)
    if report.publish is None or report.publish.skipped or not report.publish.path.exists():
        return
    _print_tables(report.publish.path)


def _print_tables(serving: Path) -> None:
    from c360.pipeline.summary import read_summary

    if not serving.exists():
        return
    summary = read_summary(serving)
    segments = Table(title="Customer segments (rule-based, rolling 90 days)")
    segments.add_column("segment")
    for column in ("customers", "share", "target", "avg spend/mo", "avg LTV"):
        segments.add_column(column, justify="right", no_wrap=True)
    for row in summary.segments:
        segments.add_row(
            row["customer_segment"],
            f"{row['customers']:,}",
            f"{row['share_pct']:.1f}%",
            f"{row['target_share_pct']:.0f}%",
            _money(row["avg_monthly_spend_90d"]),
            _money(row["avg_lifetime_value"]),
        )
    stdout.print(segments)
    for campaign in summary.campaigns:
        roi = Table(
            title=f"Campaign {campaign['campaign_name']} (offer {campaign['offer_date']})",
            caption="average monthly spend: pre = the 2 months before the offer month, "
            "post = the 2 months after it; retained = post at or above pre",
        )
        columns = ("group", "customers", "pre", "post", "change", "lift / month", "retained")
        for column in columns:
            roi.add_column(column, justify="left" if column == "group" else "right")
        for group in ("treatment", "control"):
            roi.add_row(
                group,
                f"{campaign[f'{group}_customers']:,}",
                _money(campaign[f"{group}_pre_avg_spend"]),
                _money(campaign[f"{group}_post_avg_spend"]),
                _change(campaign[f"{group}_spend_change_pct"]),
                _money(campaign[f"{group}_avg_lift"]),
                _percent(campaign[f"{group}_retention_rate_pct"]),
            )
        stdout.print(roi)
        significance = "significant" if campaign["is_significant"] else "not significant"
        stdout.print(
            f"incremental revenue {_money(campaign['incremental_revenue'])}/month, "
            f"cost {_money(campaign['campaign_cost'])}, ROI {_percent(campaign['roi_pct'])} "
            f"(p {_p_value(campaign['p_value'])}, {significance})"
        )


def _refuse_an_empty_start(settings: Settings) -> None:
    """Nothing landed and nothing built yet: say what to do instead of building empty models."""
    if settings.gateway != "local" or settings.warehouse_path.exists():
        return
    from ingestion.stage import open_stage

    stage = open_stage(settings)
    if not stage.list_files():
        raise C360Error(
            f"nothing to load or build: the landing zone {stage.location} has no files yet — "
            "`c360 generate` writes a demo portfolio there (`c360 demo` does everything)"
        )


def run(
    verbose: Annotated[
        bool,
        typer.Option("--verbose", "-v", metavar="", help="Show SQLMesh's progress while building."),
    ] = False,
    watch: Annotated[
        bool,
        typer.Option(
            "--watch",
            metavar="",
            help="Keep running: load each file as it lands, then build and publish "
            "(a burst of files is one build). Ctrl-C stops after the current step.",
        ),
    ] = False,
    interval: Annotated[
        float, typer.Option(min=0.1, max=3600, help="Seconds between polls with --watch.")
    ] = 1.0,
    debounce: Annotated[
        float,
        typer.Option(
            min=0, max=600, help="With --watch: seconds to wait for more files after a load."
        ),
    ] = 1.0,
    retrain: Annotated[
        bool,
        typer.Option(
            "--retrain",
            metavar="",
            help="Retrain the churn model after the build (also done when a month completed).",
        ),
    ] = False,
    data_dir_opt: DataDirOpt = None,
) -> None:
    """Load new landing files, build silver and gold (SQLMesh), publish the dashboard's copy."""
    from c360.commands.churn import retrain_for_run
    from c360.pipeline.run import run_pipeline

    settings = get_settings().model_copy(update={"data_dir": data_dir(data_dir_opt)})
    if watch:
        if settings.gateway != "local":
            raise InputError(
                "--watch is for the local gateway; on Snowflake the pipe auto-ingests — "
                "schedule `c360 run` to build"
            )
        _watch(settings, interval, debounce, verbose)
        return
    settings.require_gateway()
    if settings.gateway != "local":
        # before the Snowflake loader parses its SQL: SQLMesh extends sqlglot's parsers on
        # import, and a dialect loaded before that reads `@this_model` as a staged file
        import sqlmesh.core.dialect  # noqa: F401
    _refuse_an_empty_start(settings)
    report = run_pipeline(
        settings, ingest=ingest_landing, verbose=verbose, after_build=retrain_for_run(retrain)
    )
    print_run(report)
    if not report.ok:
        raise C360Error(f"pipeline run failed: {report.build.error or 'see the log above'}")


def _watch(settings: Settings, interval: float, debounce: float, verbose: bool) -> None:
    """`c360 run --watch`: the continuous loop, stopped by Ctrl-C or SIGTERM after a step."""
    from c360.commands.report import print_cycle, print_watch_stopped
    from c360.pipeline.continuous import watch_pipeline
    from ingestion.loader import Pipe
    from ingestion.stage import open_stage
    from ingestion.watch import heartbeat_path

    stop = threading.Event()

    def request_stop(signum: int, _frame: object) -> None:
        if stop.is_set() and signum == signal.SIGINT:
            raise KeyboardInterrupt  # a second Ctrl-C: stop now (a kill loses nothing either)
        stop.set()
        # not print(): a signal handler may interrupt a write to the same stream
        os.write(2, b"stopping after the current step (Ctrl-C again to stop at once)\n")

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        summary = watch_pipeline(
            settings,
            Pipe(open_stage(settings), settings.warehouse_path),
            interval=interval,
            debounce=debounce,
            stop=stop,
            on_cycle=print_cycle,
            on_ready=lambda: stdout.print(
                f"Watching {settings.landing_dir if settings.stage == 'local' else 'the stage'} "
                f"every {interval:g} s (debounce {debounce:g} s); Ctrl-C to stop.",
                markup=False,
                highlight=False,
            ),
            heartbeat=heartbeat_path(settings.data_dir),
            verbose=verbose,
        )
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    print_watch_stopped(summary)


def plan(
    environment: Annotated[
        str,
        typer.Argument(
            help="Environment to plan: dev (default; a preview beside prod) or prod.",
            metavar="[ENV]",
        ),
    ] = "dev",
    yes: Annotated[
        bool,
        typer.Option("--yes", "-y", metavar="", help="Apply to prod without asking (for scripts)."),
    ] = False,
    data_dir_opt: DataDirOpt = None,
) -> None:
    """Preview model changes in a virtual environment, or apply them to prod.

    Runs the SQLMesh unit tests, shows SQLMesh's diff of the project against ENV and
    applies it — at once for a preview environment, after confirmation for prod (then the
    serving copy is republished). `c360 run` never applies model changes itself.
    """
    import re
    import sys

    from c360.pipeline.plan import PlanReport, review_plan
    from c360.pipeline.publish import publish as publish_serving

    if not re.fullmatch(r"[a-z][a-z0-9_]{0,62}", environment):
        raise InputError(
            f"{environment!r} is not an environment name: lower-case letters, digits, _"
        )
    settings = get_settings().model_copy(update={"data_dir": data_dir(data_dir_opt)})
    if settings.gateway == "local" and not settings.warehouse_path.exists():
        raise C360Error(
            f"no warehouse at {settings.warehouse_path} yet: `c360 run` builds prod first"
        )

    def confirm(report: PlanReport) -> bool:
        if environment != "prod" or yes:
            return True
        if not sys.stdin.isatty():
            raise InputError("applying a plan to prod needs confirmation: re-run with --yes")
        return typer.confirm(
            f"Apply these changes to prod ({len(report.directly_modified)} "
            "models changed directly)?",
            default=False,
        )

    report = review_plan(settings, environment, confirm=confirm)
    if not report.has_changes:
        base = environment if environment == "prod" else f"{environment} (a new one starts as prod)"
        stdout.print(f"No changes: the project's models match {base}.")
        return
    if not report.applied:
        stdout.print(f"Not applied: {environment} keeps its models.")
        return
    if environment == "prod":
        published = publish_serving(settings, full=True)  # a plan may backfill any model
        stdout.print(f"Applied to prod and republished {published.path}.")
    else:
        stdout.print(
            f"Applied to {environment}: prod is untouched. Compare with "
            f"`sqlmesh table_diff prod:{environment} <model> --show-sample`; "
            "apply with `c360 plan prod`."
        )


def publish(
    full: Annotated[
        bool, typer.Option("--full", metavar="", help="Copy every table whole.")
    ] = False,
    data_dir_opt: DataDirOpt = None,
) -> None:
    """Write the dashboard's read-only copy of prod now (`c360 run` does it after each build).

    Use `--full` after changing prod with SQLMesh directly (e.g. `sqlmesh plan
    --restate-model`), or when `c360 status --verify` reports a difference.
    """
    from c360.pipeline.publish import publish as publish_serving

    settings = get_settings().model_copy(update={"data_dir": data_dir(data_dir_opt)})
    if settings.gateway == "local" and not settings.warehouse_path.exists():
        raise C360Error(f"no warehouse at {settings.warehouse_path} yet: run `c360 run` first")
    report = publish_serving(settings, full=full)
    if report.skipped:
        stdout.print(f"Not published: {report.skipped}.")
    else:
        stdout.print(
            f"Published {len(report.tables)} tables to {report.path} ({report.seconds:.1f} s)."
        )


def register(app: typer.Typer) -> None:
    app.command()(run)
    app.command()(plan)
    app.command()(publish)
