"""The Snowflake path (`--gateway snowflake`): the same training view, trained with Cortex ML
Classification (`SNOWFLAKE.ML.CLASSIFICATION`, gradient boosting, EVALUATION_METRIC F1),
and the same output tables written from its methods. Statements are built here and parsed
by sqlglot (dialect snowflake) in the tests; nothing here connects.

Cortex evaluates on a split it holds out itself (`'evaluate': TRUE`); the later-cutoff
holdout is scored with `!PREDICT` and measured in SQL like the local path does.
Not exercised against a real account (none here): the method names and argument shapes follow
Snowflake's reference pages for CLASSIFICATION; the PREDICT output is read as
`prediction:class` and `prediction:probability:"True"` (a BOOLEAN target).
"""

from __future__ import annotations

from datetime import date

from sqlglot import exp, parse_one

from churn import dataset

MODEL_NAME = "observability.churn_model"
TRAINING_VIEW = "observability.churn_training_data"


def _date(value: date) -> str:
    return exp.Literal.string(value.isoformat()).sql(dialect="snowflake")


def _feature_list() -> str:
    return ", ".join(dataset.FEATURES)


def training_statements(
    training_cutoffs: list[date], *, view: str = dataset.VIEW, model: str = MODEL_NAME
) -> list[str]:
    """Create the training view over `gold.churn_features_at_cutoff` and train the model."""
    cutoffs = ", ".join(f"{_date(c)}::DATE" for c in training_cutoffs)
    return [
        f"CREATE OR REPLACE VIEW {TRAINING_VIEW} AS SELECT {_feature_list()}, churned "
        f"FROM {view} WHERE is_label_complete AND NOT is_churned_at_cutoff "
        f"AND cutoff_date IN ({cutoffs})",
        f"CREATE OR REPLACE SNOWFLAKE.ML.CLASSIFICATION {model}("
        f"INPUT_DATA => SYSTEM$REFERENCE('VIEW', '{TRAINING_VIEW}'), "
        "TARGET_COLNAME => 'churned', "
        "CONFIG_OBJECT => {'evaluate': TRUE, 'on_error': 'skip', 'evaluation_metric': 'F1'})",
    ]


def predict_query(
    view: str = dataset.VIEW,
    clock: str = "gold.data_clock",
    *,
    model: str = MODEL_NAME,
    version: str = MODEL_NAME,
) -> exp.Expression:
    """The rows of gold.churn_predictions from `!PREDICT` at the current cutoff (customers
    already churned at the cutoff reported as churned, as on DuckDB)."""
    sql = f"""
    WITH features AS (
      SELECT customer_id, is_churned_at_cutoff, {_feature_list()}
      FROM {view}
      WHERE cutoff_date = (SELECT current_month_start FROM {clock})
    ), predicted AS (
      SELECT customer_id, is_churned_at_cutoff,
        {model}!PREDICT(INPUT_DATA => OBJECT_CONSTRUCT({
        ", ".join(f"'{f}', {f}" for f in dataset.FEATURES)
    })) AS prediction
      FROM features
    ), probabilities AS (
      SELECT customer_id, is_churned_at_cutoff,
        IFF(is_churned_at_cutoff, 1, prediction:probability:"True"::DOUBLE) AS probability,
        IFF(is_churned_at_cutoff, TRUE, prediction:class::BOOLEAN) AS predicted_churn
      FROM predicted
    )
    SELECT
      customer_id::VARCHAR AS customer_id,
      probability::DOUBLE AS churn_probability,
      ROUND(probability * 100)::DOUBLE AS churn_risk_score,
      CASE WHEN ROUND(probability * 100) > 70 THEN 'High Risk'
           WHEN ROUND(probability * 100) > 40 THEN 'Medium Risk'
           ELSE 'Low Risk' END::VARCHAR AS churn_risk_category,
      predicted_churn::BOOLEAN AS predicted_churn,
      is_churned_at_cutoff::BOOLEAN AS is_already_churned,
      '{version}'::VARCHAR AS model_version,
      CURRENT_TIMESTAMP()::TIMESTAMP AS scored_at
    FROM probabilities
    """
    return parse_one(sql, read="snowflake")


def output_statements(model: str = MODEL_NAME, version: str = MODEL_NAME) -> list[str]:
    """The observability tables from the model's SHOW methods (Cortex's own evaluation)."""
    tag = exp.Literal.string(version).sql(dialect="snowflake")
    return [
        "CREATE TABLE IF NOT EXISTS observability.ml_evaluation_metrics (model_version VARCHAR, "
        "evaluation_set VARCHAR, class VARCHAR, metric VARCHAR, metric_value DOUBLE)",
        f"DELETE FROM observability.ml_evaluation_metrics WHERE model_version = {tag}",
        f"INSERT INTO observability.ml_evaluation_metrics SELECT {tag}, dataset_type, class, "
        f"error_metric, metric_value FROM TABLE({model}!SHOW_EVALUATION_METRICS())",
        f"CREATE OR REPLACE TABLE observability.ml_threshold_metrics AS SELECT {tag} AS "
        "model_version, dataset_type AS evaluation_set, class, threshold, precision, recall, "
        f"f1, tpr, fpr, support FROM TABLE({model}!SHOW_THRESHOLD_METRICS())",
        f"CREATE OR REPLACE TABLE observability.ml_confusion_matrix AS SELECT {tag} AS "
        "model_version, dataset_type AS evaluation_set, actual_class, predicted_class, "
        f"count FROM TABLE({model}!SHOW_CONFUSION_MATRIX())",
        f"CREATE OR REPLACE TABLE observability.ml_feature_importance AS SELECT {tag} AS "
        "model_version, rank, feature, score, feature_type "
        f"FROM TABLE({model}!SHOW_FEATURE_IMPORTANCE())",
    ]


def all_statements(training_cutoffs: list[date]) -> list[str]:
    """Everything `c360 train --gateway snowflake` runs, in order."""
    return [
        *training_statements(training_cutoffs),
        *output_statements(),
        predict_query().sql(dialect="snowflake"),
    ]
