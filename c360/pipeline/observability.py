"""The observability tables the build writes from Python (spec 3.3, 5.6, 10.2).

Data quality is **not** measured here: `observability.data_quality_metrics` is a SQLMesh
model (models/observability/data_quality_metrics.sql) that counts the flags silver already
stores, so it has lineage, audits and unit tests like every other model. What stays in
Python is what only the build knows about itself:

- `pipeline_run_metadata`: one row per build (run_id, status, models, timings, action,
  bronze watermark, error, `changed_since` — the oldest load time whose gold rows the
  build may have rewritten, NULL for anything — which the publisher reads, and the
  fingerprint of the project files it ran with, so the next build knows without loading
  the project whether it changed; `triggered_by` is 'watch' for the cycles of
  `c360 run --watch`, NULL otherwise);
- `audit_failures`: one row per failed SQLMesh audit, blocking or not (SQLMesh reports
  them to a notification target, never to a table);
- `layer_record_counts`: rows per bronze table and per model after the build.

Tables are declared as column types and written as DataFrames through SQLMesh's engine
adapter, and every query is a sqlglot expression, so the same code serves both gateways.
The adapter quotes every identifier it is handed, so names are first normalized the way the
engine resolves unquoted ones (`for_engine`): lower case on DuckDB, upper case on Snowflake —
`"observability"."audit_failures"` would name a table that does not exist there.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlglot
from sqlglot import exp
from sqlglot.optimizer.normalize_identifiers import normalize_identifiers

from ingestion import bronze

if TYPE_CHECKING:
    from sqlmesh.core.engine_adapter import EngineAdapter

    from c360.pipeline.console import AuditFailure

log = logging.getLogger(__name__)

SCHEMA = "observability"
EPOCH = datetime(1900, 1, 1)
#: The model that measures data quality (read here for the run summary).
QUALITY_MODEL = "observability.data_quality_metrics"


def _columns(**types: str) -> dict[str, exp.DataType]:
    return {name: exp.DataType.build(kind, dialect="snowflake") for name, kind in types.items()}


RUN_METADATA = "observability.pipeline_run_metadata"
RUN_METADATA_COLUMNS = _columns(
    run_id="VARCHAR",
    run_timestamp="TIMESTAMP",
    status="VARCHAR",
    models_run="INT",
    models_failed="INT",
    started_at="TIMESTAMP",
    finished_at="TIMESTAMP",
    duration_seconds="DOUBLE",
    action="VARCHAR",
    environment="VARCHAR",
    gateway="VARCHAR",
    bronze_watermark="TIMESTAMP",
    restated_from="TIMESTAMP",
    error_message="VARCHAR",
    changed_since="TIMESTAMP",
    execution_time="TIMESTAMP",
    project_fingerprint="VARCHAR",
    project_differs="BOOLEAN",
    triggered_by="VARCHAR",
)
AUDIT_FAILURES = "observability.audit_failures"
AUDIT_FAILURES_COLUMNS = _columns(
    run_id="VARCHAR",
    run_timestamp="TIMESTAMP",
    layer="VARCHAR",
    table_name="VARCHAR",
    audit_name="VARCHAR",
    records_failed="BIGINT",
)
RECORD_COUNTS = "observability.layer_record_counts"
RECORD_COUNTS_COLUMNS = _columns(
    run_id="VARCHAR",
    run_timestamp="TIMESTAMP",
    layer="VARCHAR",
    model_name="VARCHAR",
    record_count="BIGINT",
)
TABLES = {
    RUN_METADATA: RUN_METADATA_COLUMNS,
    AUDIT_FAILURES: AUDIT_FAILURES_COLUMNS,
    RECORD_COUNTS: RECORD_COUNTS_COLUMNS,
}

#: The bronze contract's tables (ingestion.bronze is their one definition).
BRONZE_TABLES = tuple(table.qualified for table in bronze.BRONZE_TABLES)

#: Per check, the rows of the data-quality model for the loads in (since, until]. The
#: set of checks comes from the model itself, so a run without new loads reports zeros.
#: Checks that failed come first (`c360 run` prints the first few), then transactions before
#: customers before the fact, the spec's four checks in their order before the others.
QUALITY_SUMMARY_SQL = """
WITH checks AS (
  SELECT DISTINCT layer, table_name, check_type FROM observability.data_quality_metrics
), measured AS (
  SELECT layer, table_name, check_type,
         SUM(records_checked) AS records_checked, SUM(records_failed) AS records_failed
  FROM observability.data_quality_metrics
  WHERE run_timestamp > :since AND run_timestamp <= :until
  GROUP BY layer, table_name, check_type
)
SELECT checks.layer, checks.table_name, checks.check_type,
       COALESCE(measured.records_checked, 0), COALESCE(measured.records_failed, 0)
FROM checks
LEFT JOIN measured
  ON checks.layer = measured.layer AND checks.table_name = measured.table_name
  AND checks.check_type = measured.check_type
ORDER BY COALESCE(measured.records_failed, 0) = 0, checks.layer DESC, checks.table_name DESC,
  CASE checks.check_type
    WHEN 'duplicate' THEN 1 WHEN 'null' THEN 2 WHEN 'referential' THEN 3 WHEN 'range' THEN 4
    ELSE 5
  END,
  checks.check_type
"""


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


def for_engine(adapter: EngineAdapter, expression: exp.Expression) -> exp.Expression:
    """`expression` with its unquoted identifiers as `adapter`'s engine resolves them."""
    return normalize_identifiers(expression.copy(), dialect=adapter.dialect)


def table(adapter: EngineAdapter, name: str) -> exp.Table:
    """A table name (`schema.table`) as `adapter`'s engine resolves it unquoted."""
    found = for_engine(adapter, exp.to_table(name, dialect="snowflake"))
    assert isinstance(found, exp.Table)
    return found


def fetchone(adapter: EngineAdapter, query: exp.Expression) -> tuple | None:
    return adapter.fetchone(for_engine(adapter, query))


def fetchall(adapter: EngineAdapter, query: exp.Expression) -> list[tuple]:
    return adapter.fetchall(for_engine(adapter, query))


def _count_all(table: str) -> exp.Expression:
    """`SELECT COUNT(*) FROM <table>` for a model or bronze name (an AST, not a string)."""
    return exp.select(exp.Count(this=exp.Star())).from_(exp.to_table(table, dialect="snowflake"))


def ensure_tables(adapter: EngineAdapter) -> None:
    """Create the build's own observability tables (from the column types above), and add
    the columns a warehouse built by an earlier version lacks (never drops any)."""
    adapter.create_schema(for_engine(adapter, exp.to_identifier(SCHEMA)).name)
    for name_of_table, columns in TABLES.items():
        target = table(adapter, name_of_table)
        adapter.create_table(target, columns, exists=True)
        existing = {name.lower() for name in adapter.columns(target)}
        for name, kind in columns.items():
            if name.lower() not in existing:
                log.info("adding column %s to %s", name, name_of_table)
                adapter.execute(
                    exp.Alter(
                        this=target,
                        kind="TABLE",
                        actions=[exp.ColumnDef(this=exp.to_identifier(name), kind=kind)],
                    )
                )


def retire_legacy_quality_table(adapter: EngineAdapter) -> None:
    """Before the model existed, the build appended `data_quality_metrics` itself.

    That physical table would collide with the model's view; it is kept (renamed, never
    dropped) so earlier measurements are not lost.
    """
    found = adapter.get_data_object(table(adapter, QUALITY_MODEL))
    if found is not None and found.type.is_table:
        legacy = f"{QUALITY_MODEL}_legacy"
        log.warning("renaming the pre-model %s to %s (kept, not dropped)", QUALITY_MODEL, legacy)
        adapter.rename_table(table(adapter, QUALITY_MODEL), table(adapter, legacy))


@dataclass(frozen=True)
class PreviousBuild:
    """What the last successful build of an environment covered."""

    bronze_watermark: datetime | None  # bronze load time it had read up to
    execution_time: datetime | None  # its clock: intervals up to here are processed


def previous_build(adapter: EngineAdapter, environment: str) -> PreviousBuild:
    """The bronze watermark and clock of the last successful build of `environment`."""
    row = fetchone(
        adapter,
        sql(
            f"SELECT MAX(bronze_watermark), MAX(execution_time) FROM {RUN_METADATA} "  # noqa: S608
            "WHERE status = 'SUCCESS' AND environment = :environment",
            environment=environment,
        ),
    )
    return PreviousBuild(*(row or (None, None)))


def bronze_watermark(adapter: EngineAdapter) -> datetime | None:
    """The newest bronze load time: everything up to it is covered by this build."""
    row = fetchone(adapter, bronze_watermark_query())
    return row[0] if row else None


def bronze_watermark_query() -> exp.Expression:
    """MAX(ingestion_timestamp) over the bronze tables (also read without SQLMesh)."""
    loaded_at = [
        exp.select(exp.Max(this=exp.column("ingestion_timestamp")).as_("loaded_at")).from_(
            exp.to_table(table)
        )
        for table in BRONZE_TABLES
    ]
    union = loaded_at[0]
    for part in loaded_at[1:]:
        union = exp.union(union, part, distinct=False)
    return exp.select(exp.Max(this=exp.column("loaded_at"))).from_(union.subquery("loads"))


def quality_metrics(
    adapter: EngineAdapter, table: str, since: datetime | None, until: datetime | None
) -> list[QualityMetric]:
    """What the data-quality model measured on the bronze loads in (since, until].

    `table` is the model's table in the build's environment (`Context.table_name`).
    """
    physical = exp.to_table(table, dialect=adapter.dialect)
    query = sql(QUALITY_SUMMARY_SQL, since=since or EPOCH, until=until or EPOCH).transform(
        lambda node: (
            physical.copy()
            if isinstance(node, exp.Table) and node.name == "data_quality_metrics"
            else node
        )
    )
    rows = fetchall(adapter, query)
    return [
        QualityMetric(layer, table, check, int(checked or 0), int(failed or 0))
        for layer, table, check, checked, failed in rows
    ]


def _layer_and_table(model: str) -> tuple[str, str]:
    parts = model.replace('"', "").lower().split(".")
    return (parts[-2], parts[-1]) if len(parts) >= 2 else ("unknown", parts[-1])


def record_counts(adapter: EngineAdapter, model_names: list[str]) -> dict[str, int]:
    """Rows per bronze table and model (views of the environment) right now."""
    counts = {}
    for name in [*BRONZE_TABLES, *model_names]:
        row = fetchone(adapter, _count_all(name))
        counts[name] = int(row[0]) if row else 0
    return counts


def _append(adapter: EngineAdapter, name: str, rows: list[dict[str, Any]]) -> None:
    if rows:
        import pandas as pd  # only when writing: `c360.pipeline.changes` reads without it

        columns = TABLES[name]
        frame = pd.DataFrame(rows, columns=list(columns))
        adapter.insert_append(table(adapter, name), frame, target_columns_to_types=columns)


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
    changed_since: datetime | None,
    execution_time: datetime | None,
    project_fingerprint: str | None,
    project_differs: bool,
    audit_failures: list[AuditFailure],
    counts: dict[str, int],
    triggered_by: str | None = None,
) -> None:
    """Append this build's rows to the build's observability tables."""
    run = {"run_id": run_id, "run_timestamp": run_timestamp}
    _append(
        adapter,
        RUN_METADATA,
        [
            {
                **run,
                "status": status,
                "models_run": models_run,
                "models_failed": models_failed,
                "started_at": started_at,
                "finished_at": finished_at,
                "duration_seconds": round((finished_at - started_at).total_seconds(), 3),
                "action": action,
                "environment": environment,
                "gateway": gateway,
                "bronze_watermark": bronze_watermark,
                "restated_from": restated_from,
                "error_message": (error_message or "")[:2000] or None,
                "changed_since": changed_since,
                "execution_time": execution_time,
                "project_fingerprint": project_fingerprint,
                "project_differs": project_differs,
                "triggered_by": triggered_by,
            }
        ],
    )
    _append(
        adapter,
        AUDIT_FAILURES,
        [
            {
                **run,
                "layer": _layer_and_table(failure.model)[0],
                "table_name": _layer_and_table(failure.model)[1],
                "audit_name": failure.audit,
                "records_failed": failure.rows,
            }
            for failure in audit_failures
        ],
    )
    _append(
        adapter,
        RECORD_COUNTS,
        [
            {**run, "layer": name.split(".")[0], "model_name": name, "record_count": count}
            for name, count in counts.items()
        ],
    )
