"""Realistic defects injected into transaction files, at documented rates.

Every rate is a share of the clean rows of a file. The pipeline must detect each
defect (silver dedup, `Uncategorized`, unknown-customer and non-positive flags)
rather than the generator hiding them; docs/data-generator.md lists them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

#: Unknown customer ids start here: far above any generated portfolio's ids.
UNKNOWN_CUSTOMER_BASE = 90_000_000


@dataclass(frozen=True)
class DefectRates:
    duplicate_in_file: float = 0.005  # exact copies of rows of the same file
    duplicate_across_files: float = 0.002  # rows of the previous file re-sent in this one
    missing_category: float = 0.01  # merchant_category empty
    unknown_customer: float = 0.0005  # customer_id not in any customer snapshot
    zero_amount: float = 0.0005  # transaction_amount = 0.00 (processor errors)
    negative_amount: float = 0.0005  # transaction_amount < 0 (refunds)

    @classmethod
    def none(cls) -> DefectRates:
        return cls(0.0, 0.0, 0.0, 0.0, 0.0, 0.0)


def _pick(rng: np.random.Generator, n: int, rate: float) -> np.ndarray:
    """Row positions for a defect: Binomial(n, rate) distinct rows."""
    k = int(rng.binomial(n, rate)) if n and rate else 0
    return np.sort(rng.choice(n, size=k, replace=False)) if k else np.empty(0, dtype=np.int64)


def corrupt_values(table: pa.Table, rates: DefectRates, rng: np.random.Generator) -> pa.Table:
    """Blank categories, foreign customer ids and non-positive amounts, replacing clean values."""
    n = table.num_rows
    columns = {name: table[name] for name in table.column_names}

    missing = _pick(rng, n, rates.missing_category)
    if missing.size:
        columns["merchant_category"] = pc.replace_with_mask(
            columns["merchant_category"].combine_chunks(),
            _mask(n, missing),
            pa.nulls(missing.size, pa.string()),
        )

    unknown = _pick(rng, n, rates.unknown_customer)
    if unknown.size:
        foreign = UNKNOWN_CUSTOMER_BASE + rng.integers(0, 9_999_999, unknown.size)
        columns["customer_id"] = pc.replace_with_mask(
            columns["customer_id"].combine_chunks(), _mask(n, unknown), customer_ids(foreign)
        )

    zero = _pick(rng, n, rates.zero_amount)
    negative = _pick(rng, n, rates.negative_amount)
    if zero.size or negative.size:
        cents = cents_of(columns["transaction_amount"])
        cents[zero] = 0
        cents[negative] = -cents[negative]
        columns["transaction_amount"] = decimal_from_cents(cents)

    return pa.table(columns)


def _mask(n: int, positions: np.ndarray) -> pa.Array:
    mask = np.zeros(n, dtype=bool)
    mask[positions] = True
    return pa.array(mask)


def customer_ids(numbers: np.ndarray) -> pa.Array:
    """`CUST########` ids from integers, formatted in Arrow (no Python loop)."""
    digits = pc.utf8_lpad(pa.array(numbers, pa.int64()).cast(pa.string()), 8, "0")
    return pc.binary_join_element_wise("CUST", digits, "")


def duplicate_rows(
    table: pa.Table, previous: pa.Table | None, rates: DefectRates, rng: np.random.Generator
) -> tuple[pa.Table, int, int]:
    """Append exact copies of this file's rows and re-sent rows of the previous file.

    Returns the table (re-sorted by time, stable) and the two duplicate counts.
    """
    parts = [table]
    in_file = _pick(rng, table.num_rows, rates.duplicate_in_file)
    if in_file.size:
        parts.append(table.take(pa.array(in_file)))
    across = np.empty(0, dtype=np.int64)
    if previous is not None and previous.num_rows:
        across = _pick(rng, previous.num_rows, rates.duplicate_across_files)
        if across.size:
            parts.append(previous.take(pa.array(across)))
    if len(parts) == 1:
        return table, 0, 0
    combined = pa.concat_tables(parts)
    order = pc.sort_indices(combined, sort_keys=[("transaction_date", "ascending")])
    return combined.take(order), int(in_file.size), int(across.size)


def cents_of(amounts: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """Integer cents of a decimal128(12,2) column (a copy, safe to modify)."""
    arr = amounts.combine_chunks() if isinstance(amounts, pa.ChunkedArray) else amounts
    words = np.frombuffer(arr.buffers()[1], dtype=np.int64)[arr.offset * 2 :]
    return words[: 2 * len(arr) : 2].copy()


def decimal_from_cents(cents: np.ndarray) -> pa.Array:
    """A decimal128(12,2) array built straight from int64 cents (no Python objects)."""
    words = np.empty((cents.size, 2), dtype=np.int64)
    words[:, 0] = cents
    words[:, 1] = np.where(cents < 0, -1, 0)
    return pa.Array.from_buffers(pa.decimal128(12, 2), cents.size, [None, pa.py_buffer(words)])
