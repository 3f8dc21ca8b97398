"""Render run summaries for the terminal (rich tables on stdout). No logic lives here."""

from __future__ import annotations

from rich.console import Console
from rich.filesize import decimal
from rich.table import Table

from ingestion.generator import GenerationSummary
from ingestion.generator.catalog import SEGMENTS

stdout = Console()


def print_generation(summary: GenerationSummary) -> None:
    """What the generator wrote: volumes, segment mix, defect counts, churn prevalence."""
    head = Table(title=f"Portfolio generated in {summary.output_dir}", show_header=False)
    head.add_row(
        "as-of date / seed / format", f"{summary.as_of} / {summary.seed} / {summary.file_format}"
    )
    if summary.customers:
        head.add_row("customers", f"{summary.customers:,}")
        head.add_row("customer snapshot rows", f"{summary.customer_rows:,}")
    if summary.hours:
        head.add_row(
            "hourly batches", f"{len(summary.hours)} ({summary.hours[0]} … {summary.hours[-1]})"
        )
    head.add_row("transactions (clean)", f"{summary.clean_transactions:,}")
    head.add_row("rows written (with defects)", f"{summary.transaction_rows:,}")
    head.add_row("files / bytes", f"{summary.files} / {decimal(summary.bytes_written)}")
    if summary.churn_label_rate is not None:
        head.add_row("churn label prevalence (spec 3.7)", f"{summary.churn_label_rate:.1%}")
    head.add_row("wall time", f"{summary.seconds:.1f} s")
    stdout.print(head)

    if summary.segments:
        seg = Table(title="Customer segments (generator assignment)")
        for column in ("segment", "customers", "share", "target"):
            seg.add_column(column, justify="left" if column == "segment" else "right")
        for target in SEGMENTS:
            count = summary.segments.get(target.name, 0)
            seg.add_row(
                target.name, f"{count:,}", f"{count / summary.customers:.1%}", f"{target.share:.0%}"
            )
        stdout.print(seg)

    if summary.defects:
        bad = Table(title="Injected defects (see docs/data-generator.md)")
        for column in ("defect", "rows", "rate"):
            bad.add_column(column, justify="left" if column == "defect" else "right")
        for name, count in summary.defects.items():
            bad.add_row(name, f"{count:,}", f"{count / max(summary.clean_transactions, 1):.3%}")
        stdout.print(bad)


def print_verification(checks: list, serving_path: object) -> None:
    """One line per served table: equal to prod, or what differs."""
    table = Table(title=f"Serving copy {serving_path} against prod")
    for column in ("table", "rows served", "rows in prod", "result"):
        table.add_column(column, justify="left" if column in ("table", "result") else "right")
    for check in checks:
        table.add_row(
            check.table,
            "–" if check.serving_rows is None else f"{check.serving_rows:,}",
            "–" if check.warehouse_rows is None else f"{check.warehouse_rows:,}",
            "[green]equal[/green]" if check.ok else f"[red]{check.problem}[/red]",
        )
    stdout.print(table)
