"""The observability tables `c360 train` writes, in the shape Cortex ML users query:
`ml_evaluation_metrics` (one row per model version and evaluation set),
`ml_threshold_metrics`, `ml_confusion_matrix`, `ml_feature_importance`.

Written through a DuckDB connection to the warehouse: a version's rows are replaced, other
versions' rows stay (the history of every model trained). Publish copies them to the
serving file like every observability table."""

from __future__ import annotations

from datetime import datetime

import duckdb
import pandas as pd

from churn.train import TrainingResult

TABLES = {
    "ml_evaluation_metrics": (
        "model_version VARCHAR, evaluation_set VARCHAR, cutoffs VARCHAR, rows BIGINT, "
        "positives BIGINT, prevalence DOUBLE, threshold DOUBLE, precision DOUBLE, "
        "recall DOUBLE, f1 DOUBLE, roc_auc DOUBLE, pr_auc DOUBLE, trained_at TIMESTAMP"
    ),
    "ml_threshold_metrics": (
        "model_version VARCHAR, evaluation_set VARCHAR, threshold DOUBLE, precision DOUBLE, "
        "recall DOUBLE, f1 DOUBLE, tpr DOUBLE, fpr DOUBLE, support BIGINT"
    ),
    "ml_confusion_matrix": (
        "model_version VARCHAR, evaluation_set VARCHAR, actual_class BOOLEAN, "
        "predicted_class BOOLEAN, count BIGINT"
    ),
    "ml_feature_importance": (
        "model_version VARCHAR, rank INT, feature VARCHAR, score DOUBLE, feature_type VARCHAR"
    ),
}
SCHEMA = "observability"
#: What each table holds (the data dictionary, `c360 docs`, reads it from here).
DESCRIPTIONS = {
    "ml_evaluation_metrics": "One row per churn model version and evaluation set (validation, "
    "later-cutoff holdout): threshold, precision, recall, F1, ROC AUC, PR AUC "
    "(Cortex ML's !SHOW_EVALUATION_METRICS).",
    "ml_threshold_metrics": "Precision, recall, F1, TPR and FPR per probability threshold, per "
    "model version and evaluation set (!SHOW_THRESHOLD_METRICS).",
    "ml_confusion_matrix": "Counts of actual x predicted class at the model's threshold, per "
    "model version and evaluation set (!SHOW_CONFUSION_MATRIX).",
    "ml_feature_importance": "The model's features ranked by importance, per model version "
    "(!SHOW_FEATURE_IMPORTANCE).",
}


def write_outputs(
    con: duckdb.DuckDBPyConnection, version: str, result: TrainingResult, trained_at: datetime
) -> dict[str, int]:
    """Replace `version`'s rows in the four tables; rows written per table."""
    frames = {
        "ml_evaluation_metrics": pd.DataFrame(
            [{**m.__dict__, "trained_at": trained_at} for m in result.metrics]
        ),
        "ml_threshold_metrics": pd.DataFrame(result.thresholds),
        "ml_confusion_matrix": pd.DataFrame(result.confusion),
        "ml_feature_importance": pd.DataFrame(result.importance),
    }
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
    written = {}
    for table, columns in TABLES.items():
        name = f"{SCHEMA}.{table}"
        con.execute(f"CREATE TABLE IF NOT EXISTS {name} ({columns})")
        con.execute(f"DELETE FROM {name} WHERE model_version = ?", [version])  # noqa: S608
        frame = frames[table]
        if frame.empty:
            written[table] = 0
            continue
        frame = frame.assign(model_version=version)
        names = [c.split()[0] for c in columns.split(", ")]
        con.register("ml_rows", frame[names])
        con.execute(f"INSERT INTO {name} SELECT * FROM ml_rows")  # noqa: S608
        con.unregister("ml_rows")
        written[table] = len(frame)
    return written
