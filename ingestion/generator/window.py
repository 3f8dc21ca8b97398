"""The 18-month history window that an `--as-of` date closes.

History runs over 18 calendar months and ends at the start of the as-of day
(exclusive), so the last month is partial unless the as-of date is the 1st.
Calendar months (not 30-day slices) keep the monthly files and the monthly
marts aligned.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property

EPOCH = date(1970, 1, 1)


def add_months(day: date, months: int) -> date:
    """First day of the month `months` after the month of `day`."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def epoch_day(day: date) -> int:
    return (day - EPOCH).days


@dataclass(frozen=True)
class Month:
    index: int  # 1-based position in the history
    start: date  # first day of the calendar month
    end: date  # exclusive: the next month's first day, or the as-of date

    @property
    def full_days(self) -> int:
        return (add_months(self.start, 1) - self.start).days

    @property
    def days(self) -> int:
        return (self.end - self.start).days


@dataclass(frozen=True)
class HistoryWindow:
    as_of: date
    n_months: int = 18

    @cached_property
    def months(self) -> tuple[Month, ...]:
        last_start = (self.as_of - timedelta(days=1)).replace(day=1)
        first_start = add_months(last_start, -(self.n_months - 1))
        out = []
        for i in range(self.n_months):
            start = add_months(first_start, i)
            end = min(add_months(start, 1), self.as_of)
            out.append(Month(i + 1, start, end))
        return tuple(out)

    @property
    def start(self) -> date:
        return self.months[0].start

    @property
    def end(self) -> date:
        return self.as_of

    @property
    def as_of_midnight(self) -> datetime:
        return datetime(self.as_of.year, self.as_of.month, self.as_of.day)

    def month(self, index: int) -> Month:
        return self.months[index - 1]
