"""Train the churn model with temporal validation (issue 10, spec 3.7).

1. **Cutoffs.** Month-start cutoffs whose 3 label months are complete (`Cutoffs.labelled`).
   The latest one is the *later cutoff*: never trained on while evaluating. The
   `training_cutoffs` before it are the training cutoffs.
2. **Customers.** A stable hash band per customer: 0-19 held out (never trained on at any
   cutoff), 20-34 the validation split (calibration and the F1 threshold), the rest fitted.
3. **Model.** `HistGradientBoostingClassifier` (the gradient-boosting family Cortex ML
   Classification uses) with balanced class weights, then isotonic calibration on the
   validation split (the boosted model frozen), and the F1-optimal threshold on it.
4. **Evaluation** on the held-out customers at the training cutoffs and on every customer at
   the later cutoff; then the same recipe **retrained on all labelled cutoffs** used (training
   + later) gives the model that scores the current cutoff.

Customers already churned at a cutoff are not training rows (`dataset.training_rows`).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import duckdb
import numpy as np
import pandas as pd
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.inspection import permutation_importance

from churn import dataset
from churn.checks import MIN_ROWS, TrainingDataError, check_training_rows
from churn.evaluate import (
    SetMetrics,
    confusion_rows,
    f1_threshold,
    set_metrics,
    threshold_rows,
)

log = logging.getLogger(__name__)

HOLDOUT_BAND = 20  # bands 0-19: held-out customers
VALIDATION_BAND = 35  # bands 20-34: calibration + threshold
TRAINING_CUTOFFS = 2
HYPERPARAMETERS = {
    "learning_rate": 0.15,
    "max_iter": 60,
    "max_leaf_nodes": 15,
    "min_samples_leaf": 40,
    "l2_regularization": 1.0,
    "class_weight": "balanced",
    "early_stopping": False,
}


@dataclass
class TrainingResult:
    """The final (retrained) model and everything `c360 train` writes and prints."""

    estimator: Any
    threshold: float
    training_cutoffs: list[date]
    later_cutoff: date
    final_cutoffs: list[date]
    scoring_cutoff: date | None
    metrics: list[SetMetrics]
    thresholds: list[dict]
    confusion: list[dict]
    importance: list[dict]
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    #: The model evaluated above (trained without the later cutoff) and its later-cutoff rows
    #: with their probabilities: the model card's calibration plot reads them.
    evaluation_estimator: Any = None
    later_scored: pd.DataFrame | None = None

    def metric(self, evaluation_set: str) -> SetMetrics:
        return next(m for m in self.metrics if m.evaluation_set == evaluation_set)


def make_classifier(seed: int = 0) -> HistGradientBoostingClassifier:
    return HistGradientBoostingClassifier(
        **HYPERPARAMETERS,
        categorical_features=dataset.categorical_mask(),
        monotonic_cst=dataset.monotonic_constraints(),
        random_state=seed,
    )


def fit_calibrated(
    fit_rows: pd.DataFrame, validation_rows: pd.DataFrame, seed: int = 0
) -> tuple[Any, float]:
    """Boosted model on `fit_rows`, isotonic calibration and the F1 threshold on
    `validation_rows`."""
    booster = make_classifier(seed).fit(
        dataset.matrix(fit_rows), fit_rows[dataset.LABEL].to_numpy(bool)
    )
    calibrated = CalibratedClassifierCV(FrozenEstimator(booster), method="isotonic")
    x_val = dataset.matrix(validation_rows)
    y_val = validation_rows[dataset.LABEL].to_numpy(bool)
    calibrated.fit(x_val, y_val)
    threshold = f1_threshold(y_val, calibrated.predict_proba(x_val)[:, 1])
    return calibrated, threshold


def booster_of(calibrated: Any) -> Any:
    """The boosted model inside a `fit_calibrated` result (calibration froze it)."""
    return calibrated.calibrated_classifiers_[0].estimator.estimator


def predict(estimator: Any, rows: pd.DataFrame) -> np.ndarray:
    return estimator.predict_proba(dataset.matrix(rows))[:, 1]


def train(
    con: duckdb.DuckDBPyConnection,
    *,
    training_cutoffs: int = TRAINING_CUTOFFS,
    min_rows: int = MIN_ROWS,
    seed: int = 0,
    shuffle_labels: bool = False,
    view: str = dataset.VIEW,
    evaluate_only: bool = False,
) -> TrainingResult:
    """Train, validate and retrain from the warehouse behind `con` (see the module doc).

    `shuffle_labels` permutes the training labels (the shuffled-label test: a model that
    learns nothing real must score ROC AUC ~0.5 on the held-out sets); `evaluate_only` skips
    the feature importance and the final retraining (the returned estimator is then the
    evaluated one)."""
    started = time.perf_counter()
    cutoffs = dataset.available_cutoffs(con)
    if len(cutoffs.labelled) < 2:
        raise TrainingDataError(
            f"insufficient training data: {len(cutoffs.labelled)} cutoff(s) with 3 complete "
            "label months; need at least 2 (4 complete months after the first data month)"
        )
    later = cutoffs.labelled[-1]
    train_cuts = list(cutoffs.labelled[-1 - training_cutoffs : -1])
    frame = dataset.read_rows(con, [*train_cuts, later], view=view)
    rows = dataset.training_rows(frame)
    rows["band"] = dataset.customer_band(rows["customer_id"])
    rng = np.random.default_rng(seed)
    if shuffle_labels:
        rows[dataset.LABEL] = rng.permutation(rows[dataset.LABEL].to_numpy())
    at_training = rows["cutoff_date"].isin(train_cuts)
    holdout = rows[at_training & (rows["band"] < HOLDOUT_BAND)]
    validation = rows[at_training & rows["band"].between(HOLDOUT_BAND, VALIDATION_BAND - 1)]
    fit = rows[at_training & (rows["band"] >= VALIDATION_BAND)]
    later_rows = rows[rows["cutoff_date"] == later]
    check_training_rows(fit, min_rows=min_rows)

    model, threshold = fit_calibrated(fit, validation, seed)
    span = f"{train_cuts[0]}..{train_cuts[-1]}"
    metrics = []
    thresholds: list[dict] = []
    confusion: list[dict] = []
    later_probability = np.empty(0)
    for name, part, cuts in (
        ("validation", validation, span),
        ("holdout_customers", holdout, span),
        ("later_cutoff", later_rows, str(later)),
    ):
        y = part[dataset.LABEL].to_numpy(bool)
        probability = predict(model, part)
        later_probability = probability
        metrics.append(set_metrics(name, cuts, y, probability, threshold))
        thresholds += threshold_rows(name, y, probability)
        confusion += confusion_rows(name, y, probability, threshold)
    importance = [] if evaluate_only else _importance(booster_of(model), later_rows, seed)

    # retrain on all labelled data used above (training cutoffs + the later one)
    final_validation = rows[rows["band"].between(HOLDOUT_BAND, VALIDATION_BAND - 1)]
    final_fit = rows[~rows["band"].between(HOLDOUT_BAND, VALIDATION_BAND - 1)]
    final, final_threshold = model, threshold
    if not evaluate_only:
        check_training_rows(final_fit, min_rows=min_rows)
        final, final_threshold = fit_calibrated(final_fit, final_validation, seed)
    result = TrainingResult(
        estimator=final,
        threshold=final_threshold,
        training_cutoffs=train_cuts,
        later_cutoff=later,
        final_cutoffs=[*train_cuts, later],
        scoring_cutoff=cutoffs.current,
        metrics=metrics,
        thresholds=thresholds,
        confusion=confusion,
        importance=importance,
        rows={
            "fit": len(fit),
            "validation": len(validation),
            "holdout_customers": len(holdout),
            "later_cutoff": len(later_rows),
            "final_fit": len(final_fit),
            "excluded_churned_at_cutoff": int(frame["is_churned_at_cutoff"].sum()),
        },
    )
    result.evaluation_estimator = model
    result.later_scored = later_rows.assign(probability=later_probability)
    result.seconds = time.perf_counter() - started
    return result


#: Rows of the later cutoff that permutation importance scores (one permutation each).
IMPORTANCE_ROWS = 5000


def _importance(booster: Any, rows: pd.DataFrame, seed: int) -> list[dict]:
    """Permutation importance on the later cutoff (drop in ROC AUC), ranked.

    Measured on the boosted model before calibration: ROC AUC only reads the order of the
    scores, which the isotonic step keeps (it only adds ties), and the booster alone is
    cheaper to call. One permutation of IMPORTANCE_ROWS rows per feature scores a third of
    the rows 2 permutations of 8,000 did; at full scale it ranked the same two features
    first (last month against the baseline, then tenure), the rest stay within noise of 0."""
    sample = rows.sample(n=min(len(rows), IMPORTANCE_ROWS), random_state=seed)
    y = sample[dataset.LABEL].to_numpy(bool)
    if np.unique(y).size < 2:
        return []
    result = permutation_importance(
        booster, dataset.matrix(sample), y, scoring="roc_auc", n_repeats=1, random_state=seed
    )
    order = np.argsort(-result.importances_mean)
    return [
        {
            "rank": rank,
            "feature": dataset.FEATURES[i],
            "score": float(result.importances_mean[i]),
            "feature_type": "categorical" if i >= len(dataset.NUMERIC_FEATURES) else "numeric",
        }
        for rank, i in enumerate(order, 1)
    ]


def metadata(result: TrainingResult, *, trained_at: datetime) -> dict[str, Any]:
    """What an artifact records besides the model (artifacts.save adds hash and types)."""
    return {
        "trained_at": trained_at.isoformat(timespec="seconds"),
        "model_family": "sklearn.HistGradientBoostingClassifier + isotonic calibration",
        "hyperparameters": HYPERPARAMETERS,
        "features": list(dataset.FEATURES),
        "categorical_features": {k: list(v) for k, v in dataset.CATEGORICAL_FEATURES.items()},
        "threshold": result.threshold,
        "training_cutoffs": [str(c) for c in result.training_cutoffs],
        "later_cutoff": str(result.later_cutoff),
        "final_cutoffs": [str(c) for c in result.final_cutoffs],
        "scoring_cutoff": str(result.scoring_cutoff) if result.scoring_cutoff else None,
        "rows": result.rows,
        "metrics": [m.__dict__ for m in result.metrics],
    }
