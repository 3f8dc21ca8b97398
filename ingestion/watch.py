"""`c360 ingest --watch`: keep a pipe polling the stage, like Snowpipe's auto-ingest.

Polling a folder (or an S3 listing) once a second meets the ≤ 5 s arrival-to-
bronze target without filesystem-event dependencies, and works the same for
both stages. Between loads the watcher holds no DuckDB lock — its memory of
loaded files lives in the `Pipe` — so `c360 run` and `c360 status` can use the
warehouse while it watches. A heartbeat file lets `c360 status` tell a running
pipe from a stopped one.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from c360.core.clock import utc_iso, utc_now
from c360.core.errors import C360Error
from c360.core.warehouse import WarehouseBusy
from ingestion.loader import IngestSummary, Pipe

log = logging.getLogger(__name__)

DEFAULT_INTERVAL = 1.0


@dataclass
class Heartbeat:
    """What a running watcher tells `c360 status` (written atomically every poll).

    Times are ISO 8601 UTC with the offset (`stage.utc_iso`), as in `c360 status --json`.
    """

    pid: int
    stage: str
    on_error: str
    interval: float
    started_at: str
    last_poll_at: str
    pending_files: int
    last_error: str | None = None

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.{self.pid}.part")
        partial.write_text(json.dumps(asdict(self), indent=2))
        os.replace(partial, path)

    @classmethod
    def read(cls, path: Path) -> Heartbeat | None:
        try:
            return cls(**json.loads(path.read_text()))
        except (FileNotFoundError, ValueError, TypeError):
            return None


def heartbeat_path(data_dir: Path) -> Path:
    return data_dir / ".c360" / "pipe.json"


class Watcher:
    """A pipe polled by a long-running command: its heartbeat and what it has reported.

    `c360 ingest --watch` (`watch` below) and `c360 run --watch`
    (`c360.pipeline.continuous`) both poll through one: `poll()` lists the stage, loads
    what is new and writes the heartbeat; a busy warehouse or a failed listing is logged,
    kept as the heartbeat's `last_error` and retried on the next poll.
    """

    def __init__(
        self, pipe: Pipe, *, interval: float = DEFAULT_INTERVAL, heartbeat: Path | None = None
    ) -> None:
        self.pipe = pipe
        self.heartbeat = heartbeat
        self.beat = Heartbeat(
            pid=os.getpid(),
            stage=pipe.stage.location,
            on_error=str(pipe.on_error),
            interval=interval,
            started_at=utc_iso(utc_now()),
            last_poll_at=utc_iso(utc_now()),
            pending_files=0,
        )
        self._reported: list[str] = []

    def start(self) -> None:
        """Read the load history; fail now, loudly, if the stage or warehouse is unreachable."""
        self.pipe.sync()
        self.pipe.stage.list_files()
        self.write()

    def poll(self) -> IngestSummary | None:
        """Load every new file version once; None when there was none (or the poll failed)."""
        summary = None
        pipe, beat = self.pipe, self.beat
        try:
            new, _, _ = pipe.scan()
            unreadable = list(pipe.stage.unreadable)
            if unreadable != self._reported:  # say it once, not every poll
                for problem in unreadable:
                    log.warning("cannot read %s; its files wait until it can be read", problem)
                self._reported = unreadable
            beat.pending_files = len(new)
            if new:
                summary = pipe.load(new)
                beat.pending_files = len(summary.deferred) + sum(
                    1 for problem in summary.unreadable if problem not in unreadable
                )
            beat.last_error = f"cannot read {'; '.join(unreadable)}" if unreadable else None
        except WarehouseBusy as exc:
            log.warning("%s; retrying on the next poll", exc)
            beat.last_error = str(exc)
        except C360Error as exc:
            log.warning("poll failed: %s; retrying", exc)
            beat.last_error = str(exc)
        beat.last_poll_at = utc_iso(utc_now())
        self.write()
        return summary

    def write(self) -> None:
        if self.heartbeat:
            self.beat.write(self.heartbeat)

    def close(self) -> None:
        """Remove the heartbeat (if it is still this process's): the pipe is STOPPED."""
        beat, path = self.beat, self.heartbeat
        if path and (current := Heartbeat.read(path)) and current.pid == beat.pid:
            path.unlink(missing_ok=True)


def watch(
    pipe: Pipe,
    *,
    interval: float = DEFAULT_INTERVAL,
    stop: threading.Event | None = None,
    on_batch: Callable[[IngestSummary], None] | None = None,
    heartbeat: Path | None = None,
) -> None:
    """Poll until `stop` is set (or Ctrl-C): load each new file as soon as it is listed.

    A stage or warehouse that cannot be reached at start-up is an error; later,
    a busy warehouse or a failed listing is logged and retried on the next poll,
    because a pipe should outlive a blip.
    """
    stop = stop or threading.Event()
    watcher = Watcher(pipe, interval=interval, heartbeat=heartbeat)
    watcher.start()
    log.info("watching %s every %.1f s (Ctrl-C to stop)", pipe.stage.location, interval)
    try:
        while not stop.is_set():
            summary = watcher.poll()
            if summary is not None and on_batch:
                on_batch(summary)
            stop.wait(interval)
    finally:
        watcher.close()
