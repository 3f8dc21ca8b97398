"""A Cortex Analyst semantic model, loaded from its YAML file.

The keys accepted here are Cortex Analyst's current semantic model format (Snowflake's
`semantic_model.proto` in Snowflake-Labs/semantic-model-generator and the documentation's
specification): `SPEC` lists them per level, and `unknown_keys` reports the others. Nothing
about any particular warehouse is written here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

#: Allowed keys per level of the format ("column" = dimension, time dimension or fact).
SPEC: dict[str, frozenset[str]] = {
    "model": frozenset(
        {
            "name",
            "description",
            "tables",
            "relationships",
            "verified_queries",
            "custom_instructions",
            "module_custom_instructions",
        }
    ),
    "module_custom_instructions": frozenset({"sql_generation", "question_categorization"}),
    "table": frozenset(
        {
            "name",
            "synonyms",
            "description",
            "base_table",
            "primary_key",
            "dimensions",
            "time_dimensions",
            "facts",
            "measures",
            "metrics",
            "filters",
            "columns",
            "foreign_keys",
        }
    ),
    "base_table": frozenset({"database", "schema", "table"}),
    "primary_key": frozenset({"columns"}),
    "dimension": frozenset(
        {
            "name",
            "synonyms",
            "description",
            "expr",
            "data_type",
            "unique",
            "sample_values",
            "is_enum",
            "cortex_search_service",
            "cortex_search_service_name",
            "access_modifier",
        }
    ),
    "time_dimension": frozenset(
        {
            "name",
            "synonyms",
            "description",
            "expr",
            "data_type",
            "unique",
            "sample_values",
            "access_modifier",
        }
    ),
    "fact": frozenset(
        {
            "name",
            "synonyms",
            "description",
            "expr",
            "data_type",
            "default_aggregation",
            "sample_values",
            "access_modifier",
        }
    ),
    "metric": frozenset({"name", "synonyms", "description", "expr", "filter", "access_modifier"}),
    "filter": frozenset({"name", "synonyms", "description", "expr"}),
    "relationship": frozenset(
        {
            "name",
            "left_table",
            "right_table",
            "relationship_columns",
            "join_type",
            "relationship_type",
            "expr",
        }
    ),
    "relationship_column": frozenset({"left_column", "right_column"}),
    "verified_query": frozenset(
        {
            "name",
            "semantic_model_name",
            "question",
            "sql",
            "verified_at",
            "verified_by",
            "use_as_onboarding_question",
        }
    ),
}
JOIN_TYPES = frozenset({"inner", "left_outer"})
RELATIONSHIP_TYPES = frozenset({"many_to_one", "one_to_one"})
#: Verified SQL names a logical table as `__<name>` (Cortex Analyst's convention).
LOGICAL_PREFIX = "__"

_NUMERIC = re.compile(
    r"^(NUMBER|DECIMAL|NUMERIC|INT|INTEGER|BIGINT|SMALLINT|TINYINT|FLOAT|DOUBLE|REAL)"
)
_TIME = re.compile(r"^(DATE|TIMESTAMP|DATETIME|TIME)")


@dataclass(frozen=True)
class Column:
    """A dimension, time dimension or fact of a logical table."""

    table: str
    name: str
    kind: str  # dimension | time_dimension | fact
    expr: str
    data_type: str = ""
    synonyms: tuple[str, ...] = ()
    description: str = ""
    unique: bool = False
    sample_values: tuple[str, ...] = ()
    is_enum: bool = False

    @property
    def is_numeric(self) -> bool:
        return bool(_NUMERIC.match(self.data_type.upper())) or self.kind == "fact"

    @property
    def is_time(self) -> bool:
        return self.kind == "time_dimension" or bool(_TIME.match(self.data_type.upper()))

    @property
    def is_boolean(self) -> bool:
        return self.data_type.upper().startswith("BOOL")

    @property
    def is_text(self) -> bool:
        return not (self.is_numeric or self.is_time or self.is_boolean)


@dataclass(frozen=True)
class Metric:
    table: str
    name: str
    expr: str
    synonyms: tuple[str, ...] = ()
    description: str = ""


@dataclass(frozen=True)
class NamedFilter:
    table: str
    name: str
    expr: str
    synonyms: tuple[str, ...] = ()
    description: str = ""


@dataclass(frozen=True)
class Table:
    name: str
    database: str
    schema: str
    base: str
    columns: dict[str, Column]
    metrics: dict[str, Metric]
    filters: dict[str, NamedFilter]
    synonyms: tuple[str, ...] = ()
    description: str = ""
    primary_key: tuple[str, ...] = ()

    @property
    def entity(self) -> str:
        """What one row is called in an answer: the first synonym, else the name."""
        return self.synonyms[0] if self.synonyms else self.name.replace("_", " ")

    @property
    def logical_name(self) -> str:
        return LOGICAL_PREFIX + self.name

    @property
    def time_dimensions(self) -> list[Column]:
        return [c for c in self.columns.values() if c.kind == "time_dimension"]


@dataclass(frozen=True)
class Relationship:
    name: str
    left_table: str
    right_table: str
    columns: tuple[tuple[str, str], ...]
    join_type: str = "inner"
    relationship_type: str = "many_to_one"


@dataclass(frozen=True)
class VerifiedQuery:
    name: str
    question: str
    sql: str
    verified_at: int | None = None
    verified_by: str | None = None
    use_as_onboarding_question: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "question": self.question,
            "sql": self.sql,
            "verified_at": self.verified_at,
            "verified_by": self.verified_by,
        }


@dataclass
class SemanticModel:
    """The parsed model; `text` is the YAML it came from (sent inline to Cortex Analyst)."""

    name: str
    description: str
    tables: dict[str, Table]
    relationships: list[Relationship]
    verified_queries: list[VerifiedQuery]
    custom_instructions: str = ""
    text: str = ""
    raw: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, path: str | Path) -> SemanticModel:
        text = Path(path).read_text(encoding="utf-8")
        return cls.from_yaml(text)

    @classmethod
    def from_yaml(cls, text: str) -> SemanticModel:
        raw = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506
        if not isinstance(raw, dict):
            raise ValueError("a semantic model is a YAML mapping")
        model = cls.from_dict(raw)
        model.text = text
        return model

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> SemanticModel:
        tables: dict[str, Table] = {}
        for entry in raw.get("tables") or []:
            name = str(entry["name"])
            base = entry.get("base_table") or {}
            columns: dict[str, Column] = {}
            for kind, key in (
                ("dimension", "dimensions"),
                ("time_dimension", "time_dimensions"),
                ("fact", "facts"),
                ("fact", "measures"),
            ):
                for col in entry.get(key) or []:
                    columns[str(col["name"])] = Column(
                        table=name,
                        name=str(col["name"]),
                        kind=kind,
                        expr=str(col.get("expr") or col["name"]),
                        data_type=str(col.get("data_type") or ""),
                        synonyms=tuple(str(s) for s in col.get("synonyms") or ()),
                        description=str(col.get("description") or ""),
                        unique=bool(col.get("unique", False)),
                        sample_values=tuple(str(v) for v in col.get("sample_values") or ()),
                        is_enum=bool(col.get("is_enum", False)),
                    )
            metrics = {
                str(m["name"]): Metric(
                    name,
                    str(m["name"]),
                    str(m["expr"]),
                    tuple(str(s) for s in m.get("synonyms") or ()),
                    str(m.get("description") or ""),
                )
                for m in entry.get("metrics") or []
            }
            filters = {
                str(f["name"]): NamedFilter(
                    name,
                    str(f["name"]),
                    str(f["expr"]),
                    tuple(str(s) for s in f.get("synonyms") or ()),
                    str(f.get("description") or ""),
                )
                for f in entry.get("filters") or []
            }
            tables[name] = Table(
                name=name,
                database=str(base.get("database") or ""),
                schema=str(base.get("schema") or ""),
                base=str(base.get("table") or name),
                columns=columns,
                metrics=metrics,
                filters=filters,
                synonyms=tuple(str(s) for s in entry.get("synonyms") or ()),
                description=str(entry.get("description") or ""),
                primary_key=tuple((entry.get("primary_key") or {}).get("columns") or ()),
            )
        relationships = [
            Relationship(
                name=str(r.get("name") or f"{r['left_table']}_{r['right_table']}"),
                left_table=str(r["left_table"]),
                right_table=str(r["right_table"]),
                columns=tuple(
                    (str(c["left_column"]), str(c["right_column"]))
                    for c in r.get("relationship_columns") or ()
                ),
                join_type=str(r.get("join_type") or "inner"),
                relationship_type=str(r.get("relationship_type") or "many_to_one"),
            )
            for r in raw.get("relationships") or []
        ]
        verified = [
            VerifiedQuery(
                name=str(q["name"]),
                question=str(q["question"]),
                sql=str(q["sql"]),
                verified_at=q.get("verified_at"),
                verified_by=q.get("verified_by"),
                use_as_onboarding_question=bool(q.get("use_as_onboarding_question", False)),
            )
            for q in raw.get("verified_queries") or []
        ]
        return cls(
            name=str(raw.get("name") or "semantic_model"),
            description=str(raw.get("description") or ""),
            tables=tables,
            relationships=relationships,
            verified_queries=verified,
            custom_instructions=str(raw.get("custom_instructions") or ""),
            raw=raw,
        )

    # --- lookups ------------------------------------------------------------------------
    def table(self, name: str) -> Table | None:
        """A logical table by name (case-insensitive; `__name` too)."""
        key = name.lower().removeprefix(LOGICAL_PREFIX)
        return next((t for t in self.tables.values() if t.name.lower() == key), None)

    def table_for_physical(
        self, database: str | None, schema: str | None, base: str
    ) -> Table | None:
        """The logical table over a physical `database.schema.table` (case-insensitive;
        a part that is not given matches any)."""
        for table in self.tables.values():
            if table.base.lower() != base.lower():
                continue
            if schema and table.schema and table.schema.lower() != schema.lower():
                continue
            if database and table.database and table.database.lower() != database.lower():
                continue
            return table
        return None

    @property
    def databases(self) -> list[str]:
        """The distinct databases the base tables name, in model order."""
        seen: list[str] = []
        for table in self.tables.values():
            if table.database and table.database.lower() not in (s.lower() for s in seen):
                seen.append(table.database)
        return seen

    def onboarding_questions(self) -> list[str]:
        flagged = [q.question for q in self.verified_queries if q.use_as_onboarding_question]
        return flagged or [q.question for q in self.verified_queries[:5]]


def unknown_keys(raw: Any) -> list[str]:
    """Every key the format does not define, as `path: key` (one per unknown key)."""
    problems: list[str] = []

    def check(obj: Any, level: str, path: str) -> None:
        if not isinstance(obj, dict):
            problems.append(f"{path}: expected a mapping for {level}")
            return
        for key in obj:
            if key not in SPEC[level]:
                problems.append(f"{path}: unknown key '{key}' ({level})")

    check(raw, "model", "model")
    if not isinstance(raw, dict):
        return problems
    if isinstance(raw.get("module_custom_instructions"), dict):
        check(raw["module_custom_instructions"], "module_custom_instructions", "model")
    for t_index, table in enumerate(raw.get("tables") or []):
        tname = table.get("name", t_index) if isinstance(table, dict) else t_index
        tpath = f"tables[{tname}]"
        check(table, "table", tpath)
        if not isinstance(table, dict):
            continue
        if table.get("base_table") is not None:
            check(table["base_table"], "base_table", f"{tpath}.base_table")
        if table.get("primary_key") is not None:
            check(table["primary_key"], "primary_key", f"{tpath}.primary_key")
        for key, level in (
            ("dimensions", "dimension"),
            ("time_dimensions", "time_dimension"),
            ("facts", "fact"),
            ("measures", "fact"),
            ("metrics", "metric"),
            ("filters", "filter"),
        ):
            for entry in table.get(key) or []:
                name = entry.get("name", "?") if isinstance(entry, dict) else "?"
                check(entry, level, f"{tpath}.{key}[{name}]")
    for r_index, rel in enumerate(raw.get("relationships") or []):
        rname = rel.get("name", r_index) if isinstance(rel, dict) else r_index
        check(rel, "relationship", f"relationships[{rname}]")
        if isinstance(rel, dict):
            for col in rel.get("relationship_columns") or []:
                check(col, "relationship_column", f"relationships[{rname}].relationship_columns")
            if rel.get("join_type") not in JOIN_TYPES:
                problems.append(
                    f"relationships[{rname}]: join_type {rel.get('join_type')!r} is not one of "
                    + ", ".join(sorted(JOIN_TYPES))
                )
            if rel.get("relationship_type") not in RELATIONSHIP_TYPES:
                problems.append(
                    f"relationships[{rname}]: relationship_type {rel.get('relationship_type')!r} "
                    "is not one of " + ", ".join(sorted(RELATIONSHIP_TYPES))
                )
    for q_index, query in enumerate(raw.get("verified_queries") or []):
        qname = query.get("name", q_index) if isinstance(query, dict) else q_index
        check(query, "verified_query", f"verified_queries[{qname}]")
    return problems
