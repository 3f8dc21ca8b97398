"""Per-customer marts recompute only the customers whose data changed (issue 9), and the
result equals a full recomputation.

On a private copy of the shared cold build, three small hourly files (the first rows of the
generator's batches) arrive an hour apart, each followed by a build. The first moves the data
clock to a new day: every customer is recomputed. Before the second, a snapshot correction moves
one customer's account opening to a later month: that customer's earlier months must go (a
merge alone would keep them). The third build is an ordinary hour: it
resumes where the second one stopped and processes the hour in progress; since the start of the
second one's hour only the customers of those two files are listed in `gold.customer_changes`,
and every per-customer mart's query for that interval yields rows of those customers only. Then the same files are loaded
at the same simulated times into an empty warehouse and built cold once: every gold table
except the change log equals the incrementally maintained one, row for row (EXCEPT ALL both
ways).
"""

from __future__ import annotations

import pprint
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from bench._support import ingest_all, landing_keys, stage_files

pytestmark = [
    pytest.mark.filterwarnings(
        "ignore:`json_encoders` is deprecated:pydantic.warnings.PydanticDeprecatedSince20"
    ),
]

#: The marts that read gold.customer_changes for their interval.
PER_CUSTOMER_MARTS = (
    "gold.customer_segments",
    "gold.metric_customer_ltv",
    "gold.metric_avg_transaction_value",
    "gold.metric_mom_spend_change",
    "gold.customer_complete_months",
    "gold.dim_customer",
    "gold.churn_risk_features",
    "gold.customer_360_profile",
)
#: Hours after the end of the history at which the hourly files are loaded (the builds
#: follow a few minutes later), and the snapshot correction (between the first two builds).
LOADS = (1.05, 2.05, 3.05)
CORRECTION_LOAD = 1.5
#: Rows kept of each generated hourly batch: the feed sends ~750 rows an hour whatever the
#: portfolio's size (1.5 % of 50,000 customers, a third of this small portfolio's).
HOURLY_ROWS = 20


def at(portfolio, hours: float) -> datetime:
    return portfolio.history_end + timedelta(hours=hours)


def build_at(portfolio, hours: float):
    from c360.pipeline.build import build

    report = build(portfolio.settings, execution_time=at(portfolio, hours))
    assert report.ok, report.error
    return report


def query(portfolio, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(portfolio.settings.warehouse_path), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def changed_customers(portfolio, start: datetime) -> dict[str, set[str]]:
    rows = query(
        portfolio,
        "SELECT reason, customer_id FROM gold.customer_changes WHERE changed_at >= ?",
        [start],
    )
    by_reason: dict[str, set[str]] = {}
    for reason, customer_id in rows:
        by_reason.setdefault(reason, set()).add(customer_id)
    return by_reason


def gold_tables(warehouse: Path) -> dict[str, pa.Table]:
    """Every gold table but the change log (it records how the runs went, by design)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        names = [
            row[0]
            for row in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'GOLD' "
                "AND table_name <> 'CUSTOMER_CHANGES' ORDER BY 1"
            ).fetchall()
        ]
        return {name: con.execute(f"SELECT * FROM gold.{name}").to_arrow_table() for name in names}  # noqa: S608


@dataclass
class Hourly:
    """The incremental copy (read-only for the tests) and what was loaded into it, in order."""

    portfolio: object
    history: list[str]
    files: list[str]
    #: (landing key, hours after the history) of every load after the history, in order
    loads: list[tuple[str, float]]
    corrected_customer: str
    corrected_open_month: date
    first_month_before: date


def correct_account_opening(portfolio) -> tuple[str, str, date, date]:
    """A corrected copy of the newest snapshot for one customer: the account opened later.
    Returns the file's key, the customer, the new opening month and its first month before."""
    from ingestion.generator.catalog import CUSTOMER_COLUMNS

    with duckdb.connect(str(portfolio.settings.warehouse_path), read_only=True) as con:
        customer_id, first_month = con.execute(
            "SELECT customer_id, min(month) FROM gold.metric_mom_spend_change "
            "GROUP BY customer_id ORDER BY 2, 1 LIMIT 1"
        ).fetchone()
        latest = con.execute(
            f"SELECT {', '.join(CUSTOMER_COLUMNS)} FROM bronze.bronze_customers "  # noqa: S608
            "WHERE upper(trim(customer_id)) = ? ORDER BY ingestion_timestamp DESC LIMIT 1",
            [customer_id],
        ).fetchone()
    opened = date(portfolio.as_of.year - 1, portfolio.as_of.month, 15)
    values = dict(zip(CUSTOMER_COLUMNS, latest, strict=True))
    values["account_open_date"] = opened.isoformat()
    day = portfolio.history_end.date()
    key = f"customers/customers_{day}_correction.csv"
    (portfolio.landing / key).write_text(
        ",".join(CUSTOMER_COLUMNS)
        + "\n"
        + ",".join("" if values[c] is None else str(values[c]) for c in CUSTOMER_COLUMNS)
        + "\n"
    )
    return key, customer_id, opened.replace(day=1), first_month


@pytest.fixture(scope="module")
def hourly(built_portfolio, tmp_path_factory: pytest.TempPathFactory) -> Hourly:
    """Three small hourly files, each followed by a build, and a snapshot correction."""
    from ingestion.generator import generate_hourly

    portfolio = built_portfolio.copy_to(tmp_path_factory.mktemp("hourly") / "incremental")
    history = landing_keys(portfolio.landing)
    files, loads = [], []
    correction = None
    for hours in LOADS:
        if files and correction is None:
            correction = correct_account_opening(portfolio)
            assert ingest_all(
                portfolio.settings, loaded_at=at(portfolio, CORRECTION_LOAD)
            ).by_status == {"LOADED": 1}
            loads.append((correction[0], CORRECTION_LOAD))
        before = set(landing_keys(portfolio.landing))
        generate_hourly(portfolio.landing, portfolio.generator, 1)
        (key,) = set(landing_keys(portfolio.landing)) - before
        path = portfolio.landing / key
        assert path.suffix == ".csv"
        lines = path.read_text().splitlines(keepends=True)
        path.write_text("".join(lines[: HOURLY_ROWS + 1]))  # the header and the first rows
        files.append(key)
        loads.append((key, hours))
        assert ingest_all(portfolio.settings, loaded_at=at(portfolio, hours)).by_status == {
            "LOADED": 1
        }
        build_at(portfolio, hours + 0.05)
    assert correction is not None
    _, customer_id, open_month, first_month = correction
    return Hourly(portfolio, history, files, loads, customer_id, open_month, first_month)


def test_an_ordinary_hour_recomputes_only_the_customers_of_its_files(hourly) -> None:
    from c360.pipeline.context import open_context

    portfolio, files = hourly.portfolio, hourly.files
    (customers,) = query(portfolio, "SELECT count(*) FROM silver.silver_customers")[0]
    # the first file opened a new data day: every customer was recomputed (from the hour the
    # cold build stopped in)
    first = changed_customers(portfolio, portfolio.history_end)
    assert len(first["clock"]) == customers

    # the second and third builds: from the hour the second one started in to the third's clock
    start, end = at(portfolio, 2), at(portfolio, LOADS[-1] + 0.05)
    changes = changed_customers(portfolio, start)
    loaded = {
        customer_id
        for (customer_id,) in query(
            portfolio,
            "SELECT DISTINCT customer_id FROM gold.fact_transaction WHERE source_file IN (?, ?)",
            files[1:],
        )
    }
    assert set(changes) == {"transactions"}  # no clock move, no snapshot
    assert changes["transactions"] == loaded
    assert 0 < len(loaded) <= 2 * HOURLY_ROWS < customers / 10

    # what each mart evaluated for that interval: the changed customers' rows only
    with open_context(portfolio.settings) as context:
        for model in PER_CUSTOMER_MARTS:
            rendered = context.render(model, start=start, end=end, execution_time=end)
            sql = rendered.sql(dialect="duckdb")
            rows = context.engine_adapter.fetchall(
                f"SELECT DISTINCT customer_id FROM ({sql}) AS evaluated"  # noqa: S608
            )
            evaluated = {customer_id for (customer_id,) in rows} - {"UNKNOWN"}
            assert evaluated, model
            assert evaluated <= loaded, model


def test_an_hour_without_customer_files_leaves_the_customer_models_alone(hourly) -> None:
    """The third build got a transactions file and no snapshot: SQLMesh processed the facts up
    to its clock but left the snapshot models' intervals where the correction's build put
    them (they re-read every snapshot and would produce the same rows); the next test shows
    the result still equals a cold build."""
    from c360.pipeline.context import open_context

    with open_context(hourly.portfolio.settings, load=False) as context:
        environment = context.state_reader.get_environment("prod")
        snapshots = context.state_reader.get_snapshots(environment.snapshots)
        processed_until = {
            snapshot.name.replace('"', "").lower().split(".")[-1]: max(
                end for _, end in snapshot.intervals
            )
            for snapshot in snapshots.values()
            if snapshot.intervals
        }
    facts = processed_until["fact_transaction"]
    assert processed_until["silver_customers"] < facts
    assert processed_until["silver_customer_history"] < facts
    assert processed_until["silver_campaign_assignments"] < facts
    assert processed_until["customer_360_profile"] == facts  # the marts still ran
    # views are their queries: the snapshot view (whose audits read every snapshot) was last
    # evaluated by the correction's build, up to its last whole hour; the churn feature view
    # (no audits) by no hourly build at all
    correction_hour = at(hourly.portfolio, 2).replace(tzinfo=UTC)
    assert processed_until["silver_customer_snapshots"] == correction_hour.timestamp() * 1000
    assert processed_until["churn_features_at_cutoff"] < facts


def test_incremental_marts_equal_a_cold_build_of_the_same_files(hourly, tmp_path: Path) -> None:
    from c360.core.settings import Settings
    from c360.pipeline.build import build

    portfolio = hourly.portfolio
    # the correction took effect: the customer's months before the new opening are gone
    (first_month,) = query(
        portfolio,
        "SELECT min(month) FROM gold.metric_mom_spend_change WHERE customer_id = ?",
        [hourly.corrected_customer],
    )[0]
    assert hourly.first_month_before < hourly.corrected_open_month == first_month

    cold = tmp_path / "cold"
    settings = Settings(data_dir=cold)
    stage_files(portfolio.landing, cold / "landing", hourly.history)
    ingest_all(settings, loaded_at=portfolio.history_end - timedelta(minutes=1))
    for key, hours in hourly.loads:
        stage_files(portfolio.landing, cold / "landing", [key])
        ingest_all(settings, loaded_at=at(portfolio, hours))
    report = build(settings, execution_time=at(portfolio, LOADS[-1] + 0.05))
    assert report.ok, report.error

    incremental = gold_tables(portfolio.settings.warehouse_path)
    rebuilt = gold_tables(settings.warehouse_path)
    assert incremental.keys() == rebuilt.keys()
    assert {name.lower() for name in incremental} >= {m.split(".")[1] for m in PER_CUSTOMER_MARTS}
    differences: dict[str, list[tuple]] = {}
    with duckdb.connect() as con:
        for name in incremental:
            # the churn model is not trained for this portfolio: its predictions are empty
            assert incremental[name].num_rows > 0 or name == "CHURN_PREDICTIONS", name
            con.register("incremental", incremental[name])
            con.register("rebuilt", rebuilt[name])
            rows = con.execute(
                "(SELECT 'incremental' AS side, * FROM (SELECT * FROM incremental EXCEPT ALL "
                "SELECT * FROM rebuilt)) UNION ALL (SELECT 'cold' AS side, * FROM "
                "(SELECT * FROM rebuilt EXCEPT ALL SELECT * FROM incremental)) LIMIT 6"
            ).fetchall()
            if rows:
                differences[name] = rows
            con.unregister("incremental")
            con.unregister("rebuilt")
    # every differing table at once, with a few of its rows from each side
    assert not differences, pprint.pformat(differences, width=200)
