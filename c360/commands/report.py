"""Render run summaries for the terminal (rich tables on stdout). No logic lives here."""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.filesize import decimal
from rich.table import Table

if TYPE_CHECKING:
    # the generator package pulls in pandas: every `c360` process (a no-op `c360 run`
    # included) would pay 0.3 s for a summary only `c360 generate` prints
    from ingestion.generator import GenerationSummary

stdout = Console()


def print_generation(summary: GenerationSummary) -> None:
    """What the generator wrote: volumes, segment mix, defect counts, churn prevalence."""
    from ingestion.generator.catalog import SEGMENTS

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


def print_alerts(results: list, now: datetime, *, as_json: bool = False) -> None:
    """The spec 10.5 alerts: name, severity, measured value, threshold, status."""
    if as_json:
        payload = {"evaluated_at": now.isoformat(), "alerts": [r.as_json() for r in results]}
        stdout.print_json(json.dumps(payload))
        return
    table = Table(title=f"Alerts (spec 10.5) at {now:%Y-%m-%d %H:%M:%S} UTC")
    for column in ("alert", "severity", "value", "threshold", "status"):
        table.add_column(column, justify="right" if column in ("value", "threshold") else "left")
    style = {"FIRING": "red", "OK": "green", "NO DATA": "dim"}
    for result in results:
        value = "–" if result.value is None else f"{result.value:,.1f}"
        table.add_row(
            result.name,
            result.severity,
            value,
            f"> {result.threshold:g} {result.unit}",
            f"[{style[result.status]}]{result.status}[/]",
        )
    stdout.print(table)


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else text


def cycle_line(cycle: Any) -> str:
    """One line per continuous-mode cycle: files, rows, build and publish time, freshness."""
    label = "catch-up" if cycle.number == 0 else f"cycle {cycle.number}"
    parts = [f"{cycle.files} file{'' if cycle.files == 1 else 's'}, {cycle.rows:,} rows"]
    if cycle.other_files:
        others = ", ".join(f"{n} {status}" for status, n in sorted(cycle.other_files.items()))
        parts[0] += f" ({others})"
    build = cycle.build
    if build is not None and build.ok:
        parts.append(f"build {build.seconds:.1f} s ({build.action})")
    elif build is not None:
        error = _first_line(build.error or "see the log")
        parts.append(f"build FAILED in {build.seconds:.1f} s ({error})")
    if cycle.publish is not None:
        published = cycle.publish
        parts.append(
            f"publish skipped ({published.skipped})"
            if published.skipped
            else f"publish {published.seconds:.1f} s"
        )
    if cycle.freshness_seconds is not None:
        parts.append(f"freshness {cycle.freshness_seconds:.1f} s")
    if cycle.error:
        parts.append(f"{cycle.error} (a later cycle tries again)")
    if cycle.stopped:
        parts.append("not built: stopping (the next start builds it)")
    if build is None and cycle.publish is None and not cycle.error and not cycle.stopped:
        parts.append("nothing to build; prod and the serving copy are up to date")
    return f"{datetime.now():%H:%M:%S} {label}: " + "; ".join(parts)


def print_cycle(cycle: Any) -> None:
    stdout.print(cycle_line(cycle), markup=False, highlight=False, soft_wrap=True)


def print_watch_stopped(summary: Any) -> None:
    """The final line of `c360 run --watch`."""
    failed = f" ({summary.failed_builds} failed)" if summary.failed_builds else ""
    line = (
        f"Stopped after {summary.cycles} cycle{'' if summary.cycles == 1 else 's'}: "
        f"{summary.files} file{'' if summary.files == 1 else 's'} ({summary.rows:,} rows) "
        f"loaded, {summary.builds} build{'' if summary.builds == 1 else 's'}{failed}."
    )
    if summary.unbuilt_files:
        line += (
            f" {summary.unbuilt_files} loaded file(s) not built yet: the next `c360 run` "
            "(or `c360 run --watch`) builds them."
        )
    stdout.print(line, markup=False, highlight=False, soft_wrap=True)
