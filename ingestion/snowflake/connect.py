"""One place that opens a Snowflake connection from settings (and says why it could not)."""

from __future__ import annotations

import snowflake.connector
from snowflake.connector import SnowflakeConnection
from snowflake.connector.errors import DatabaseError, OperationalError

from c360.core.errors import C360Error
from c360.core.settings import Settings


def connect(
    settings: Settings, *, use_database: bool = True, timeout: int = 300
) -> SnowflakeConnection:
    """Connect with C360_SNOWFLAKE_*; `use_database=False` for setup (it creates it).

    `timeout` bounds how long the connector keeps retrying a failing request.
    """
    settings.require_snowflake()
    assert settings.snowflake_password is not None
    kwargs: dict[str, object] = {
        "account": settings.snowflake_account,
        "user": settings.snowflake_user,
        "password": settings.snowflake_password.get_secret_value(),
        "role": settings.snowflake_role,
        "warehouse": settings.snowflake_warehouse,
        "login_timeout": min(30, timeout),
        "network_timeout": timeout,
        "socket_timeout": min(60, timeout),
        "application": "c360",
    }
    if use_database:
        kwargs["database"] = settings.snowflake_database
    if settings.snowflake_host:
        kwargs["host"] = settings.snowflake_host
    if settings.snowflake_port:
        kwargs["port"] = settings.snowflake_port
    kwargs["protocol"] = settings.snowflake_protocol
    try:
        return snowflake.connector.connect(**kwargs)
    except (DatabaseError, OperationalError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise C360Error(
            f"cannot connect to Snowflake account {settings.snowflake_account!r}: {first}"
        ) from None
