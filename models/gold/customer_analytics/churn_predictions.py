"""gold.churn_predictions: the churn model's scores, refreshed by every SQLMesh run.

A Python model because scoring runs the trained estimator (churn/score.py). It reads the
current cutoff's rows of gold.churn_features_at_cutoff (features of the complete months
before the month in progress) and writes one row per customer. The churn package is imported
inside `execute`, so SQLMesh does not serialize it into the model: a retrained artifact
changes what the model returns, not its definition (`c360 train` then restates this model
and what depends on it).
"""

from __future__ import annotations

import typing as t
from datetime import datetime

from sqlglot import exp
from sqlmesh import ExecutionContext, model
from sqlmesh.core.model.kind import ModelKindName

COLUMN_DESCRIPTIONS = {
    "customer_id": "Natural key of the customer.",
    "churn_probability": "Calibrated probability that the customer churns (spec 3.7 label) in the 3 months from the current cutoff; 1 for a customer who has already churned.",
    "churn_risk_score": "churn_probability x 100 in whole points (0-100).",
    "churn_risk_category": "High Risk (score > 70), Medium Risk (> 40) or Low Risk (spec 4.3).",
    "predicted_churn": "churn_probability at or above the model's F1-optimal threshold (stored with the model).",
    "is_already_churned": "TRUE when the churn rule (spec 3.7) already holds for the 3 complete months before the cutoff: reported as churned (probability 1), not scored; such a customer is lost, not at risk.",
    "model_version": "Version of the churn model artifact that scored the row (models/churn/<version> in the data dir; the Cortex model name on Snowflake).",
    "scored_at": "Execution time of the run that scored the row.",
}

NOT_NULL_COLUMNS = (
    "customer_id",
    "churn_probability",
    "churn_risk_score",
    "churn_risk_category",
    "is_already_churned",
    "model_version",
)


@model(
    "gold.churn_predictions",
    kind=dict(name=ModelKindName.INCREMENTAL_BY_UNIQUE_KEY, unique_key=["customer_id"]),
    grain=["customer_id"],
    tags=["gold", "customer_analytics", "churn"],
    depends_on=[
        "gold.churn_features_at_cutoff",
        "gold.customer_changes",
        "gold.data_clock",
        "gold.fact_transaction",
    ],
    # audit arguments as column expressions: a plain string would be a SQL string literal
    # ('customer_id'), so unique_values would partition by a constant and fail on 2 rows
    audits=[
        ("unique_values", {"columns": [exp.column("customer_id")]}),
        ("not_null", {"columns": [exp.column(name) for name in NOT_NULL_COLUMNS]}),
    ],
    description=(
        "Churn predictions (spec 3.7, 4.3; issue 10), queryable like Cortex ML's !PREDICT output: "
        "one row per customer scored at the current cutoff (the first day of the month in "
        "progress: features of the complete months before it, gold.churn_features_at_cutoff). "
        "Customers for whom the churn rule already holds at the cutoff are reported as churned "
        "(probability 1, score 100), not scored. No model trained yet (no artifact in the data "
        "dir's models/churn/CURRENT): no rows, so the profile shows NULL = not scored yet. On "
        "DuckDB the trained scikit-learn artifact scores; on the Snowflake gateway the same "
        "model calls the Cortex ML classification model's !PREDICT. Incremental by customer: "
        "each run re-scores the customers whose features at the cutoff may have changed in "
        "the processed interval (gold.customer_changes reason profile, its clock reason only "
        "when the cutoff moved to a new month, and facts loaded in it that are dated before "
        "the cutoff), so an ordinary hour, and a new data day inside the month, score nobody; "
        "`c360 train` restates the model (and its downstream marts) after a new version."
    ),
    column_descriptions=COLUMN_DESCRIPTIONS,
    columns={
        "customer_id": "VARCHAR",
        "churn_probability": "DOUBLE",
        "churn_risk_score": "DOUBLE",
        "churn_risk_category": "VARCHAR",
        "predicted_churn": "BOOLEAN",
        "is_already_churned": "BOOLEAN",
        "model_version": "VARCHAR",
        "scored_at": "TIMESTAMP",
    },
)
def execute(
    context: ExecutionContext,
    start: datetime,
    end: datetime,
    execution_time: datetime,
    **kwargs: t.Any,
) -> t.Iterator[t.Any]:
    from churn.predictions import predict_in_sqlmesh

    frame = predict_in_sqlmesh(context, start, end, execution_time)
    if frame is None or frame.empty:
        yield from ()
        return
    yield frame
