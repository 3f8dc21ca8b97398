"""Vectorized transaction generation: one calendar month or one hour at a time.

No per-row Python: counts are Poisson draws per customer, rows are `np.repeat`
of customers, and every attribute is a numpy draw indexed by segment or category.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from faker import Faker

from ingestion.generator import catalog as cat
from ingestion.generator.defects import decimal_from_cents
from ingestion.generator.population import Population
from ingestion.generator.window import Month, epoch_day

SECONDS_PER_DAY = 86_400
_CATEGORY_CDF = np.cumsum(cat.CATEGORY_MIX, axis=1)
_CHANNEL_CDF = np.cumsum(cat.CHANNEL_MIX, axis=1)
_HOUR_CDF = np.cumsum(cat.HOUR_WEIGHTS)
_TICKET_SIGMA = 0.6  # log-normal spread of ticket sizes around the customer's mean


@dataclass(frozen=True)
class MonthDraw:
    """A month's clean rows plus the per-customer facts the churn label needs."""

    table: pa.Table
    customer_index: np.ndarray
    epoch_seconds: np.ndarray
    cents: np.ndarray


def merchant_pool(seed: int) -> pa.Array:
    """`MERCHANTS_PER_CATEGORY` names per category, category-major order."""
    fake = Faker("en_US")
    fake.seed_instance(seed + 7)
    names = []
    for category in cat.CATEGORY_NAMES:
        suffixes = cat.MERCHANT_SUFFIXES[category]
        seen: set[str] = set()
        while len(seen) < cat.MERCHANTS_PER_CATEGORY:
            seen.add(f"{fake.last_name()} {suffixes[len(seen) % len(suffixes)]}")
        names.extend(sorted(seen))
    return pa.array(names, pa.string())


def _pick_rows(rng: np.random.Generator, cdf: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Draw one column index per row from per-row CDFs `cdf[rows]` (vectorized)."""
    u = rng.random(rows.size)
    return (u[:, None] > cdf[rows]).sum(axis=1)


def _attributes(
    rng: np.random.Generator,
    pop: Population,
    customer: np.ndarray,
    mean_ticket: np.ndarray,
    merchants: pa.Array,
) -> tuple[np.ndarray, pa.Array, pa.Array, pa.Array]:
    """Category, amount (cents), merchant and channel for each row."""
    segment = pop.segment[customer]
    category = _pick_rows(rng, _CATEGORY_CDF, segment)
    factor = cat.TICKET_FACTOR_BY_SEGMENT[segment, category]
    noise = rng.lognormal(-(_TICKET_SIGMA**2) / 2, _TICKET_SIGMA, customer.size)
    cents = np.maximum(np.round(mean_ticket * factor * noise * 100), 100).astype(np.int64)
    # Popular merchants get most of the traffic (square of a uniform skews to low ranks).
    rank = (rng.random(customer.size) ** 2 * cat.MERCHANTS_PER_CATEGORY).astype(np.int64)
    merchant = merchants.take(pa.array(category * cat.MERCHANTS_PER_CATEGORY + rank))
    channel = _pick_rows(rng, _CHANNEL_CDF, category)
    categories = pa.array(cat.CATEGORY_NAMES).take(pa.array(category))
    channels = pa.array(cat.CHANNELS).take(pa.array(channel))
    return cents, merchant, categories, channels


def _table(
    ids: pa.Array,
    pop: Population,
    customer: np.ndarray,
    seconds: np.ndarray,
    cents: np.ndarray,
    merchant: pa.Array,
    categories: pa.Array,
    channels: pa.Array,
) -> pa.Table:
    return pa.table(
        {
            "transaction_id": ids,
            "customer_id": pop.customer_id.take(pa.array(customer)),
            "transaction_date": pa.array(seconds, pa.timestamp("s")),
            "transaction_amount": decimal_from_cents(cents),
            "merchant_name": merchant,
            "merchant_category": categories,
            "channel": channels,
        }
    )


def historical_ids(first: int, count: int) -> pa.Array:
    """`TXN` + 10-digit sequence numbers (spec 5.4's historical ids)."""
    digits = pc.utf8_lpad(pa.array(np.arange(first, first + count)).cast(pa.string()), 10, "0")
    return pc.binary_join_element_wise("TXN", digits, "")


def generate_month(
    pop: Population, month: Month, rng: np.random.Generator, merchants: pa.Array, first_id: int
) -> MonthDraw:
    """All clean transactions of one history month, sorted by time, ids from `first_id`."""
    season = cat.SEASONALITY.get(month.start.month, 1.0)
    mult = pop.multiplier[:, month.index - 1] * season
    lo = np.maximum(epoch_day(month.start), pop.open_day)
    hi = np.minimum(epoch_day(month.end), pop.silent_day)
    active_days = np.clip(hi - lo, 0, None)
    share = active_days / month.full_days  # partial months and partial activity scale counts
    expected = pop.base_count * np.sqrt(mult) * share
    counts = rng.poisson(expected)
    customer = np.repeat(np.arange(pop.size), counts)

    day = lo[customer] + (rng.random(customer.size) * active_days[customer]).astype(np.int64)
    hour = np.searchsorted(_HOUR_CDF, rng.random(customer.size), side="right").clip(0, 23)
    seconds = day * SECONDS_PER_DAY + hour * 3600 + rng.integers(0, 3600, customer.size)
    order = np.argsort(seconds, kind="stable")
    customer, seconds = customer[order], seconds[order]

    mean_ticket = (pop.base_spend / pop.base_count * np.sqrt(mult))[customer]
    cents, merchant, categories, channels = _attributes(rng, pop, customer, mean_ticket, merchants)
    ids = historical_ids(first_id, customer.size)
    table = _table(ids, pop, customer, seconds, cents, merchant, categories, channels)
    return MonthDraw(table, customer, seconds, cents)


def generate_hour(
    pop: Population, hour: datetime, rng: np.random.Generator, merchants: pa.Array, rate: float
) -> pa.Table:
    """One streaming batch: Poisson(`rate`) transactions inside `hour`, by active customers."""
    start = int((hour - datetime(1970, 1, 1)).total_seconds())
    day = start // SECONDS_PER_DAY
    last = pop.window.n_months - 1
    mult = pop.multiplier[:, last]
    active = (pop.open_day <= day) & (pop.silent_day > day)
    weight = np.where(active, pop.base_count * np.sqrt(mult), 0.0)
    count = int(rng.poisson(rate))
    customer = np.sort(rng.choice(pop.size, size=count, p=weight / weight.sum()))
    seconds = np.sort(start + rng.integers(0, 3600, count))
    customer = rng.permutation(customer)

    mean_ticket = (pop.base_spend / pop.base_count * np.sqrt(mult))[customer]
    cents, merchant, categories, channels = _attributes(rng, pop, customer, mean_ticket, merchants)
    stamp = hour.strftime("%Y%m%d%H")
    digits = pc.utf8_lpad(pa.array(np.arange(count)).cast(pa.string()), 5, "0")
    ids = pc.binary_join_element_wise(f"TXN{stamp}", digits, "")
    return _table(ids, pop, customer, seconds, cents, merchant, categories, channels)
