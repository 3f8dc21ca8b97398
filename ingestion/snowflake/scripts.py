"""Render `infra/snowflake/*.sql` with this deployment's names — safely.

Snowflake cannot bind parameters in DDL (a stage URL or a role ARN is part of
the statement), so values are validated before they are written into SQL:
identifiers must be plain Snowflake identifiers, and every literal must match
the shape of what it claims to be (an `s3://` URL, an IAM role ARN, an SNS topic
ARN) — none of those shapes admits a quote, so a value can never end the string
it is placed in. Placeholders look like `{{ name }}`; an unknown or missing
value is an error naming the script, never an empty string in SQL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from c360.core.errors import C360Error, InputError
from c360.core.settings import Settings

SCRIPTS_DIR = Path(__file__).resolve().parents[2] / "infra" / "snowflake"

_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]{0,254}$")
_S3_URL = re.compile(r"^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/(?:[A-Za-z0-9!_.*()=+-]+/)*$")
_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[A-Za-z0-9+=,.@_/-]{1,512}$")
_SNS_ARN = re.compile(r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$")
_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,63}$")

#: Where each placeholder's value comes from, for error messages.
SOURCES = {
    "database": "C360_SNOWFLAKE_DATABASE",
    "warehouse": "C360_SNOWFLAKE_WAREHOUSE",
    "storage_integration": "the storage integration name",
    "landing_url": "C360_S3_BUCKET / C360_S3_PREFIX",
    "customers_url": "C360_S3_BUCKET / C360_S3_PREFIX",
    "transactions_url": "C360_S3_BUCKET / C360_S3_PREFIX",
    "aws_role_arn": "--aws-role-arn or C360_SNOWFLAKE_S3_ROLE_ARN",
    "sns_topic_arn": "--sns-topic-arn or C360_SNOWFLAKE_SNS_TOPIC_ARN",
    "notification_integration": "C360_SNOWFLAKE_ALERT_INTEGRATION",
    "alert_recipients": "C360_SNOWFLAKE_ALERT_EMAIL",
}


@dataclass(frozen=True)
class ScriptValues:
    """Everything the setup scripts are parameterized by (None = not configured)."""

    database: str
    warehouse: str = "COMPUTE_WH"
    storage_integration: str = "s3_integration"
    bucket: str | None = None
    prefix: str = ""
    aws_role_arn: str | None = None
    sns_topic_arn: str | None = None
    notification_integration: str = "c360_alerts"
    alert_email: str | None = None

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        aws_role_arn: str | None = None,
        sns_topic_arn: str | None = None,
    ) -> ScriptValues:
        return cls(
            database=settings.snowflake_database,
            warehouse=settings.snowflake_warehouse,
            bucket=settings.s3_bucket,
            prefix=settings.s3_prefix,
            aws_role_arn=aws_role_arn or settings.snowflake_s3_role_arn,
            sns_topic_arn=sns_topic_arn or settings.snowflake_sns_topic_arn,
            notification_integration=settings.snowflake_alert_integration,
            alert_email=settings.snowflake_alert_email,
        )

    def _url(self, folder: str = "") -> str | None:
        if not self.bucket:
            return None
        prefix = self.prefix.strip("/")
        return f"s3://{self.bucket}/" + (f"{prefix}/" if prefix else "") + folder

    def rendered(self) -> dict[str, str | None]:
        """Placeholder → SQL text (identifiers bare, literals quoted), validated."""
        identifiers = {
            "database": self.database,
            "warehouse": self.warehouse,
            "storage_integration": self.storage_integration,
            "notification_integration": self.notification_integration,
        }
        literals = {
            "landing_url": (self._url(), _S3_URL),
            "customers_url": (self._url("customers/"), _S3_URL),
            "transactions_url": (self._url("transactions/"), _S3_URL),
            "aws_role_arn": (self.aws_role_arn, _ROLE_ARN),
            "sns_topic_arn": (self.sns_topic_arn, _SNS_ARN),
            "alert_recipients": (self.alert_email, _EMAIL),
        }
        out: dict[str, str | None] = {}
        for name, value in identifiers.items():
            if not _IDENTIFIER.match(value):
                raise InputError(f"{value!r} is not a plain Snowflake identifier ({SOURCES[name]})")
            out[name] = value
        for name, (value, shape) in literals.items():
            if value is not None and not shape.match(value):
                raise InputError(f"{value!r} is not a valid {name} ({SOURCES[name]})")
            out[name] = f"'{value}'" if value is not None else None
        return out


@dataclass(frozen=True)
class Script:
    name: str
    sql: str


def script_paths(only: list[str] | None = None) -> list[Path]:
    """The setup scripts in order; `only` picks by number prefix or file name."""
    paths = sorted(SCRIPTS_DIR.glob("[0-9][0-9]_*.sql"))
    if not only:
        return paths
    chosen = [p for p in paths if any(p.name.startswith(o) or p.stem == o for o in only)]
    unknown = [o for o in only if not any(p.name.startswith(o) or p.stem == o for p in paths)]
    if unknown:
        names = ", ".join(p.name for p in paths)
        raise InputError(f"no setup script matches {', '.join(unknown)} (have: {names})")
    return chosen


def render(template: str, values: dict[str, str | None], script: str) -> str:
    """Replace every `{{ name }}`; unknown or unset names are errors, never blanks."""
    missing: list[str] = []

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            raise C360Error(f"{script}: unknown placeholder {{{{ {name} }}}}")
        value = values[name]
        if value is None:
            missing.append(name)
            return match.group(0)
        return value

    text = _PLACEHOLDER.sub(fill, template)
    if missing:
        needs = "; ".join(f"{name} ({SOURCES[name]})" for name in dict.fromkeys(missing))
        raise InputError(f"{script} needs {needs}")
    return text


def render_scripts(values: ScriptValues, only: list[str] | None = None) -> list[Script]:
    """Every chosen script rendered; what any of them lacks is named in one error."""
    rendered = values.rendered()
    scripts, problems = [], []
    for path in script_paths(only):
        try:
            scripts.append(Script(path.name, render(path.read_text(), rendered, path.name)))
        except InputError as exc:
            problems.append(str(exc))
    if problems:
        raise InputError("; ".join(problems))
    return scripts
