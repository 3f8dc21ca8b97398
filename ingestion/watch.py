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
    beat = Heartbeat(
        pid=os.getpid(),
        stage=pipe.stage.location,
        on_error=str(pipe.on_error),
        interval=interval,
        started_at=utc_iso(utc_now()),
        last_poll_at=utc_iso(utc_now()),
        pending_files=0,
    )
    pipe.sync()
    pipe.stage.list_files()  # fail now, loudly, if the stage is unreachable
    log.info("watching %s every %.1f s (Ctrl-C to stop)", pipe.stage.location, interval)
    reported: list[str] = []
    try:
        while not stop.is_set():
            try:
                new, _, _ = pipe.scan()
                unreadable = list(pipe.stage.unreadable)
                if unreadable != reported:  # say it once, not every poll
                    for problem in unreadable:
                        log.warning("cannot read %s; its files wait until it can be read", problem)
                    reported = unreadable
                beat.pending_files = len(new)
                if new:
                    summary = pipe.load(new)
                    beat.pending_files = len(summary.deferred) + sum(
                        1 for problem in summary.unreadable if problem not in unreadable
                    )
                    if on_batch:
                        on_batch(summary)
                beat.last_error = f"cannot read {'; '.join(unreadable)}" if unreadable else None
            except WarehouseBusy as exc:
                log.warning("%s; retrying on the next poll", exc)
                beat.last_error = str(exc)
            except C360Error as exc:
                log.warning("poll failed: %s; retrying", exc)
                beat.last_error = str(exc)
            beat.last_poll_at = utc_iso(utc_now())
            if heartbeat:
                beat.write(heartbeat)
            stop.wait(interval)
    finally:
        if heartbeat and (current := Heartbeat.read(heartbeat)) and current.pid == beat.pid:
            heartbeat.unlink(missing_ok=True)
