"""Statistics that SQL engines lack, written with portable arithmetic only.

`@welch_p_value(t, df)` is the two-sided p-value of a Welch t statistic: the t value
is mapped to a standard-normal z (z = t(1 - 1/(4 df)) / sqrt(1 + t^2 / (2 df)), good to
~1e-3 for df >= 10) and the normal tail comes from Abramowitz & Stegun 26.2.17 (error
< 7.5e-8). Campaign groups hold hundreds to thousands of customers, far beyond where
the approximation matters.
"""

from __future__ import annotations

from sqlglot import exp, parse_one
from sqlmesh import macro

_B = (0.319381530, -0.356563782, 1.781477937, -1.821255978, 1.330274429)


@macro()
def welch_p_value(evaluator, t_stat: exp.Expression, df: exp.Expression) -> exp.Expression:
    """Two-sided p-value for Student's t with `df` degrees of freedom (normal approximation)."""
    t_sql = t_stat.sql(dialect=evaluator.dialect)
    df_sql = df.sql(dialect=evaluator.dialect)
    z = f"(ABS({t_sql}) * (1 - 1 / (4 * ({df_sql}))) / SQRT(1 + POWER({t_sql}, 2) / (2 * ({df_sql}))))"
    k = f"(1 / (1 + 0.2316419 * {z}))"
    poly = " + ".join(f"{b} * POWER({k}, {i + 1})" for i, b in enumerate(_B))
    density = f"(EXP(-0.5 * POWER({z}, 2)) / SQRT(2 * PI()))"
    p = f"LEAST(1.0, 2 * {density} * ({poly}))"
    return parse_one(p, dialect=evaluator.dialect)
