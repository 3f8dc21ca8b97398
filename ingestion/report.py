"""Rich tables for ingestion results on stdout. Rendering only; no decisions here.

File listings fit an 80-column terminal: one line per file, a long key giving up its
middle (`transactions/hi…ns_2025-06-01.csv`); beyond `SUMMARISE_ABOVE` files, one
line per folder and status (`transactions/historical/ (18 files)`); and the first
errors on lines of their own under the table. Rows parsed = loaded + rejected, so the
listings show those two; `c360 status --json` and `observability.load_history` have all.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from rich import box
from rich.console import Console, ConsoleOptions, RenderResult
from rich.filesize import decimal
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from ingestion import routing
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
#: Up to this many files a listing shows each one; beyond, one row per folder and status
#: that has at least SUMMARY_MIN_FILES files (so two customer snapshots keep their names).
SUMMARISE_ABOVE = 12
SUMMARY_MIN_FILES = 3
#: First errors listed under a table, at most.
MAX_ERRORS = 10


def elide(text: str, width: int) -> str:
    """`text` in at most `width` characters, its middle replaced by `…`: the start of the
    folder and the end of the name (a file's date and suffix) stay readable."""
    if len(text) <= width:
        return text
    if width < 2:
        return "…"[:width]
    tail = (width - 1) * 2 // 3
    return text[: width - 1 - tail] + "…" + text[len(text) - tail :]


class Elided:
    """A one-line table cell that gives up the middle of `text` when the column is too
    narrow; `suffix` (e.g. ` (18 files)`) is always shown whole."""

    def __init__(self, text: str, suffix: str = "", min_width: int = 16) -> None:
        self.text, self.suffix, self.min_width = text, suffix, min_width

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        full = len(self.text) + len(self.suffix)
        return Measurement(min(full, self.min_width), full)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        text = elide(self.text, max(options.max_width - len(self.suffix), 2)) + self.suffix
        yield Text(text, no_wrap=True, overflow="crop")


@dataclass
class _Row:
    """A listing row: one file, or the `files` files of one folder that share a status."""

    name: str  # the stage key; a summary row's folder
    status: str
    loaded: int
    rejected: int
    latency: float
    at: datetime | None = None
    first_error: str | None = None
    error_file: str | None = None  # the file the first error is from
    files_with_errors: int = 0
    files: int = 1

    def __post_init__(self) -> None:
        if self.first_error and self.error_file is None:
            self.error_file, self.files_with_errors = self.name, 1

    @property
    def label(self) -> Elided:
        return Elided(self.name, "" if self.files == 1 else f" ({self.files:,} files)")


def _merge(folder: str, members: list[_Row]) -> _Row:
    erred = [m for m in members if m.first_error]
    times = [m.at for m in members if m.at is not None]
    return _Row(
        name=folder,
        status=members[0].status,
        loaded=sum(m.loaded for m in members),
        rejected=sum(m.rejected for m in members),
        latency=max(m.latency for m in members),
        at=max(times) if times else None,
        first_error=erred[0].first_error if erred else None,
        error_file=erred[0].name if erred else None,
        files_with_errors=len(erred),
        files=len(members),
    )


def _summarise(rows: list[_Row]) -> list[_Row]:
    """Every row, or — beyond SUMMARISE_ABOVE — one per folder and status (first seen first)."""
    if len(rows) <= SUMMARISE_ABOVE:
        return rows
    groups: dict[tuple[str, str], list[_Row]] = {}
    for row in rows:
        groups.setdefault((routing.folder(row.name) or "./", row.status), []).append(row)
    summarised: list[_Row] = []
    for (folder, _), members in groups.items():
        if len(members) >= SUMMARY_MIN_FILES:
            summarised.append(_merge(folder, members))
        else:
            summarised.extend(members)
    return summarised


def _listing(title: str) -> Table:
    """A file listing without vertical rules, so the file names keep the width."""
    return Table(
        title=title,
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        collapse_padding=True,
    )


def _status(status: str) -> Text:
    return Text(status, style=_STYLE.get(status, ""))


def _print_errors(rows: list[_Row]) -> None:
    """Each row's first error on one line: the file, then as much of the message as fits."""
    erred = [row for row in rows if row.first_error and row.error_file]
    if not erred:
        return
    stdout.print("First errors:")
    for row in erred[:MAX_ERRORS]:
        assert row.first_error and row.error_file  # filtered above
        more = row.files_with_errors - 1
        where = elide(row.error_file, max(16, stdout.width // 3))
        where += f" and {more:,} more" if more else ""
        message = " ".join(row.first_error.split())
        stdout.print(f"  {where}: {message}", no_wrap=True, overflow="ellipsis", markup=False)
    if len(erred) > MAX_ERRORS:
        stdout.print(f"  … and {len(erred) - MAX_ERRORS} more rows with errors")


def print_ingest(summary: IngestSummary) -> None:
    """Per-file (or per-folder) outcomes of one pass, then totals (one line if nothing)."""
    quiet = not (summary.results or summary.deferred or summary.unrouted or summary.unreadable)
    if quiet and not summary.aborted_on:
        stdout.print(
            f"Nothing new to load ({summary.already_loaded:,} files loaded before, "
            f"{summary.stage})."
        )
        return
    if summary.results:
        rows = _summarise(
            [
                _Row(
                    r.key,
                    str(r.status),
                    r.row_count,
                    r.rows_rejected,
                    r.latency_seconds,
                    first_error=r.first_error,
                )
                for r in summary.results
            ]
        )
        table = _listing(f"Loaded from {summary.stage} (ON_ERROR={summary.on_error})")
        table.add_column("file")
        table.add_column("status", no_wrap=True)
        table.add_column("loaded", justify="right", no_wrap=True)
        table.add_column("rejected", justify="right", no_wrap=True)
        for row in rows:
            table.add_row(row.label, _status(row.status), f"{row.loaded:,}", f"{row.rejected:,}")
        stdout.print(table)
        _print_errors(rows)

    totals = Table(show_header=False, title="Ingest summary")
    totals.add_column(no_wrap=True)
    totals.add_column(overflow="fold")
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


def print_loaded(summary: IngestSummary) -> None:
    """What a watcher just loaded: one line per file, then its first error if it has one."""
    for r in summary.results:
        facts = f"{r.row_count:,}/{r.row_parsed:,} rows  latency {r.latency_seconds:.1f} s"
        key = elide(r.key, max(16, stdout.width - len(facts) - 22))
        line = Text.assemble((f"{r.status:<16}", _STYLE.get(r.status, "")), f"  {key}  {facts}")
        stdout.print(line, no_wrap=True, overflow="ellipsis")
        if r.first_error:
            message = " ".join(r.first_error.split())
            stdout.print(
                f"  first error: {message}", no_wrap=True, overflow="ellipsis", markup=False
            )


def print_status(status: PipeStatus, as_json: bool = False, hours: float = 24) -> None:
    """The SYSTEM$PIPE_STATUS fields, then the load history of the last `hours`."""
    if as_json:
        stdout.print_json(json.dumps(status.as_json(recent=True)))
        return
    fields = Table.grid(padding=(0, 2))
    fields.add_column(no_wrap=True)
    fields.add_column(overflow="fold")
    for name, value in status.as_json().items():
        fields.add_row(name, Text("–" if value is None else str(value)))
    stdout.print("[bold]Pipe status[/] (the fields of SYSTEM$PIPE_STATUS; --json for JSON)")
    stdout.print(fields)

    rows = _summarise(
        [
            _Row(
                r["file_name"],
                r["status"],
                r["row_count"],
                r["row_parsed"] - r["row_count"],
                r["latency_seconds"],
                at=r["last_load_time"],
                first_error=r["first_error_message"],
            )
            for r in status.recent
        ]
    )
    table = _listing(f"Load history, last {hours:g} h ({len(status.recent)} files)")
    table.add_column("at (UTC)", no_wrap=True)
    table.add_column("file")
    table.add_column("status", no_wrap=True)
    table.add_column("loaded", justify="right", no_wrap=True)
    table.add_column("latency", justify="right", no_wrap=True)
    for row in rows:
        table.add_row(
            f"{row.at:%m-%d %H:%M:%S}" if row.at else "",
            row.label,
            _status(row.status),
            f"{row.loaded:,}",
            f"{row.latency:.1f} s",
        )
    if len(rows) < len(status.recent):
        table.caption = "a folder's row: its latest load, highest latency; --json lists every file"
    stdout.print(table)
    _print_errors(rows)


def print_upload(summary: UploadSummary) -> None:
    table = Table(show_header=False, title=f"Uploaded {summary.source} → {summary.target}")
    table.add_column(no_wrap=True)
    table.add_column(overflow="fold")
    table.add_row(
        "files uploaded", f"{len(summary.uploaded):,} ({decimal(summary.bytes_uploaded)})"
    )
    table.add_row("files unchanged (same MD5/ETag)", f"{len(summary.unchanged):,}")
    table.add_row("wall time", f"{summary.seconds:.1f} s")
    stdout.print(table)
