"""Change an environment's models through a reviewed plan (`c360 plan [ENV]`).

`c360 run` never applies model edits (see `build`): a change is previewed in a virtual
environment and reaches prod only through this. `review_plan` runs the SQLMesh unit
tests, shows SQLMesh's own diff of the project against the environment and applies the
plan when asked — to a dev environment by default (it is a preview: prod is untouched
and `sqlmesh table_diff prod:dev <model>` compares them), to prod only with explicit
confirmation. After a prod plan the caller publishes, so the serving copy follows.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from c360.core.errors import C360Error
from c360.core.settings import Settings
from c360.pipeline.console import recording
from c360.pipeline.context import PROJECT_ROOT, open_context

log = logging.getLogger(__name__)


@dataclass
class PlanReport:
    environment: str
    tests_run: int = 0
    directly_modified: list[str] = field(default_factory=list)
    indirectly_modified: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    metadata_updated: list[str] = field(default_factory=list)
    applied: bool = False
    execution_time: datetime | None = None

    @property
    def has_changes(self) -> bool:
        return bool(
            self.directly_modified
            or self.indirectly_modified
            or self.added
            or self.removed
            or self.metadata_updated
        )


def _names(snapshot_ids: object) -> list[str]:
    return sorted(str(getattr(s, "name", s)).replace('"', "") for s in snapshot_ids)  # type: ignore[attr-defined]


def _run_unit_tests(context: object, report: PlanReport) -> str | None:
    """Run every SQLMesh unit test; the failure message, or None when all pass.

    Only text leaves this function: a failed test's traceback holds the test's database
    connection, which must not outlive the run (DuckDB allows one configuration per file).
    """
    result = context.test()  # type: ignore[attr-defined]
    report.tests_run = result.testsRun
    if result.wasSuccessful():
        return None
    failed = [str(test).split(" ")[0] for test, _ in result.failures + result.errors]
    result.failures.clear()
    result.errors.clear()
    return (
        f"{len(failed)} of {report.tests_run} SQLMesh unit tests failed ({', '.join(failed)}); "
        "nothing was planned — `sqlmesh test` shows the details"
    )


def review_plan(
    settings: Settings,
    environment: str = "dev",
    *,
    confirm: Callable[[PlanReport], bool],
    execution_time: datetime | None = None,
    show: bool = True,
    project_root: Path = PROJECT_ROOT,
) -> PlanReport:
    """Unit tests, then SQLMesh's plan of the project against `environment`; apply it when
    `confirm(report)` says so (the CLI asks the user for prod, says yes for dev).

    Fails (C360Error) when a unit test fails: nothing is planned then. `show` prints
    SQLMesh's diff and progress on stderr.
    """
    from sqlmesh.utils.date import now as sqlmesh_now
    from sqlmesh.utils.errors import NoChangesPlanError

    now = execution_time or sqlmesh_now().replace(tzinfo=None)
    report = PlanReport(environment, execution_time=now)
    with (
        recording(verbose=show) as (record, _),
        open_context(settings, project_root=project_root) as context,
    ):
        failure = _run_unit_tests(context, report)
        if failure:
            raise C360Error(failure)
        try:
            plan = context.plan_builder(
                environment,
                skip_tests=True,  # just ran, all of them
                execution_time=now,
            ).build()
        except NoChangesPlanError:  # a new environment identical to prod: nothing to preview
            return report
        # SQLMesh's own rendering of the change, without its interactive prompts
        context.console.show_environment_difference_summary(plan.context_diff, no_diff=False)
        if plan.context_diff.has_changes:
            context.console.show_model_difference_summary(
                plan.context_diff,
                plan.environment_naming_info,
                context.default_catalog,
                no_diff=False,
            )
        report.directly_modified = _names(plan.directly_modified)
        report.indirectly_modified = sorted(
            {name for ids in plan.indirectly_modified.values() for name in _names(ids)}
        )
        report.added = _names(plan.context_diff.added)
        report.removed = _names(plan.context_diff.removed_snapshots)
        report.metadata_updated = _names(plan.metadata_updated)
        if (plan.has_changes or plan.requires_backfill) and confirm(report):
            context.apply(plan)
            report.applied = True
        if record.errors:
            raise C360Error(f"plan of {environment} failed: {'; '.join(record.errors)}")
    return report
