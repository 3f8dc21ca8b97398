"""Logging is configured once, here, by the CLI; modules only call getLogger(__name__)."""

from __future__ import annotations

import logging

from rich.console import Console
from rich.logging import RichHandler

#: Progress bars and log lines share one stderr console so they do not tear each other.
console = Console(stderr=True)


def configure_logging(level: str = "INFO") -> None:
    """Route every logger to a rich handler on stderr, at `level`."""
    logging.basicConfig(
        level=level,
        format="%(message)s",
        datefmt="[%X]",
        handlers=[RichHandler(console=console, show_path=False, rich_tracebacks=False)],
        force=True,
    )
    for noisy in ("botocore", "boto3", "urllib3", "s3transfer", "snowflake.connector"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
