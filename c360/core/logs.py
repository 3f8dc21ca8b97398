"""Logging is configured once, here, by the CLI; modules only call getLogger(__name__)."""

from __future__ import annotations

import logging

from rich.console import Console
from rich.logging import RichHandler

#: Progress bars and log lines share one stderr console so they do not tear each other.
console = Console(stderr=True)


class _DropThirdPartyRootNoise(logging.Filter):
    """SQLMesh's analytics dispatcher logs its shutdown on the *root* logger at INFO
    even with analytics disabled; that line means nothing to a c360 user."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.module == "dispatcher" and record.name == "root")


def configure_logging(level: str = "INFO") -> None:
    """Route every logger to a rich handler on stderr, at `level`."""
    handler = RichHandler(console=console, show_path=False, rich_tracebacks=False)
    handler.addFilter(_DropThirdPartyRootNoise())
    logging.basicConfig(
        level=level, format="%(message)s", datefmt="[%X]", handlers=[handler], force=True
    )
    # SQLMesh logs every statement at INFO; its progress is shown by its console instead.
    for noisy in (
        "sqlmesh",
        "botocore",
        "boto3",
        "urllib3",
        "s3transfer",
        "snowflake.connector",
        "snowflake.snowpark",
    ):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
