"""The churn model (issue 10 Part A): leakage, shuffled labels, spec 10.3 checks, risk buckets,
artifact checks, Cortex SQL, and `c360 train` then `c360 run` on a real small portfolio.

The warehouse tests work on private copies of the session's 2,000-customer cold build
(`built_portfolio`): real DuckDB, real SQLMesh builds through the product path.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
import sqlglot

from bench._support import ingest_all
from churn import artifacts, cortex, dataset
from churn.checks import TrainingDataError, check_training_rows
from churn.score import risk_category, score_rows
from ingestion import layout
from ingestion.generator.catalog import TRANSACTION_COLUMNS

pytestmark = pytest.mark.filterwarnings(
    "ignore:`json_encoders` is deprecated:pydantic.warnings.PydanticDeprecatedSince20"
)

FEATURE_COLUMNS = [*dataset.FEATURES, "is_churned_at_cutoff"]


def features(warehouse: Path) -> pd.DataFrame:
    """Every customer's features at every cutoff, from the SQLMesh view."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        frame = con.execute(
            f"SELECT customer_id, cutoff_date, {', '.join(FEATURE_COLUMNS)} "  # noqa: S608
            f"FROM {dataset.VIEW}"
        ).fetchdf()
    frame = dataset.normalize(frame)
    return frame.sort_values(["cutoff_date", "customer_id"]).reset_index(drop=True)


def clock(warehouse: Path) -> date:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute("SELECT current_month_start FROM gold.data_clock").fetchone()[0]


def write_transactions(landing: Path, hour: datetime, rows: list[dict]) -> None:
    path = landing / layout.streaming_key(hour)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=TRANSACTION_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)


# --- leakage ---------------------------------------------------------------------------


def test_features_at_a_cutoff_do_not_change_when_later_transactions_arrive(
    built_portfolio, tmp_path
):
    """A late file of transactions dated after cutoff T (in the last complete month, and in
    the month in progress) is loaded and built: the features at every cutoff up to T are
    identical; only the later cutoff's features of the customers with late rows move."""
    from c360.pipeline.build import build

    portfolio = built_portfolio.copy_to(tmp_path / "p")
    warehouse = portfolio.settings.warehouse_path
    before = features(warehouse)
    current = clock(warehouse)
    last_month = (current - timedelta(days=1)).replace(day=1)
    customers = sorted(before.loc[before["cutoff_date"] == current, "customer_id"])[:150]
    late, now = customers[:100], customers[100:]
    rows = [
        {
            "transaction_id": f"TXNLATE{i:06d}",
            "customer_id": customer,
            "transaction_date": f"{when} 12:00:00",
            "transaction_amount": "2500.00",
            "merchant_name": "Late File Travel",
            "merchant_category": "Travel",
            "channel": "Online",
        }
        for i, (customer, when) in enumerate(
            [(c, last_month + timedelta(days=20)) for c in late] + [(c, current) for c in now]
        )
    ]
    loaded = portfolio.history_end + timedelta(hours=1, minutes=3)
    write_transactions(portfolio.landing, loaded.replace(minute=0), rows)
    ingest_all(portfolio.settings, loaded_at=loaded)
    report = build(portfolio.settings, execution_time=loaded + timedelta(minutes=5))
    assert report.ok, report.error
    assert clock(warehouse) == current
    after = features(warehouse)

    up_to_t = before["cutoff_date"] <= last_month
    pd.testing.assert_frame_equal(
        before[up_to_t].reset_index(drop=True),
        after[after["cutoff_date"] <= last_month].reset_index(drop=True),
    )
    at_current = before[before["cutoff_date"] == current].set_index("customer_id")
    moved = after[after["cutoff_date"] == current].set_index("customer_id")
    added = moved.loc[late, "last_month_spend"] - at_current.loc[late, "last_month_spend"]
    assert np.allclose(added, 2500.0)
    untouched = moved.index.difference(late)
    pd.testing.assert_frame_equal(at_current.loc[untouched], moved.loc[untouched])


# --- training on a real warehouse --------------------------------------------------------


@pytest.fixture(scope="module")
def trained(built_portfolio, tmp_path_factory) -> tuple:
    """`c360 train`, then `c360 run`, on a private copy (real console script)."""
    portfolio = built_portfolio.copy_to(tmp_path_factory.mktemp("churn") / "p")
    env = {**os.environ, "C360_DATA_DIR": str(portfolio.root)}
    command = [sys.executable, "-m", "c360"]
    train = subprocess.run(
        [*command, "train"], capture_output=True, text=True, env=env, timeout=900
    )
    assert train.returncode == 0, train.stderr
    run = subprocess.run([*command, "run"], capture_output=True, text=True, env=env, timeout=900)
    assert run.returncode == 0, run.stderr
    return portfolio, train, run


def test_train_then_run_scores_every_current_customer_in_the_serving_profile(trained):
    portfolio, train, _ = trained
    assert "later_cutoff" in train.stdout and "ROC AUC" in train.stdout
    with duckdb.connect(str(portfolio.settings.serving_path), read_only=True) as con:
        total, scored, categories = con.execute(
            "SELECT count(*), count(churn_risk_score), list(DISTINCT churn_risk_category) "
            "FROM gold.customer_360_profile"
        ).fetchone()
        bad = con.execute(
            "SELECT count(*) FROM gold.customer_360_profile p "
            "JOIN gold.churn_predictions c USING (customer_id) "
            "WHERE p.churn_risk_score <> c.churn_risk_score OR c.churn_risk_score NOT BETWEEN 0 "
            "AND 100 OR c.churn_risk_category <> CASE WHEN c.churn_risk_score > 70 THEN "
            "'High Risk' WHEN c.churn_risk_score > 40 THEN 'Medium Risk' ELSE 'Low Risk' END"
        ).fetchone()[0]
        metrics = con.execute(
            "SELECT evaluation_set FROM observability.ml_evaluation_metrics ORDER BY 1"
        ).fetchall()
    assert total == 2000 and scored == total
    assert bad == 0
    assert set(categories) <= {"High Risk", "Medium Risk", "Low Risk"} and len(categories) >= 2
    assert [m[0] for m in metrics] == ["holdout_customers", "later_cutoff", "validation"]


def test_train_rescores_everyone_with_the_new_version_and_only_restates(trained):
    """The copy was built before `c360 train`, so nothing new had arrived: its build only
    restates gold.churn_predictions and the marts that read it (no run of every model for
    the hour in progress), and every prediction row carries the version just trained."""
    portfolio, _, _ = trained
    current = artifacts.current_version(artifacts.model_dir(portfolio.root))
    with duckdb.connect(str(portfolio.settings.warehouse_path), read_only=True) as con:
        versions = con.execute(
            "SELECT list(DISTINCT model_version), count(*) FROM gold.churn_predictions"
        ).fetchone()
        actions = con.execute(
            "SELECT action FROM observability.pipeline_run_metadata "
            "WHERE status = 'SUCCESS' ORDER BY started_at"
        ).fetchall()
    assert versions == ([current], 2000)
    # the cold build, then `c360 train`'s build: the restatement alone, no run before it
    assert [action for (action,) in actions][-1] == "none+restate", actions


def test_shuffled_labels_give_a_holdout_roc_auc_near_one_half(trained):
    from churn.train import train

    portfolio, _, _ = trained
    with duckdb.connect(str(portfolio.settings.warehouse_path), read_only=True) as con:
        result = train(con, shuffle_labels=True, seed=3, evaluate_only=True)
    later = result.metric("later_cutoff")
    assert later.rows > 1500
    assert 0.45 <= later.roc_auc <= 0.55, later


# --- spec 10.3 checks, buckets, artifacts, Cortex -------------------------------------------


def training_frame(rows: int, positives: int) -> pd.DataFrame:
    frame = pd.DataFrame({name: np.ones(rows) for name in dataset.REQUIRED_FEATURES})
    frame["card_type"] = "Standard"
    frame[dataset.LABEL] = [i < positives for i in range(rows)]
    return frame


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (training_frame(999, 100), "insufficient training data (999 rows"),
        (
            training_frame(2000, 300).assign(
                tenure_months=lambda f: f["tenure_months"].where(f.index > 4)
            ),
            "found 5 training rows with NULL features (tenure_months)",
        ),
        (training_frame(2000, 50), "severe class imbalance (50 churned vs 1,950 not"),
    ],
)
def test_pre_training_checks_fail_with_one_line(frame, message):
    with pytest.raises(TrainingDataError) as raised:
        check_training_rows(frame)
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


def test_risk_buckets_follow_spec_4_3():
    assert [risk_category(s) for s in (0, 40, 41, 70, 71, 100)] == [
        "Low Risk",
        "Low Risk",
        "Medium Risk",
        "Medium Risk",
        "High Risk",
        "High Risk",
    ]


class _Fixed:
    """An estimator that answers 0.55 for everyone."""

    def predict_proba(self, x):
        return np.column_stack([np.full(len(x), 0.45), np.full(len(x), 0.55)])


def test_already_churned_customers_score_100_and_others_are_scored():
    rows = pd.DataFrame(
        {name: [1.0, 1.0] for name in dataset.NUMERIC_FEATURES}
        | {"card_type": ["Standard"] * 2, "employment_status": ["Employed"] * 2}
        | {"customer_id": ["A", "B"], "is_churned_at_cutoff": [True, False]}
    )
    artifact = artifacts.Artifact("v1", _Fixed(), {"threshold": 0.5})
    scored = score_rows(artifact, rows, datetime(2026, 12, 1))
    assert scored[["customer_id", "churn_risk_score", "churn_risk_category"]].values.tolist() == [
        ["A", 100.0, "High Risk"],
        ["B", 55.0, "Medium Risk"],
    ]
    assert scored["predicted_churn"].tolist() == [True, True]
    # lost, not at risk: "who is at risk" questions leave A out
    assert scored["is_already_churned"].tolist() == [True, False]


@pytest.fixture
def saved_model(tmp_path) -> Path:
    from sklearn.ensemble import HistGradientBoostingClassifier

    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 3))
    model = HistGradientBoostingClassifier(max_iter=5).fit(x, x[:, 0] > 0)
    artifacts.save(tmp_path, "v1", model, {"threshold": 0.5, "features": ["a", "b", "c"]})
    assert artifacts.load(tmp_path).version == "v1"
    return tmp_path


def test_an_altered_model_file_is_refused(saved_model):
    path = saved_model / "v1" / artifacts.MODEL_FILE
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(artifacts.ArtifactError, match="does not match the sha256"):
        artifacts.load(saved_model)


def test_a_model_with_types_its_metadata_does_not_trust_is_refused(saved_model):
    import json

    meta_path = saved_model / "v1" / artifacts.METADATA_FILE
    meta = json.loads(meta_path.read_text())
    assert meta["trusted_types"], "the fixture model should need trusted types"
    meta["trusted_types"] = []
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(artifacts.ArtifactError, match="contains types that are not loaded"):
        artifacts.load(saved_model)


def test_cortex_statements_parse_as_snowflake_sql():
    statements = cortex.all_statements([date(2026, 7, 1), date(2026, 8, 1)])
    for statement in statements:
        assert sqlglot.parse(statement, read="snowflake"), statement
    text = "\n".join(statements)
    for call in (
        "SNOWFLAKE.ML.CLASSIFICATION",
        "!PREDICT",
        "!SHOW_EVALUATION_METRICS",
        "!SHOW_THRESHOLD_METRICS",
        "!SHOW_CONFUSION_MATRIX",
        "!SHOW_FEATURE_IMPORTANCE",
    ):
        assert call in text
    predict = cortex.predict_query()
    # the same columns, in the same order, as the DuckDB scorer writes
    from churn.score import COLUMNS

    assert [c.alias_or_name.lower() for c in predict.selects] == list(COLUMNS)
    assert "is_already_churned" in COLUMNS


def test_a_new_data_day_rescores_only_when_it_moves_the_cutoff(trained, tmp_path):
    """Features at cutoff T look only at the months before T: a file that moves the data
    clock by a day inside the month re-scores nobody (gold.churn_predictions keeps every
    row's scored_at), one that crosses into a new month re-scores every customer."""
    from c360.pipeline.build import build

    portfolio = trained[0].copy_to(tmp_path / "p")
    warehouse = portfolio.settings.warehouse_path

    def scored() -> tuple[date, dict[str, datetime]]:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            as_of = con.execute("SELECT as_of_date FROM gold.data_clock").fetchone()[0]
            rows = con.execute("SELECT customer_id, scored_at FROM gold.churn_predictions")
            return as_of, dict(rows.fetchall())

    as_of, before = scored()
    assert len(before) == 2000
    customer = sorted(before)[0]
    row = {
        "transaction_id": "TXNNEWDAY000001",
        "customer_id": customer,
        "transaction_date": f"{as_of} 12:00:00",
        "transaction_amount": "42.00",
        "merchant_name": "New Day Grocer",
        "merchant_category": "Groceries",
        "channel": "In-Store",
    }
    from c360.core.clock import utc_now

    loaded = utc_now() + timedelta(minutes=1)  # after the fixture's wall-clock run
    write_transactions(portfolio.landing, loaded.replace(minute=0, second=0), [row])
    ingest_all(portfolio.settings, loaded_at=loaded)
    report = build(portfolio.settings, execution_time=loaded + timedelta(minutes=5))
    assert report.ok, report.error
    moved_to, after = scored()
    assert moved_to == as_of + timedelta(days=1)
    rescored = {c for c in after if after[c] != before.get(c)}
    if moved_to.month == as_of.month:
        assert rescored == set()
    else:
        assert rescored == set(after)


def test_at_risk_customers_leave_out_the_already_churned(trained):
    """The spec's question "at highest risk of churning this month" lists customers who can
    still be kept: none already churned (score 100 by rule), ranked by the model."""
    from dashboard.assistant_adapter import load_engine

    portfolio = trained[0]
    serving = portfolio.settings.serving_path
    model = Path(__file__).resolve().parents[1] / "semantic_model" / "customer_analytics.yaml"
    engine = load_engine(serving, model)
    answer = engine.ask("Which acquired customers are at highest risk of churning this month?")
    assert answer.status == "answered", answer.answer
    listed = [row[0] for row in answer.rows]
    with duckdb.connect(str(serving), read_only=True) as con:
        churned = {
            c
            for (c,) in con.execute(
                "SELECT customer_id FROM gold.churn_predictions WHERE is_already_churned"
            ).fetchall()
        }
        best = con.execute(
            "SELECT max(churn_probability) FROM gold.churn_predictions WHERE NOT is_already_churned"
        ).fetchone()[0]
        top = con.execute(
            "SELECT churn_probability FROM gold.churn_predictions WHERE customer_id = ?",
            [listed[0]],
        ).fetchone()[0]
    assert churned and len(listed) == 20
    assert not set(listed) & churned
    assert top == best


def test_churn_rate_by_segment_is_the_share_predicted_to_churn(trained):
    """ "churn rate" is a rate (percent of scored customers predicted to churn), not a count
    of churn scores — checked against independent SQL on the serving copy."""
    from dashboard.assistant_adapter import load_engine

    serving = trained[0].settings.serving_path
    model = Path(__file__).resolve().parents[1] / "semantic_model" / "customer_analytics.yaml"
    answer = load_engine(serving, model).ask("What's the churn rate by segment?")
    assert answer.status == "answered", answer.answer
    assert answer.columns == ["customer_segment", "predicted_churn_rate"]
    with duckdb.connect(str(serving), read_only=True) as con:
        expected = dict(
            con.execute(
                "SELECT p.customer_segment, 100.0 * avg(c.predicted_churn::INT) "
                "FROM gold.churn_predictions c JOIN gold.customer_360_profile p USING (customer_id) "
                "GROUP BY 1"
            ).fetchall()
        )
    got = {segment: rate for segment, rate in answer.rows}
    assert got.keys() == expected.keys()
    for segment, rate in expected.items():
        assert abs(got[segment] - rate) < 1e-9, segment
    assert "%" in answer.answer
