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



#: Where each kind of incremental model finds the customers one evaluation recomputed.
_RECOMPUTED_FROM = {
    "changes": ("gold.customer_changes", "changed_at"),
    "loads": ("gold.fact_transaction", "ingestion_timestamp"),
}


@macro()
def recomputed_customers_only(evaluator, source: exp.Expression) -> exp.Expression:
    """An audit `condition` that checks only the customers this evaluation recomputed.

    The incremental per-customer models rewrite the rows of some customers and leave the
    others as earlier evaluations wrote (and audited) them, so a row-level audit (not_null,
    unique key, accepted values) can only newly fail on the recomputed customers; checking
    the whole table every hour re-reads up to a million rows to re-prove what was proven.
    `source` says where the model itself finds those customers: 'changes' =
    gold.customer_changes in the processed interval (the per-customer marts), 'loads' =
    gold.fact_transaction rows loaded in it (the monthly and category aggregates). A cold
    build's first interval lists every customer, so it audits the whole table.
    """
    start, end = evaluator.locals.get("start_ts"), evaluator.locals.get("end_ts")
    if start is None or end is None:  # no interval to scope to: check every row
        return exp.true()
    if source.name.lower() not in _RECOMPUTED_FROM:
        raise ValueError(f"recomputed_customers_only: unknown source {source.sql()!r}")
    table, column = _RECOMPUTED_FROM[source.name.lower()]
    moment = exp.Between(
        this=exp.column(column),
        low=exp.cast(exp.Literal.string(str(start)), "TIMESTAMP"),
        high=exp.cast(exp.Literal.string(str(end)), "TIMESTAMP"),
    )
    recomputed = exp.select("customer_id").from_(exp.to_table(table)).where(moment)
    return exp.column("customer_id").isin(query=recomputed)
