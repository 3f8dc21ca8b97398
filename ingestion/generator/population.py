"""Customers and their hidden spending behaviour, drawn once per seed.

`Population` holds, per customer, what the file snapshots show (names, card,
limit, segment label) and what they must not show (decline type, campaign
group, when the customer goes silent, the monthly spend multipliers). The
transaction generator reads only this object, so every month is a pure function
of (seed, population, month).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from faker import Faker

from ingestion.generator import catalog as cat
from ingestion.generator.defects import customer_ids, decimal_from_cents
from ingestion.generator.window import HistoryWindow, epoch_day

#: Share of customers who go silent (no transactions for the last 60+ days), by group. Most
#: Declining customers churn by spending little (spec 3.7's second rule), not by going silent,
#: so the campaign groups still have a spend to compare before and after the offer.
SILENT_SHARE = {"treatment": 0.03, "control": 0.10, "other": 0.06, "new": 0.01}
#: Most of them disengage first (fewer and smaller purchases), as real churners do: over the
#: TAPER_DAYS before they go silent, their spend multiplier falls linearly from 1 to
#: TAPER_FLOOR (a customer-month's count and ticket size each follow its square root). The
#: rest stop with no warning (a lost card, a move, a switch to another bank's card).
TAPER_SHARE = 0.8
TAPER_DAYS = (45, 91)
TAPER_FLOOR = (0.10, 0.40)
#: Changes between the first and the second customer snapshot (SCD2 material).
UPGRADE_SHARE = {cat.HVT: 0.30}  # Standard -> Premium among Standard holders; others below
UPGRADE_SHARE_DEFAULT = 0.03
DOWNGRADE_SHARE = 0.01  # Premium -> Standard
LIMIT_INCREASE_SHARE = {cat.NEW_GROWING: 0.25}
LIMIT_INCREASE_SHARE_DEFAULT = 0.05
LIMIT_DECREASE_SHARE_DECLINING = 0.10
#: Declining customers: the level (share of their baseline) they have fallen to by month 14,
DECLINE_FLOOR = (0.15, 0.45)
#: ... the share of it they keep each month from there (the slide the control group continues),
DECLINE_SLIDE = (0.90, 0.96)
#: ... and the treatment group's spend from month 17 against its months 14-15 (the 2 months
#: before the offer month, which gold's campaign_performance takes as "pre").
CAMPAIGN_RECOVERY = (1.15, 1.45)


@dataclass
class Population:
    window: HistoryWindow
    # observable attributes
    customer_id: pa.Array
    first_name: pa.Array
    last_name: pa.Array
    email: pa.Array
    age: np.ndarray
    state: pa.Array
    city: pa.Array
    employment: np.ndarray  # index into catalog.EMPLOYMENT_STATUSES
    segment: np.ndarray  # index into catalog.SEGMENTS
    premium_first: np.ndarray  # bool, first snapshot
    premium_second: np.ndarray  # bool, second snapshot
    limit_first: np.ndarray  # int dollars
    limit_second: np.ndarray
    open_day: np.ndarray  # epoch day the account opened
    # hidden behaviour
    base_spend: np.ndarray  # monthly spend at multiplier 1
    base_count: np.ndarray  # monthly transaction count at multiplier 1
    multiplier: np.ndarray  # (n, months) spend multiplier per history month
    decline_type: np.ndarray  # '', 'gradual', 'sudden'
    campaign_group: np.ndarray  # '', 'treatment', 'control'
    silent_day: np.ndarray  # epoch day from which the customer never transacts (big = never)

    @property
    def size(self) -> int:
        return int(self.age.size)


NEVER = np.iinfo(np.int32).max


def _faker_pool(seed: int, kind: str, size: int) -> np.ndarray:
    """A pool of Faker values (weighted as Faker weights them), drawn once per seed."""
    fake = Faker("en_US")
    fake.seed_instance(seed)
    make = getattr(fake, kind)
    return np.array([make() for _ in range(size)], dtype=object)


def build_population(n: int, seed: int, window: HistoryWindow) -> Population:
    """Draw `n` customers; fully vectorized apart from small Faker vocabulary pools."""
    rng = np.random.default_rng([seed, 0])

    segment = rng.choice(len(cat.SEGMENTS), size=n, p=[s.share for s in cat.SEGMENTS])
    seg_of = [cat.SEGMENTS[i] for i in range(len(cat.SEGMENTS))]

    first_names = _faker_pool(seed, "first_name", 4000)
    last_names = _faker_pool(seed + 1, "last_name", 4000)
    cities = _faker_pool(seed + 2, "city", 3000)
    domains = _faker_pool(seed + 3, "free_email_domain", 200)
    first = pa.array(first_names[rng.integers(0, first_names.size, n)], pa.string())
    last = pa.array(last_names[rng.integers(0, last_names.size, n)], pa.string())
    number = np.arange(1, n + 1)
    email = pc.utf8_lower(
        pc.binary_join_element_wise(
            first,
            ".",
            last,
            pa.array(number).cast(pa.string()),
            "@",
            pa.array(domains[rng.integers(0, domains.size, n)], pa.string()),
            "",
        )
    )
    email = pc.replace_substring(email, " ", "")
    email = pc.replace_substring_regex(email, r"\.(\d+)@", r"\1@")

    states = np.array(list(cat.STATE_POPULATION))
    weights = np.array(list(cat.STATE_POPULATION.values()))
    state = pa.array(states[rng.choice(states.size, size=n, p=weights / weights.sum())])
    city = pa.array(cities[rng.integers(0, cities.size, n)], pa.string())

    age = rng.integers(22, 76, n)
    retired_age = age >= 63
    u = rng.random(n)
    employment = np.where(
        retired_age,
        np.searchsorted(np.cumsum(cat.EMPLOYMENT_WEIGHTS_RETIREMENT_AGE), u, side="right"),
        np.searchsorted(np.cumsum(cat.EMPLOYMENT_WEIGHTS_WORKING_AGE), u, side="right"),
    ).clip(0, len(cat.EMPLOYMENT_STATUSES) - 1)

    premium_share = np.array([s.premium_share for s in seg_of])[segment]
    premium_first = rng.random(n) < premium_share
    lo = np.array([s.credit_limit_range[0] for s in seg_of])[segment]
    hi = np.array([s.credit_limit_range[1] for s in seg_of])[segment]
    limit_first = (np.round(rng.uniform(lo, hi) / 500) * 500).astype(np.int64)

    # Accounts opened 2-5 years before the history; New & Growing inside its first 6 months.
    start_day = epoch_day(window.start)
    open_day = start_day - rng.integers(2 * 365, 5 * 365, n)
    is_new = segment == cat.NEW_GROWING
    open_first6 = epoch_day(window.month(7).start) - start_day
    open_day = np.where(is_new, start_day + rng.integers(0, open_first6, n), open_day)

    spend_lo = np.array([s.spend_range[0] for s in seg_of])[segment]
    spend_hi = np.array([s.spend_range[1] for s in seg_of])[segment]
    base_spend = rng.uniform(spend_lo, spend_hi)
    base_count = np.array([s.txns_per_month for s in seg_of])[segment] * rng.lognormal(0, 0.2, n)

    decline_type, campaign_group, multiplier = _trajectories(rng, segment, open_day, window)

    silent_share = np.where(
        campaign_group == "treatment",
        SILENT_SHARE["treatment"],
        np.where(
            campaign_group == "control",
            SILENT_SHARE["control"],
            np.where(is_new, SILENT_SHARE["new"], SILENT_SHARE["other"]),
        ),
    )
    goes_silent = rng.random(n) < silent_share
    as_of_day = epoch_day(window.as_of)
    silent_day = np.where(goes_silent, as_of_day - rng.integers(61, 121, n), NEVER)
    silent_day = np.maximum(silent_day, open_day + 30)

    premium_second, limit_second = _second_snapshot(rng, segment, premium_first, limit_first)
    # drawn last, so that every draw above is the same with or without the taper
    multiplier = multiplier * _disengagement(rng, silent_day, open_day, campaign_group, window)

    return Population(
        window=window,
        customer_id=customer_ids(number),
        first_name=first,
        last_name=last,
        email=email,
        age=age,
        state=state,
        city=city,
        employment=employment,
        segment=segment,
        premium_first=premium_first,
        premium_second=premium_second,
        limit_first=limit_first,
        limit_second=limit_second,
        open_day=open_day,
        base_spend=base_spend,
        base_count=base_count,
        multiplier=multiplier,
        decline_type=decline_type,
        campaign_group=campaign_group,
        silent_day=silent_day.astype(np.int64),
    )


def _trajectories(
    rng: np.random.Generator, segment: np.ndarray, open_day: np.ndarray, window: HistoryWindow
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Monthly spend multipliers: flat, declining (gradual/sudden), or growing.

    Declining customers fall to a low level before the month-16 retention offer
    (gradually from month 10-11 to months 13-14, or suddenly at month 12-14) and
    keep sliding slowly from there. Half of them receive the offer: from month 17
    their spend recovers to 115-145 % of its level in the two months before the
    offer month, while the control group keeps sliding.
    """
    n = segment.size
    months = window.n_months
    m = np.arange(1, months + 1)[None, :].astype(float)
    multiplier = np.ones((n, months))

    declining = segment == cat.DECLINING
    sudden = declining & (rng.random(n) < 0.5)
    gradual = declining & ~sudden
    decline_type = np.where(gradual, "gradual", np.where(sudden, "sudden", ""))

    offer = cat.CAMPAIGN_OFFER_MONTH
    floor = rng.uniform(*DECLINE_FLOOR, n)[:, None]
    start = rng.integers(offer - 6, offer - 4, n)[:, None]  # gradual: months 10-11 ...
    reach = rng.integers(offer - 3, offer - 1, n)[:, None]  # ... down to the floor by 13-14
    frac = np.clip((m - start) / (reach - start), 0, 1)
    drop = rng.integers(offer - 4, offer - 1, n)[:, None]  # sudden: months 12-14
    path = np.where(gradual[:, None], 1 - (1 - floor) * frac, np.where(m >= drop, floor, 1.0))
    bottom = np.where(gradual[:, None], reach, drop)
    slide = rng.uniform(*DECLINE_SLIDE, n)[:, None] ** np.clip(m - bottom, 0, None)
    multiplier = np.where(declining[:, None], path * slide, multiplier)

    # An A/B split is exact: a random half of the Declining customers is treated.
    treated = np.zeros(n, dtype=bool)
    members = rng.permutation(np.flatnonzero(declining))
    treated[members[: members.size // 2]] = True
    campaign_group = np.where(treated, "treatment", np.where(declining, "control", ""))
    before = multiplier[:, offer - 3 : offer - 1].mean(axis=1, keepdims=True)
    recovery = rng.uniform(*CAMPAIGN_RECOVERY, n)[:, None]
    post = m > offer
    multiplier = np.where(treated[:, None] & post, before * recovery, multiplier)

    # New & Growing: from ~45 % at account opening up to 110-150 % by month 18.
    growing = segment == cat.NEW_GROWING
    month_starts = np.array([epoch_day(month.start) for month in window.months])
    first_m = np.searchsorted(month_starts, open_day, side="right").clip(1, months)[:, None]
    top = rng.uniform(1.10, 1.50, n)[:, None]
    span = np.maximum(months - first_m, 1)
    grow = 0.45 + (top - 0.45) * np.clip((m - first_m) / span, 0, 1)
    multiplier = np.where(growing[:, None], grow, multiplier)

    # Month-to-month noise around every trajectory.
    multiplier = multiplier * rng.lognormal(0, 0.06, (n, months))
    return decline_type, campaign_group, multiplier


def _disengagement(
    rng: np.random.Generator,
    silent_day: np.ndarray,
    open_day: np.ndarray,
    campaign_group: np.ndarray,
    window: HistoryWindow,
) -> np.ndarray:
    """(n, months) factors on the spend multiplier: the taper before a customer goes silent.

    The factor falls linearly over the customer's taper (TAPER_DAYS before `silent_day`, down
    to TAPER_FLOOR on the last day); a month takes its average over the days the customer
    is active in it, so the month the customer goes silent carries the lowest factor. Silent
    customers without a taper (1 - TAPER_SHARE), and everyone else, keep 1. Declining
    customers (the campaign groups) are left out: their own trajectory is already their
    disengagement (down to 15-45 % of their baseline), and the campaign's pre level, measured
    right before the offer, stays the level their decline reached.
    """
    n = silent_day.size
    draw = rng.random(n)
    tapers = (silent_day != NEVER) & (campaign_group == "") & (draw < TAPER_SHARE)
    length = rng.integers(*TAPER_DAYS, n).astype(float)
    floor = rng.uniform(*TAPER_FLOOR, n)
    starts = np.array([epoch_day(month.start) for month in window.months], dtype=float)
    ends = np.array([epoch_day(month.end) for month in window.months], dtype=float)
    silent = np.where(tapers, silent_day, 0).astype(float)[:, None]
    lo = np.maximum(starts[None, :], open_day[:, None].astype(float))
    hi = np.maximum(np.minimum(ends[None, :], silent), lo)
    begin = silent - length[:, None]

    def ramp_integral(x: np.ndarray) -> np.ndarray:
        # integral up to x of the ramp clip((t - begin) / length, 0, 1)
        inside = np.clip(x - begin, 0, length[:, None])
        return inside**2 / (2 * length[:, None]) + np.maximum(x - begin - length[:, None], 0)

    days = hi - lo
    ramp = np.where(days > 0, (ramp_integral(hi) - ramp_integral(lo)) / np.maximum(days, 1), 0.0)
    factor = 1 - (1 - floor[:, None]) * ramp
    return np.where(tapers[:, None], factor, 1.0)


def _second_snapshot(
    rng: np.random.Generator,
    segment: np.ndarray,
    premium_first: np.ndarray,
    limit_first: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Card upgrades/downgrades and credit-limit changes between the two snapshots."""
    n = segment.size
    upgrade_share = np.where(segment == cat.HVT, UPGRADE_SHARE[cat.HVT], UPGRADE_SHARE_DEFAULT)
    upgrade = ~premium_first & (rng.random(n) < upgrade_share)
    downgrade = premium_first & (rng.random(n) < DOWNGRADE_SHARE)
    premium_second = (premium_first | upgrade) & ~downgrade

    increase_share = np.where(
        segment == cat.NEW_GROWING,
        LIMIT_INCREASE_SHARE[cat.NEW_GROWING],
        LIMIT_INCREASE_SHARE_DEFAULT,
    )
    increase = rng.random(n) < increase_share
    decrease = (
        (segment == cat.DECLINING) & ~increase & (rng.random(n) < LIMIT_DECREASE_SHARE_DECLINING)
    )
    factor = np.where(
        increase, rng.uniform(1.1, 1.5, n), np.where(decrease, rng.uniform(0.6, 0.9, n), 1.0)
    )
    factor = np.where(upgrade, np.maximum(factor, 1.25), factor)
    limit_second = np.clip(np.round(limit_first * factor / 500) * 500, 5000, 50000).astype(np.int64)
    return premium_second, limit_second


def snapshot_table(pop: Population, second: bool) -> pa.Table:
    """A customer file: the first snapshot (history start) or the second (as-of date).

    Customers whose account opened after the snapshot date are not in it.
    """
    window = pop.window
    day = window.as_of if second else window.start
    present = pop.open_day <= epoch_day(day)
    premium = pop.premium_second if second else pop.premium_first
    limit = pop.limit_second if second else pop.limit_first
    open_date = pa.array(pop.open_day.astype("datetime64[D]"), pa.date32())
    table = pa.table(
        {
            "customer_id": pop.customer_id,
            "first_name": pop.first_name,
            "last_name": pop.last_name,
            "email": pop.email,
            "age": pa.array(pop.age, pa.int32()),
            "state": pop.state,
            "city": pop.city,
            "employment_status": pa.array(np.array(cat.EMPLOYMENT_STATUSES)[pop.employment]),
            "card_type": pa.array(np.where(premium, "Premium", "Standard")),
            "credit_limit": decimal_from_cents(limit * 100),
            "account_open_date": open_date,
            "customer_segment": pa.array(np.array(cat.SEGMENT_NAMES)[pop.segment]),
        }
    )
    return table.filter(pa.array(present))


def snapshot_dates(window: HistoryWindow) -> tuple[date, date]:
    """Dates of the two customer snapshots: history start and the as-of date."""
    return window.start, window.as_of
