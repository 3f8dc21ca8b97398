"""The models' start as a timestamp, for models that compare data with it.

SQLMesh has no macro for a model's start. `config.yaml` gives the one value twice — as
`model_defaults.start` and as the variable `history_start` (both from C360_HISTORY_START;
`c360.pipeline.context` sets both from the typed settings) — and `@history_start_ts(@history_start)`
resolves it the way SQLMesh resolves a model's start: a date as is, a relative expression such as
'2 years ago' against the current time, at midnight. `@start_ts` is the start of the interval
being processed, not the model's start, so it cannot stand in for it.
"""

from __future__ import annotations

from sqlglot import exp
from sqlmesh import macro
from sqlmesh.utils.date import to_datetime


@macro()
def history_start_ts(evaluator, start: exp.Expression) -> exp.Expression:
    """A TIMESTAMP literal of `start` (e.g. `@history_start`), resolved like a model's start."""
    value = start.name if isinstance(start, exp.Expression) else str(start)
    resolved = to_datetime(value).replace(tzinfo=None)
    return exp.cast(
        exp.Literal.string(resolved.isoformat(sep=" ")), exp.DataType.build("TIMESTAMP")
    )
