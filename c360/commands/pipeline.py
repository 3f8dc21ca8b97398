"""`c360 run`: ingest new landing files, build silver/gold with SQLMesh, publish for serving."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from c360.commands.options import DataDirOpt, data_dir, get_settings
from c360.core.errors import C360Error
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


def _p_value(value: Any) -> str:
    """`p < 0.0001` rather than a rounded `0.0000` (or, worse, a falsy 0 shown as 1)."""
    if value is None:
        return "= n/a"
    return "< 0.0001" if value < 0.0001 else f"= {value:.4f}"


def print_run(report: Any) -> None:
    """Build status, then the segment table and the campaign ROI from the serving file."""
    from c360.pipeline.summary import read_summary

    build = report.build
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
    summary = read_summary(report.publish.path)
    segments = Table(title="Customer segments (rule-based, rolling 90 days)")
    for column in ("segment", "customers", "share", "target", "avg monthly spend", "avg LTV"):
        segments.add_column(column, justify="left" if column == "segment" else "right")
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
        roi = Table(title=f"Campaign {campaign['campaign_name']}")
        for column in ("group", "customers", "pre", "post", "lift / month"):
            roi.add_column(column, justify="left" if column == "group" else "right")
        for group in ("treatment", "control"):
            roi.add_row(
                group,
                f"{campaign[f'{group}_customers']:,}",
                _money(campaign[f"{group}_pre_avg_spend"]),
                _money(campaign[f"{group}_post_avg_spend"]),
                _money(campaign[f"{group}_avg_lift"]),
            )
        stdout.print(roi)
        significance = "significant" if campaign["is_significant"] else "not significant"
        stdout.print(
            f"incremental revenue {_money(campaign['incremental_revenue'])}/month, "
            f"cost {_money(campaign['campaign_cost'])}, ROI {_percent(campaign['roi_pct'])} "
            f"(p {_p_value(campaign['p_value'])}, {significance})"
        )


def run(
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Show SQLMesh's progress while building.")
    ] = False,
    data_dir_opt: DataDirOpt = None,
) -> None:
    """Load new landing files, build silver and gold (SQLMesh), publish the dashboard's copy."""
    from c360.pipeline.run import run_pipeline

    settings = get_settings().model_copy(update={"data_dir": data_dir(data_dir_opt)})
    report = run_pipeline(settings, ingest=ingest_landing, verbose=verbose)
    print_run(report)
    if not report.ok:
        raise C360Error(f"pipeline run failed: {report.build.error or 'see the log above'}")


def register(app: typer.Typer) -> None:
    app.command()(run)
