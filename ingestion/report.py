"""Rich tables for ingestion results on stdout. Rendering only; no decisions here."""

from __future__ import annotations

import json

from rich.console import Console
from rich.filesize import decimal
from rich.table import Table

from ingestion.load_history import Status
from ingestion.loader import IngestSummary
from ingestion.pipe_status import PipeStatus
from ingestion.upload import UploadSummary

stdout = Console()

_STYLE = {
    Status.LOADED: "green",
    Status.PARTIALLY_LOADED: "yellow",
    Status.LOAD_FAILED: "red",
    Status.LOAD_SKIPPED: "cyan",
}
#: Files listed one per row; beyond this the table says how many more there were.
MAX_ROWS = 40


def _clip(text: str | None, width: int = 70) -> str:
    if not text:
        return ""
    return text if len(text) <= width else text[: width - 1] + "…"


def print_ingest(summary: IngestSummary) -> None:
    """Per-file outcomes of one pass, then totals."""
    if summary.results:
        table = Table(title=f"Loaded from {summary.stage} (ON_ERROR={summary.on_error})")
        for column in ("file", "status", "parsed", "loaded", "rejected", "first error"):
            justify = "right" if column in ("parsed", "loaded", "rejected") else "left"
            wrap = column in ("file", "first error")
            table.add_column(column, justify=justify, overflow="fold", no_wrap=not wrap)
        for result in summary.results[:MAX_ROWS]:
            style = _STYLE.get(result.status, "")
            table.add_row(
                result.key,
                f"[{style}]{result.status}[/]",
                f"{result.row_parsed:,}",
                f"{result.row_count:,}",
                f"{result.rows_rejected:,}",
                _clip(result.first_error),
            )
        if len(summary.results) > MAX_ROWS:
            table.add_row(f"… {len(summary.results) - MAX_ROWS} more files", "", "", "", "", "")
        stdout.print(table)

    totals = Table(show_header=False, title="Ingest summary")
    counts = ", ".join(f"{n} {status}" for status, n in sorted(summary.by_status.items()))
    totals.add_row("files decided this run", f"{len(summary.results)} ({counts or 'none'})")
    totals.add_row("files already loaded before", f"{summary.already_loaded:,}")
    totals.add_row("rows loaded / rejected", f"{summary.rows_loaded:,} / {summary.rows_rejected:,}")
    if summary.seconds and summary.rows_loaded:
        rate = summary.rows_loaded / summary.seconds
        totals.add_row("throughput", f"{rate:,.0f} rows/s ({decimal(summary.bytes_loaded)})")
    if summary.deferred:
        totals.add_row("deferred (changed while loading)", ", ".join(summary.deferred))
    if summary.unrouted:
        totals.add_row("ignored (not bronze data)", f"{len(summary.unrouted)} files")
    if summary.unreadable:
        totals.add_row("cannot be read (pending, retried)", "; ".join(summary.unreadable))
    if summary.aborted_on:
        totals.add_row("[red]aborted at[/]", summary.aborted_on)
    totals.add_row("warehouse", str(summary.warehouse))
    totals.add_row("wall time", f"{summary.seconds:.1f} s")
    stdout.print(totals)
    if not summary.results and not summary.deferred:
        stdout.print("Nothing new to load.")


def print_status(status: PipeStatus, as_json: bool = False) -> None:
    """SYSTEM$PIPE_STATUS-like JSON, then the recent load history."""
    if as_json:
        payload = status.as_json() | {"recent": status.recent}
        stdout.print_json(json.dumps(payload, default=str))
        return
    stdout.print("[bold]Pipe status[/] (like SYSTEM$PIPE_STATUS)")
    stdout.print_json(json.dumps(status.as_json(), default=str))
    table = Table(title=f"Load history, last 24 h ({len(status.recent)} files)")
    for column in (
        "loaded at (UTC)",
        "file",
        "status",
        "parsed",
        "loaded",
        "errors",
        "latency",
        "first error",
    ):
        numeric = column in ("parsed", "loaded", "errors", "latency")
        table.add_column(
            column,
            justify="right" if numeric else "left",
            no_wrap=column != "file" and column != "first error",
            overflow="fold",
        )
    for row in status.recent[:MAX_ROWS]:
        style = _STYLE.get(Status(row["status"]), "")
        table.add_row(
            f"{row['last_load_time']:%Y-%m-%d %H:%M:%S}",
            row["file_name"],
            f"[{style}]{row['status']}[/]",
            f"{row['row_parsed']:,}",
            f"{row['row_count']:,}",
            f"{row['error_count']:,}",
            f"{row['latency_seconds']:.1f} s",
            _clip(row["first_error_message"], 50),
        )
    if len(status.recent) > MAX_ROWS:
        table.caption = f"{len(status.recent) - MAX_ROWS} older rows not shown"
    stdout.print(table)


def print_upload(summary: UploadSummary) -> None:
    table = Table(show_header=False, title=f"Uploaded {summary.source} → {summary.target}")
    table.add_row(
        "files uploaded", f"{len(summary.uploaded):,} ({decimal(summary.bytes_uploaded)})"
    )
    table.add_row("files unchanged (same MD5/ETag)", f"{len(summary.unchanged):,}")
    table.add_row("wall time", f"{summary.seconds:.1f} s")
    stdout.print(table)
