"""`c360 upload`: push the locally generated landing zone to the configured stage.

Idempotent like `aws s3 sync`: a file whose MD5 equals the stage's ETag for the
same key is not sent again, so re-running an upload never makes the pipe see a
"re-sent" file. Each put is retried on transient errors by the stage.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn

from c360.core.errors import C360Error
from c360.core.logs import console
from ingestion.stage import LocalStage, Stage, md5_of

log = logging.getLogger(__name__)


@dataclass
class UploadSummary:
    source: Path
    target: str
    uploaded: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    bytes_uploaded: int = 0
    seconds: float = 0.0


def upload_landing(
    source: Path, stage: Stage, *, prefix: str = "", show_progress: bool = False
) -> UploadSummary:
    """Upload every visible file under `source` (optionally only keys under `prefix`)."""
    started = time.perf_counter()
    if not source.is_dir():
        raise C360Error(f"nothing to upload: {source} does not exist (run `c360 generate` first)")
    local = [f for f in LocalStage(source).list_files() if f.key.startswith(prefix)]
    if not local:
        raise C360Error(f"nothing to upload: no files under {source / prefix}")
    stage.check_access()
    remote = {f.key: f.etag for f in stage.list_files()}
    summary = UploadSummary(source, stage.location)
    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not show_progress,
    )
    with progress:
        task = progress.add_task("Uploading", total=sum(f.size for f in local))
        for file in sorted(local, key=lambda f: f.key):
            path = source / file.key
            if remote.get(file.key) == md5_of(path):
                summary.unchanged.append(file.key)
            else:
                progress.update(task, description=f"Uploading {file.key}")
                stage.put(file.key, path)
                summary.uploaded.append(file.key)
                summary.bytes_uploaded += file.size
                log.info("uploaded %s to %s", file.key, stage.location)
            progress.advance(task, file.size)
    summary.seconds = time.perf_counter() - started
    return summary
