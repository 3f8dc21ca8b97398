"""Render what the Snowflake gateway did (rendering only)."""

from __future__ import annotations

from rich.table import Table

from ingestion.report import stdout
from ingestion.snowflake.gateway import SnowflakeIngest
from ingestion.snowflake.grants import (
    LATER_SCHEMAS,
    OBJECT_TYPES,
    ROLES,
    EffectiveGrant,
    GrantPlan,
    SchemaAccess,
    object_privileges,
    schema_access,
)


def print_copy_history(result: SnowflakeIngest) -> None:
    table = Table(title="Snowflake COPY_HISTORY since this run started")
    for column in ("file", "table", "status", "parsed", "loaded", "errors", "first error"):
        table.add_column(column, overflow="fold")
    for row in result.history:
        table.add_row(
            str(row.get("file_name")),
            str(row.get("table_name")),
            str(row.get("status")),
            f"{row.get('row_parsed') or 0:,}",
            f"{row.get('row_count') or 0:,}",
            f"{row.get('error_count') or 0:,}",
            str(row.get("first_error_message") or ""),
        )
    stdout.print(table)
    stdout.print(
        f"{len(result.statements)} statements run; {result.recorded} new rows in "
        "observability.load_history"
    )


def _privileges(privileges: set[str]) -> str:
    """Sorted, with ALL standing for everything it includes."""
    if "ALL" in privileges:
        return "ALL"
    return ", ".join(sorted(privileges))


def _cell(access: SchemaAccess) -> str:
    """One schema × role cell: schema privileges, then per object type now / future."""
    if access.is_empty():
        return "-"
    parts = [_privileges(access.schema)] if access.schema else []
    for object_type in OBJECT_TYPES:
        now = access.existing.get(object_type, set())
        later = access.future.get(object_type, set())
        if not now and not later:
            continue
        label = object_type.lower()
        if now == later:
            parts.append(f"{label}: {_privileges(now)}")
        else:
            shown = [f"now {_privileges(now)}" if now else "", f"future {_privileges(later)}"]
            parts.append(f"{label}: " + "; ".join(s for s in shown if s))
    return "\n".join(parts)


def print_grant_matrix(plan: GrantPlan) -> None:
    """The intended grants: one row per schema (and for schemas created later), one column
    per role; inherited privileges included, future grants resolved as Snowflake does."""
    roles = [r for r in ROLES if r in plan.roles] + [r for r in plan.roles if r not in ROLES]
    table = Table(title=f"Intended grants in {plan.database.upper()} (infra/snowflake/02)")
    table.add_column("schema", overflow="fold")
    for role in roles:
        table.add_column(role, overflow="fold")
    objects = {role: object_privileges(plan, role) for role in roles}
    for kind in ("DATABASE", "WAREHOUSE"):
        names = sorted({name for privs in objects.values() for k, name in privs if k == kind})
        for name in names:
            cells = [_privileges(objects[r].get((kind, name), set())) or "-" for r in roles]
            table.add_row(f"{kind.lower()} {name}", *cells)
    access = {role: schema_access(plan, role) for role in roles}
    for schema in (*plan.schemas, LATER_SCHEMAS):
        table.add_row(schema, *(_cell(access[role][schema]) for role in roles))
    stdout.print(table)
    inherits = [
        f"{role} inherits {', '.join(sorted(plan.inherited(role) - {role}))}"
        for role in roles
        if plan.inherited(role) - {role}
    ]
    if inherits:
        stdout.print("; ".join(inherits))
    stdout.print(
        "c360_pipeline also owns what it creates: SQLMesh's tables and views, and its "
        "dev-environment schemas. A view runs with its owner's privileges, so SELECT on a "
        "gold view needs no grant on sqlmesh__gold."
    )


def print_effective_grants(grants: list[EffectiveGrant]) -> None:
    table = Table(title="Grants in the account (SHOW GRANTS / SHOW FUTURE GRANTS)")
    for column in ("role", "privilege", "on", "name", "future"):
        table.add_column(column, overflow="fold")
    for grant in sorted(grants, key=lambda g: (g.role, g.future, g.granted_on, g.name)):
        table.add_row(
            grant.role, grant.privilege, grant.granted_on, grant.name, "yes" if grant.future else ""
        )
    stdout.print(table)
    stdout.print(f"{len(grants)} grants to {len({g.role for g in grants})} roles")
