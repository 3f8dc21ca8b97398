"""Build silver and gold with SQLMesh, then log the run to the observability schema.

`build(settings)` is what `c360 run` calls after ingestion:

0. **nothing new?** (`c360.pipeline.changes`, without importing SQLMesh): the last build
   succeeded, bronze holds no load newer than the one it read and the project files are
   the same — then the build stops there and says so;
1. **plan** only when the environment does not exist yet (the cold build of an empty
   warehouse; the plan creates the tables, the run of step 2 backfills them). A project
   whose models differ from the environment is *not* applied: the build keeps running the
   environment's own models and says so; changes reach prod only through an explicit,
   reviewed plan (`c360 plan`, `c360.pipeline.plan`). Whether they differ is decided once
   per project fingerprint; with the fingerprint of the last build the project is not even
   loaded (the run uses the environment's snapshots from state);
2. **run** (`ignore_cron`, so the hour in progress is processed too). Silver and the fact
   are incremental by *load time*: a run processes what was loaded since the last one, and
   a late file is just the next load — its old transaction times do not matter, nothing is
   restated. Aggregates re-compute the customer-months / customers that the new rows touch.
   The run resumes where the last one stopped, not at the start of its hour
   (`c360.pipeline.scheduling`): after `make demo` that hour holds the whole history;
3. **restate** only in two rare cases: bronze rows loaded after the last build but stamped
   before its clock (a loader clock behind the build's), and transactions of a customer whose
   snapshot came after them (unknown then, known now): silver_transactions and everything
   downstream are re-processed from the load hour of the oldest such row;
4. write `observability.*` (run metadata, data-quality metrics, record counts).

A failed build is logged as FAILED and reported, never raised past the report, so the
caller can still publish the last good gold tables.
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from c360.core.clock import utc_now
from c360.core.gc_pauses import fewer_gc_pauses
from c360.core.settings import Settings
from c360.core.warehouse import vacuum_statement
from c360.pipeline import observability
from c360.pipeline.changes import last_build, last_build_query, nothing_new, project_fingerprint
from c360.pipeline.context import PROJECT_ROOT, open_context, schema_table

if TYPE_CHECKING:
    from c360.pipeline.console import AuditFailure
    from c360.pipeline.scheduling import ResumingContext as Context

log = logging.getLogger(__name__)

#: The view of every customer snapshot: evaluated in a run only when a customer file arrived.
SNAPSHOTS_VIEW = "silver.silver_customer_snapshots"

#: Models that late rows force to re-process (their downstream models follow).
RESTATE_ON_LATE_DATA = ("silver.silver_transactions",)

#: Rows loaded since the last build but stamped before its clock: the coming run would not
#: read them (it resumes where the last build stopped). Rows dated before the models' start
#: are never read by silver (data_quality_metrics counts them, check before_start).
LATE_ROWS_SQL = """
SELECT MIN(ingestion_timestamp)
FROM bronze.bronze_transactions
WHERE ingestion_timestamp > :since AND ingestion_timestamp < :horizon
  AND transaction_date >= :model_start
"""

LATE_CUSTOMERS_SQL = """
SELECT MIN(silver.ingestion_timestamp)
FROM silver.silver_transactions AS silver
INNER JOIN silver.silver_customers AS customers ON silver.customer_id = customers.customer_id
WHERE NOT silver.is_known_customer
"""

#: Per source the run can leave alone, whether anything arrived for it since the last build.
#: A snapshot dated after its load also reaches the SCD2 history when the clock passes its
#: date, so the history has work when one falls in (last build's clock, now].
IDLE_SOURCES_SQL = """
SELECT
  COALESCE((SELECT MAX(ingestion_timestamp) FROM bronze.bronze_customers), :epoch) <= :since
    AS customers_idle,
  NOT EXISTS (
    SELECT 1 FROM silver.silver_customer_snapshots
    WHERE snapshot_date::TIMESTAMP > :clock AND snapshot_date::TIMESTAMP <= :now
  ) AS snapshot_dates_idle,
  COALESCE((SELECT MAX(ingestion_timestamp) FROM bronze.bronze_campaign_assignments), :epoch)
    <= :since AS campaigns_idle
"""

NEW_ROWS_FIRST_DATE_SQL = """
SELECT MIN(transaction_date) FROM bronze.bronze_transactions WHERE ingestion_timestamp > :since
"""


@dataclass
class BuildReport:
    """What one build did; `c360 run` prints it, tests and benchmarks read it."""

    run_id: str
    environment: str
    gateway: str
    #: "plan", "run" (with "+restate" when late data was re-processed), or "none": nothing
    #: new since the last build, which then covers everything (nothing was run or written;
    #: "none+restate": only the restatement asked for, e.g. by `c360 train`).
    action: str = "run"
    status: str = "FAILED"  # SUCCESS or FAILED
    started_at: datetime = field(default_factory=utc_now)
    finished_at: datetime | None = None
    seconds: float = 0.0
    models_run: int = 0
    models_failed: int = 0
    batches: int = 0
    bronze_watermark: datetime | None = None
    restated_from: datetime | None = None
    #: The build's clock (naive UTC) and the oldest load time whose gold rows it may
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


def _idle_models(
    context: Context, previous: observability.PreviousBuild, now: datetime
) -> set[str]:
    """Models whose sources got nothing since the last build, which the run leaves alone.

    The customer and campaign models re-read every snapshot or assignment whenever their
    interval is due (silver_customers and silver_campaign_assignments are FULL, the SCD2
    history merges the latest snapshot): with no new file the result is the same, so an
    hourly transactions file should not pay for them. SQLMesh keeps their intervals open
    and processes them with the next file that concerns them (the FULL models once, the
    history in its batches), and the models downstream still run (they read the tables as
    they are). Only prod, after a successful build: anything else processes every model.
    """
    if previous.bronze_watermark is None or previous.execution_time is None:
        return set()
    row = observability.fetchone(
        context.engine_adapter,
        observability.sql(
            IDLE_SOURCES_SQL,
            since=previous.bronze_watermark,
            clock=previous.execution_time,
            now=now,
            epoch=observability.EPOCH,
        ),
    )
    customers_idle, snapshot_dates_idle, campaigns_idle = row if row else (False, False, False)
    idle = set()
    if customers_idle:
        idle.update(("silver.silver_customers", SNAPSHOTS_VIEW))
        if snapshot_dates_idle:
            idle.add("silver.silver_customer_history")
    if campaigns_idle:
        idle.add("silver.silver_campaign_assignments")
    # A view is its query: evaluating it re-creates the same view (its rows are computed on
    # read) and runs its audits. The snapshot view's audits check every snapshot row, so it
    # runs when a customer file arrived; a view without audits has nothing to do in a run
    # (a plan creates it).
    views = _model_names(context, "prod", kinds=("VIEW",))
    idle.update(name for name in views if name != SNAPSHOTS_VIEW)
    return idle


def _merges_row_groups(previous: observability.PreviousBuild, now: datetime) -> bool:
    """Whether this build's checkpoints may merge row groups thinned by deletes: in the
    first build of a day (and the first build at all), which recomputes every customer, so
    the hours between leave at most a day of deleted rows and small row groups behind
    (`c360.core.warehouse.vacuum_statement`)."""
    return previous.execution_time is None or previous.execution_time.date() != now.date()


def _first_missing(context: Context, environment: str, selected: set[str]) -> datetime | None:
    """Where the run's missing intervals can start: the earliest end of a model's first
    recorded interval (everything before it is done), floored to its hour; None when a
    selected model has nothing recorded from its start (then the run looks at everything).

    Without a start SQLMesh lists every interval from the models' start to now for each
    model to find the missing ones (`compute_missing_intervals`): ~80 ms per model for two
    years of hours, 2 s of every hourly run at 25 models, for intervals that are all done.
    """
    from sqlmesh.utils.date import to_timestamp

    env = context.state_reader.get_environment(environment)
    if env is None:
        return None
    earliest: int | None = None
    for snapshot in context.state_sync.get_snapshots(env.snapshots).values():
        if not snapshot.is_model or snapshot.is_seed or schema_table(snapshot.name) not in selected:
            continue
        if not snapshot.evaluatable:
            continue
        start = to_timestamp(snapshot.node.start) if snapshot.node.start else None
        intervals = snapshot.intervals
        if not intervals or (start is not None and intervals[0][0] > start):
            return None
        earliest = intervals[0][1] if earliest is None else min(earliest, intervals[0][1])
    if earliest is None:
        return None
    return _first_hour(datetime.fromtimestamp(earliest / 1000, UTC).replace(tzinfo=None))


def _first_hour(found: datetime | None) -> datetime | None:
    return found.replace(minute=0, second=0, microsecond=0) if found is not None else None


def _late_rows_start(
    context: Context, previous: observability.PreviousBuild, model_start: datetime | None
) -> datetime | None:
    """Load hour of the oldest row loaded since the last build that the coming run would
    not read: the run resumes where the last build stopped (its clock), so only a row
    stamped before it — a loader clock behind the build's, or a load that committed while
    the build read bronze — is missed. Checked before the run, so the run that follows
    measures and publishes it."""
    if previous.bronze_watermark is None or previous.execution_time is None:
        return None
    query = observability.sql(
        LATE_ROWS_SQL,
        since=previous.bronze_watermark,
        horizon=previous.execution_time,
        model_start=model_start or observability.EPOCH,
    )
    row = observability.fetchone(context.engine_adapter, query)
    return _first_hour(row[0] if row else None)


def _late_customers_start(context: Context) -> datetime | None:
    """Load hour of the oldest transaction of a customer that was unknown when silver took
    it and is known now (its snapshot came late). Checked after the run has refreshed
    silver_customers."""
    row = observability.fetchone(context.engine_adapter, observability.sql(LATE_CUSTOMERS_SQL))
    return _first_hour(row[0] if row else None)


def _restate(
    context: Context,
    environment: str,
    report: BuildReport,
    late: datetime,
    now: datetime,
    models: tuple[str, ...] = RESTATE_ON_LATE_DATA,
) -> None:
    """Re-process `models` (default silver_transactions) and everything downstream from
    load hour `late`."""
    log.info(
        "rows loaded from %s need re-processing: restating %s and what depends on it",
        late,
        ", ".join(models),
    )
    _ensure_loaded(context)
    context.resume_partial_hours = False  # the hour in progress is restated by the run
    context.plan(
        environment,
        restate_models=list(models),
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
    # unique-key aggregates are restated whole (SQLMesh): publish copies everything
    report.changed_since = None


def _ensure_loaded(context: Context) -> None:
    """Load the project (plans and diffs need it; a run uses the environment's snapshots)."""
    if not getattr(context, "_c360_loaded", False):
        context.load()
        context._c360_loaded = True  # type: ignore[attr-defined]


@fewer_gc_pauses()
def build(
    settings: Settings,
    *,
    environment: str = "prod",
    execution_time: datetime | None = None,
    verbose: bool = False,
    project_root: Path = PROJECT_ROOT,
    force: bool = False,
    triggered_by: str | None = None,
    restate: tuple[str, ...] = (),
) -> BuildReport:
    """Bring `environment` up to date with bronze and log the run; see the module doc.

    `force` builds even when nothing is new (the SQLMesh run decides what to process);
    `triggered_by` is recorded with the run (`c360 run --watch` passes "watch");
    `restate` names models to re-process whole after the run, with everything downstream
    (`c360 train` passes gold.churn_predictions: a new model version re-scores everyone).
    When nothing is new since the last build, only the restatement runs: the run would
    re-process the hour in progress for every model (15 s at full scale) and change nothing.
    """
    report = BuildReport(uuid.uuid4().hex, environment, settings.gateway)
    report.triggered_by = triggered_by
    clock = time.perf_counter()
    only_restate = False
    if not force:
        covered = nothing_new(settings, environment, project_root)
        only_restate = covered is not None and bool(restate)
        if covered is not None and not restate:
            report.action, report.status = "none", "SUCCESS"
            report.bronze_watermark = covered.bronze_watermark
            report.execution_time = covered.execution_time
            report.project_differs = covered.project_differs
            report.finished_at = utc_now()
            report.seconds = time.perf_counter() - clock
            log.debug(
                "nothing new: the last build of %s (%s) covers every load (up to %s)",
                environment,
                f"{covered.run_timestamp:%Y-%m-%d %H:%M:%S}",
                f"{covered.bronze_watermark:%Y-%m-%d %H:%M:%S}",
            )
            if covered.project_differs:
                report.warnings.append(project_differs_message(environment))
                log.warning(report.warnings[-1])
            return report
    from c360.pipeline.console import AuditFailureCollector, recording

    fingerprint = project_fingerprint(settings, project_root)
    with (
        recording(verbose) as (record, recording_id),
        open_context(
            settings,
            notification_targets=[AuditFailureCollector(recording_id=recording_id)],
            project_root=project_root,
            load=False,
        ) as context,
    ):
        adapter = context.engine_adapter
        observability.ensure_tables(adapter)
        observability.retire_legacy_quality_table(adapter)
        previous = observability.previous_build(adapter, environment)
        if adapter.dialect == "duckdb":
            merge = _merges_row_groups(previous, execution_time or utc_now())
            adapter.execute(vacuum_statement(merge_row_groups=merge))
        since = previous.bronze_watermark
        report.bronze_watermark = observability.bronze_watermark(adapter)
        try:
            if only_restate:
                report.action, report.execution_time = "none", execution_time or utc_now()
            else:
                _build(
                    context, report, environment, previous, execution_time, settings, fingerprint
                )
            if restate:
                now = report.execution_time or utc_now()
                start = _model_start(settings) or observability.EPOCH
                _restate(context, environment, report, start, now, models=restate)
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
        if record.errors and not report.ok:
            # SQLMesh's own exception only says "Plan application failed": add what failed
            details = "; ".join(error.splitlines()[0] for error in record.errors[:3])
            log.debug("SQLMesh errors: %s", record.errors)
            report.error = f"{report.error} — {details}" if report.error else details
        _observe(context, report, since, fingerprint)
    report.seconds = time.perf_counter() - clock
    return report


def _build(
    context: Context,
    report: BuildReport,
    environment: str,
    previous: observability.PreviousBuild,
    execution_time: datetime | None,
    settings: Settings,
    fingerprint: str,
) -> None:
    now = execution_time or utc_now()
    report.execution_time = now
    model_start = _model_start(settings)
    if context.state_reader.get_environment(environment) is None:
        log.info("first build of %s: planning every model", environment)
        _ensure_loaded(context)
        # The plan creates the tables and the environment; the run below backfills them.
        # A plan stops at the last whole hour, and with load-time intervals a first load
        # is usually in the hour in progress: the plan would audit empty marts.
        context.plan(
            environment,
            auto_apply=True,
            no_prompts=True,
            skip_tests=True,
            skip_backfill=True,
            execution_time=now,
        )
        report.action = "plan"
        report.changed_since = None
    else:
        report.action = "run"
        last = last_build(
            observability.fetchone(context.engine_adapter, last_build_query(environment))
        )
        same_files = last is not None and last.project_fingerprint == fingerprint
        if same_files and not last.project_differs:
            # the files are those of a build that matched prod: no diff to compute. A recorded
            # difference is checked again: a `c360 plan prod` since then may have applied it
            report.project_differs = False
        else:
            _ensure_loaded(context)
            report.project_differs = bool(context.diff(environment))
        if report.project_differs:
            message = project_differs_message(environment)
            log.warning(message)
            report.warnings.append(message)
        late = _late_rows_start(context, previous, model_start)
        if late is not None:
            _restate(context, environment, report, late, now)
    # The hour in progress too (plans stop at the last whole hour). The janitor (expired
    # snapshots and environments) runs after reviewed plans, not every hour.
    idle = _idle_models(context, previous, now) if report.action == "run" else set()
    if environment != "prod":
        idle = set()  # the checks read prod's names
    selected = [name for name in _model_names(context, environment) if name not in idle]
    if idle:
        log.debug("nothing arrived for %s: the run leaves them alone", ", ".join(sorted(idle)))
    context.run(
        environment,
        start=_first_missing(context, environment, set(selected)),
        ignore_cron=True,
        execution_time=now,
        end=now,
        skip_janitor=True,
        select_models=selected if idle else None,
        no_auto_upstream=True,
    )
    if report.action == "run" and report.restated_from is None:
        # gold rows were rewritten from where the gold models' evaluations started: the last
        # build's clock, as the run resumes the hour it stopped in (c360.pipeline.scheduling).
        # Not later than that clock: a `sqlmesh run` outside c360 may have processed loads
        # since, which the serving copy lacks as well.
        starts = [
            start
            for name, start in context.scheduled_from().items()
            if schema_table(name).startswith("gold.")
        ]
        if previous.execution_time is not None:
            starts.append(previous.execution_time)
        report.changed_since = min(starts, default=now)
    # a customer unknown to silver_customers can only become known when it is re-evaluated
    late = _late_customers_start(context) if "silver.silver_customers" not in idle else None
    if late is not None:
        _restate(context, environment, report, late, now)
    _warn_about_history_before_start(context, report, previous.bronze_watermark, model_start)


def _model_start(settings: Settings) -> datetime | None:
    """Where the incremental models start (`model_defaults.start` = C360_HISTORY_START),
    naive UTC, resolved as SQLMesh resolves it ('2 years ago' = midnight two years ago)."""
    from sqlmesh.utils.date import to_datetime

    return to_datetime(settings.history_start).replace(tzinfo=None)


def _warn_about_history_before_start(
    context: Context, report: BuildReport, since: datetime | None, model_start: datetime | None
) -> None:
    """Incremental models start at `model_defaults.start`; older bronze rows are never read.
    Only the rows loaded by this build are looked at (the warning came with older ones)."""
    row = observability.fetchone(
        context.engine_adapter,
        observability.sql(NEW_ROWS_FIRST_DATE_SQL, since=since or observability.EPOCH),
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


def _model_names(
    context: Context, environment: str, views: bool = True, kinds: tuple[str, ...] = ()
) -> list[str]:
    """The environment's models (not external ones) as schema.table, from state.

    `views=False` leaves views out where their rows would be read: a view is computed when
    read, so counting gold.churn_features_at_cutoff (every customer at every cutoff) each
    run would cost what building it as a table would; its volume is that of its sources.
    `kinds` (e.g. ("VIEW",)) keeps only models of those kinds."""
    env = context.state_reader.get_environment(environment)
    names = []
    for snapshot in env.snapshots if env else []:
        kind = snapshot.kind_name
        if not (snapshot.is_model and kind and not kind.is_external):
            continue
        if (views or not kind.is_view) and (not kinds or kind.value in kinds):
            names.append(schema_table(snapshot.name))
    return sorted(names)


def _observe(
    context: Context, report: BuildReport, since: datetime | None, fingerprint: str
) -> None:
    """Measure quality and volumes, then append the run to the observability tables."""
    adapter = context.engine_adapter
    report.finished_at = utc_now()
    if report.ok:
        try:
            quality_table = context.table_name(observability.QUALITY_MODEL, report.environment)
            report.quality = observability.quality_metrics(
                adapter, quality_table, since, report.bronze_watermark
            )
            models = _model_names(context, report.environment, views=False)
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
        project_fingerprint=fingerprint,
        project_differs=report.project_differs,
        audit_failures=report.audit_failures,
        counts=report.record_counts,
        triggered_by=report.triggered_by,
    )
