"""The bronze contract: tables the loader writes and SQLMesh reads (spec 5.2).

One definition serves three readers: the local loader creates these tables in
DuckDB, `infra/snowflake/` creates the same columns in Snowflake, and SQLMesh
declares them as external models. Names are a contract — never rename.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Table:
    schema: str
    name: str
    columns: tuple[tuple[str, str], ...]  # (column, DuckDB type), file columns first

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"

    def ddl(self) -> str:
        cols = ",\n  ".join(f"{name} {kind}" for name, kind in self.columns)
        return f"CREATE TABLE IF NOT EXISTS {self.qualified} (\n  {cols}\n)"


_LOAD_METADATA = (("ingestion_timestamp", "TIMESTAMP"), ("source_file", "VARCHAR"))

BRONZE_CUSTOMERS = Table(
    "bronze",
    "bronze_customers",
    (
        ("customer_id", "VARCHAR"),
        ("first_name", "VARCHAR"),
        ("last_name", "VARCHAR"),
        ("email", "VARCHAR"),
        ("age", "INTEGER"),
        ("state", "VARCHAR"),
        ("city", "VARCHAR"),
        ("employment_status", "VARCHAR"),
        ("card_type", "VARCHAR"),
        ("credit_limit", "DECIMAL(10,2)"),
        ("account_open_date", "DATE"),
        ("customer_segment", "VARCHAR"),
        *_LOAD_METADATA,
    ),
)

BRONZE_TRANSACTIONS = Table(
    "bronze",
    "bronze_transactions",
    (
        ("transaction_id", "VARCHAR"),
        ("customer_id", "VARCHAR"),
        ("transaction_date", "TIMESTAMP"),
        ("transaction_amount", "DECIMAL(10,2)"),
        ("merchant_name", "VARCHAR"),
        ("merchant_category", "VARCHAR"),
        ("channel", "VARCHAR"),
        *_LOAD_METADATA,
    ),
)

#: The marketing system's campaign membership (who was offered, who is control).
BRONZE_CAMPAIGN_ASSIGNMENTS = Table(
    "bronze",
    "bronze_campaign_assignments",
    (
        ("campaign_name", "VARCHAR"),
        ("customer_id", "VARCHAR"),
        ("treatment_group", "VARCHAR"),
        ("offer_date", "DATE"),
        ("offer_type", "VARCHAR"),
        ("cost_per_customer", "DECIMAL(10,2)"),
        *_LOAD_METADATA,
    ),
)

BRONZE_TABLES = (BRONZE_CUSTOMERS, BRONZE_TRANSACTIONS, BRONZE_CAMPAIGN_ASSIGNMENTS)


def file_columns(table: Table) -> tuple[str, ...]:
    """The columns a landing file carries (everything but the load metadata)."""
    meta = {name for name, _ in _LOAD_METADATA}
    return tuple(name for name, _ in table.columns if name not in meta)
