"""The monitoring thresholds of spec 10.5, defined once: evaluated locally by `c360 status
--alerts` and rendered as Snowflake `CREATE ALERT`s (infra/snowflake/07_create_alerts.sql).

Each alert is a name, a severity, a threshold and the SQL of the value it measures, written
in Snowflake SQL over the observability tables both gateways fill (`load_history`,
`pipeline_run_metadata`, the `data_quality_metrics` model) with `:now` for the moment it is
evaluated. Locally the value is computed on the DuckDB warehouse with `:now` bound to the
caller's clock (naive UTC, like every stored timestamp); on Snowflake the same query runs
inside the alert's condition with `:now` = `SYSDATE()` (UTC, no time zone). An alert fires
when the value is above its threshold; no rows to measure (no file in the hour, no build yet)
is `no data`, never a firing alert.

`python -m c360.pipeline.alerts > infra/snowflake/07_create_alerts.sql` rewrites the script;
tests/test_alerts.py fails when the committed file and these definitions disagree.
"""

from __future__ import annotations

import sys
from dataclasses import asdict, dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

import duckdb
import sqlglot
from sqlglot import exp


class Severity(StrEnum):
    CRITICAL = "critical"  # page (spec 10.5 "Immediate Response")
    WARNING = "warning"  # review within 4 hours


@dataclass(frozen=True)
class AlertDefinition:
    name: str
    severity: Severity
    #: The alert fires when the measured value is strictly above this.
    threshold: float
    unit: str
    #: What spec 10.5 says, and what is measured.
    metric: str
    #: Snowflake SQL returning one row, one column `value` (NULL: nothing to measure).
    value_sql: str
    #: How often Snowflake evaluates the alert (the window the value looks at is in the SQL).
    schedule: str
    action: str


ALERTS: tuple[AlertDefinition, ...] = (
    AlertDefinition(
        name="pipe_failure_rate",
        severity=Severity.CRITICAL,
        threshold=10,
        unit="% of files",
        metric="Snowpipe failure rate: files that did not load whole (LOAD_FAILED or rows "
        "rejected), percent of the files decided in the last hour",
        # a file that did not load whole: failed, or loaded / skipped with error rows
        value_sql="""
SELECT 100.0 * COUNT_IF(status = 'LOAD_FAILED' OR error_count > 0) / NULLIF(COUNT(*), 0) AS value
FROM observability.load_history
WHERE last_load_time > DATEADD(HOUR, -1, :now)
""",
        schedule="5 MINUTE",
        action="page the on-call engineer; runbook: pipe stopped or files failing",
    ),
    AlertDefinition(
        name="failed_pipeline_runs",
        severity=Severity.CRITICAL,
        threshold=0,
        unit="runs",
        metric="Pipeline run failure: FAILED builds since the last successful one (a failed "
        "blocking audit in gold fails the build)",
        value_sql="""
SELECT COUNT(*) AS value
FROM observability.pipeline_run_metadata
WHERE status = 'FAILED' AND environment = 'prod'
  AND run_timestamp > COALESCE(
    (SELECT MAX(run_timestamp) FROM observability.pipeline_run_metadata
     WHERE status = 'SUCCESS' AND environment = 'prod'),
    CAST('1900-01-01' AS TIMESTAMP))
  AND run_timestamp <= :now
""",
        schedule="10 MINUTE",
        action="alert the data team; runbook: pipeline run failed",
    ),
    AlertDefinition(
        name="duplicate_rate",
        severity=Severity.WARNING,
        threshold=5,
        unit="% of batch",
        metric="Data quality, duplicates: extra copies of transactions in the latest load, "
        "percent of its rows (data_quality_metrics, check duplicate)",
        value_sql="""
SELECT 100.0 * records_failed / NULLIF(records_checked, 0) AS value
FROM observability.data_quality_metrics
WHERE table_name = 'silver_transactions' AND check_type = 'duplicate'
  AND run_timestamp <= :now
ORDER BY run_timestamp DESC
LIMIT 1
""",
        schedule="60 MINUTE",
        action="alert the data team, tell the upstream team; runbook: duplicate rate high",
    ),
    AlertDefinition(
        name="ingestion_latency",
        severity=Severity.WARNING,
        threshold=15,
        unit="minutes",
        metric="Snowpipe latency: average minutes from a file landing to its load, over the "
        "files loaded in the last hour",
        value_sql="""
SELECT AVG(latency_seconds) / 60.0 AS value
FROM observability.load_history
WHERE last_load_time > DATEADD(HOUR, -1, :now) AND latency_seconds IS NOT NULL
""",
        schedule="15 MINUTE",
        action="e-mail data engineering; runbook: pipe stopped or files failing",
    ),
)


@dataclass(frozen=True)
class AlertResult:
    name: str
    severity: str
    value: float | None
    threshold: float
    unit: str
    #: FIRING, OK, or NO DATA (nothing to measure, or the table does not exist yet)
    status: str
    detail: str = ""

    @property
    def firing(self) -> bool:
        return self.status == "FIRING"

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def value_query(alert: AlertDefinition, now: exp.Expression) -> exp.Expression:
    """The alert's value query with `:now` replaced by `now`."""
    parsed = sqlglot.parse_one(alert.value_sql, read="snowflake")
    return exp.replace_placeholders(parsed, now=now)


def _timestamp(moment: datetime) -> exp.Expression:
    return exp.cast(exp.Literal.string(moment.isoformat(sep=" ")), exp.DataType.build("TIMESTAMP"))


def evaluate(
    con: duckdb.DuckDBPyConnection,
    now: datetime,
    alerts: tuple[AlertDefinition, ...] = ALERTS,
) -> list[AlertResult]:
    """Every alert's value on the DuckDB warehouse `con` at `now` (naive UTC)."""
    results = []
    for alert in alerts:
        query = value_query(alert, _timestamp(now)).sql(dialect="duckdb")
        try:
            row = con.execute(query).fetchone()
        except duckdb.CatalogException as exc:  # a table not created yet (no load, no build)
            first = str(exc).splitlines()[0]
            results.append(_result(alert, None, detail=first))
            continue
        value = float(row[0]) if row and row[0] is not None else None
        results.append(_result(alert, value))
    return results


def _result(alert: AlertDefinition, value: float | None, detail: str = "") -> AlertResult:
    if value is None:
        status = "NO DATA"
    else:
        status = "FIRING" if value > alert.threshold else "OK"
    return AlertResult(
        alert.name, str(alert.severity), value, alert.threshold, alert.unit, status, detail
    )


def critical_firing(results: list[AlertResult]) -> list[AlertResult]:
    return [r for r in results if r.firing and r.severity == Severity.CRITICAL]


# --- Snowflake -------------------------------------------------------------------------

_HEADER = """\
-- Spec 10.5 monitoring thresholds as Snowflake alerts. GENERATED from c360/pipeline/alerts.py
-- (`python -m c360.pipeline.alerts > infra/snowflake/07_create_alerts.sql`); the same
-- definitions are evaluated locally by `c360 status --alerts`, and tests/test_alerts.py fails
-- when this file and the definitions disagree. Do not edit by hand.
--
-- Placeholders: {{ database }} (C360_SNOWFLAKE_DATABASE), {{ warehouse }}
-- (C360_SNOWFLAKE_WAREHOUSE, runs the conditions), {{ notification_integration }} (the e-mail
-- integration's name, C360_SNOWFLAKE_ALERT_INTEGRATION) and {{ alert_recipients }}
-- (C360_SNOWFLAKE_ALERT_EMAIL: an e-mail address verified in the Snowflake account).
-- Creating a notification integration needs ACCOUNTADMIN (or CREATE INTEGRATION); creating
-- alerts needs EXECUTE ALERT on the account. Alerts are created suspended: each is resumed
-- below. A condition is true when the measured value is above the threshold; the alert then
-- e-mails through the integration (SYSTEM$SEND_EMAIL). To page instead (PagerDuty, Slack),
-- replace the integration by a webhook notification integration and the call by
-- SYSTEM$SEND_SNOWFLAKE_NOTIFICATION: the conditions stay the same.

CREATE NOTIFICATION INTEGRATION IF NOT EXISTS {{ notification_integration }}
  TYPE = EMAIL
  ENABLED = TRUE
  ALLOWED_RECIPIENTS = ({{ alert_recipients }});
"""


def _condition(alert: AlertDefinition) -> str:
    """`value > threshold` over the alert's query, names qualified with {{ database }}."""
    query = value_query(alert, exp.Anonymous(this="SYSDATE"))
    for table in query.find_all(exp.Table):
        if table.db and not table.catalog:
            table.set("catalog", exp.to_identifier("DATABASE_PLACEHOLDER"))
    measured = (
        exp.select(exp.Literal.number(1))
        .from_(query.subquery("measured"))
        .where(exp.column("value", table="measured") > exp.Literal.number(alert.threshold))
    )
    text = measured.sql(dialect="snowflake", pretty=True)
    return text.replace("DATABASE_PLACEHOLDER", "{{ database }}")


def _threshold_text(alert: AlertDefinition) -> str:
    return f"{alert.threshold:g} {alert.unit}"


def render_snowflake_alerts(alerts: tuple[AlertDefinition, ...] = ALERTS) -> str:
    """The text of infra/snowflake/07_create_alerts.sql."""
    parts = [_HEADER]
    for alert in alerts:
        subject = f"{alert.severity.upper()}: c360 {alert.name} above {_threshold_text(alert)}"
        body = f"{alert.metric}. Threshold: {_threshold_text(alert)}. Action: {alert.action}."
        condition = "\n".join(f"    {line}" for line in _condition(alert).splitlines())
        parts.append(
            f"""
-- {alert.name} ({alert.severity}): {alert.metric}; fires above {_threshold_text(alert)}.
CREATE OR REPLACE ALERT {{{{ database }}}}.observability.{alert.name}_alert
  WAREHOUSE = {{{{ warehouse }}}}
  SCHEDULE = '{alert.schedule}'
  COMMENT = 'c360 spec 10.5: {alert.name} > {alert.threshold:g} ({alert.severity})'
  IF (EXISTS (
{condition}
  ))
  THEN CALL SYSTEM$SEND_EMAIL(
    '{{{{ notification_integration }}}}',
    {{{{ alert_recipients }}}},
    {exp.Literal.string(subject).sql(dialect="snowflake")},
    {exp.Literal.string(body).sql(dialect="snowflake")}
  );
ALTER ALERT {{{{ database }}}}.observability.{alert.name}_alert RESUME;
"""
        )
    return "".join(parts)


if __name__ == "__main__":
    sys.stdout.write(render_snowflake_alerts())
