"""Project linter rules (SQLMesh loads every Rule subclass in linter/).

`nosilenttranspilation` flags Snowflake SQL that sqlglot turns into *different*
DuckDB SQL without an error (verified in ../shared/FIELD_NOTES.md):

- TO_CHAR/TO_VARCHAR with a format becomes a plain cast (wrong values);
- TRY_TO_NUMBER/TRY_TO_DECIMAL become plain casts (bad input raises);
- TRY_TO_TIMESTAMP does not exist on DuckDB; LATERAL FLATTEN does not transpile;
- YEAR()/QUARTER()/MONTH()/DAY() are typed TINYINT on DuckDB (overflow in arithmetic);
- DATEADD/DATE_TRUNC on a DATE return a TIMESTAMP on DuckDB.

The last two are fine when the result is cast right away (`YEAR(d)::INT`,
`DATEADD(DAY, 1, d)::DATE`), which is what the rule asks for.
"""

from __future__ import annotations

import typing as t

from sqlglot import exp
from sqlmesh.core.linter.rule import Rule, RuleViolation
from sqlmesh.core.model import Model, SqlModel

_NEEDS_CAST = (exp.Year, exp.Quarter, exp.Month, exp.Day, exp.DateAdd, exp.TimestampTrunc)


def _problems(query: exp.Expression) -> list[str]:
    found: list[str] = []
    for node in query.walk():
        if isinstance(node, exp.ToChar) and node.args.get("format") is not None:
            found.append(f"{node.sql('snowflake')}: TO_CHAR with a format becomes a plain cast")
        elif isinstance(node, exp.ToNumber) and node.args.get("safe"):
            found.append(f"{node.sql('snowflake')}: TRY_TO_NUMBER becomes a plain cast; use TRY_CAST")
        elif isinstance(node, exp.Anonymous) and node.name.upper() == "TRY_TO_TIMESTAMP":
            found.append("TRY_TO_TIMESTAMP does not exist on DuckDB; use TRY_CAST(x AS TIMESTAMP)")
        elif isinstance(node, exp.Lateral) and isinstance(node.this, exp.Explode):
            found.append("LATERAL FLATTEN does not transpile to DuckDB")
        elif isinstance(node, _NEEDS_CAST) and not isinstance(node.parent, exp.Cast):
            found.append(
                f"{node.sql('snowflake')}: cast the result (::INT for date parts, ::DATE or "
                "::TIMESTAMP for DATEADD/DATE_TRUNC) — DuckDB types it differently"
            )
    return found


class NoSilentTranspilation(Rule):
    """Snowflake SQL that transpiles to DuckDB silently wrong must be rewritten or cast."""

    def check_model(self, model: Model) -> t.Optional[RuleViolation]:
        if not isinstance(model, SqlModel):
            return None
        problems = _problems(model.query)
        if not problems:
            return None
        return self.violation(violation_msg="; ".join(dict.fromkeys(problems)))
