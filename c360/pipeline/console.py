"""What SQLMesh did during a build, captured for observability.

SQLMesh reports progress through a process-wide `Console` and audit failures
through notification targets; neither writes to a table. `RecordingConsole` counts
evaluated models, failures and warnings (quiet, or printing SQLMesh's own progress
when verbose); `AuditFailureCollector` keeps every failed audit (blocking or not)
with its model and row count, so `build()` can log them.
"""

from __future__ import annotations

import logging
import threading
import typing as t
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlmesh.core import console as sqlmesh_console
from sqlmesh.core.notification_target import GenericNotificationTarget, NotificationEvent

from c360.core.faults import pause_at
from c360.core.logs import console as rich_stderr

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AuditFailure:
    model: str
    audit: str
    rows: int


@dataclass
class Recording:
    """Everything a build observed, filled from SQLMesh callbacks (thread-safe)."""

    evaluated: set[str] = field(default_factory=set)
    batches: int = 0
    failed_models: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    audit_failures: list[AuditFailure] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def evaluated_batch(self, model: str) -> None:
        with self._lock:
            self.evaluated.add(model)
            self.batches += 1


_RECORDINGS: dict[str, Recording] = {}


class AuditFailureCollector(GenericNotificationTarget):
    """A notification target that files every audit failure into a `Recording`."""

    notify_on: frozenset[NotificationEvent] = frozenset({NotificationEvent.AUDIT_FAILURE})
    recording_id: str

    def notify_audit_failure(self, audit_error: t.Any, *args: t.Any, **kwargs: t.Any) -> None:
        recording = _RECORDINGS.get(self.recording_id)
        if recording is not None:
            model = audit_error.model_name or "?"
            with recording._lock:
                recording.audit_failures.append(
                    AuditFailure(model, audit_error.audit_name, int(audit_error.count))
                )


#: SQLMesh warnings about what c360 does on purpose: the first build's plan skips the
#: backfill (the run right after it backfills, the hour in progress included); a restatement
#: rebuilds the unique-key aggregates whole (rare: `c360.pipeline.build` says it in one line).
EXPECTED_WARNINGS = (
    "Skipping the backfill stage for production",
    "which does not support partial restatement",
)


def _recording_class(base: type[sqlmesh_console.Console]) -> type[sqlmesh_console.Console]:
    class RecordingConsole(base):  # type: ignore[valid-type, misc]
        def __init__(self, recording: Recording, **kwargs: t.Any) -> None:
            super().__init__(**kwargs)
            self.recording = recording

        def update_snapshot_evaluation_progress(self, snapshot, *args, **kwargs):  # noqa: ANN001
            self.recording.evaluated_batch(snapshot.name)
            pause_at("run")  # test hook: a model batch is done, the run is not
            return super().update_snapshot_evaluation_progress(snapshot, *args, **kwargs)

        def log_failed_models(self, errors):  # noqa: ANN001
            for error in errors:
                node = getattr(error, "node", None)
                name = getattr(node, "snapshot_name", None) or str(node or error)
                cause = error.__cause__ or error
                self.recording.failed_models.append(name)
                self.recording.errors.append(f"{name}: {cause}")
            return super().log_failed_models(errors)

        def log_warning(self, short_message, long_message=None, *args, **kwargs):  # noqa: ANN001
            # one line for the user (e.g. "'assert_x' audit error: 3 rows failed."); SQLMesh's
            # long form (the whole audit query) only at DEBUG
            if any(expected in short_message for expected in EXPECTED_WARNINGS):
                log.debug("%s", short_message)
                return None
            self.recording.warnings.append(short_message.strip())
            if long_message:
                log.debug("%s", long_message)
            return super().log_warning(short_message.strip())

        def log_error(self, message, *args, **kwargs):  # noqa: ANN001
            self.recording.errors.append(str(message).strip())
            return super().log_error(message)

    return RecordingConsole


@contextmanager
def recording(verbose: bool = False) -> Iterator[tuple[Recording, str]]:
    """Install a recording console for the duration; yields the recording and its id."""
    record = Recording()
    recording_id = f"{id(record):x}"
    _RECORDINGS[recording_id] = record
    previous = sqlmesh_console.get_console()
    if verbose:
        cls = _recording_class(sqlmesh_console.TerminalConsole)
        sqlmesh_console.set_console(cls(record, console=rich_stderr))
    else:
        sqlmesh_console.set_console(_recording_class(sqlmesh_console.NoopConsole)(record))
    try:
        yield record, recording_id
    finally:
        sqlmesh_console.set_console(previous)
        _RECORDINGS.pop(recording_id, None)
