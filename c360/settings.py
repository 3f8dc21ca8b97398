"""Typed settings for every c360 component.

Everything that differs between machines (where data lives, which stage, which
warehouse) comes from `C360_*` environment variables or a `.env` file, so code
never hard-codes a path. `.env.example` documents each variable.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Process-wide configuration, read once from the environment."""

    model_config = SettingsConfigDict(
        env_prefix="C360_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    data_dir: Path = Field(
        default=Path("data"),
        description="Holds the landing zone, the warehouse and everything generated.",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    @property
    def landing_dir(self) -> Path:
        """The local landing zone (the stand-in for the S3 bucket)."""
        return self.data_dir / "landing"

    @property
    def generator_dir(self) -> Path:
        """The generator's own state and hidden truth: never read by the pipeline."""
        return self.data_dir / "generator"

    @property
    def warehouse_path(self) -> Path:
        """The embedded DuckDB warehouse.

        Upper-case on purpose: with Snowflake-dialect models SQLMesh normalises the
        catalog name to upper case, and a lower-case file name makes it miss existing
        tables (and silently rebuild SCD2 history) — see docs/architecture.md.
        """
        return self.data_dir / "WAREHOUSE.duckdb"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process (cached; tests call `get_settings.cache_clear()`)."""
    return Settings()
