"""`c360 ingest`, `c360 upload`, `c360 status`, `c360 snowflake setup|grants`: landing zone →
bronze, and the Snowflake account's set-up."""

from __future__ import annotations

import signal
import threading
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from c360.commands.options import DataDirOpt, data_dir, get_settings
from c360.core.errors import C360Error, InputError
from c360.core.settings import Settings


class OnErrorChoice(StrEnum):
    CONTINUE = "CONTINUE"
    SKIP_FILE = "SKIP_FILE"
    ABORT_STATEMENT = "ABORT_STATEMENT"


class GatewayChoice(StrEnum):
    local = "local"
    snowflake = "snowflake"


OnErrorOpt = Annotated[
    OnErrorChoice,
    typer.Option(
        "--on-error",
        case_sensitive=False,
        metavar="[CONTINUE|SKIP_FILE|ABORT_STATEMENT]",
        help="What a bad row does to its file, as in COPY: CONTINUE loads the good rows, "
        "SKIP_FILE loads nothing of the file, ABORT_STATEMENT also stops the run.",
    ),
]


def _settings(data_dir_opt: Path | None) -> Settings:
    """Settings, with `--data-dir` (if given) replacing C360_DATA_DIR."""
    settings = get_settings()
    if data_dir_opt is None:
        return settings
    return settings.model_copy(update={"data_dir": data_dir(data_dir_opt)})


def ingest(
    watch: Annotated[
        bool,
        typer.Option(
            "--watch", metavar="", help="Keep polling and load each new file as it lands."
        ),
    ] = False,
    interval: Annotated[
        float, typer.Option(min=0.1, max=3600, help="Seconds between polls with --watch.")
    ] = 1.0,
    on_error: OnErrorOpt = OnErrorChoice.CONTINUE,
    force: Annotated[
        bool,
        typer.Option(
            metavar="", help="Load files again even if the same name and checksum were loaded."
        ),
    ] = False,
    gateway: Annotated[
        GatewayChoice | None,
        typer.Option(
            help="local (DuckDB) or snowflake (COPY INTO / pipe refresh). Default: $C360_GATEWAY."
        ),
    ] = None,
    data_dir_opt: DataDirOpt = None,
) -> None:
    """Load new landing-zone files into bronze, each exactly once (Snowpipe semantics)."""
    settings = _settings(data_dir_opt)
    chosen = gateway.value if gateway else settings.gateway
    if chosen == "snowflake":
        if watch:
            raise InputError("--watch is for the local gateway; Snowflake's pipe auto-ingests")
        from ingestion.snowflake.gateway import ingest_snowflake
        from ingestion.snowflake.report import print_copy_history

        print_copy_history(ingest_snowflake(settings, on_error.value, force=force))
        return
    if watch:
        _watch(settings, interval, on_error.value)
        return

    from ingestion.loader import ingest as run_ingest
    from ingestion.report import print_ingest

    summary = run_ingest(settings, on_error=on_error.value, force=force, show_progress=True)
    print_ingest(summary)
    if summary.aborted_on:
        raise C360Error(f"ON_ERROR=ABORT_STATEMENT: stopped at {summary.aborted_on}")


def _watch(settings: Settings, interval: float, on_error: str) -> None:
    from ingestion.loader import Pipe
    from ingestion.report import print_loaded, stdout
    from ingestion.stage import open_stage
    from ingestion.watch import heartbeat_path, watch

    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    pipe = Pipe(open_stage(settings), settings.warehouse_path, on_error)
    try:
        watch(
            pipe,
            interval=interval,
            stop=stop,
            on_batch=print_loaded,
            heartbeat=heartbeat_path(settings.data_dir),
        )
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
    stdout.print("Stopped watching.")


def upload(
    prefix: Annotated[
        str, typer.Option(help="Only keys under this prefix, e.g. transactions/streaming/.")
    ] = "",
    data_dir_opt: DataDirOpt = None,
) -> None:
    """Push the generated landing zone to the configured S3 stage (skips unchanged files)."""
    from ingestion.report import print_upload
    from ingestion.stage import open_stage
    from ingestion.upload import upload_landing

    settings = _settings(data_dir_opt)
    if settings.stage != "s3":
        raise C360Error(
            "c360 upload sends the landing zone to S3: set C360_STAGE=s3 and C360_S3_BUCKET"
        )
    summary = upload_landing(
        settings.landing_dir, open_stage(settings), prefix=prefix, show_progress=True
    )
    print_upload(summary)


def status(
    hours: Annotated[float, typer.Option(min=0, help="How much load history to show.")] = 24,
    as_json: Annotated[
        bool, typer.Option("--json", metavar="", help="Machine-readable output.")
    ] = False,
    verify: Annotated[
        bool,
        typer.Option(
            "--verify",
            metavar="",
            help="Compare the serving copy with prod, table by table (rows + checksum); "
            "exit 1 when any differs.",
        ),
    ] = False,
    alerts: Annotated[
        bool,
        typer.Option(
            "--alerts",
            metavar="",
            help="Evaluate the spec 10.5 alerts (c360.pipeline.alerts, the same thresholds as "
            "infra/snowflake/07_create_alerts.sql) on the warehouse; exit 1 when a critical "
            "one fires.",
        ),
    ] = False,
    data_dir_opt: DataDirOpt = None,
) -> None:
    """Pipe status (like SYSTEM$PIPE_STATUS) and the recent load history."""
    settings = _settings(data_dir_opt)
    if alerts:
        _alerts(settings, as_json)
        return
    if verify:
        from c360.commands.report import print_verification
        from c360.pipeline.verify import verify_serving

        checks = verify_serving(settings.warehouse_path, settings.serving_path)
        print_verification(checks, settings.serving_path)
        if not all(check.ok for check in checks):
            raise C360Error(
                f"{sum(not c.ok for c in checks)} of {len(checks)} served tables differ from "
                "prod; `c360 run` republishes what changed"
            )
        return
    from ingestion.pipe_status import pipe_status
    from ingestion.report import print_status

    if (
        settings.stage == "local"
        and not settings.landing_dir.exists()
        and not settings.warehouse_path.exists()
    ):
        raise C360Error(
            f"nothing here yet: no landing zone at {settings.landing_dir} and no warehouse — "
            "`c360 generate` writes a portfolio, `c360 demo` runs everything"
        )
    print_status(pipe_status(settings, hours=hours), as_json=as_json, hours=hours)


def _alerts(settings: Settings, as_json: bool) -> None:
    """`c360 status --alerts`: every alert's value, threshold and status; exit 1 on a
    firing critical alert (so cron or CI can page)."""
    from c360.commands.report import print_alerts
    from c360.core.clock import utc_now
    from c360.core.warehouse import open_warehouse
    from c360.pipeline.alerts import critical_firing, evaluate

    if settings.gateway != "local":
        raise InputError(
            "--alerts reads the local warehouse; on Snowflake the alerts of "
            "infra/snowflake/07_create_alerts.sql evaluate the same thresholds"
        )
    if not settings.warehouse_path.exists():
        raise C360Error(f"no warehouse at {settings.warehouse_path} yet: run `c360 run` first")
    now = utc_now().replace(tzinfo=None)
    with open_warehouse(settings.warehouse_path, read_only=True) as con:
        results = evaluate(con, now)
    print_alerts(results, now, as_json=as_json)
    if critical := critical_firing(results):
        raise C360Error(
            f"{len(critical)} critical alert{'s' if len(critical) > 1 else ''} firing: "
            + ", ".join(r.name for r in critical)
        )


snowflake_app = typer.Typer(
    name="snowflake", help="Set up and load the Snowflake gateway.", no_args_is_help=True
)


@snowflake_app.command("setup")
def snowflake_setup(
    aws_role_arn: Annotated[
        str | None,
        typer.Option(
            help="IAM role Snowflake assumes to read the bucket (storage integration). "
            "Default: $C360_SNOWFLAKE_S3_ROLE_ARN.",
        ),
    ] = None,
    sns_topic_arn: Annotated[
        str | None,
        typer.Option(
            help="SNS topic of the bucket's object-created events (auto-ingest pipe). "
            "Default: $C360_SNOWFLAKE_SNS_TOPIC_ARN.",
        ),
    ] = None,
    only: Annotated[
        list[str] | None,
        typer.Option(help="Run only these scripts (repeatable), e.g. --only 01 --only 04."),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", metavar="", help="Print the rendered SQL instead of running it."),
    ] = False,
) -> None:
    """Apply infra/snowflake/*.sql (database, roles, stages, bronze, pipe, observability)."""
    from ingestion.report import stdout
    from ingestion.snowflake.scripts import ScriptValues, render_scripts
    from ingestion.snowflake.setup import apply_scripts

    settings = get_settings()
    values = ScriptValues.from_settings(settings, aws_role_arn, sns_topic_arn)
    credentials = [] if dry_run else settings.missing_for_snowflake()
    try:
        scripts = render_scripts(values, only=only or None)
    except InputError as exc:  # name everything that is missing at once
        extra = f"; and the connection needs {', '.join(credentials)}" if credentials else ""
        raise InputError(f"{exc}{extra}") from None
    if dry_run:
        for script in scripts:
            stdout.print(f"-- {script.name}\n{script.sql}", markup=False, highlight=False)
        return
    settings.require_snowflake()
    for name, count in apply_scripts(settings, scripts):
        stdout.print(f"applied {name}: {count} statements")


@snowflake_app.command("grants")
def snowflake_grants(
    intended: Annotated[
        bool,
        typer.Option(
            "--intended",
            metavar="",
            help="Print the grant matrix infra/snowflake/02 gives (no connection needed).",
        ),
    ] = False,
) -> None:
    """Print the grants of c360's roles: SHOW GRANTS on the account, or --intended."""
    from ingestion.snowflake.grants import effective_grants, intended_plan
    from ingestion.snowflake.report import print_effective_grants, print_grant_matrix
    from ingestion.snowflake.scripts import ScriptValues

    settings = get_settings()
    plan = intended_plan(ScriptValues.from_settings(settings))
    if intended:
        print_grant_matrix(plan)
        return
    settings.require_snowflake()
    print_effective_grants(effective_grants(settings, plan))


def register(app: typer.Typer) -> None:
    app.command()(ingest)
    app.command()(upload)
    app.command()(status)
    app.add_typer(snowflake_app)
