"""Build silver and gold with SQLMesh, then log the run to the observability schema.

`build(settings)` is what `c360 run` calls after ingestion:

1. **plan** only when the environment does not exist yet (the cold build of an empty
   warehouse). A project whose models differ from the environment is *not* applied: the
   build keeps running the environment's own models and says so; changes reach prod only
   through an explicit, reviewed plan (`c360 plan`, `c360.pipeline.plan`);
2. **run** (`ignore_cron`, so the hour in progress is processed too): incremental
   models re-process the last 6 hours (`lookback`), FULL marts are rebuilt;
3. **restate** when rows older than that window arrived since the last build (a late
   file, or transactions of a customer whose snapshot came late): a restatement plan
   re-processes silver_transactions and everything downstream from the oldest such row;
4. write `observability.*` (run metadata, data-quality metrics, record counts).

A failed build is logged as FAILED and reported, never raised past the report, so the
caller can still publish the last good gold tables.
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from c360.core.clock import utc_now
from c360.core.settings import Settings
from c360.pipeline import observability
from c360.pipeline.console import AuditFailure, AuditFailureCollector, recording
from c360.pipeline.context import PROJECT_ROOT, open_context

if TYPE_CHECKING:
    from sqlmesh import Context

log = logging.getLogger(__name__)

#: Hours every run re-processes (the `lookback` of the incremental transaction models).
LOOKBACK_HOURS = 6
#: Models that a late row forces to re-process (their downstream models follow).
RESTATE_ON_LATE_DATA = ("silver.silver_transactions",)

#: Rows dated before the models' start are never read by silver (data_quality_metrics counts
#: them, check before_start): they must not trigger a restatement either.
LATE_ROWS_SQL = """
WITH new_rows AS (
  SELECT transaction_id, transaction_date
  FROM bronze.bronze_transactions
  WHERE ingestion_timestamp > :since AND transaction_date < :horizon
    AND transaction_date >= :model_start
), bounds AS (
  SELECT MIN(transaction_date) AS first_date, MAX(transaction_date) AS last_date FROM new_rows
), processed AS (
  SELECT silver.transaction_id
  FROM silver.silver_transactions AS silver
  CROSS JOIN bounds
  WHERE silver.transaction_date BETWEEN bounds.first_date AND bounds.last_date
)
SELECT MIN(new_rows.transaction_date)
FROM new_rows
LEFT JOIN processed ON new_rows.transaction_id = processed.transaction_id
WHERE processed.transaction_id IS NULL
"""

LATE_CUSTOMERS_SQL = """
SELECT MIN(silver.transaction_date)
FROM silver.silver_transactions AS silver
INNER JOIN silver.silver_customers AS customers ON silver.customer_id = customers.customer_id
WHERE NOT silver.is_known_customer AND silver.transaction_date < :horizon
"""


@dataclass
class BuildReport:
    """What one build did; `c360 run` prints it, tests and benchmarks read it."""

    run_id: str
    environment: str
    gateway: str
    action: str = "run"  # "plan", "run", with "+restate" when late data was re-processed
    status: str = "FAILED"  # SUCCESS or FAILED
    started_at: datetime = field(default_factory=utc_now)
    finished_at: datetime | None = None
    seconds: float = 0.0
    models_run: int = 0
    models_failed: int = 0
    batches: int = 0
    bronze_watermark: datetime | None = None
    restated_from: datetime | None = None
    #: The build's clock (naive UTC) and the oldest transaction time whose gold rows it may
    #: have rewritten (None: anything, e.g. after a plan) — what `publish` has to copy again.
    execution_time: datetime | None = None
    changed_since: datetime | None = None
    error: str | None = None
    #: The project's models differ from the environment's (not applied: see `c360 plan`).
    project_differs: bool = False
    #: What started the build when not a plain `c360 run`: "watch" (a continuous-mode cycle).
    triggered_by: str | None = None
    warnings: list[str] = field(default_factory=list)
    audit_failures: list[AuditFailure] = field(default_factory=list)
    quality: list[observability.QualityMetric] = field(default_factory=list)
    record_counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == "SUCCESS"


def project_differs_message(environment: str) -> str:
    """One line telling the user how a model change reaches `environment`."""
    target = "" if environment == "prod" else f" {environment}"
    return (
        f"the project's models differ from {environment}'s; c360 run keeps running "
        f"{environment}'s models — preview the change with `c360 plan dev`, apply it with "
        f"`c360 plan{target or ' prod'}`"
    )


def _first_hour(found: datetime | None) -> datetime | None:
    return found.replace(minute=0, second=0, microsecond=0) if found is not None else None


def _late_rows_start(
    context: Context, previous: observability.PreviousBuild, now: datetime
) -> datetime | None:
    """Oldest transaction loaded since the last build that the coming run will not read:
    the run re-processes from the lookback before the earlier of its own clock and the
    hour the previous build stopped in; older rows not in silver need a restatement —
    unless they are dated before the models' start, which no run ever reads.
    Checked before the run, so the run that follows measures and publishes them."""
    if previous.bronze_watermark is None:
        return None
    stopped = (previous.execution_time or now).replace(minute=0, second=0, microsecond=0)
    horizon = min(now, stopped) - timedelta(hours=LOOKBACK_HOURS)
    query = observability.sql(
        LATE_ROWS_SQL,
        since=previous.bronze_watermark,
        horizon=horizon,
        model_start=_model_start(context) or observability.EPOCH,
    )
    row = context.engine_adapter.fetchone(query)
    return _first_hour(row[0] if row else None)


def _late_customers_start(context: Context, horizon: datetime) -> datetime | None:
    """Oldest transaction of a customer that was unknown when silver took it and is known
    now (its snapshot came late). Checked after the run has refreshed silver_customers."""
    row = context.engine_adapter.fetchone(observability.sql(LATE_CUSTOMERS_SQL, horizon=horizon))
    return _first_hour(row[0] if row else None)


def _restate(
    context: Context, environment: str, report: BuildReport, late: datetime, now: datetime
) -> None:
    """Re-process silver_transactions and everything downstream from `late` to now."""
    log.info("late rows back to %s: restating %s", late, ", ".join(RESTATE_ON_LATE_DATA))
    context.plan(
        environment,
        restate_models=list(RESTATE_ON_LATE_DATA),
        start=late,
        end=now,
        execution_time=now,
        auto_apply=True,
        no_prompts=True,
        skip_tests=True,
    )
    report.restated_from = min(late, report.restated_from or late)
    if "+restate" not in report.action:
        report.action += "+restate"
    if report.changed_since is not None:
        report.changed_since = min(report.changed_since, late)


def build(
    settings: Settings,
    *,
    environment: str = "prod",
    execution_time: datetime | None = None,
    verbose: bool = False,
    project_root: Path = PROJECT_ROOT,
    triggered_by: str | None = None,
) -> BuildReport:
    """Bring `environment` up to date with bronze and log the run; see the module doc.

    `triggered_by` is recorded with the run (`c360 run --watch` passes "watch").
    """
    report = BuildReport(uuid.uuid4().hex, environment, settings.gateway)
    report.triggered_by = triggered_by
    clock = time.perf_counter()
    with (
        recording(verbose) as (record, recording_id),
        open_context(
            settings,
            notification_targets=[AuditFailureCollector(recording_id=recording_id)],
            project_root=project_root,
        ) as context,
    ):
        adapter = context.engine_adapter
        observability.ensure_tables(adapter)
        observability.retire_legacy_quality_table(adapter)
        previous = observability.previous_build(adapter, environment)
        since = previous.bronze_watermark
        report.bronze_watermark = observability.bronze_watermark(adapter)
        try:
            _build(context, report, environment, previous, execution_time)
            report.status = "SUCCESS" if not record.failed_models else "FAILED"
        except Exception as exc:  # noqa: BLE001 - logged as a FAILED run, then reported
            report.error = f"{type(exc).__name__}: {exc}"
            log.error("build of %s failed: %s", environment, report.error)
            log.debug("build failure", exc_info=True)
        report.models_run = len(record.evaluated)
        report.models_failed = len(set(record.failed_models))
        report.batches = record.batches
        report.warnings = [*record.warnings, *report.warnings]
        report.audit_failures = list(record.audit_failures)
        if record.errors and report.error is None and not report.ok:
            report.error = "; ".join(record.errors)
        _observe(context, report, since)
    report.seconds = time.perf_counter() - clock
    return report


def _build(
    context: Context,
    report: BuildReport,
    environment: str,
    previous: observability.PreviousBuild,
    execution_time: datetime | None,
) -> None:
    now = execution_time or utc_now()
    report.execution_time = now
    report.changed_since = now - timedelta(hours=LOOKBACK_HOURS)
    if context.state_reader.get_environment(environment) is None:
        log.info("first build of %s: planning every model", environment)
        context.plan(
            environment,
            auto_apply=True,
            no_prompts=True,
            skip_tests=True,
            execution_time=now,
        )
        report.action = "plan"
        report.changed_since = None
    else:
        report.action = "run"
        if context.diff(environment):
            report.project_differs = True
            message = project_differs_message(environment)
            log.warning(message)
            report.warnings.append(message)
        if previous.execution_time is not None:
            late = _late_rows_start(context, previous, now)
            if late is not None:
                _restate(context, environment, report, late, now)
    # The hour in progress and the lookback window (plans stop at the last whole hour).
    context.run(environment, ignore_cron=True, execution_time=now, end=now)
    late = _late_customers_start(context, now - timedelta(hours=LOOKBACK_HOURS))
    if previous.execution_time is None and report.action != "plan":
        # a warehouse from before builds recorded their clock: check after the run instead
        late = min(filter(None, [late, _late_rows_start(context, previous, now)]), default=None)
    if late is not None:
        _restate(context, environment, report, late, now)
    _warn_about_history_before_start(context, report)


def _model_start(context: Context) -> datetime | None:
    """Where the incremental models start (`model_defaults.start`, C360_HISTORY_START), naive
    UTC, resolved as SQLMesh resolves it ('2 years ago' = midnight two years ago)."""
    from sqlmesh.utils.date import to_datetime

    start = context.get_model("silver.silver_transactions").start
    return to_datetime(start).replace(tzinfo=None) if start is not None else None


def _warn_about_history_before_start(context: Context, report: BuildReport) -> None:
    """Incremental models start at `model_defaults.start`; older bronze rows are never read."""
    model_start = _model_start(context)
    row = context.engine_adapter.fetchone(
        observability.sql("SELECT MIN(transaction_date) FROM bronze.bronze_transactions")
    )
    if model_start is None or not row or row[0] is None:
        return
    if row[0] < model_start:
        message = (
            f"bronze has transactions from {row[0]:%Y-%m-%d}, before the models' start "
            f"{model_start:%Y-%m-%d}: set C360_HISTORY_START (e.g. '5 years ago') and re-plan"
        )
        log.warning(message)
        report.warnings.append(message)


def _observe(context: Context, report: BuildReport, since: datetime | None) -> None:
    """Measure quality and volumes, then append the run to the observability tables."""
    adapter = context.engine_adapter
    report.finished_at = utc_now()
    if report.ok:
        try:
            quality_table = context.table_name(observability.QUALITY_MODEL, report.environment)
            report.quality = observability.quality_metrics(
                adapter, quality_table, since, report.bronze_watermark
            )
            models = sorted(
                model.name for model in context.models.values() if not model.kind.is_external
            )
            report.record_counts = observability.record_counts(adapter, models)
        except Exception as exc:  # noqa: BLE001 - observability must not hide the build result
            log.warning("could not read the data-quality counts: %s", exc)
    observability.write_run(
        adapter,
        run_id=report.run_id,
        run_timestamp=report.started_at,
        status=report.status,
        models_run=report.models_run,
        models_failed=report.models_failed,
        started_at=report.started_at,
        finished_at=report.finished_at,
        action=report.action,
        environment=report.environment,
        gateway=report.gateway,
        bronze_watermark=report.bronze_watermark if report.ok else None,
        restated_from=report.restated_from,
        error_message=report.error,
        # a failed build may still have rewritten part of gold: publish copies it whole
        changed_since=report.changed_since if report.ok else None,
        execution_time=report.execution_time,
        audit_failures=report.audit_failures,
        counts=report.record_counts,
        triggered_by=report.triggered_by,
    )
