"""Surrogate keys that are the same on every engine and every engine version.

`@stable_key(a, b, ...)` is the first 13 hex digits (52 bits) of MD5 over the parts
joined with '|', as a BIGINT. It is spelled with MD5, SUBSTR and POSITION only, so
Snowflake and DuckDB compute the identical number (engine hashes such as DuckDB's
`hash()` differ between engines and are not promised stable across releases). Used
for dimension keys, which facts store; cheap enough for ~10^5 dimension rows.
"""

from __future__ import annotations

from sqlglot import exp
from sqlmesh import macro

_HEX = "0123456789abcdef"
_DIGITS = 13  # 52 bits: a positive BIGINT that also survives JavaScript's 2^53 limit


@macro()
def stable_key(evaluator, *parts: exp.Expression) -> exp.Expression:
    """A deterministic BIGINT key from the given columns (NULL parts count as '')."""
    strings = [
        exp.func("COALESCE", exp.cast(part, exp.DataType.build("VARCHAR")), exp.Literal.string(""))
        for part in parts
    ]
    joined: exp.Expression = strings[0]
    for part in strings[1:]:
        joined = exp.DPipe(this=exp.DPipe(this=joined, expression=exp.Literal.string("|")), expression=part)
    digest = exp.func("MD5", joined)
    total: exp.Expression | None = None
    for i in range(_DIGITS):
        digit = exp.Sub(
            this=exp.StrPosition(
                this=exp.Literal.string(_HEX),
                substr=exp.Substring(this=digest.copy(), start=exp.Literal.number(i + 1), length=exp.Literal.number(1)),
            ),
            expression=exp.Literal.number(1),
        )
        term = exp.Mul(this=exp.Paren(this=digit), expression=exp.Literal.number(16 ** (_DIGITS - 1 - i)))
        total = term if total is None else exp.Add(this=total, expression=term)
    return exp.cast(exp.Paren(this=total), exp.DataType.build("BIGINT"))
