"""`c360 train` and `c360 score`: the churn model (issue 10; spec 3.7, 10.3, 12.4).

`c360 train` reads the feature view from the warehouse, checks the training rows (spec 10.3),
trains with temporal validation, saves a new artifact version under the data dir, writes the
`observability.ml_*` tables, then restates `gold.churn_predictions` (and the marts that read
it) so every customer is re-scored, and publishes. `c360 score` re-scores with the current
artifact. `c360 run --retrain` (or a new complete month) and `c360 demo` call the same
`retrain` step between their build and their publish.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from c360.commands.options import DataDirOpt, data_dir, get_settings
from c360.core.clock import utc_now
from c360.core.errors import C360Error
from c360.core.settings import Settings

log = logging.getLogger(__name__)
stdout = Console()

PREDICTIONS_MODEL = "gold.churn_predictions"


@dataclass
class RetrainReport:
    version: str
    result: Any
    build: Any
    train_seconds: float
    score_seconds: float


def model_root(settings: Settings) -> Path:
    from churn.artifacts import model_dir

    return model_dir(settings.data_dir.resolve())


def current_cutoff(settings: Settings) -> date | None:
    """The first day of the month in progress (the scoring cutoff), from the warehouse."""
    from c360.core.warehouse import open_warehouse

    with open_warehouse(settings.warehouse_path, read_only=True) as con:
        row = con.execute("SELECT current_month_start FROM gold.data_clock").fetchone()
    return row[0] if row else None


def retrain_due(settings: Settings) -> bool:
    """A model exists and the latest complete month is newer than the one it scored from."""
    from churn.artifacts import read_metadata

    metadata = read_metadata(model_root(settings))
    if metadata is None or not metadata.get("scoring_cutoff"):
        return False
    cutoff = current_cutoff(settings)
    return cutoff is not None and str(cutoff) > metadata["scoring_cutoff"]


def retrain(settings: Settings, *, report_dir: Path | None = None) -> RetrainReport:
    """Train a new version, write its outputs, re-score everyone (restating build)."""
    import time

    from c360.core.warehouse import open_warehouse
    from c360.pipeline.build import build
    from churn import artifacts, outputs
    from churn.train import metadata, train

    if settings.gateway != "local":
        return _retrain_on_snowflake(settings)
    started = time.perf_counter()
    trained_at = utc_now().replace(tzinfo=None)
    with open_warehouse(settings.warehouse_path, read_only=True) as con:
        result = train(con)
    version = f"{trained_at:%Y%m%dT%H%M%S}"
    artifacts.save(
        model_root(settings), version, result.estimator, metadata(result, trained_at=trained_at)
    )
    with open_warehouse(settings.warehouse_path) as con:
        outputs.write_outputs(con, version, result, trained_at)
    train_seconds = time.perf_counter() - started
    started = time.perf_counter()
    report = build(settings, restate=(PREDICTIONS_MODEL,))
    if not report.ok:
        raise C360Error(f"re-scoring after training failed: {report.error or 'see the log'}")
    score_seconds = time.perf_counter() - started
    if report_dir is not None:
        from churn.report import write_report

        with open_warehouse(settings.warehouse_path, read_only=True) as con:
            write_report(con, result, report_dir)
    return RetrainReport(version, result, report, train_seconds, score_seconds)


def _retrain_on_snowflake(settings: Settings) -> RetrainReport:
    """Cortex ML: the training view, CREATE SNOWFLAKE.ML.CLASSIFICATION, the SHOW tables,
    then the restating build whose gold.churn_predictions calls !PREDICT."""
    from c360.pipeline.build import build
    from c360.pipeline.context import open_context
    from churn import cortex, dataset

    settings.require_snowflake()
    with open_context(settings, load=False) as context:
        row = context.engine_adapter.fetchone(
            "SELECT current_month_start, first_data_month FROM gold.data_clock"
        )
        labelled = dataset.Cutoffs((), None)
        if row:
            labelled = dataset.available_cutoffs_from(row[0], row[1])
        if len(labelled.labelled) < 2:
            raise C360Error("insufficient training data: fewer than 2 labelled cutoffs")
        for statement in cortex.training_statements(list(labelled.labelled[-3:-1])):
            context.engine_adapter.execute(statement)
        for statement in cortex.output_statements():
            context.engine_adapter.execute(statement)
    report = build(settings, restate=(PREDICTIONS_MODEL,))
    return RetrainReport(cortex.MODEL_NAME, None, report, 0.0, report.seconds)


def retrain_for_demo(settings: Settings, build: Any) -> RetrainReport | None:
    """`c360 demo`'s step after the build: train unless the current model is up to date."""
    from churn.artifacts import current_version

    if current_version(model_root(settings)) is not None and not retrain_due(settings):
        log.info("the churn model is up to date (%s)", current_version(model_root(settings)))
        return None
    from churn.checks import TrainingDataError

    try:
        return retrain(settings)
    except TrainingDataError as exc:  # a small portfolio: the demo goes on without scores
        log.warning("churn model not trained: %s", exc)
        return None


def retrain_for_run(force: bool) -> Any:
    """`c360 run`'s step after the build: retrain when asked or when a new month completed.
    A training failure is logged, not raised: the existing predictions stay (spec 10.3)."""

    def step(settings: Settings, build: Any) -> RetrainReport | None:
        from churn.artifacts import current_version

        if not force and not retrain_due(settings):
            if current_version(model_root(settings)) is None:
                log.info("no churn model yet: `c360 train` trains one (scores stay NULL)")
            return None
        try:
            done = retrain(settings)
        except C360Error as exc:
            log.warning("churn model not retrained: %s", exc)
            return None
        print_training(done)
        return done

    return step


def print_training(report: RetrainReport) -> None:
    result = report.result
    if result is None:
        stdout.print(f"Trained Cortex model {report.version}; predictions rebuilt.")
        return
    table = Table(title=f"Churn model {report.version} (threshold {result.threshold:.2f})")
    for column in ("evaluation set", "cutoffs", "rows", "prevalence", "ROC AUC", "PR AUC", "F1"):
        table.add_column(
            column, justify="left" if column in ("evaluation set", "cutoffs") else "right"
        )
    for m in result.metrics:
        table.add_row(
            m.evaluation_set,
            m.cutoffs,
            f"{m.rows:,}",
            f"{m.prevalence:.1%}",
            "n/a" if m.roc_auc is None else f"{m.roc_auc:.3f}",
            "n/a" if m.pr_auc is None else f"{m.pr_auc:.3f}",
            f"{m.f1:.3f}",
        )
    stdout.print(table)
    stdout.print(
        f"trained in {report.train_seconds:.1f} s, everyone re-scored in "
        f"{report.score_seconds:.1f} s (build {report.build.action})"
    )


def print_holdout(settings: Settings, retrained: RetrainReport | None) -> None:
    """One line for `c360 demo`: the later-cutoff holdout of the model in use (just trained,
    or the current version's recorded metrics when it was up to date)."""
    from churn.artifacts import read_metadata

    later: Any = None
    if retrained is not None and retrained.result is not None:
        later = retrained.result.metric("later_cutoff").__dict__
    else:
        metadata = read_metadata(model_root(settings)) or {}
        later = next(
            (m for m in metadata.get("metrics", []) if m["evaluation_set"] == "later_cutoff"),
            None,
        )
    if later is None:
        stdout.print("churn model: not trained (too little history or too few customers)")
        return
    stdout.print(
        f"churn model: later-cutoff holdout ({later['cutoffs']}, {later['rows']:,} customers, "
        f"{later['prevalence']:.1%} churn) ROC AUC {later['roc_auc']:.3f}, "
        f"PR AUC {later['pr_auc']:.3f}"
    )


def train_command(
    report: Annotated[
        Path | None,
        typer.Option(
            "--report", help="Also draw the model card's plots into DIR/img (e.g. docs/)."
        ),
    ] = None,
    gateway: Annotated[
        str | None,
        typer.Option(help="local (scikit-learn) or snowflake (Cortex ML); default $C360_GATEWAY."),
    ] = None,
    data_dir_opt: DataDirOpt = None,
) -> None:
    """Train the churn model (temporal validation), then re-score every customer and publish."""
    from c360.pipeline.publish import publish

    update: dict[str, Any] = {"data_dir": data_dir(data_dir_opt)}
    if gateway:
        if gateway not in ("local", "snowflake"):
            raise typer.BadParameter("use local or snowflake", param_hint="'--gateway'")
        update["gateway"] = gateway
    settings = get_settings().model_copy(update=update)
    if settings.gateway == "local" and not settings.warehouse_path.exists():
        raise C360Error(f"no warehouse at {settings.warehouse_path} yet: run `c360 run` first")
    done = retrain(settings, report_dir=report)
    publish(settings)
    print_training(done)


def score_command(data_dir_opt: DataDirOpt = None) -> None:
    """Re-score every customer with the current churn model and publish."""
    from c360.pipeline.build import build
    from c360.pipeline.publish import publish
    from churn.artifacts import current_version

    settings = get_settings().model_copy(update={"data_dir": data_dir(data_dir_opt)})
    if settings.gateway == "local" and current_version(model_root(settings)) is None:
        raise C360Error("no churn model yet: `c360 train` trains one")
    report = build(settings, restate=(PREDICTIONS_MODEL,))
    if not report.ok:
        raise C360Error(f"scoring failed: {report.error or 'see the log above'}")
    published = publish(settings)
    stdout.print(f"Re-scored every customer in {report.seconds:.1f} s; published {published.path}.")


def register(app: typer.Typer) -> None:
    app.command("train")(train_command)
    app.command("score")(score_command)
