"""A SQLMesh `Context` for the configured gateway, with paths and secrets from settings.

`config.yaml` reads `C360_*` variables itself (so the plain `sqlmesh` CLI works); here
the typed settings win, because they also come from `.env` and carry the resolved data
dir. The SQLMesh project is this repository's root (config.yaml, models/, audits/, ...).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from c360.core.settings import Settings
from c360.core.warehouse import wait_while_locked

if TYPE_CHECKING:
    from sqlmesh.core.config import Config
    from sqlmesh.core.notification_target import NotificationTarget

    from c360.pipeline.scheduling import ResumingContext as Context

log = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def schema_table(name: str) -> str:
    """A SQLMesh model name as analysts write it: `"WAREHOUSE"."GOLD"."DIM_DATE"` (or
    `gold.dim_date`) -> `gold.dim_date`."""
    return ".".join(name.replace('"', "").lower().split(".")[-2:])


def _snowflake_connection(connection: object, protocol: str) -> object:
    """SQLMesh's Snowflake connection config with the connector's `protocol` as well.

    SQLMesh passes host and port to `snowflake.connector.connect` but not `protocol`, so an
    endpoint on plain HTTP (C360_SNOWFLAKE_PROTOCOL=http: a fakesnow server in the tests) is
    unreachable. A subclass adds the one keyword; with https (the default) it is the config
    SQLMesh would have built.
    """
    from sqlmesh.core.config.connection import SnowflakeConnectionConfig

    class WithProtocol(SnowflakeConnectionConfig):
        protocol: str = "https"

        @property
        def _connection_kwargs_keys(self) -> set[str]:
            return {*super()._connection_kwargs_keys, "protocol"}

    assert isinstance(connection, SnowflakeConnectionConfig)
    fields = {field.alias or name for name, field in WithProtocol.model_fields.items()}
    values = connection.model_dump(by_alias=True, exclude_unset=True)
    return WithProtocol(**{k: v for k, v in values.items() if k in fields}, protocol=protocol)


def project_config(settings: Settings, project_root: Path = PROJECT_ROOT) -> Config:
    """config.yaml with the warehouse path and Snowflake credentials taken from `settings`."""
    from sqlmesh.core.config import Config
    from sqlmesh.core.config.loader import load_config_from_paths

    config = load_config_from_paths(Config, project_paths=[project_root / "config.yaml"])
    gateways = dict(config.gateways)
    local = gateways["local"]
    warehouse = settings.warehouse_path.resolve()
    gateways["local"] = local.copy(
        update={"connection": local.connection.copy(update={"database": str(warehouse)})}
    )
    if settings.gateway == "snowflake":
        settings.require_snowflake()
        snowflake = gateways["snowflake"]
        assert settings.snowflake_password is not None  # require_snowflake() checked it
        connection = snowflake.connection.copy(
            update={
                "account": settings.snowflake_account,
                "user": settings.snowflake_user,
                "password": settings.snowflake_password.get_secret_value(),
                "role": settings.snowflake_role,
                "warehouse": settings.snowflake_warehouse,
                "database": settings.snowflake_database,
                "host": settings.snowflake_host,
                "port": settings.snowflake_port,
            }
        )
        if settings.snowflake_protocol != "https":
            connection = _snowflake_connection(connection, settings.snowflake_protocol)
        gateways["snowflake"] = snowflake.copy(update={"connection": connection})
    # the models' start, and the same value as the variable SQL compares data with
    defaults = config.model_defaults.copy(update={"start": settings.history_start})
    variables = {**config.variables, "history_start": settings.history_start}
    return config.copy(
        update={
            "gateways": gateways,
            "default_gateway": settings.gateway,
            "model_defaults": defaults,
            # SQLMesh's cache is run state: beside the warehouse, not in the checkout.
            "cache_dir": str(settings.data_dir.resolve() / "sqlmesh-cache"),
            "variables": variables,
        }
    )


def make_context(
    settings: Settings,
    *,
    notification_targets: list[NotificationTarget] | None = None,
    project_root: Path = PROJECT_ROOT,
    load: bool = True,
) -> Context:
    """The one way c360 builds a SQLMesh Context: `settings.gateway`, paths and secrets
    from settings; its runs resume a partly processed hour (`c360.pipeline.scheduling`).
    Close it (or use `open_context`): on DuckDB it holds the file lock.
    `load=False` skips loading the project: enough to run an environment's models (they
    come from state), not to plan or diff — `context.load()` then."""
    from c360.pipeline.scheduling import ResumingContext

    if settings.gateway == "local":
        settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    return ResumingContext(
        paths=project_root,
        config=project_config(settings, project_root),
        gateway=settings.gateway,
        notification_targets=notification_targets or [],
        load=load,
    )


@contextmanager
def open_context(
    settings: Settings,
    *,
    notification_targets: list[NotificationTarget] | None = None,
    project_root: Path = PROJECT_ROOT,
    load: bool = True,
) -> Iterator[Context]:
    """`make_context`, connected, that always releases the warehouse (DuckDB allows one
    writer). Connecting waits while another process (the loader's watcher, which hands the
    file over every few seconds) holds the file; the context then keeps it until closed."""
    context = make_context(
        settings, notification_targets=notification_targets, project_root=project_root, load=load
    )
    try:
        wait_while_locked(
            lambda: context.engine_adapter.fetchone("SELECT 1"),
            what=f"warehouse {settings.warehouse_path}",
        )
        yield context
    finally:
        context.close()
        # Context.close() releases the connections of the state sync and the evaluator
        # only if they were created; a context that just ran queries or unit tests keeps
        # its DuckDB connection (and the file lock) open without this.
        for adapter in context.engine_adapters.values():
            adapter.close()
