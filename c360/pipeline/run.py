"""`c360 run` as a function: ingest new files, build silver/gold, publish the serving file.

`run_pipeline(settings, ingest=...)` is the entry point for the CLI and `c360 demo`.
Ingestion (issue 3) is a parameter: any callable taking the settings, called first; its
return value is passed through in the report. With `ingest=None` the build starts from
the bronze tables as they are.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from c360.core.gc_pauses import fewer_gc_pauses
from c360.core.settings import Settings

if TYPE_CHECKING:
    from c360.pipeline.build import BuildReport
    from c360.pipeline.publish import PublishReport

log = logging.getLogger(__name__)

Ingest = Callable[[Settings], Any]


@dataclass
class PipelineReport:
    ingest: Any
    build: BuildReport
    publish: PublishReport | None
    #: What `after_build` returned (e.g. the churn retraining's report), or None.
    after_build: Any = None

    @property
    def ok(self) -> bool:
        return self.build.ok


@fewer_gc_pauses()
def run_pipeline(
    settings: Settings,
    ingest: Ingest | None = None,
    *,
    environment: str = "prod",
    verbose: bool = False,
    after_build: Callable[[Settings, BuildReport], Any] | None = None,
) -> PipelineReport:
    """Ingest (if given), build `environment`, then publish gold + observability.

    A failed build still publishes when gold exists: the serving file then holds the
    last good gold tables and the FAILED run in `observability.pipeline_run_metadata`.
    `after_build` runs between a successful build and the publish (the churn model's
    retraining, which ends with its own build); what it returns is kept in the report.
    """
    from c360.pipeline.build import build  # imports SQLMesh only when there is work
    from c360.pipeline.publish import publish

    ingested = ingest(settings) if ingest is not None else None
    report = build(settings, environment=environment, verbose=verbose)
    extra = after_build(settings, report) if after_build is not None and report.ok else None
    published = publish(settings) if environment == "prod" else None
    return PipelineReport(ingested, report, published, extra)
