"""`c360 semantic-model validate`: a semantic model file against the format and the database.

One line per problem: unknown keys, missing required keys, expressions that do not parse
(sqlglot, Snowflake dialect), metrics that do not aggregate, filters that do, relationships and
primary keys naming columns the table does not define, verified queries that do not parse or
read tables outside the model, and — with a database — tables and columns that do not exist.
A table that is not built yet is reported in one line, not as one line per column.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlglot
import yaml
from sqlglot import exp

from assistant.guard import GuardError, guard
from assistant.model import SemanticModel, unknown_keys

REQUIRED = {
    "model": ("name", "tables"),
    "table": ("name", "base_table"),
    "base_table": ("table",),
    "column": ("name", "expr", "data_type"),
    "metric": ("name", "expr"),
    "filter": ("name", "expr"),
    "relationship": ("name", "left_table", "right_table", "relationship_columns"),
    "verified_query": ("name", "question", "sql"),
}


def _parse(text: Any) -> exp.Expression | None:
    try:
        return sqlglot.parse_one(str(text), read="snowflake")
    except sqlglot.errors.SqlglotError:
        return None


def validate(path: Path, database: Any = None) -> list[str]:
    """Problems found (empty = valid). `database`: an object with `connect()` (read-only)."""
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        return [f"{path}: cannot read YAML: {str(exc).splitlines()[0]}"]
    problems = unknown_keys(raw)
    if not isinstance(raw, dict):
        return problems
    problems += [f"model: missing required key '{k}'" for k in REQUIRED["model"] if k not in raw]
    tables = [t for t in raw.get("tables") or [] if isinstance(t, dict)]
    for table in tables:
        tname = table.get("name", "?")
        problems += [
            f"tables[{tname}]: missing required key '{k}'"
            for k in REQUIRED["table"]
            if k not in table
        ]
        base = table.get("base_table") or {}
        if isinstance(base, dict):
            problems += [
                f"tables[{tname}].base_table: missing required key '{k}'"
                for k in REQUIRED["base_table"] if k not in base
            ]  # fmt: skip
        names = set()
        for key in ("dimensions", "time_dimensions", "facts", "measures"):
            for col in table.get(key) or []:
                if not isinstance(col, dict):
                    continue
                cname = col.get("name", "?")
                names.add(cname)
                where = f"tables[{tname}].{key}[{cname}]"
                problems += [
                    f"{where}: missing required key '{k}'"
                    for k in REQUIRED["column"]
                    if k not in col
                ]
                if "expr" in col and _parse(col["expr"]) is None:
                    problems.append(f"{where}: expr does not parse: {col['expr']!r}")
        for metric in table.get("metrics") or []:
            if not isinstance(metric, dict):
                continue
            where = f"tables[{tname}].metrics[{metric.get('name', '?')}]"
            problems += [
                f"{where}: missing required key '{k}'"
                for k in REQUIRED["metric"]
                if k not in metric
            ]
            tree = _parse(metric.get("expr", "")) if "expr" in metric else None
            if "expr" in metric and tree is None:
                problems.append(f"{where}: expr does not parse: {metric['expr']!r}")
            elif tree is not None and not list(tree.find_all(exp.AggFunc)):
                problems.append(f"{where}: a metric must aggregate (SUM, AVG, COUNT, ...)")
            elif tree is not None:
                problems += _unknown_refs(where, tree, names)
        for named in table.get("filters") or []:
            if not isinstance(named, dict):
                continue
            where = f"tables[{tname}].filters[{named.get('name', '?')}]"
            problems += [
                f"{where}: missing required key '{k}'" for k in REQUIRED["filter"] if k not in named
            ]
            tree = _parse(named.get("expr", "")) if "expr" in named else None
            if "expr" in named and tree is None:
                problems.append(f"{where}: expr does not parse: {named['expr']!r}")
            elif tree is not None and list(tree.find_all(exp.AggFunc)):
                problems.append(f"{where}: a filter must not aggregate")
            elif tree is not None:
                problems += _unknown_refs(where, tree, names)
        for key in (table.get("primary_key") or {}).get("columns") or []:
            if key not in names:
                problems.append(
                    f"tables[{tname}].primary_key: column '{key}' is not defined in the table"
                )
    by_name = {t.get("name"): t for t in tables}
    for rel in raw.get("relationships") or []:
        if not isinstance(rel, dict):
            continue
        where = f"relationships[{rel.get('name', '?')}]"
        problems += [
            f"{where}: missing required key '{k}'" for k in REQUIRED["relationship"] if k not in rel
        ]
        for side in ("left_table", "right_table"):
            if rel.get(side) and rel[side] not in by_name:
                problems.append(f"{where}: {side} '{rel[side]}' is not a table of the model")
        for pair in rel.get("relationship_columns") or []:
            for side, key in (("left_table", "left_column"), ("right_table", "right_column")):
                table = by_name.get(rel.get(side))
                if table is None or not isinstance(pair, dict):
                    continue
                cols = {
                    c.get("name")
                    for k in ("dimensions", "time_dimensions", "facts")
                    for c in table.get(k) or []
                }
                if pair.get(key) not in cols:
                    problems.append(
                        f"{where}: {key} '{pair.get(key)}' is not a column of {rel[side]}"
                    )
    if problems:
        return problems
    model = SemanticModel.from_dict(raw)
    from assistant.planner import Planner

    planner = Planner(model)
    for query in model.verified_queries:
        where = f"verified_queries[{query.name}]"
        tree = _parse(query.sql)
        if tree is None:
            problems.append(f"{where}: sql does not parse")
            continue
        physical = [t for t in tree.find_all(exp.Table) if t.db or t.catalog]
        if physical:
            problems.append(
                f"{where}: names physical table {physical[0].sql('snowflake')}; verified SQL must "
                "use the logical tables (__<table name>)"
            )
            continue
        try:
            guard(planner.to_physical(tree), model, dialect="snowflake")
        except GuardError as exc:
            problems.append(f"{where}: {exc}")
    if database is not None:
        problems += _against_database(model, database)
    return problems


def _unknown_refs(where: str, tree: exp.Expression, names: set[str]) -> list[str]:
    return [
        f"{where}: column '{c.name}' is not defined in the table"
        for c in tree.find_all(exp.Column)
        if not c.table and c.name not in names
    ]


def _against_database(model: SemanticModel, database: Any) -> list[str]:
    problems = []
    cursor = database.connect()
    try:
        for table in model.tables.values():
            source = exp.Table(
                this=exp.to_identifier(table.base),
                db=exp.to_identifier(table.schema) if table.schema else None,
                catalog=exp.to_identifier(table.database) if table.database else None,
            )
            name = source.sql("duckdb")
            try:
                result = cursor.execute(exp.select("*").from_(source).limit(0).sql("duckdb"))
            except Exception:
                problems.append(
                    f"tables[{table.name}]: table {name} is not in the database (not built yet?)"
                )
                continue
            present = {d[0].lower() for d in result.description}
            for column in table.columns.values():
                tree = sqlglot.parse_one(column.expr, read="snowflake")
                for ref in tree.find_all(exp.Column):
                    if ref.name.lower() not in present:
                        problems.append(
                            f"tables[{table.name}].{column.kind}s[{column.name}]: column "
                            f"'{ref.name}' does not exist in {name}"
                        )
    finally:
        close = getattr(cursor, "close", None)
        if close:
            close()
    return problems
