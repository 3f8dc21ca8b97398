"""Does the serving copy equal prod? Row count and an order-free checksum per table.

`c360 status --verify` and the tests use this: for every table the publisher serves
(`gold.*`, `observability.*`) it compares the warehouse's prod view with the serving
file's copy. The checksum is the sum of a 64-bit hash of every row's values, so it does
not depend on row order and changes when any value of any row does.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
from sqlglot import exp

from c360.core.errors import C360Error
from c360.pipeline.publish import (
    MANIFEST,
    WAREHOUSE_ALIAS,
    attach_warehouse,
    catalog_columns,
    published_tables,
)


@dataclass(frozen=True)
class TableCheck:
    table: str
    warehouse_rows: int | None
    serving_rows: int | None
    warehouse_checksum: int | None
    serving_checksum: int | None

    @property
    def ok(self) -> bool:
        return (self.warehouse_rows, self.warehouse_checksum) == (
            self.serving_rows,
            self.serving_checksum,
        )

    @property
    def problem(self) -> str | None:
        if self.ok:
            return None
        if self.serving_rows is None:
            return "missing from the serving copy"
        if self.warehouse_rows is None:
            return "served, but no longer in prod"
        if self.warehouse_rows != self.serving_rows:
            return f"{self.serving_rows:,} rows served, {self.warehouse_rows:,} in prod"
        return "same row count, different values"


def _fingerprint(
    con: duckdb.DuckDBPyConnection, catalog: str, schema: str, table: str, columns: list[str]
) -> tuple[int, int]:
    row_hash = exp.Anonymous(this="hash", expressions=[exp.column(c, quoted=True) for c in columns])
    query = exp.select(
        exp.Count(this=exp.Star()),
        exp.func("COALESCE", exp.Sum(this=exp.cast(row_hash, "HUGEINT")), exp.Literal.number(0)),
    ).from_(exp.table_(table, db=schema, catalog=catalog, quoted=True))
    rows, checksum = con.execute(query.sql(dialect="duckdb")).fetchone()
    return int(rows), int(checksum)


def verify_serving(warehouse: Path, serving: Path) -> list[TableCheck]:
    """Compare every served table with prod; one `TableCheck` per table on either side."""
    for path, what in ((warehouse, "warehouse"), (serving, "serving copy")):
        if not path.exists():
            raise C360Error(f"no {what} at {path}: run `c360 run` first")
    con = duckdb.connect(str(serving), read_only=True)
    try:
        attach_warehouse(con, warehouse.resolve())
        served_catalog = con.execute("SELECT current_database()").fetchone()[0]
        served = {
            f"{schema}.{table}"
            for schema, table in con.execute(
                "SELECT table_schema, table_name FROM information_schema.tables "
                "WHERE table_catalog = ? AND table_schema IN ('gold', 'observability')",
                [served_catalog],
            ).fetchall()
        } - {MANIFEST}
        prod = {
            f"{schema.lower()}.{table.lower()}": (schema, table)
            for schema, table in published_tables(con)
        }
        columns = {
            catalog: catalog_columns(con, catalog) for catalog in (WAREHOUSE_ALIAS, served_catalog)
        }
        checks = []
        for name in sorted(served | set(prod)):
            warehouse_side = (
                _fingerprint(
                    con, WAREHOUSE_ALIAS, *prod[name], columns[WAREHOUSE_ALIAS][prod[name]]
                )
                if name in prod
                else (None, None)
            )
            serving_side = (
                _fingerprint(
                    con,
                    served_catalog,
                    *name.split("."),
                    columns[served_catalog][tuple(name.split("."))],
                )
                if name in served
                else (None, None)
            )
            checks.append(
                TableCheck(
                    name, warehouse_side[0], serving_side[0], warehouse_side[1], serving_side[1]
                )
            )
        return checks
    finally:
        con.close()
