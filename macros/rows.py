"""Statements that replace a model's rows instead of merging them.

`@delete_from_this_model(condition)` is a pre-statement of the per-customer models whose set
of rows per customer can shrink (the customer-month models: an account opening corrected to a
later month removes months). Deleting a recomputed customer's rows before the merge writes
them again makes the table equal a full rebuild; a merge on the unique key alone would keep
the rows the new result no longer has.

The statement is built here rather than written as `DELETE FROM @this_model …` in the model:
in table position sqlglot's Snowflake dialect reads `@name` as a stage path, and whether
SQLMesh's macro parsing wins depends on what parsed Snowflake SQL first in the process (after
a plain `sqlglot.parse_one(…, read="snowflake")` it did not).
"""

from __future__ import annotations

from sqlglot import exp
from sqlmesh import macro


@macro()
def delete_from_this_model(evaluator, condition: exp.Expression) -> exp.Expression | None:
    """DELETE FROM the model's own table WHERE `condition`; nothing while the table is being
    created (there are no rows yet) or outside an evaluation."""
    if evaluator.runtime_stage != "evaluating":
        return None
    table = exp.to_table(evaluator.this_model, dialect=evaluator.dialect)
    return exp.delete(table, where=condition)
