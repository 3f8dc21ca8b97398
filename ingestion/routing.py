"""Which bronze table a landing-zone key loads into, and how to read it.

Snowpipe routes by stage path; so do we. The key prefix (spec 5.1 layout, see
`ingestion.layout`) picks the table, the suffix picks the reader. A key that
matches no route is not data for bronze and is reported, never guessed at.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ingestion import layout
from ingestion.bronze import (
    BRONZE_CAMPAIGN_ASSIGNMENTS,
    BRONZE_CUSTOMERS,
    BRONZE_TRANSACTIONS,
    Table,
    file_columns,
)

Reader = Literal["csv", "parquet"]

#: File suffixes the loader reads; DuckDB decompresses `.gz` CSV transparently.
SUFFIXES: dict[str, Reader] = {
    ".csv": "csv",
    ".csv.gz": "csv",
    ".csv.gzip": "csv",
    ".parquet": "parquet",
}


@dataclass(frozen=True)
class Route:
    """Where a file goes: its table, the id a row may not miss, and its reader."""

    table: Table
    id_column: str
    reader: Reader
    order: int  # load customers before campaigns before transactions

    @property
    def columns(self) -> tuple[str, ...]:
        return file_columns(self.table)

    @property
    def column_types(self) -> dict[str, str]:
        types = dict(self.table.columns)
        return {name: types[name] for name in self.columns}


# (prefix, table, id column) — first match wins, so put longer prefixes first.
_PREFIXES: tuple[tuple[str, Table, str, int], ...] = (
    (layout.CUSTOMERS_DIR + "/", BRONZE_CUSTOMERS, "customer_id", 0),
    (layout.CAMPAIGNS_DIR + "/", BRONZE_CAMPAIGN_ASSIGNMENTS, "customer_id", 1),
    (layout.HISTORICAL_DIR + "/", BRONZE_TRANSACTIONS, "transaction_id", 2),
    (layout.STREAMING_DIR + "/", BRONZE_TRANSACTIONS, "transaction_id", 3),
)


def reader_for(key: str) -> Reader | None:
    """The reader for a key's suffix, or None when the loader cannot read it."""
    lowered = key.lower()
    for suffix, reader in SUFFIXES.items():
        if lowered.endswith(suffix):
            return reader
    return None


def is_gzip(key: str) -> bool:
    return key.lower().endswith((".gz", ".gzip"))


def route(key: str) -> Route | None:
    """The route for a stage key, or None (hidden, unknown folder or unknown suffix)."""
    if layout.is_hidden(key):
        return None
    reader = reader_for(key)
    if reader is None:
        return None
    for prefix, table, id_column, order in _PREFIXES:
        if key.startswith(prefix):
            return Route(table, id_column, reader, order)
    return None


def load_order(key: str) -> tuple[int, str]:
    """Sort key: dimensions first, then transactions oldest first (keys sort by time)."""
    found = route(key)
    return (found.order if found else 99, key)


def folder(key: str) -> str:
    """The landing folder a key belongs to (`transactions/streaming/` for every hour),
    or its parent folder when no route matches; `""` at the stage's top level."""
    for prefix, *_ in _PREFIXES:
        if key.startswith(prefix):
            return prefix
    return key.rsplit("/", 1)[0] + "/" if "/" in key else ""
