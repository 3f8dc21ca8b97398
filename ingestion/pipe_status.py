"""`c360 status`: the pipe's health in the shape of Snowflake's SYSTEM$PIPE_STATUS.

Runbooks (spec 12.1/12.2) start with "check the pipe status, then the failed
loads of the last 24 h"; this module answers both from the heartbeat of a
running watcher, the stage listing and `observability.load_history`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from c360.core.clock import parse_utc, utc_iso, utc_now
from c360.core.process import process_alive
from c360.core.settings import Settings
from c360.core.warehouse import open_warehouse
from ingestion import routing
from ingestion.load_history import LOAD_HISTORY, KnownFiles, Status, known_files
from ingestion.stage import Stage, open_stage
from ingestion.warehouse import has_loader_tables
from ingestion.watch import Heartbeat, heartbeat_path

#: A watcher that has not polled for this long (and at least 10 intervals) is STALLED.
STALL_SECONDS = 30.0

HISTORY_COLUMNS = (
    "last_load_time",
    "file_name",
    "table_name",
    "status",
    "row_parsed",
    "row_count",
    "error_count",
    "first_error_message",
    "first_error_line_number",
    "latency_seconds",
)


@dataclass
class PipeStatus:
    """SYSTEM$PIPE_STATUS fields (camelCase like Snowflake's JSON) plus recent loads.

    Timestamps are ISO 8601 UTC with the offset (`2026-12-01T18:51:46+00:00`); the
    `recent` rows keep the warehouse's naive-UTC datetimes until `as_json` writes them.
    """

    executionState: str  # RUNNING, STALLED or STOPPED  # noqa: N815
    pendingFileCount: int  # noqa: N815
    lastIngestedFilePath: str | None  # noqa: N815
    lastIngestedTimestamp: str | None  # noqa: N815
    lastPolledTimestamp: str | None  # noqa: N815
    lastError: str | None  # noqa: N815
    lastErrorFilePath: str | None  # noqa: N815
    stageLocation: str  # noqa: N815
    recent: list[dict] = field(default_factory=list)

    def as_json(self, *, recent: bool = False) -> dict:
        """JSON-ready fields; with `recent`, also the load history (times as ISO 8601 UTC)."""
        payload = {k: v for k, v in self.__dict__.items() if k != "recent"}
        if recent:
            payload["recent"] = [
                {k: utc_iso(v) if isinstance(v, datetime) else v for k, v in row.items()}
                for row in self.recent
            ]
        return payload


def execution_state(beat: Heartbeat | None, now: datetime) -> str:
    if beat is None or not process_alive(beat.pid):
        return "STOPPED"
    last = parse_utc(beat.last_poll_at)
    limit = max(STALL_SECONDS, 10 * beat.interval)
    return "RUNNING" if now - last <= timedelta(seconds=limit) else "STALLED"


def pipe_status(settings: Settings, stage: Stage | None = None, hours: float = 24) -> PipeStatus:
    """Status of the local pipe: watcher state, pending files, last load, last error."""
    stage = stage or open_stage(settings)
    now = utc_now()
    beat = Heartbeat.read(heartbeat_path(settings.data_dir))
    known = KnownFiles(set(), set(), set())
    last_ok = last_error = None
    recent: list[dict] = []
    if settings.warehouse_path.exists():
        with open_warehouse(settings.warehouse_path, read_only=True, lock_timeout=5) as con:
            if has_loader_tables(con):
                known = known_files(con)
                table = LOAD_HISTORY.qualified
                last_ok = con.execute(
                    f"SELECT file_name, last_load_time FROM {table} "  # noqa: S608
                    "WHERE status IN (?, ?) ORDER BY last_load_time DESC LIMIT 1",
                    [Status.LOADED.value, Status.PARTIALLY_LOADED.value],
                ).fetchone()
                last_error = con.execute(
                    f"SELECT file_name, first_error_message FROM {table} "  # noqa: S608
                    "WHERE status IN (?, ?) ORDER BY last_load_time DESC LIMIT 1",
                    [Status.LOAD_FAILED.value, Status.PARTIALLY_LOADED.value],
                ).fetchone()
                cursor = con.execute(
                    f"SELECT {', '.join(HISTORY_COLUMNS)} FROM {table} "  # noqa: S608
                    "WHERE last_load_time >= ? ORDER BY last_load_time DESC",
                    [now - timedelta(hours=hours)],
                )
                recent = [dict(zip(HISTORY_COLUMNS, row, strict=True)) for row in cursor.fetchall()]
    pending = sum(
        1
        for f in stage.list_files()
        if routing.route(f.key) is not None and not known.knows(*f.version, f.etag)
    )
    return PipeStatus(
        executionState=execution_state(beat, now),
        pendingFileCount=pending,
        lastIngestedFilePath=last_ok[0] if last_ok else None,
        lastIngestedTimestamp=utc_iso(last_ok[1]) if last_ok and last_ok[1] else None,
        lastPolledTimestamp=utc_iso(parse_utc(beat.last_poll_at)) if beat else None,
        lastError=(beat.last_error if beat and beat.last_error else None)
        or (last_error[1] if last_error else None),
        lastErrorFilePath=last_error[0] if last_error else None,
        stageLocation=stage.location,
        recent=recent,
    )
