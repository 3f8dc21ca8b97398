"""The observability schema (spec 3.3, 5.6, 10.2): written by `build()` after every run.

- `pipeline_run_metadata`: one row per build (run_id, run_timestamp, status, models_run,
  models_failed, start/end/duration, action, bronze watermark, error).
- `data_quality_metrics`: the exact columns of spec 3.3, one row per check and table,
  measured on the bronze rows that arrived since the previous successful build (so the
  counts add up over time and a re-run with no new files logs zero), plus one row per
  failed SQLMesh audit (check_type `audit:<name>`).
- `layer_record_counts`: rows per bronze table and per model after the build.

All SQL is written in Snowflake's dialect and rendered by the engine adapter, so the
same code serves both gateways.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlglot
from sqlglot import exp

if TYPE_CHECKING:
    from sqlmesh.core.engine_adapter import EngineAdapter

    from c360.pipeline.console import AuditFailure

log = logging.getLogger(__name__)

SCHEMA = "observability"
EPOCH = datetime(1900, 1, 1)

DDL = (
    """
    CREATE TABLE IF NOT EXISTS observability.pipeline_run_metadata (
      run_id STRING,
      run_timestamp TIMESTAMP,
      status STRING,
      models_run INT,
      models_failed INT,
      started_at TIMESTAMP,
      finished_at TIMESTAMP,
      duration_seconds FLOAT,
      action STRING,
      environment STRING,
      gateway STRING,
      bronze_watermark TIMESTAMP,
      restated_from TIMESTAMP,
      error_message STRING
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS observability.data_quality_metrics (
      run_id STRING,
      run_timestamp TIMESTAMP,
      layer STRING,
      table_name STRING,
      check_type STRING,
      records_checked INT,
      records_failed INT,
      failure_rate FLOAT
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS observability.layer_record_counts (
      run_id STRING,
      run_timestamp TIMESTAMP,
      layer STRING,
      model_name STRING,
      record_count BIGINT
    )
    """,
)

#: Checks on the transactions that arrived in this build (spec 3.3 + the documented defects).
#: `duplicate` counts every extra copy (within the batch or of a transaction loaded before);
#: the other checks count each new transaction once, like the generator's defect counts.
TRANSACTION_CHECKS_SQL = """
WITH new_rows AS (
  SELECT transaction_id, customer_id, transaction_date, transaction_amount, merchant_category,
         ingestion_timestamp
  FROM bronze.bronze_transactions
  WHERE ingestion_timestamp > :since AND ingestion_timestamp <= :until
), bounds AS (
  SELECT MIN(transaction_date) AS first_date, MAX(transaction_date) AS last_date FROM new_rows
), earlier_ids AS (
  SELECT DISTINCT earlier.transaction_id
  FROM bronze.bronze_transactions AS earlier
  CROSS JOIN bounds
  WHERE earlier.ingestion_timestamp <= :since
    AND earlier.transaction_date BETWEEN bounds.first_date AND bounds.last_date
), new_transactions AS (
  SELECT new_rows.transaction_id, new_rows.customer_id, new_rows.transaction_amount,
         new_rows.merchant_category
  FROM new_rows
  LEFT JOIN earlier_ids ON new_rows.transaction_id = earlier_ids.transaction_id
  WHERE earlier_ids.transaction_id IS NULL
  QUALIFY ROW_NUMBER() OVER (
    PARTITION BY new_rows.transaction_id ORDER BY new_rows.ingestion_timestamp
  ) = 1
), known_customers AS (
  SELECT customer_id FROM silver.silver_customers
), checked AS (
  SELECT
    COUNT(*) AS transactions,
    COUNT_IF(NULLIF(TRIM(new_transactions.merchant_category), '') IS NULL) AS missing_category,
    COUNT_IF(known_customers.customer_id IS NULL) AS unknown_customer,
    COUNT_IF(NOT COALESCE(new_transactions.transaction_amount > 0, FALSE)) AS non_positive_amount
  FROM new_transactions
  LEFT JOIN known_customers
    ON UPPER(TRIM(new_transactions.customer_id)) = known_customers.customer_id
)
SELECT
  (SELECT COUNT(*) FROM new_rows) AS received,
  (SELECT COUNT(*) FROM new_rows) - checked.transactions AS duplicates,
  checked.transactions,
  checked.missing_category,
  checked.unknown_customer,
  checked.non_positive_amount
FROM checked
"""

CUSTOMER_CHECKS_SQL = """
SELECT
  COUNT(*) AS received,
  COUNT(*) - COUNT(DISTINCT COALESCE(customer_id, '') || '|' || COALESCE(source_file, ''))
    AS duplicates,
  COUNT_IF(customer_id IS NULL OR card_type IS NULL OR credit_limit IS NULL) AS missing_fields
FROM bronze.bronze_customers
WHERE ingestion_timestamp > :since AND ingestion_timestamp <= :until
"""

FACT_CHECKS_SQL = """
SELECT
  COUNT(*) AS loaded,
  COUNT_IF(customer_key = -1 OR merchant_category_key = -1 OR date_key = -1) AS unknown_members
FROM gold.fact_transaction
WHERE ingestion_timestamp > :since AND ingestion_timestamp <= :until
"""

DIMENSION_CHECKS_SQL = """
SELECT COUNT_IF(is_current) AS current_rows,
       COUNT_IF(is_current AND customer_segment IS NULL) AS without_segment
FROM gold.dim_customer
"""

BRONZE_TABLES = (
    "bronze.bronze_customers",
    "bronze.bronze_transactions",
    "bronze.bronze_campaign_assignments",
)


@dataclass(frozen=True)
class QualityMetric:
    layer: str
    table_name: str
    check_type: str
    records_checked: int | None
    records_failed: int

    @property
    def failure_rate(self) -> float | None:
        if self.records_checked is None:
            return None
        return self.records_failed / self.records_checked if self.records_checked else 0.0


def _literal(value: Any) -> exp.Expression:
    if value is None:
        return exp.null()
    if isinstance(value, datetime):
        return exp.cast(
            exp.Literal.string(value.isoformat(sep=" ")), exp.DataType.build("TIMESTAMP")
        )
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, (int, float)):
        return exp.Literal.number(value)
    return exp.Literal.string(str(value))


def sql(text: str, **params: Any) -> exp.Expression:
    """Snowflake SQL with `:name` placeholders bound to literals, as an expression."""
    expression = sqlglot.parse_one(text, read="snowflake")
    return exp.replace_placeholders(expression, **{k: _literal(v) for k, v in params.items()})


def ensure_tables(adapter: EngineAdapter) -> None:
    adapter.create_schema(SCHEMA)
    for statement in DDL:
        adapter.execute(sql(statement))


def previous_watermark(adapter: EngineAdapter, environment: str) -> datetime | None:
    """Bronze load time already covered by the last successful build of `environment`."""
    row = adapter.fetchone(
        sql(
            "SELECT MAX(bronze_watermark) FROM observability.pipeline_run_metadata "
            "WHERE status = 'SUCCESS' AND environment = :environment",
            environment=environment,
        )
    )
    return row[0] if row else None


def bronze_watermark(adapter: EngineAdapter) -> datetime | None:
    """The newest bronze load time: everything up to it is covered by this build."""
    parts = " UNION ALL ".join(
        f"SELECT MAX(ingestion_timestamp) AS loaded_at FROM {table}"  # noqa: S608 - constants
        for table in BRONZE_TABLES
    )
    row = adapter.fetchone(sql(f"SELECT MAX(loaded_at) FROM ({parts})"))  # noqa: S608
    return row[0] if row else None


def quality_metrics(
    adapter: EngineAdapter, since: datetime | None, until: datetime | None
) -> list[QualityMetric]:
    """Data-quality counts for the bronze rows loaded in (since, until]."""
    window = {"since": since or EPOCH, "until": until or EPOCH}

    def counts(text: str, **params: Any) -> list[int]:
        # aggregates over no rows come back NULL on some engines (COUNT_IF on DuckDB): 0
        row = adapter.fetchone(sql(text, **params)) or ()
        return [int(value or 0) for value in row]

    received, duplicates, transactions, missing, unknown, non_positive = counts(
        TRANSACTION_CHECKS_SQL, **window
    )
    customers, customer_duplicates, customer_missing = counts(CUSTOMER_CHECKS_SQL, **window)
    loaded, unknown_members = counts(FACT_CHECKS_SQL, **window)
    current, without_segment = counts(DIMENSION_CHECKS_SQL)
    return [
        QualityMetric("silver", "silver_transactions", "duplicate", received, duplicates),
        QualityMetric("silver", "silver_transactions", "null", transactions, missing),
        QualityMetric("silver", "silver_transactions", "referential", transactions, unknown),
        QualityMetric("silver", "silver_transactions", "range", transactions, non_positive),
        QualityMetric("silver", "silver_customers", "duplicate", customers, customer_duplicates),
        QualityMetric("silver", "silver_customers", "null", customers, customer_missing),
        QualityMetric("gold", "fact_transaction", "referential", loaded, unknown_members),
        QualityMetric("gold", "dim_customer", "null", current, without_segment),
    ]


def audit_metrics(audit_failures: list[AuditFailure]) -> list[QualityMetric]:
    """One metric per failed SQLMesh audit (records_checked unknown: NULL)."""
    metrics = []
    for failure in audit_failures:
        parts = failure.model.replace('"', "").lower().split(".")
        layer, table = (parts[-2], parts[-1]) if len(parts) >= 2 else ("unknown", parts[-1])
        metrics.append(QualityMetric(layer, table, f"audit:{failure.audit}", None, failure.rows))
    return metrics


def record_counts(adapter: EngineAdapter, model_names: list[str]) -> dict[str, int]:
    """Rows per bronze table and model (views of the environment) right now."""
    counts = {}
    for name in [*BRONZE_TABLES, *model_names]:
        row = adapter.fetchone(sql(f"SELECT COUNT(*) FROM {name}"))  # noqa: S608
        counts[name] = int(row[0]) if row else 0
    return counts


def write_run(
    adapter: EngineAdapter,
    *,
    run_id: str,
    run_timestamp: datetime,
    status: str,
    models_run: int,
    models_failed: int,
    started_at: datetime,
    finished_at: datetime,
    action: str,
    environment: str,
    gateway: str,
    bronze_watermark: datetime | None,
    restated_from: datetime | None,
    error_message: str | None,
    metrics: list[QualityMetric],
    counts: dict[str, int],
) -> None:
    """Append this build's rows to the three observability tables."""
    duration = (finished_at - started_at).total_seconds()
    adapter.execute(
        sql(
            "INSERT INTO observability.pipeline_run_metadata VALUES (:run_id, :run_timestamp, "
            ":status, :models_run, :models_failed, :started_at, :finished_at, :duration, :action, "
            ":environment, :gateway, :bronze_watermark, :restated_from, :error_message)",
            run_id=run_id,
            run_timestamp=run_timestamp,
            status=status,
            models_run=models_run,
            models_failed=models_failed,
            started_at=started_at,
            finished_at=finished_at,
            duration=round(duration, 3),
            action=action,
            environment=environment,
            gateway=gateway,
            bronze_watermark=bronze_watermark,
            restated_from=restated_from,
            error_message=(error_message or "")[:2000] or None,
        )
    )
    for metric in metrics:
        adapter.execute(
            sql(
                "INSERT INTO observability.data_quality_metrics VALUES (:run_id, :run_timestamp, "
                ":layer, :table_name, :check_type, :checked, :failed, :rate)",
                run_id=run_id,
                run_timestamp=run_timestamp,
                layer=metric.layer,
                table_name=metric.table_name,
                check_type=metric.check_type,
                checked=metric.records_checked,
                failed=metric.records_failed,
                rate=metric.failure_rate,
            )
        )
    for name, count in counts.items():
        adapter.execute(
            sql(
                "INSERT INTO observability.layer_record_counts VALUES (:run_id, :run_timestamp, "
                ":layer, :model_name, :record_count)",
                run_id=run_id,
                run_timestamp=run_timestamp,
                layer=name.split(".")[0],
                model_name=name,
                record_count=count,
            )
        )
