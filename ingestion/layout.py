"""Where files live in the landing zone — the spec's S3 layout (5.1), as relative keys.

The same keys are used in the local folder, in S3 under a prefix, and in
Snowflake stage paths, so one function decides every name.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

FileFormat = Literal["csv", "parquet"]
FORMATS: tuple[str, ...] = ("csv", "parquet")

CUSTOMERS_DIR = "customers"
HISTORICAL_DIR = "transactions/historical"
STREAMING_DIR = "transactions/streaming"
CAMPAIGNS_DIR = "campaigns"


def customers_key(snapshot: date, fmt: FileFormat = "csv") -> str:
    return f"{CUSTOMERS_DIR}/customers_{snapshot:%Y-%m-%d}.{fmt}"


def historical_key(month_start: date, fmt: FileFormat = "csv") -> str:
    return f"{HISTORICAL_DIR}/transactions_{month_start:%Y-%m-%d}.{fmt}"


def streaming_key(hour: datetime, fmt: FileFormat = "csv") -> str:
    return f"{STREAMING_DIR}/{hour:%Y/%m/%d/%H}/transactions_{hour:%Y%m%d_%H%M%S}.{fmt}"


def campaigns_key(fmt: FileFormat = "csv") -> str:
    return f"{CAMPAIGNS_DIR}/campaign_assignments.{fmt}"


def is_hidden(key: str) -> bool:
    """Temporary and hidden files (`.name.part`) are never data: loaders skip them."""
    return any(part.startswith(".") for part in key.split("/"))
