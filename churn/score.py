"""Score customers: probability, the 0-100 risk score and its spec-4.3 category.

Output columns are exactly those of `gold.churn_predictions`. A customer for whom the churn
rule already holds at the cutoff (`is_churned_at_cutoff`) is not a question for the model:
they are reported as churned (probability 1, score 100, High Risk, predicted_churn TRUE) and
flagged `is_already_churned`, so "who is at risk" can leave out who is already lost.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd

from churn import dataset
from churn.artifacts import Artifact

COLUMNS = (
    "customer_id",
    "churn_probability",
    "churn_risk_score",
    "churn_risk_category",
    "predicted_churn",
    "is_already_churned",
    "model_version",
    "scored_at",
)


def risk_category(score: float) -> str:
    """Spec 4.3: High Risk > 70, Medium Risk > 40, else Low Risk."""
    if score > 70:
        return "High Risk"
    if score > 40:
        return "Medium Risk"
    return "Low Risk"


def score_rows(artifact: Artifact, rows: pd.DataFrame, scored_at: datetime) -> pd.DataFrame:
    """Predictions for the feature rows `rows` (one cutoff, one row per customer)."""
    rows = dataset.normalize(rows)
    probability = np.ones(len(rows))
    churned = rows["is_churned_at_cutoff"].astype(bool).to_numpy()
    if (~churned).any():
        probability[~churned] = artifact.estimator.predict_proba(
            dataset.matrix(rows.loc[~churned])
        )[:, 1]
    probability = np.clip(probability, 0.0, 1.0)
    # whole points: the spec's buckets (0-20, 21-40, ...) are integer ranges
    score = np.round(probability * 100)
    return pd.DataFrame(
        {
            "customer_id": rows["customer_id"].astype(str).to_numpy(),
            "churn_probability": np.round(probability, 6),
            "churn_risk_score": score,
            "churn_risk_category": [risk_category(s) for s in score],
            "predicted_churn": probability >= artifact.threshold,
            "is_already_churned": churned,
            "model_version": artifact.version,
            "scored_at": pd.Timestamp(scored_at),
        },
        columns=list(COLUMNS),
    )
