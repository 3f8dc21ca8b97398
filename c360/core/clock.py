"""The one clock: naive UTC everywhere (DuckDB TIMESTAMP has no zone; SQLMesh and the loader
both stamp UTC), so load times, build clocks and run metadata compare without conversions."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> datetime:
    """Now, as naive UTC."""
    return datetime.now(UTC).replace(tzinfo=None)


def utc_iso(moment: datetime) -> str:
    """ISO 8601 with the offset, `2026-12-01T18:51:46+00:00`, of a naive-UTC or aware time:
    what c360 writes wherever a time leaves the warehouse (JSON, the heartbeat)."""
    aware = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return aware.isoformat(timespec="seconds")


def parse_utc(text: str) -> datetime:
    """An ISO 8601 time as naive UTC; a time without an offset is taken to be UTC already."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo is None else moment.astimezone(UTC).replace(tzinfo=None)
