"""Who may do what: the grants of `infra/snowflake/02` as data, and the account's real ones.

Intended: the rendered scripts 01 (database, schemas) and 02 (roles, grants) are read
statement by statement into `Grant` rows — a statement this module cannot read is an
error, never skipped — and resolved the way Snowflake resolves them:

- a role has what was granted to it and to every role granted to it (inheritance);
- `ALL <objects> IN DATABASE|SCHEMA` covers the objects existing when it runs,
  `FUTURE <objects> IN ...` those created afterwards;
- future grants on a schema shadow the database's future grants for the same object type,
  for every role at once (Snowflake: "the schema-level grants take precedence over the
  database level grants, and the database level grants are ignored").

Effective: `SHOW GRANTS TO ROLE` and `SHOW FUTURE GRANTS IN DATABASE|SCHEMA` on a real
account, as rows of (role, privilege, granted on, name, future?).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from snowflake.connector.cursor import SnowflakeCursor
from snowflake.connector.errors import Error as SnowflakeError

from c360.core.errors import C360Error, InputError
from c360.core.settings import Settings
from ingestion.snowflake.connect import connect
from ingestion.snowflake.scripts import _IDENTIFIER, Script, ScriptValues, render_scripts
from ingestion.snowflake.setup import statements

#: c360's roles, in the order the matrix shows them.
ROLES = ("data_engineer", "data_analyst", "marketing_manager", "c360_pipeline")
#: The row of the matrix for schemas created after setup (SQLMesh dev environments).
LATER_SCHEMAS = "(schemas created later)"
#: Object types whose grants the matrix shows per schema.
OBJECT_TYPES = ("TABLES", "VIEWS", "STAGES", "FILE FORMATS", "PIPES")

_CREATE_DATABASE = re.compile(r"CREATE DATABASE IF NOT EXISTS (?P<name>\w+)", re.I)
_CREATE_SCHEMA = re.compile(r"CREATE SCHEMA IF NOT EXISTS (?P<db>\w+)\.(?P<name>\w+)", re.I)
_CREATE_ROLE = re.compile(r"CREATE ROLE IF NOT EXISTS (?P<name>\w+)(?: COMMENT = '[^']*')?", re.I)
_GRANT_ROLE = re.compile(r"GRANT ROLE (?P<granted>\w+) TO ROLE (?P<role>\w+)", re.I)
_GRANT = re.compile(
    r"GRANT (?P<privileges>[A-Z_.]+(?: [A-Z_.]+)*(?:, [A-Z_.]+(?: [A-Z_.]+)*)*) ON "
    r"(?:(?P<scope>ALL|FUTURE) (?P<plural>TABLES|VIEWS|SCHEMAS|STAGES|FILE FORMATS|PIPES) "
    r"IN (?P<container>DATABASE|SCHEMA) (?P<container_name>[\w.]+)"
    r"|(?P<kind>DATABASE|SCHEMA|WAREHOUSE) (?P<name>[\w.]+))"
    r" TO ROLE (?P<role>\w+)",
    re.I,
)


@dataclass(frozen=True)
class Grant:
    """One GRANT: privileges on an object, or on ALL/FUTURE objects of a type in a container."""

    role: str
    privileges: frozenset[str]
    on: str  # DATABASE | SCHEMA | WAREHOUSE, or the plural type: TABLES, VIEWS, SCHEMAS, ...
    name: str  # the object (db, db.schema, warehouse) or, with a scope, the container
    scope: str = ""  # "" | ALL | FUTURE
    container: str = ""  # DATABASE | SCHEMA, with a scope


@dataclass(frozen=True)
class GrantPlan:
    """What scripts 01 and 02 create and grant."""

    database: str
    schemas: tuple[str, ...]
    roles: tuple[str, ...]
    role_grants: tuple[tuple[str, str], ...]  # (granted role, to role)
    grants: tuple[Grant, ...]

    def inherited(self, role: str) -> set[str]:
        """`role` and every role granted to it, transitively."""
        found, todo = {role}, [role]
        while todo:
            current = todo.pop()
            for granted, grantee in self.role_grants:
                if grantee == current and granted not in found:
                    found.add(granted)
                    todo.append(granted)
        return found


@dataclass
class SchemaAccess:
    """A role's privileges in one schema: on the schema, and per object type on the objects
    existing at setup (`existing`) and on those created afterwards (`future`)."""

    schema: set[str] = field(default_factory=set)
    existing: dict[str, set[str]] = field(default_factory=dict)
    future: dict[str, set[str]] = field(default_factory=dict)

    def is_empty(self) -> bool:
        return not (self.schema or any(self.existing.values()) or any(self.future.values()))


def _normalise(sql: str) -> str:
    return " ".join(sql.split())


def _privileges(text: str) -> frozenset[str]:
    return frozenset(" ".join(p.split()).upper() for p in text.split(","))


def parse_plan(schemas_sql: str, grants_sql: str) -> GrantPlan:
    """Read rendered 01 (schemas) and 02 (roles, grants); any other statement is an error."""
    database, schemas = "", []
    for statement in statements(schemas_sql):
        text = _normalise(statement)
        if match := _CREATE_DATABASE.fullmatch(text):
            database = match["name"].lower()
        elif match := _CREATE_SCHEMA.fullmatch(text):
            schemas.append(match["name"].lower())
        else:
            raise InputError(f"01: cannot read `{text[:80]}` (CREATE DATABASE/SCHEMA only)")
    roles, role_grants, grants = [], [], []
    for number, statement in enumerate(statements(grants_sql), start=1):
        text = _normalise(statement)
        if match := _CREATE_ROLE.fullmatch(text):
            roles.append(match["name"].lower())
        elif match := _GRANT_ROLE.fullmatch(text):
            role_grants.append((match["granted"].lower(), match["role"].lower()))
        elif match := _GRANT.fullmatch(text):
            scoped = match["scope"] is not None
            grants.append(
                Grant(
                    role=match["role"].lower(),
                    privileges=_privileges(match["privileges"]),
                    on=(match["plural"] if scoped else match["kind"]).upper(),
                    name=(match["container_name"] if scoped else match["name"]).lower(),
                    scope=(match["scope"] or "").upper(),
                    container=(match["container"] or "").upper(),
                )
            )
        else:
            raise InputError(f"02, statement {number}: cannot read `{text[:80]}`")
    return GrantPlan(database, tuple(schemas), tuple(roles), tuple(role_grants), tuple(grants))


def intended_plan(values: ScriptValues) -> GrantPlan:
    """The plan of this deployment's rendered 01 and 02."""
    scripts: list[Script] = render_scripts(values, only=["01", "02"])
    return parse_plan(scripts[0].sql, scripts[1].sql)


def object_privileges(plan: GrantPlan, role: str) -> dict[tuple[str, str], set[str]]:
    """(DATABASE|WAREHOUSE, name) → privileges of `role` (with inherited roles)."""
    roles = plan.inherited(role)
    found: dict[tuple[str, str], set[str]] = {}
    for grant in plan.grants:
        if grant.role in roles and not grant.scope and grant.on in ("DATABASE", "WAREHOUSE"):
            found.setdefault((grant.on, grant.name), set()).update(grant.privileges)
    return found


def schema_access(plan: GrantPlan, role: str) -> dict[str, SchemaAccess]:
    """Every schema of 01 (and LATER_SCHEMAS) → what `role` may do there, as Snowflake
    resolves it: inheritance, ALL vs FUTURE, schema-level future grants shadowing the
    database's for the same object type."""
    roles = plan.inherited(role)
    db = plan.database
    out: dict[str, SchemaAccess] = {}
    for schema in (*plan.schemas, LATER_SCHEMAS):
        access = SchemaAccess()
        qualified = f"{db}.{schema}"
        for grant in plan.grants:
            if grant.role not in roles:
                continue
            if schema != LATER_SCHEMAS and grant.on == "SCHEMA" and grant.name == qualified:
                access.schema |= grant.privileges
            elif grant.on == "SCHEMAS" and grant.container == "DATABASE" and grant.name == db:
                if (grant.scope == "ALL") == (schema != LATER_SCHEMAS):
                    access.schema |= grant.privileges
            elif grant.scope == "ALL" and schema != LATER_SCHEMAS and grant.on != "SCHEMAS":
                if grant.name in (db, qualified):
                    access.existing.setdefault(grant.on, set()).update(grant.privileges)
        for object_type in OBJECT_TYPES:
            on_schema = [
                g
                for g in plan.grants
                if g.scope == "FUTURE"
                and g.on == object_type
                and g.container == "SCHEMA"
                and g.name == qualified
            ]
            on_database = [
                g
                for g in plan.grants
                if g.scope == "FUTURE"
                and g.on == object_type
                and g.container == "DATABASE"
                and g.name == db
            ]
            # Precedence: any schema-level future grant of this type (to any role) wins.
            effective = on_schema if on_schema and schema != LATER_SCHEMAS else on_database
            privileges = set().union(*(g.privileges for g in effective if g.role in roles))
            if privileges:
                access.future[object_type] = privileges
        out[schema] = access
    return out


def allows(privileges: Iterable[str], wanted: str) -> bool:
    """Whether a privilege set includes `wanted` (ALL = every privilege but OWNERSHIP)."""
    held = set(privileges)
    return wanted.upper() in held or ("ALL" in held and wanted.upper() != "OWNERSHIP")


# --- what the account really has ------------------------------------------------------


@dataclass(frozen=True)
class EffectiveGrant:
    role: str
    privilege: str
    granted_on: str
    name: str
    future: bool


def show_statements(database: str, schemas: Iterable[str], roles: Iterable[str]) -> list[str]:
    """SHOW GRANTS TO ROLE per role, SHOW FUTURE GRANTS for the database and each schema."""
    names = [database, *schemas, *roles]
    if bad := [n for n in names if not _IDENTIFIER.match(n)]:
        raise InputError(f"not plain Snowflake identifiers: {', '.join(bad)}")
    return [
        *(f"SHOW GRANTS TO ROLE {role}" for role in roles),
        f"SHOW FUTURE GRANTS IN DATABASE {database}",
        *(f"SHOW FUTURE GRANTS IN SCHEMA {database}.{schema}" for schema in schemas),
    ]


def grant_rows(
    columns: list[str], rows: list[tuple], *, future: bool, roles: Iterable[str]
) -> list[EffectiveGrant]:
    """SHOW (FUTURE) GRANTS rows of `roles` (SHOW GRANTS says granted_on/grantee_name,
    SHOW FUTURE GRANTS grant_on/grantee_name)."""
    wanted = {r.lower() for r in roles}
    names = [c.lower() for c in columns]
    found = []
    for row in rows:
        record = dict(zip(names, row, strict=True))
        role = str(record.get("grantee_name", "")).lower()
        if role not in wanted:
            continue
        found.append(
            EffectiveGrant(
                role=role,
                privilege=str(record.get("privilege", "")),
                granted_on=str(record.get("granted_on") or record.get("grant_on") or ""),
                name=str(record.get("name", "")),
                future=future,
            )
        )
    return found


def read_effective_grants(
    cursor: SnowflakeCursor, database: str, schemas: Iterable[str], roles: Iterable[str] = ROLES
) -> list[EffectiveGrant]:
    """Run the SHOW statements; a statement Snowflake rejects is named in the error."""
    roles = tuple(roles)
    found: list[EffectiveGrant] = []
    for statement in show_statements(database, schemas, roles):
        try:
            cursor.execute(statement)
        except SnowflakeError as exc:
            first = str(exc).strip().splitlines()[0]
            raise C360Error(f"Snowflake rejected `{statement}`: {first}") from None
        columns = [d[0] for d in cursor.description or []]
        found += grant_rows(
            columns, cursor.fetchall(), future=statement.startswith("SHOW FUTURE"), roles=roles
        )
    return found


def effective_grants(settings: Settings, plan: GrantPlan) -> list[EffectiveGrant]:
    """The account's grants to c360's roles, on the database and schemas of `plan`."""
    con = connect(settings, use_database=False)
    try:
        return read_effective_grants(con.cursor(), plan.database, plan.schemas, plan.roles)
    finally:
        con.close()
