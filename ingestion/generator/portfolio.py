"""Generate a whole portfolio (customers + history) or further hourly batches.

This is the generator's one entry point for the CLI and the benchmark: it owns
the RNG streams (one per component and month, so months are independent and
reproducible), writes files through `writer`, and reports what it made.
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from c360.core.logs import console
from ingestion import layout
from ingestion.generator import catalog as cat
from ingestion.generator.defects import (
    UNKNOWN_CUSTOMER_BASE,
    DefectRates,
    cents_of,
    corrupt_values,
    duplicate_rows,
)
from ingestion.generator.population import (
    NEVER,
    Population,
    build_population,
    snapshot_dates,
    snapshot_table,
)
from ingestion.generator.transactions import generate_hour, generate_month, merchant_pool
from ingestion.generator.window import HistoryWindow, epoch_day
from ingestion.generator.writer import write_table

log = logging.getLogger(__name__)

STATE_FILE = "state.json"
TRUTH_FILE = "customers_truth.csv"
HOURLY_RATE = 750.0
#: Churn label of spec 3.7: silent for this many days ...
CHURN_SILENT_DAYS = 60
#: ... or spend over the last 90 days below this share of the baseline (months 1-12).
CHURN_SPEND_RATIO = 0.30


@dataclass
class GenerationSummary:
    """What a generator run made; printed by the CLI and the benchmark."""

    output_dir: Path
    seed: int
    as_of: date
    file_format: str
    customers: int = 0
    customer_rows: int = 0
    transaction_rows: int = 0
    clean_transactions: int = 0
    files: int = 0
    bytes_written: int = 0
    seconds: float = 0.0
    segments: dict[str, int] = field(default_factory=dict)
    defects: dict[str, int] = field(default_factory=dict)
    churn_label_rate: float | None = None
    hours: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class GeneratorState:
    """Saved next to the hidden truth so hourly batches continue the same portfolio."""

    seed: int
    customers: int
    as_of: str
    file_format: str

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / STATE_FILE).write_text(json.dumps(asdict(self), indent=2) + "\n")

    @classmethod
    def load(cls, folder: Path) -> GeneratorState:
        path = folder / STATE_FILE
        if not path.exists():
            raise FileNotFoundError(
                f"no generated portfolio in {folder.parent} (missing {path.name}); "
                "run `c360 generate` first"
            )
        return cls(**json.loads(path.read_text()))


def _progress(enabled: bool = True) -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not enabled,
    )


def generate_portfolio(
    landing_dir: Path,
    generator_dir: Path,
    customers: int = 50_000,
    seed: int = 42,
    as_of: date | None = None,
    file_format: layout.FileFormat = "csv",
    rates: DefectRates | None = None,
    show_progress: bool = True,
) -> GenerationSummary:
    """Customers (two snapshots), 18 monthly transaction files, campaign list, hidden truth."""
    started = time.perf_counter()
    window = HistoryWindow(as_of or date.today())
    rates = rates or DefectRates()
    summary = GenerationSummary(landing_dir, seed, window.as_of, file_format)
    defects: Counter[str] = Counter()

    pop = build_population(customers, seed, window)
    merchants = merchant_pool(seed)
    summary.customers = pop.size
    summary.segments = {
        name: int(count)
        for name, count in zip(
            cat.SEGMENT_NAMES, np.bincount(pop.segment, minlength=5), strict=True
        )
    }

    with ThreadPoolExecutor(max_workers=2) as pool, _progress(show_progress) as progress:
        writes: list[Future[int]] = []

        def write(table: pa.Table, key: str) -> None:
            writes.append(pool.submit(write_table, table, landing_dir / key, file_format))

        first, second = snapshot_dates(window)
        for day, is_second in ((first, False), (second, True)):
            snapshot = snapshot_table(pop, second=is_second)
            summary.customer_rows += snapshot.num_rows
            write(snapshot, layout.customers_key(day, file_format))
        write(_campaign_table(pop), layout.campaigns_key(file_format))

        task = progress.add_task("Generating transactions", total=window.n_months)
        spend = np.zeros((pop.size, window.n_months))
        last_seen = np.full(pop.size, -1, dtype=np.int64)
        recent = np.zeros(pop.size)
        recent_from = (epoch_day(window.as_of) - 90) * 86_400
        previous: pa.Table | None = None
        next_id = 1
        for month in window.months:
            rng = np.random.default_rng([seed, 1, month.index])
            draw = generate_month(pop, month, rng, merchants, next_id)
            next_id += draw.table.num_rows
            summary.clean_transactions += draw.table.num_rows

            spend[:, month.index - 1] = np.bincount(
                draw.customer_index, weights=draw.cents / 100, minlength=pop.size
            )
            np.maximum.at(last_seen, draw.customer_index, draw.epoch_seconds)
            late = draw.epoch_seconds >= recent_from
            recent += np.bincount(
                draw.customer_index[late], weights=draw.cents[late] / 100, minlength=pop.size
            )

            dirty, previous = _with_defects(draw.table, previous, rates, rng, defects)
            summary.transaction_rows += dirty.num_rows
            write(dirty, layout.historical_key(month.start, file_format))
            progress.advance(task)

        truth = _truth_table(pop, spend, last_seen, recent)
        generator_dir.mkdir(parents=True, exist_ok=True)
        write_table(truth, generator_dir / TRUTH_FILE, "csv")
        summary.churn_label_rate = float(np.mean(truth["churn_label"].to_numpy()))
        summary.bytes_written = sum(f.result() for f in writes)
        summary.files = len(writes)

    GeneratorState(seed, customers, window.as_of.isoformat(), file_format).save(generator_dir)
    summary.defects = dict(defects)
    summary.seconds = time.perf_counter() - started
    log.info(
        "generated %s customers and %s transactions in %.1f s",
        f"{summary.customers:,}",
        f"{summary.transaction_rows:,}",
        summary.seconds,
    )
    return summary


def _with_defects(
    table: pa.Table,
    previous: pa.Table | None,
    rates: DefectRates,
    rng: np.random.Generator,
    defects: Counter[str],
) -> tuple[pa.Table, pa.Table]:
    """Apply value defects, then duplicates; count each defect kind.

    Returns the file's rows and its rows before duplication: the next file re-sends
    some of those exactly as they were written.
    """
    dirty = corrupt_values(table, rates, rng)
    defects["missing_category"] += dirty["merchant_category"].null_count
    numbers = pc.cast(pc.utf8_slice_codeunits(dirty["customer_id"], 4), pa.int64())
    defects["unknown_customer"] += int(
        pc.sum(pc.greater_equal(numbers, UNKNOWN_CUSTOMER_BASE)).as_py() or 0
    )
    cents = cents_of(dirty["transaction_amount"])
    defects["zero_amount"] += int(np.sum(cents == 0))
    defects["negative_amount"] += int(np.sum(cents < 0))
    written, in_file, across = duplicate_rows(dirty, previous, rates, rng)
    defects["duplicate_in_file"] += in_file
    defects["duplicate_across_files"] += across
    return written, dirty


def _campaign_table(pop: Population) -> pa.Table:
    """The marketing system's record of who got the month-16 offer (and who is control)."""
    member = pop.campaign_group != ""
    offer_date = pop.window.month(cat.CAMPAIGN_OFFER_MONTH).start
    n = int(member.sum())
    return pa.table(
        {
            "campaign_name": pa.array([cat.CAMPAIGN_NAME] * n),
            "customer_id": pop.customer_id.filter(pa.array(member)),
            "treatment_group": pa.array(pop.campaign_group[member]),
            "offer_date": pa.array([offer_date] * n, pa.date32()),
            "offer_type": pa.array([cat.CAMPAIGN_OFFER] * n),
            "cost_per_customer": pa.array([cat.CAMPAIGN_COST_PER_CUSTOMER] * n, pa.int32()),
        }
    )


def _truth_table(
    pop: Population, spend: np.ndarray, last_seen: np.ndarray, recent: np.ndarray
) -> pa.Table:
    """Hidden truth plus the spec-3.7 churn label computed from the clean history.

    churned = no transaction in the last 60 days, or spend over the last 90 days
    (per 30 days) below 30 % of the baseline (average active month in months 1-12).
    """
    window = pop.window
    as_of_seconds = epoch_day(window.as_of) * 86_400
    days_since = np.where(last_seen >= 0, (as_of_seconds - last_seen) // 86_400, 10_000)
    month_ends = np.array([epoch_day(m.end) for m in window.months[:12]])
    active_months = np.maximum((pop.open_day[:, None] < month_ends[None, :]).sum(axis=1), 1)
    baseline = spend[:, :12].sum(axis=1) / active_months
    ratio = np.where(baseline > 0, (recent / 3) / np.maximum(baseline, 1e-9), 0.0)
    churned = (days_since >= CHURN_SILENT_DAYS) | (ratio < CHURN_SPEND_RATIO)
    silent = pop.silent_day != NEVER
    silent_from = pa.array(
        np.where(silent, pop.silent_day, 0).astype(np.int32), pa.int32(), mask=~silent
    ).cast(pa.date32())
    return pa.table(
        {
            "customer_id": pop.customer_id,
            "true_segment": pa.array(np.array(cat.SEGMENT_NAMES)[pop.segment]),
            "decline_type": pa.array(pop.decline_type),
            "campaign_group": pa.array(pop.campaign_group),
            "silent_from": silent_from,
            "days_since_last_transaction": pa.array(days_since),
            "recent_to_baseline_ratio": pa.array(np.round(ratio, 4)),
            "churn_label": pa.array(churned),
        }
    )


def generate_hourly(
    landing_dir: Path,
    generator_dir: Path,
    hours: int,
    rates: DefectRates | None = None,
    start: datetime | None = None,
) -> GenerationSummary:
    """Append `hours` streaming batches to the portfolio saved in `generator_dir`.

    Batches continue after the newest hour already in the landing zone (or start
    at the as-of midnight), so calling this every hour simulates the live feed.
    Each hour's RNG is seeded by (seed, hour), so a given hour is reproducible.
    """
    started = time.perf_counter()
    state = GeneratorState.load(generator_dir)
    window = HistoryWindow(date.fromisoformat(state.as_of))
    rates = rates or DefectRates()
    fmt: layout.FileFormat = state.file_format  # type: ignore[assignment]
    summary = GenerationSummary(landing_dir, state.seed, window.as_of, fmt)
    pop = build_population(state.customers, state.seed, window)
    merchants = merchant_pool(state.seed)
    hour = start or _next_hour(landing_dir, window)
    defects: Counter[str] = Counter()

    def batch(at: datetime) -> tuple[pa.Table, np.random.Generator]:
        rng = np.random.default_rng(
            [state.seed, 2, int((at - datetime(1970, 1, 1)).total_seconds()) // 3600]
        )
        return generate_hour(pop, at, rng, merchants, HOURLY_RATE), rng

    previous = None
    if hour > window.as_of_midnight:  # the previous hour, as it was written, for re-sends
        before, rng = batch(hour - timedelta(hours=1))
        previous = corrupt_values(before, rates, rng)
    for _ in range(hours):
        clean, rng = batch(hour)
        dirty, previous = _with_defects(clean, previous, rates, rng, defects)
        summary.bytes_written += write_table(
            dirty, landing_dir / layout.streaming_key(hour, fmt), fmt
        )
        summary.files += 1
        summary.clean_transactions += clean.num_rows
        summary.transaction_rows += dirty.num_rows
        summary.hours.append(hour.isoformat(timespec="minutes"))
        hour += timedelta(hours=1)
    summary.defects = dict(defects)
    summary.seconds = time.perf_counter() - started
    return summary


def _next_hour(landing_dir: Path, window: HistoryWindow) -> datetime:
    """The hour after the newest streaming batch, or the as-of midnight."""
    root = landing_dir / layout.STREAMING_DIR
    hours = [
        datetime.strptime("/".join(p.relative_to(root).parts[:4]), "%Y/%m/%d/%H")
        for p in root.glob("*/*/*/*/transactions_*")
        if not layout.is_hidden(p.name)
    ]
    return max(hours) + timedelta(hours=1) if hours else window.as_of_midnight
