"""A `c360 run` resumes a partly processed hour where the last run stopped, not at its start.

A run processes the hour in progress (`allow_partials` with `ignore_cron`) and SQLMesh
records it up to the run's clock, e.g. [13:00, 13:57). Its intervals are whole hours, so
the next run would evaluate all of [13:00, 14:00) again — and the loader stamps every row
of a file with its load time, so after `make demo` that hour holds the whole history: each
`c360 run` until the end of the demo's hour re-built 13.6M rows (75 s instead of 5).

c360's incremental models are functions of what was *loaded* in their interval: silver,
the fact, the change log and the quality counts delete and insert the rows loaded in
[start, end); the marts merge the customers that those loads touched, recomputed from all
their data. Evaluating [13:57, 14:00) after [13:00, 13:57) therefore writes what evaluating
[13:00, 14:00) would, for a fraction of the work. The scheduler below starts such an
interval at the end SQLMesh recorded (per model, from its own intervals). Plans (cold build,
restatements, `c360 plan`) compute their intervals elsewhere and are unchanged; a run that
follows a restatement in the same build re-processes whole hours (a plan stops at the last
whole hour, so the hour in progress is restated by that run).
Models with a lookback are left alone (their interval reads before its start).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlmesh import Context
from sqlmesh.core.scheduler import Scheduler
from sqlmesh.core.snapshot import DeployabilityIndex, Snapshot, SnapshotEvaluator
from sqlmesh.utils.date import to_datetime

Interval = tuple[int, int]


def resume(
    snapshot: Snapshot, missing: list[Interval], deployability: DeployabilityIndex
) -> list[Interval]:
    """`missing` with its first interval started where the recorded intervals end, when
    they cover its beginning (a partial hour processed by an earlier run)."""
    if not missing or not snapshot.is_model or snapshot.model.lookback:
        return missing
    done = (
        snapshot.intervals if deployability.is_representative(snapshot) else snapshot.dev_intervals
    )
    start, end = missing[0]
    for low, high in done:
        if low <= start < high < end:
            return [(high, end), *missing[1:]]
    return missing


class ResumingScheduler(Scheduler):
    """SQLMesh's scheduler, with missing intervals resumed (`resume`) before batching."""

    def __init__(self, *args: Any, resume_partial_hours: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.resume_partial_hours = resume_partial_hours
        #: Per model (SQLMesh name), the earliest start handed to the evaluator (epoch ms).
        self.scheduled_from: dict[str, int] = {}

    def merged_missing_intervals(self, *args: Any, **kwargs: Any) -> dict[Snapshot, list[Interval]]:
        merged = super().merged_missing_intervals(*args, **kwargs)
        if not self.resume_partial_hours:
            return merged
        deployability = kwargs.get("deployability_index") or DeployabilityIndex.all_deployable()
        resumed = {
            snapshot: resume(snapshot, list(intervals), deployability)
            for snapshot, intervals in merged.items()
        }
        for snapshot, intervals in resumed.items():
            if intervals:
                start = intervals[0][0]
                self.scheduled_from[snapshot.name] = min(
                    start, self.scheduled_from.get(snapshot.name, start)
                )
        return resumed


class ResumingContext(Context):
    """A SQLMesh Context whose runs use `ResumingScheduler`; the last one is kept so the
    build can tell the publisher from where it rewrote rows (`scheduled_from`)."""

    last_scheduler: ResumingScheduler | None = None
    #: Off after a restatement in the same build: rows loaded before the recorded end of the
    #: hour (the reason for restating) change what that part of the hour holds.
    resume_partial_hours: bool = True

    def create_scheduler(
        self, snapshots: Iterable[Snapshot], snapshot_evaluator: SnapshotEvaluator
    ) -> Scheduler:
        scheduler = ResumingScheduler(
            snapshots,
            snapshot_evaluator,
            self.state_sync,
            default_catalog=self.default_catalog,
            max_workers=self.concurrent_tasks,
            console=self.console,
            notification_target_manager=self.notification_target_manager,
            resume_partial_hours=self.resume_partial_hours,
        )
        self.last_scheduler = scheduler
        return scheduler

    def scheduled_from(self) -> dict[str, datetime]:
        """Per model the last run evaluated (SQLMesh name), where its evaluations started
        (naive UTC)."""
        found = self.last_scheduler.scheduled_from if self.last_scheduler else {}
        return {name: to_datetime(ts).replace(tzinfo=None) for name, ts in found.items()}
