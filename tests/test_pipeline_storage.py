"""How the builds leave the warehouse file: row groups thinned by an hour's deletes are
merged once a day, not at every hourly checkpoint (`c360.core.warehouse.vacuum_statement`).

An hourly build deletes and re-inserts the rows of the customers it recomputed in every
per-customer table. Merging the thinned row groups at each checkpoint cost up to ~0.9 s
per table at full scale; the first build of a day merges them instead.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from tests.test_pipeline_idempotency import add_hourly_file, build_at

pytestmark = [
    pytest.mark.filterwarnings(
        "ignore:`json_encoders` is deprecated:pydantic.warnings.PydanticDeprecatedSince20"
    ),
]

TABLE = "customer_monthly_spend"


@pytest.fixture
def portfolio(built_portfolio, tmp_path: Path):
    return built_portfolio.copy_to(tmp_path / "portfolio")


def storage(portfolio) -> tuple[int, int, int]:
    """(row groups, rows stored, rows visible) of the table behind gold.customer_monthly_spend."""
    with duckdb.connect(str(portfolio.settings.warehouse_path), read_only=True) as con:
        (definition,) = con.execute(
            "SELECT sql FROM duckdb_views() WHERE schema_name = 'GOLD' AND view_name = ?",
            [TABLE.upper()],
        ).fetchone()
        schema, table = re.search(r"(sqlmesh__\w+)\.(\w+)", definition).groups()
        groups, stored = con.execute(
            "SELECT count(DISTINCT row_group_id), "
            "sum(count) FILTER (WHERE column_id = 0 AND segment_type <> 'VALIDITY') "
            "FROM pragma_storage_info(?)",
            [f"{schema}.{table}"],
        ).fetchone()
        visible = con.execute(f'SELECT count(*) FROM "{schema}"."{table}"').fetchone()[0]  # noqa: S608
    return groups, int(stored), visible


def test_hourly_builds_leave_deleted_rows_and_the_days_first_build_merges_them(
    portfolio,
) -> None:
    # the first file after the history starts a new data day: every customer is recomputed
    add_hourly_file(portfolio, 1.1)
    build_at(portfolio, 1.2)
    compact_groups, _, _ = storage(portfolio)

    # two more hours of the same day: only the customers with new facts are rewritten, and
    # their old rows stay in the file (deleted) next to a new row group of the new ones
    for hour in (2, 3):
        add_hourly_file(portfolio, hour + 0.1)
        build_at(portfolio, hour + 0.2)
    groups, stored, visible = storage(portfolio)
    assert groups > compact_groups
    assert stored > visible

    # the next day's first build may merge: the row groups are merged again and the rows
    # deleted in the hours before are gone (only this build's own deletes are left)
    add_hourly_file(portfolio, 24.1)
    build_at(portfolio, 24.2)
    groups_after, stored_after, visible_after = storage(portfolio)
    assert groups_after < groups
    assert groups_after <= compact_groups
    assert stored_after - visible_after < stored - visible
