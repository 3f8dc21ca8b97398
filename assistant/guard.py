"""The AST guard: every statement any backend produces passes here before it runs.

Checks are made on sqlglot's syntax tree, never with regular expressions over the text:

- exactly one statement, and it is a query (SELECT, optionally with CTEs or set operations);
- no DDL/DML/PRAGMA/ATTACH/COPY/SET/… node anywhere in it, no `SELECT … INTO`;
- every table it reads is one of its own CTEs or a base table of the semantic model (matched
  case-insensitively on database, schema and table), never a table function;
- every column read straight from a base table is one the semantic model exposes;
- every function is on an allow-list (aggregates, arithmetic, strings, dates, conditionals,
  window functions): nothing that reads files, the network, settings or the environment;
- a row limit: the outermost query gets `LIMIT max_rows` unless it already has a smaller one.
"""

from __future__ import annotations

import sqlglot
from sqlglot import exp
from sqlglot.optimizer.scope import traverse_scope

from assistant.model import SemanticModel


class GuardError(ValueError):
    """The statement was rejected; the message says why (shown to the user, logged)."""


#: sqlglot expression classes a query may call (by class name).
ALLOWED_FUNCTIONS = frozenset(
    {
        # aggregates
        "Sum",
        "Avg",
        "Count",
        "Min",
        "Max",
        "Median",
        "CountIf",
        "Stddev",
        "StddevPop",
        "StddevSamp",
        "Variance",
        "VariancePop",
        "ApproxDistinct",
        "Quantile",
        "PercentileCont",
        "PercentileDisc",
        "ApproxQuantile",
        "AnyValue",
        "ArgMax",
        "ArgMin",
        "Corr",
        "CovarPop",
        "CovarSamp",
        "LogicalAnd",
        "LogicalOr",
        "Mode",
        "GroupConcat",
        "ArrayAgg",
        # window functions
        "RowNumber",
        "Rank",
        "DenseRank",
        "PercentRank",
        "CumeDist",
        "Ntile",
        "Lag",
        "Lead",
        "FirstValue",
        "LastValue",
        "NthValue",
        # arithmetic
        "Round",
        "Abs",
        "Floor",
        "Ceil",
        "Ln",
        "Log",
        "Exp",
        "Pow",
        "Sqrt",
        "Sign",
        "SafeDivide",
        "Div",
        "Mod",
        "Trunc",
        # conditionals and casts
        "Coalesce",
        "Nullif",
        "If",
        "Case",
        "Greatest",
        "Least",
        "Cast",
        "TryCast",
        "Nvl2",
        "And",
        "Or",
        "Not",
        "Xor",
        # strings
        "Lower",
        "Upper",
        "Length",
        "Substring",
        "Concat",
        "ConcatWs",
        "Trim",
        "Left",
        "Right",
        "Initcap",
        "StrPosition",
        "Replace",
        "Lpad",
        "Rpad",
        # dates and times
        "DateTrunc",
        "TimestampTrunc",
        "DatetimeTrunc",
        "DateAdd",
        "DateSub",
        "DateDiff",
        "TsOrDsAdd",
        "TsOrDsDiff",
        "TsOrDsToDate",
        "TimestampAdd",
        "TimestampSub",
        "TimestampDiff",
        "DatetimeAdd",
        "DatetimeSub",
        "DatetimeDiff",
        "Extract",
        "Year",
        "Quarter",
        "Month",
        "Week",
        "WeekOfYear",
        "Day",
        "DayOfWeek",
        "DayOfWeekIso",
        "DayOfMonth",
        "DayOfYear",
        "CurrentDate",
        "CurrentTimestamp",
        "Date",
        "DateFromParts",
        "LastDay",
        "MonthsBetween",
        "AddMonths",
        "TimeToStr",
        "StrToDate",
        "ToChar",
    }
)
#: Statement and clause types that never belong in an answer's query.
FORBIDDEN_NODES: tuple[type[exp.Expression], ...] = tuple(
    getattr(exp, name)
    for name in (
        "Insert",
        "Update",
        "Delete",
        "Merge",
        "Create",
        "Drop",
        "Alter",
        "AlterColumn",
        "TruncateTable",
        "Command",
        "Copy",
        "Set",
        "SetItem",
        "Pragma",
        "Attach",
        "Detach",
        "Use",
        "Install",
        "Transaction",
        "Commit",
        "Rollback",
        "Grant",
        "Revoke",
        "Into",
        "Lateral",
        "Unnest",
        "Placeholder",
        "Parameter",
        "Describe",
        "Show",
        "Kill",
        "LoadData",
        "Export",
        "Refresh",
        "Cache",
        "Uncache",
        "Analyze",
    )
    if hasattr(exp, name)
)


def parse_single(sql: str, dialect: str) -> exp.Expression:
    """One statement, parsed; anything else is a GuardError."""
    try:
        statements = [s for s in sqlglot.parse(sql, read=dialect) if s is not None]
    except sqlglot.errors.SqlglotError as exc:
        raise GuardError(f"the SQL does not parse: {str(exc).splitlines()[0]}") from None
    if len(statements) != 1:
        raise GuardError(f"exactly one statement is allowed, got {len(statements)}")
    return statements[0]


def _cte_names(tree: exp.Expression) -> set[str]:
    return {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}


def _allowed_physical_columns(model: SemanticModel) -> dict[tuple[str, str, str], set[str]]:
    """(database, schema, table) → the physical columns the model's expressions read."""
    allowed: dict[tuple[str, str, str], set[str]] = {}
    for table in model.tables.values():
        key = (table.database.lower(), table.schema.lower(), table.base.lower())
        names = allowed.setdefault(key, set())
        for column in table.columns.values():
            try:
                parsed = sqlglot.parse_one(column.expr, read="snowflake")
            except sqlglot.errors.SqlglotError:
                continue
            names.update(c.name.lower() for c in parsed.find_all(exp.Column))
            if isinstance(parsed, exp.Column):
                names.add(parsed.name.lower())
    return allowed


def _physical_key(model: SemanticModel, table: exp.Table) -> tuple[str, str, str] | None:
    logical = model.table_for_physical(table.catalog or None, table.db or None, table.name)
    if logical is None:
        return None
    return (logical.database.lower(), logical.schema.lower(), logical.base.lower())


def guard(
    sql: str | exp.Expression,
    model: SemanticModel,
    *,
    dialect: str = "duckdb",
    max_rows: int = 1000,
) -> exp.Expression:
    """The statement, checked and limited (a copy), or a GuardError naming the problem."""
    tree = parse_single(sql, dialect) if isinstance(sql, str) else sql.copy()
    if not isinstance(tree, exp.Query) or not isinstance(tree, exp.Select | exp.SetOperation):
        raise GuardError(f"only a SELECT query is allowed, not {type(tree).__name__.upper()}")
    for node in tree.walk():
        if isinstance(node, FORBIDDEN_NODES):
            raise GuardError(f"{type(node).__name__.upper()} is not allowed in a query")
    ctes = _cte_names(tree)
    for table in tree.find_all(exp.Table):
        if not isinstance(table.this, exp.Identifier):
            raise GuardError(f"table functions are not allowed ({table.this.sql(dialect)})")
        if not table.catalog and not table.db and table.name.lower() in ctes:
            continue
        if _physical_key(model, table) is None:
            raise GuardError(f"table {table.sql(dialect)} is not in the semantic model")
    for func in tree.find_all(exp.Func):
        if isinstance(func, exp.Anonymous) or type(func).__name__ not in ALLOWED_FUNCTIONS:
            name = func.name if isinstance(func, exp.Anonymous) else func.sql_name()
            raise GuardError(f"function {name.upper()} is not allowed")
    _check_columns(tree, model)
    limit = tree.args.get("limit")
    current = None
    if isinstance(limit, exp.Limit) and isinstance(limit.expression, exp.Literal):
        try:
            current = int(limit.expression.this)
        except ValueError:
            current = None
    if current is None or current > max_rows:
        tree = tree.limit(max_rows, copy=False)
    return tree


def _check_columns(tree: exp.Expression, model: SemanticModel) -> None:
    """Columns read straight from a base table must be ones the model exposes."""
    allowed = _allowed_physical_columns(model)
    try:
        scopes = traverse_scope(tree)
    except Exception as exc:  # sqlglot raises plain errors on odd scopes
        raise GuardError(f"the query's structure cannot be checked: {exc}") from None
    for scope in scopes:
        physical = {
            alias: _physical_key(model, source)
            for alias, source in scope.sources.items()
            if isinstance(source, exp.Table) and _physical_key(model, source) is not None
        }
        if not physical:
            continue
        for column in scope.columns:
            if column.table:
                key = physical.get(column.table)
            elif len(scope.sources) == 1:
                key = next(iter(physical.values()))
            else:
                key = None
            if key is None:
                continue
            if column.name.lower() not in allowed[key]:
                raise GuardError(f"column {column.name} of {key[2]} is not in the semantic model")
