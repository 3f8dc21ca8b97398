"""Typed settings for every c360 component.

Everything that differs between machines (where data lives, which stage, which
warehouse, credentials) comes from `C360_*` environment variables or a `.env`
file, so code never hard-codes a path. `.env.example` documents each variable.
Secrets are `SecretStr` and are only demanded by the component that needs them
(`require_snowflake()`), so the offline DuckDB default needs no account at all.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from c360.core.errors import C360Error


class Settings(BaseSettings):
    """Configuration from `C360_*` variables and `.env`.

    Only the CLI builds one (`c360.commands.options.get_settings`); library code is
    handed the settings, or just the paths and objects it needs, as arguments.
    """

    model_config = SettingsConfigDict(
        env_prefix="C360_",
        env_file=".env",
        env_file_encoding="utf-8",
        env_ignore_empty=True,
        extra="ignore",
    )

    data_dir: Path = Field(
        default=Path("data"),
        description="Holds the landing zone, the warehouse and everything generated.",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    # --- landing zone (stage) -------------------------------------------------------
    stage: Literal["local", "s3"] = "local"
    s3_bucket: str | None = None
    s3_prefix: str = ""
    s3_region: str = "us-east-1"
    s3_endpoint_url: str | None = Field(
        default=None, description="Any S3-compatible endpoint (MinIO, moto); None = AWS."
    )

    history_start: str = Field(
        default="2 years ago",
        description="Where incremental models start backfilling (a date or e.g. '5 years ago').",
    )

    # --- warehouse gateway --------------------------------------------------------------
    gateway: Literal["local", "snowflake"] = "local"
    snowflake_account: str | None = None
    snowflake_user: str | None = None
    snowflake_password: SecretStr | None = None
    snowflake_role: str = "DATA_ENGINEER"
    snowflake_warehouse: str = "COMPUTE_WH"
    snowflake_database: str = "CUSTOMER_ANALYTICS"
    snowflake_host: str | None = Field(
        default=None, description="Override the account host (tests point this at fakesnow)."
    )
    snowflake_port: int | None = None
    snowflake_protocol: Literal["https", "http"] = "https"
    snowflake_s3_role_arn: str | None = Field(
        default=None, description="IAM role the storage integration assumes to read the bucket."
    )
    snowflake_sns_topic_arn: str | None = Field(
        default=None, description="SNS topic of the bucket's object-created events (auto-ingest)."
    )
    snowflake_alert_integration: str = Field(
        default="c360_alerts",
        description="E-mail notification integration the spec 10.5 alerts send through.",
    )
    snowflake_alert_email: str | None = Field(
        default=None, description="Verified e-mail address the alerts are sent to (script 07)."
    )

    # --- assistant (`c360 ask`, the dashboard's chat) ------------------------------------
    assistant_backend: Literal["offline", "cortex", "openai"] = Field(
        default="offline",
        description="Who drafts the SQL: the offline parser, Cortex Analyst, an LLM.",
    )
    snowflake_token: SecretStr | None = Field(
        default=None, description="Bearer token for Cortex Analyst's REST API (backend cortex)."
    )
    snowflake_token_type: str = "PROGRAMMATIC_ACCESS_TOKEN"
    assistant_snowflake_role: str = Field(
        default="DATA_ANALYST",
        description="Role the SQL Cortex Analyst returns runs under (read-only grants, script 02).",
    )
    openai_base_url: str | None = Field(
        default=None, description="OpenAI-compatible endpoint, e.g. http://127.0.0.1:8080/v1."
    )
    openai_model: str | None = None
    openai_api_key: SecretStr | None = None

    @property
    def assistant_store_path(self) -> Path:
        """The assistant's question log and feedback (never the read-only serving copy)."""
        return self.data_dir / "assistant" / "ASSISTANT.duckdb"

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

    @property
    def serving_path(self) -> Path:
        """Read-only copy of gold + observability for the dashboard (see `c360 run`)."""
        return self.data_dir / "serving" / "SERVING.duckdb"

    def missing_for_snowflake(self) -> list[str]:
        """The variables the Snowflake gateway needs that are not set."""
        return [
            f"C360_SNOWFLAKE_{name.upper()}"
            for name in ("account", "user", "password")
            if getattr(self, f"snowflake_{name}") is None
        ]

    def missing_for_stage(self) -> list[str]:
        """The variables the configured stage needs that are not set."""
        return ["C360_S3_BUCKET"] if self.stage == "s3" and not self.s3_bucket else []

    def require_snowflake(self) -> None:
        """Fail early, with the variable names, when Snowflake credentials are missing."""
        if missing := self.missing_for_snowflake():
            raise C360Error(f"Snowflake gateway needs {', '.join(missing)} (see .env.example)")

    def require_gateway(self) -> None:
        """Everything the configured gateway and stage need, checked before any work starts,
        all missing variables named at once."""
        missing = self.missing_for_stage()
        if self.gateway == "snowflake":
            missing += self.missing_for_snowflake()
        if missing:
            raise C360Error(
                f"C360_GATEWAY={self.gateway} with C360_STAGE={self.stage} needs "
                f"{', '.join(missing)} (see .env.example); nothing was loaded or built"
            )

    def require_s3(self) -> str:
        """The bucket name, or a clear error when the S3 stage is not configured."""
        if not self.s3_bucket:
            raise C360Error("C360_STAGE=s3 needs C360_S3_BUCKET (see .env.example)")
        return self.s3_bucket
