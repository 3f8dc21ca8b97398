"""The one clock: naive UTC everywhere (DuckDB TIMESTAMP has no zone; SQLMesh and the loader
both stamp UTC), so load times, build clocks and run metadata compare without conversions."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> datetime:
    """Now, as naive UTC."""
    return datetime.now(UTC).replace(tzinfo=None)
