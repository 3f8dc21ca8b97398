"""Intent → one SELECT over the logical tables (sqlglot AST), and logical → physical.

Logical tables are named `__<table>` as in Cortex Analyst's verified queries; `to_physical`
prepends one CTE per logical table used — `__t AS (SELECT <expr> AS <name>, … FROM
database.schema.table)` — so a dimension defined by an expression works like a column.
Every literal (a value, a number, a date) is a sqlglot literal node: user text never becomes SQL.
Joins follow declared relationships only, from the table whose rows are measured towards the
"one" side; a condition on a table on the "many" side becomes a semi-join (`key IN (SELECT …)`),
so measures never fan out.
"""

from __future__ import annotations

import re
from dataclasses import replace

import sqlglot
from sqlglot import exp

from assistant.lexicon import humanize
from assistant.model import LOGICAL_PREFIX, SemanticModel
from assistant.parser import Condition, Intent, Measure, _Graph

READ = "snowflake"  # the semantic model's expressions are Snowflake SQL


class PlanError(ValueError):
    """The intent cannot be expressed over the model (e.g. tables that do not join)."""


def identifier(text: str) -> str:
    """A safe snake_case column alias from a label."""
    alias = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    if not alias or alias[0].isdigit():
        alias = "x_" + alias
    return alias[:60]


class Planner:
    def __init__(self, model: SemanticModel):
        self.model = model
        self.graph = _Graph(model)

    # --- expressions -------------------------------------------------------------------
    def col(self, table: str, name: str) -> exp.Column:
        return exp.column(name, table=table)

    def model_expr(self, table: str, text: str) -> exp.Expression:
        """A metric's or filter's expression, columns qualified with their table's alias."""
        tree = sqlglot.parse_one(text, read=READ)

        def qualify(node: exp.Expression) -> exp.Expression:
            if isinstance(node, exp.Column):
                owner = node.table.lower().removeprefix(LOGICAL_PREFIX) if node.table else table
                logical = self.model.table(owner)
                return self.col(logical.name if logical else table, node.name)
            return node

        return tree.transform(qualify)

    def condition(self, c: Condition) -> exp.Expression:
        if c.kind == "filter":
            named = self.model.tables[c.table].filters[c.column]
            tree = exp.paren(self.model_expr(c.table, named.expr))
        elif c.kind == "values":
            column = self.col(c.table, c.column)
            literals = [exp.Literal.string(v) for v in c.values]
            tree = column.eq(literals[0]) if len(literals) == 1 else column.isin(*literals)
        elif c.kind == "compare":
            target = (
                self.measure_expr(Measure(c.table, "metric", c.metric))
                if c.metric
                else self.col(c.table, c.column)
            )
            number = _num(c.number)
            if c.op == "between":
                tree = exp.Between(this=target, low=number, high=_num(c.number2))
            else:
                ops = {">": exp.GT, ">=": exp.GTE, "<": exp.LT, "<=": exp.LTE, "=": exp.EQ}
                tree = ops[c.op](this=target, expression=number)
        elif c.kind == "time":
            column = self.col(c.table, c.column)
            bounds = []
            if c.start:
                bounds.append(exp.GTE(this=column, expression=_date(c.start)))
            if c.end:
                bounds.append(exp.LT(this=column.copy(), expression=_date(c.end)))
            tree = exp.and_(*bounds)
        elif c.kind == "boolean":
            tree = self.col(c.table, c.column)
        else:
            raise PlanError(f"unknown condition kind {c.kind}")
        return exp.not_(tree) if c.negate else tree

    def measure_expr(self, m: Measure) -> exp.Expression:
        if m.kind == "metric":
            return self.model_expr(m.table, self.model.tables[m.table].metrics[m.name].expr)
        if m.kind == "fact":
            agg = {"AVG": exp.Avg, "SUM": exp.Sum, "MIN": exp.Min, "MAX": exp.Max,
                   "MEDIAN": exp.Median}[m.agg or "SUM"]  # fmt: skip
            return agg(this=self.col(m.table, m.name))
        if m.kind == "count":
            if not m.name:
                return exp.Count(this=exp.Star())
            return exp.Count(this=exp.Distinct(expressions=[self.col(m.table, m.name)]))
        if m.kind == "share":
            assert m.share_of is not None
            cond = self.condition(m.share_of)
            if m.name:  # a share of an amount: SUM(x if cond) / SUM(x)
                base = self.measure_expr(
                    Measure(
                        m.table,
                        "fact" if not self._is_metric(m) else "metric",
                        m.name,
                        m.agg or "SUM",
                    )
                )
                part = _conditional(base, cond)
                return exp.Mul(
                    this=exp.Div(
                        this=part, expression=exp.func("NULLIF", base, exp.Literal.number(0))
                    ),
                    expression=exp.Literal.number("100.0"),
                )
            return exp.Avg(
                this=exp.Case(
                    ifs=[exp.If(this=cond, true=exp.Literal.number("100.0"))],
                    default=exp.Literal.number("0.0"),
                )
            )
        raise PlanError(f"unknown measure kind {m.kind}")

    def _is_metric(self, m: Measure) -> bool:
        return m.name in self.model.tables[m.table].metrics

    # --- the query -----------------------------------------------------------------------
    def plan(self, intent: Intent) -> exp.Select:
        measured = [m.table for m in intent.measures] + [g.table for g in intent.groups]
        measured += [t for t, _ in intent.list_columns]
        if intent.subject and not measured:
            measured.append(intent.subject)
        measured = list(dict.fromkeys(measured)) or intent.tables()[:1]
        conditions_tables = [c.table for c in intent.conditions]
        root = self.graph.root(list(dict.fromkeys(measured + conditions_tables)))
        if root is None or (
            intent.measures and root not in measured and root != self._prefer(measured)
        ):
            root = self.graph.root(measured) or measured[0]
        if (
            intent.mode in ("list", "profile")
            and intent.subject
            and all(t in self.graph.reach(intent.subject) for t in measured)
        ):
            # a list has one row per subject row: a condition on events ("last month") is a
            # semi-join, never a join that repeats a customer per transaction
            root = intent.subject
        reach = self.graph.reach(root)

        joined: list[str] = []

        def need(table: str) -> None:
            if table == root or table in joined:
                return
            path = reach.get(table)
            if path is None:
                raise PlanError(f"{table} does not join {root} along the model's relationships")
            for a, b in zip(path, path[1:], strict=False):
                if b in joined or b == root:
                    continue
                rel = self.graph.edges[(a, b)]
                pairs = (
                    rel.columns
                    if rel.left_table == a
                    else [(right, left) for left, right in rel.columns]
                )
                on = exp.and_(*[self.col(a, lc).eq(self.col(b, rc)) for lc, rc in pairs])
                kind = "LEFT" if rel.join_type == "left_outer" else "INNER"
                select = select_ref[0].join(_logical(b), on=on, join_type=kind)
                select_ref[0] = select
                joined.append(b)

        select_ref = [exp.Select().from_(_logical(root))]
        where: list[exp.Expression] = []
        having: list[exp.Expression] = []
        semi: dict[str, list[exp.Expression]] = {}
        subset: list[exp.Expression] = []
        for c in intent.conditions:
            tree = self.condition(c)
            if c.metric:
                having.append(tree)
                continue
            if c.table not in reach:
                # "customers who have not transacted in the last 90 days": NOT IN the
                # customers with a transaction then (not: with a transaction at another time)
                inner = self.condition(replace(c, negate=False))
                semi.setdefault((c.table, c.negate), []).append(inner)
                continue
            need(c.table)
            if intent.compare_overall and c.kind in ("values", "filter", "compare"):
                subset.append(tree)
            else:
                where.append(tree)
        for (table, negate), trees in semi.items():
            member = self._semi_join(root, reach, table, trees)
            where.append(exp.not_(member) if negate else member)

        projections: list[exp.Expression] = []
        group_exprs: list[exp.Expression] = []
        order: list[exp.Ordered] = []
        for g in intent.groups:
            need(g.table)
            column = self.col(g.table, g.column)
            if g.grain:
                trunc = exp.Cast(
                    this=exp.TimestampTrunc(this=column, unit=exp.var(g.grain)),
                    to=exp.DataType.build("DATE"),
                )
                projections.append(exp.alias_(trunc, g.grain.lower()))
                group_exprs.append(trunc.copy())
                order.append(exp.Ordered(this=exp.column(g.grain.lower())))
            else:
                projections.append(exp.alias_(column, g.column))
                group_exprs.append(column.copy())
        aliases: list[str] = []
        for m in intent.measures:
            for t in self._measure_tables(m):
                need(t)
            tree = self.measure_expr(m)
            alias = identifier(m.label or m.name)
            if intent.compare_overall and subset:
                cond = exp.and_(*subset)
                label = " and ".join(
                    c.label for c in intent.conditions if c.kind in ("values", "filter", "compare")
                )
                filtered = exp.alias_(_conditional(tree, cond), identifier(f"{m.label} {label}"))
                projections.append(filtered)
                projections.append(exp.alias_(tree, identifier(f"{m.label} overall")))
                aliases.append(filtered.alias)
                count_cond = exp.Count(
                    this=exp.Case(ifs=[exp.If(this=cond.copy(), true=exp.Literal.number(1))])
                )
                projections.append(exp.alias_(count_cond, "rows_matching"))
            else:
                projections.append(exp.alias_(tree, alias))
                aliases.append(alias)
            if m.kind == "share" and not m.name and intent.subject:
                table = self.model.tables[intent.subject]
                key = table.primary_key[0] if table.primary_key else None
                if key and intent.subject in reach:
                    need(intent.subject)
                elif key:  # counted where the share is taken: the root's own rows
                    table = self.model.tables[root]
                    key = table.primary_key[0] if table.primary_key else None
                base = (
                    exp.Count(this=exp.Distinct(expressions=[self.col(table.name, key)]))
                    if key
                    else exp.Count(this=exp.Star())
                )
                projections.append(
                    exp.alias_(base, identifier(f"{humanize(intent.subject)} counted"))
                )
        if intent.mode in ("list", "profile"):
            for table, name in intent.list_columns:
                need(table)
                projections.append(exp.alias_(self.col(table, name), name))
        select = select_ref[0].select(*projections, append=False)
        if where:
            select = select.where(exp.and_(*where))
        if group_exprs and intent.measures:
            select = select.group_by(*group_exprs)
        if having:
            select = select.having(exp.and_(*having))
        if intent.order_by.startswith("measure:") and aliases:
            index = int(intent.order_by.split(":")[1])
            alias = aliases[min(index, len(aliases) - 1)]
            order = [exp.Ordered(this=exp.column(alias), desc=bool(intent.order_desc))] + [
                o for o in order
            ]
        elif intent.order_by.startswith("column:"):
            table, name = intent.order_by.split(":", 1)[1].split(".", 1)
            need(table)
            order = [exp.Ordered(this=self.col(table, name), desc=bool(intent.order_desc),
                                 nulls_first=False)] + order  # fmt: skip
        if order:
            select = select.order_by(*order)
        if intent.limit:
            select = select.limit(intent.limit)
        return select

    def _prefer(self, measured: list[str]) -> str:
        return measured[0]

    def _measure_tables(self, m: Measure) -> list[str]:
        tables = [m.table]
        if m.share_of is not None:
            tables.append(m.share_of.table)
        return tables

    def _semi_join(
        self, root: str, reach: dict[str, list[str]], table: str, trees: list[exp.Expression]
    ) -> exp.Expression:
        """`reached.key IN (SELECT many.fk FROM __many WHERE …)` for a table on the many side."""
        for rel in self.model.relationships:
            if rel.left_table == table and rel.right_table in reach:
                right = rel.right_table
                (lc, rc), *_ = rel.columns
                sub = exp.select(self.col(table, lc)).from_(_logical(table)).where(exp.and_(*trees))
                return exp.In(this=self.col(right, rc), query=exp.Subquery(this=sub))
        # two hops through an event table that joins both ("average pages of books borrowed in
        # Boston": books IN (loans whose member IN (members in Boston)))
        for to_reached in self.model.relationships:
            if to_reached.right_table not in reach or to_reached.left_table == table:
                continue
            event = to_reached.left_table
            to_table = next(
                (r for r in self.model.relationships
                 if r.left_table == event and r.right_table == table),
                None,
            )  # fmt: skip
            if to_table is None:
                continue
            (tl, tr), *_ = to_table.columns
            inner = exp.select(self.col(table, tr)).from_(_logical(table)).where(exp.and_(*trees))
            (el, er), *_ = to_reached.columns
            middle = (
                exp.select(self.col(event, el))
                .from_(_logical(event))
                .where(exp.In(this=self.col(event, tl), query=exp.Subquery(this=inner)))
            )
            return exp.In(
                this=self.col(to_reached.right_table, er), query=exp.Subquery(this=middle)
            )
        raise PlanError(f"{table} does not join {root} along the model's relationships")

    # --- logical → physical ------------------------------------------------------------------
    def to_physical(self, tree: exp.Expression, *, inline: bool = False) -> exp.Expression:
        """Prepend one CTE per logical table `__t` the query reads (Cortex Analyst's shape).

        `inline`: mark them NOT MATERIALIZED (DuckDB would otherwise copy a logical table that
        a query reads twice — 13.5M facts — before filtering it)."""
        tree = tree.copy()
        existing = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
        used: list[str] = []
        for table in tree.find_all(exp.Table):
            name = table.name
            if table.db or table.catalog or not name.lower().startswith(LOGICAL_PREFIX):
                continue
            if name.lower() in existing:
                continue
            logical = self.model.table(name)
            if logical is None:
                continue
            if logical.name not in used:
                used.append(logical.name)
        ctes = []
        for name in used:
            logical = self.model.tables[name]
            columns = [
                exp.alias_(sqlglot.parse_one(c.expr, read=READ), c.name)
                if c.expr.lower() != c.name.lower()
                else sqlglot.parse_one(c.expr, read=READ)
                for c in logical.columns.values()
            ]
            source = exp.Table(
                this=exp.to_identifier(logical.base),
                db=exp.to_identifier(logical.schema) if logical.schema else None,
                catalog=exp.to_identifier(logical.database) if logical.database else None,
            )
            body = exp.select(*columns).from_(source)
            alias = exp.TableAlias(this=exp.to_identifier(logical.logical_name))
            ctes.append(exp.CTE(this=body, alias=alias, materialized=False if inline else None))
        if not ctes:
            return tree
        with_ = tree.args.get("with_") or tree.args.get("with")
        if with_ is not None:
            with_.set("expressions", ctes + list(with_.expressions))
        else:
            tree.set(
                "with_" if "with_" in type(tree).arg_types else "with", exp.With(expressions=ctes)
            )
        return tree


def _logical(table: str) -> exp.Table:
    return exp.Table(
        this=exp.to_identifier(LOGICAL_PREFIX + table),
        alias=exp.TableAlias(this=exp.to_identifier(table)),
    )


def _num(value: float | None) -> exp.Literal:
    if value is None:
        raise PlanError("a comparison needs a number")
    text = str(int(value)) if float(value).is_integer() else repr(float(value))
    return exp.Literal.number(text)


def _date(iso: str | None) -> exp.Expression:
    if not iso:
        raise PlanError("a time window needs its bounds")
    return exp.Cast(this=exp.Literal.string(iso), to=exp.DataType.build("DATE"))


def _conditional(tree: exp.Expression, cond: exp.Expression) -> exp.Expression:
    """Each aggregate's argument wrapped in CASE WHEN cond THEN arg END (portable FILTER)."""
    tree = tree.copy()
    for agg in list(tree.find_all(exp.AggFunc)):
        arg = agg.this
        if isinstance(arg, exp.Distinct):
            inner = arg.expressions[0]
            arg.set("expressions", [exp.Case(ifs=[exp.If(this=cond.copy(), true=inner.copy())])])
            continue
        if isinstance(arg, exp.Star) or arg is None:
            agg.set("this", exp.Case(ifs=[exp.If(this=cond.copy(), true=exp.Literal.number(1))]))
            continue
        agg.set("this", exp.Case(ifs=[exp.If(this=cond.copy(), true=arg.copy())]))
    return tree
