"""Statistics that SQL engines lack, written with portable arithmetic only.

`@welch_p_value(t, df)` is the two-sided p-value of a Student t statistic with `df`
degrees of freedom (the Welch test of the campaign lift). The t value is mapped to a
standard-normal z with z = sqrt(df * ln(1 + t^2/df)) * (8 df + 1) / (8 df + 3), and
the normal tail is Abramowitz & Stegun 26.2.17 (error < 7.5e-8). Against the exact
t distribution the p-value is within 0.003 at df = 2 and 1e-4 from df = 10; campaign
groups have hundreds of customers.
"""

from __future__ import annotations

from sqlglot import exp, parse_one
from sqlmesh import macro

_B = (0.319381530, -0.356563782, 1.781477937, -1.821255978, 1.330274429)


@macro()
def welch_p_value(evaluator, t_stat: exp.Expression, df: exp.Expression) -> exp.Expression:
    """Two-sided p-value for Student's t with `df` degrees of freedom."""
    t_sql = t_stat.sql(dialect=evaluator.dialect)
    df_sql = df.sql(dialect=evaluator.dialect)
    z = (
        f"(SQRT(({df_sql}) * LN(1 + POWER({t_sql}, 2) / ({df_sql}))) "
        f"* (8 * ({df_sql}) + 1) / (8 * ({df_sql}) + 3))"
    )
    k = f"(1 / (1 + 0.2316419 * {z}))"
    poly = " + ".join(f"{b} * POWER({k}, {i + 1})" for i, b in enumerate(_B))
    density = f"(EXP(-0.5 * POWER({z}, 2)) / SQRT(2 * PI()))"
    return parse_one(f"LEAST(1.0, 2 * {density} * ({poly}))", dialect=evaluator.dialect)
