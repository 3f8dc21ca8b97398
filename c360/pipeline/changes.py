"""Has anything changed since the last build? Answered from the warehouse, without SQLMesh.

`c360 run` every hour and `c360 run --watch` mostly find nothing new. Importing SQLMesh,
loading the project and letting the scheduler walk every model costs seconds; the warehouse
answers in milliseconds: the last build of the environment succeeded, bronze's newest load
time is the one that build read up to, and the project files are the ones it ran with.
Then there is nothing to build (every mart is a function of the loaded data: the data clock
comes from the facts, not the wall clock) and nothing to publish.

The project fingerprint is a hash of the files SQLMesh reads (models, macros, audits, seeds,
config.yaml) and of the settings that change what they mean (gateway, history start). A
build records it with the outcome of its project-vs-environment comparison, so the next
build with the same fingerprint neither loads the project to compare it again nor needs it
loaded to run the environment's own models.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
from sqlglot import exp

from c360.core.settings import Settings
from c360.core.warehouse import connect
from c360.pipeline import observability

log = logging.getLogger(__name__)

#: What SQLMesh reads from the project root.
PROJECT_FILES = ("models", "macros", "audits", "seeds", "config.yaml")


def project_fingerprint(settings: Settings, project_root: Path) -> str:
    """A short hash of the project files and the settings that change their meaning."""
    digest = hashlib.sha256()
    for entry in PROJECT_FILES:
        root = project_root / entry
        paths = sorted(root.rglob("*")) if root.is_dir() else [root]
        for path in paths:
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(project_root)).encode())
                digest.update(path.read_bytes())
    digest.update(f"{settings.gateway}|{settings.history_start}".encode())
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class LastBuild:
    """The newest build of an environment, as `pipeline_run_metadata` has it."""

    run_id: str
    run_timestamp: datetime
    status: str
    bronze_watermark: datetime | None
    execution_time: datetime | None
    project_fingerprint: str | None
    project_differs: bool


def last_build_query(environment: str) -> exp.Expression:
    return (
        exp.select(
            "run_id",
            "run_timestamp",
            "status",
            "bronze_watermark",
            "execution_time",
            "project_fingerprint",
            "COALESCE(project_differs, FALSE)",
        )
        .from_(exp.to_table(observability.RUN_METADATA))
        .where(exp.column("environment").eq(exp.Literal.string(environment)))
        .order_by("run_timestamp DESC")
        .limit(1)
    )


def last_build(row: tuple | None) -> LastBuild | None:
    return LastBuild(*row) if row else None


def nothing_new(settings: Settings, environment: str, project_root: Path) -> LastBuild | None:
    """The last build, when it already covers everything (then skip the build); else None.

    Only the embedded DuckDB warehouse is checked this way; on Snowflake the build decides.
    """
    if settings.gateway != "local" or not settings.warehouse_path.exists():
        return None
    try:
        with connect(settings.warehouse_path, read_only=True) as con:
            last = last_build(
                con.execute(last_build_query(environment).sql(dialect="duckdb")).fetchone()
            )
            if last is None or last.status != "SUCCESS" or last.bronze_watermark is None:
                return None
            watermark = con.execute(
                observability.bronze_watermark_query().sql(dialect="duckdb")
            ).fetchone()
    except duckdb.Error as exc:  # no build yet, or a warehouse from before these columns
        log.debug("no quick answer from the warehouse: %s", exc)
        return None
    if watermark is None or watermark[0] != last.bronze_watermark:
        return None
    if last.project_fingerprint != project_fingerprint(settings, project_root):
        return None
    if last.project_differs:  # a plan may have applied the difference since: let the build see
        return None
    return last
