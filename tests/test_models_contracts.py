"""The SQLMesh project's contracts: seed and bronze in step with their Python sources,
documented models, the names the spec and the dashboard rely on, the linter rule, the
portable surrogate key, and SQLMesh's own YAML unit tests (`sqlmesh test`)."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import pytest
import yaml

pytestmark = [
    pytest.mark.filterwarnings(
        "ignore:`json_encoders` is deprecated:pydantic.warnings.PydanticDeprecatedSince20"
    ),
]

ROOT = Path(__file__).resolve().parents[1]

#: Column contracts from the spec (4.1, 4.2, 4.3, 3.6, 3.8) and the issue.
CONTRACTS = {
    "gold.dim_customer": [
        "customer_key", "customer_id", "first_name", "last_name", "email", "age", "state", "city",
        "employment_status", "card_type", "credit_limit", "account_open_date", "customer_segment",
        "segment_assigned_date", "valid_from", "valid_to", "is_current", "effective_timestamp",
        "created_timestamp", "updated_timestamp", "source_system",
    ],
    "gold.fact_transaction": [
        "transaction_key", "transaction_id", "customer_id", "customer_key", "date_key",
        "merchant_category_key", "transaction_date", "transaction_amount", "merchant_name",
        "channel", "ingestion_timestamp", "source_file",
    ],
    "gold.dim_date": ["date_key"],
    "gold.dim_merchant_category": ["category_key", "category_name"],
    "gold.customer_360_profile": [
        "customer_id", "full_name", "email", "age", "state", "city", "card_type", "credit_limit",
        "customer_segment", "employment_status", "total_transactions", "lifetime_value",
        "avg_transaction_value", "first_transaction_date", "last_transaction_date",
        "days_since_last_transaction", "churn_risk_score", "churn_risk_category",
        "avg_monthly_spend", "latest_mom_change_pct", "top_category",
    ],
    "gold.metric_mom_spend_change": [
        "customer_id", "month", "monthly_spend", "prior_month_spend", "mom_change_pct",
    ],
    "gold.metric_customer_ltv": ["customer_id", "lifetime_value"],
    "gold.metric_avg_transaction_value": ["customer_id", "avg_transaction_value"],
    "gold.campaign_performance": [
        "campaign_name", "customer_id", "treatment_group", "pre_campaign_avg_spend",
        "post_campaign_avg_spend",
    ],
    "gold.churn_risk_features": ["customer_id", "churn_risk_score"],
    "gold.customer_segments": ["customer_id", "customer_segment", "segment_assigned_date"],
}  # fmt: skip


@pytest.fixture(scope="module")
def sqlmesh_context(tmp_path_factory: pytest.TempPathFactory):
    from c360.core.settings import Settings
    from c360.pipeline.context import open_context

    with open_context(Settings(data_dir=tmp_path_factory.mktemp("contracts"))) as ctx:
        yield ctx


def test_seed_matches_the_generator_catalog() -> None:
    from ingestion.generator.catalog import CATEGORIES

    with (ROOT / "seeds" / "merchant_categories.csv").open() as handle:
        rows = [
            (int(r["category_key"]), r["category_name"], r["category_group"])
            for r in csv.DictReader(handle)
        ]
    assert rows == [(i, name, group) for i, (name, group, _) in enumerate(CATEGORIES, 1)]


def test_segment_targets_seed_matches_the_generator_catalog() -> None:
    """The target mix the marts and the share audit read is the mix the generator draws."""
    from decimal import Decimal

    from ingestion.generator.catalog import SEGMENTS

    with (ROOT / "seeds" / "segment_targets.csv").open() as handle:
        rows = [
            (r["customer_segment"], Decimal(r["target_share_pct"])) for r in csv.DictReader(handle)
        ]
    expected = [(s.name, Decimal(str(round(s.share * 100, 2)))) for s in SEGMENTS]
    assert rows == expected
    assert sum(share for _, share in rows) == 100


def test_external_models_match_the_bronze_contract() -> None:
    from ingestion.bronze import BRONZE_TABLES

    declared = yaml.safe_load((ROOT / "external_models.yaml").read_text())
    assert {m["name"]: m["columns"] for m in declared} == {
        t.qualified: dict(t.columns) for t in BRONZE_TABLES
    }


def test_every_model_and_gold_column_is_described(sqlmesh_context) -> None:
    for model in sqlmesh_context.models.values():
        if model.kind.is_external:
            continue
        assert model.description, model.name
        assert model.grains, f"{model.name} has no grain"
        if model.name.startswith("gold."):
            undocumented = set(model.columns_to_types) - set(model.column_descriptions)
            assert not undocumented, (model.name, undocumented)


@pytest.mark.parametrize("model_name", sorted(CONTRACTS))
def test_contract_columns_exist(sqlmesh_context, model_name: str) -> None:
    columns = [c.lower() for c in sqlmesh_context.get_model(model_name).columns_to_types]
    missing = [c for c in CONTRACTS[model_name] if c not in columns]
    assert not missing, missing


def test_linter_passes_and_flags_silent_transpilation(sqlmesh_context) -> None:
    import sqlglot

    from linter.rules import _problems

    sqlmesh_context.lint_models()  # raises on any violation
    bad = sqlglot.parse_one(
        "SELECT TO_CHAR(d, 'YYYY-MM'), TRY_TO_NUMBER(x), YEAR(d) * 100, YEAR(d)::INT "
        "FROM t, LATERAL FLATTEN(input => t.a) f",
        read="snowflake",
    )
    problems = _problems(bad)
    assert len(problems) == 4
    assert sum(p.startswith("YEAR(d)") for p in problems) == 1  # the cast one passes


def test_stable_key_is_md5_based_and_portable(sqlmesh_context) -> None:
    import duckdb

    model = sqlmesh_context.get_model("silver.silver_customer_history")
    key = model.render_query_or_raise().selects[0]
    duckdb_sql = key.sql(dialect="duckdb")
    assert "MD5" in duckdb_sql.upper() and "HASH(" not in duckdb_sql.upper()
    assert key.sql(dialect="snowflake")  # renders for Snowflake too
    sql = key.this.sql(dialect="duckdb")
    sql = sql.replace('"LATEST_SNAPSHOTS"."CUSTOMER_ID"', "'CUST00000001'").replace(
        '"CHANGES_DATED"."EFFECTIVE_DATE"', "DATE '2021-03-04'"
    )
    value = duckdb.sql(f"SELECT {sql}").fetchone()[0]  # noqa: S608 - rendered model SQL
    digest = hashlib.md5(b"CUST00000001|2021-03-04").hexdigest()  # noqa: S324 - not security
    assert value == int(digest[:13], 16)


def test_sqlmesh_unit_tests_pass(sqlmesh_context) -> None:
    result = sqlmesh_context.test()
    assert result.testsRun >= 30
    assert result.wasSuccessful(), [str(f) for _, f in result.failures + result.errors]


def test_sqlmesh_keeps_its_cache_beside_the_warehouse_not_in_the_checkout(sqlmesh_context) -> None:
    warehouse = Path(sqlmesh_context.config.gateways["local"].connection.database)
    assert sqlmesh_context.cache_dir == warehouse.parent / "sqlmesh-cache"
    assert ROOT not in sqlmesh_context.cache_dir.parents


def test_every_sql_model_declares_the_columns_its_query_casts() -> None:
    """`optimize_query: false` (config.yaml) leaves column types to the `columns` block: a
    model without one would give unit tests untyped inputs, and a block that disagrees with
    the final SELECT's casts would create a table of other types than the query returns.
    Read from the files (SQLMesh's own parser), not from a loaded context."""
    from sqlglot import exp
    from sqlmesh.core.dialect import parse

    checked = 0
    for path in sorted((ROOT / "models").rglob("*.sql")):
        model, *statements = parse(path.read_text(), default_dialect="snowflake")
        kind = next(
            e for e in model.expressions if isinstance(e, exp.Property) and e.name == "kind"
        )
        if "SEED" in kind.sql().upper():
            continue
        columns = next(
            (e for e in model.expressions if isinstance(e, exp.Property) and e.name == "columns"),
            None,
        )
        assert columns is not None, f"{path.name} declares no columns"
        declared = {c.name.lower(): c.args["kind"] for c in columns.args["value"].expressions}
        query = next(s for s in statements if isinstance(s, exp.Query))
        select = query if isinstance(query, exp.Select) else query.find(exp.Select)
        for projection in select.expressions:
            cast = projection.this if isinstance(projection, exp.Alias) else projection
            name = projection.alias_or_name.lower()
            assert isinstance(cast, exp.Cast), f"{path.name}: {name} is not cast"
            assert declared[name] == cast.to, f"{path.name}: {name} {declared[name]} vs {cast.to}"
        checked += 1
    assert checked >= 20


def test_row_audits_of_incremental_marts_check_the_recomputed_customers(sqlmesh_context) -> None:
    """An hourly run audits the customers it recomputed, not the whole table again: a planted
    NULL is found for a customer in the interval's change log and (by design) not for one
    that an earlier, audited evaluation wrote."""
    import duckdb

    model = sqlmesh_context.get_model("gold.customer_segments")
    not_null, args = next((a, kw) for a, kw in model.audits_with_args if a.name == "not_null")
    hour = {"start": "2026-12-02 01:00:00", "end": "2026-12-02 01:59:59"}
    in_interval = model.render_audit_query(not_null, **hour, **args).sql(dialect="duckdb")
    with duckdb.connect() as con:
        con.execute("ATTACH ':memory:' AS warehouse")
        con.execute("CREATE SCHEMA warehouse.gold")
        con.execute(
            "CREATE TABLE warehouse.gold.customer_changes AS SELECT * FROM (VALUES "
            "(TIMESTAMP '2026-12-02 01:20:00', 'CUST00000001'), "
            "(TIMESTAMP '2026-12-02 00:20:00', 'CUST00000002')) AS t(changed_at, customer_id)"
        )
        con.execute(
            "CREATE TABLE warehouse.gold.customer_segments AS SELECT * FROM (VALUES "
            "('CUST00000001', NULL, DATE '2026-12-01', 'r'), "
            "('CUST00000002', NULL, DATE '2026-12-01', 'r'), "
            "('CUST00000003', 'Declining', DATE '2026-12-01', 'r')) "
            "AS t(customer_id, customer_segment, segment_assigned_date, segment_rule)"
        )
        found = {row[0] for row in con.execute(in_interval).fetchall()}
        assert found == {"CUST00000001"}
