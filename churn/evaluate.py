"""Evaluation in the shape Cortex ML Classification reports it: metrics per evaluation set,
metrics per threshold, a confusion matrix, feature importance."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.metrics import (
    average_precision_score,
    confusion_matrix,
    f1_score,
    precision_recall_curve,
    precision_score,
    recall_score,
    roc_auc_score,
)

#: Thresholds reported in ml_threshold_metrics (like !SHOW_THRESHOLD_METRICS).
THRESHOLDS = tuple(round(t, 2) for t in np.arange(0.05, 1.0, 0.05))


@dataclass(frozen=True)
class SetMetrics:
    """One evaluation set (one row of observability.ml_evaluation_metrics)."""

    evaluation_set: str
    cutoffs: str
    rows: int
    positives: int
    prevalence: float
    threshold: float
    precision: float
    recall: float
    f1: float
    roc_auc: float | None
    pr_auc: float | None


def f1_threshold(y: np.ndarray, probability: np.ndarray) -> float:
    """The probability threshold with the highest F1 (spec: EVALUATION_METRIC 'F1')."""
    precision, recall, thresholds = precision_recall_curve(y, probability)
    f1 = 2 * precision * recall / np.maximum(precision + recall, 1e-12)
    best = int(np.nanargmax(f1[:-1])) if thresholds.size else 0
    return float(thresholds[best]) if thresholds.size else 0.5


def set_metrics(
    name: str, cutoffs: str, y: np.ndarray, probability: np.ndarray, threshold: float
) -> SetMetrics:
    predicted = probability >= threshold
    both = np.unique(y).size == 2
    return SetMetrics(
        evaluation_set=name,
        cutoffs=cutoffs,
        rows=int(y.size),
        positives=int(y.sum()),
        prevalence=float(y.mean()) if y.size else 0.0,
        threshold=float(threshold),
        precision=float(precision_score(y, predicted, zero_division=0)),
        recall=float(recall_score(y, predicted, zero_division=0)),
        f1=float(f1_score(y, predicted, zero_division=0)),
        roc_auc=float(roc_auc_score(y, probability)) if both else None,
        pr_auc=float(average_precision_score(y, probability)) if both else None,
    )


def threshold_rows(name: str, y: np.ndarray, probability: np.ndarray) -> list[dict]:
    """Precision, recall, F1, TPR, FPR and support per threshold (!SHOW_THRESHOLD_METRICS)."""
    rows = []
    negatives = max(int((~y).sum()), 1)
    for threshold in THRESHOLDS:
        predicted = probability >= threshold
        true_positive = int((predicted & y).sum())
        false_positive = int((predicted & ~y).sum())
        rows.append(
            {
                "evaluation_set": name,
                "threshold": float(threshold),
                "precision": float(precision_score(y, predicted, zero_division=0)),
                "recall": float(recall_score(y, predicted, zero_division=0)),
                "f1": float(f1_score(y, predicted, zero_division=0)),
                "tpr": true_positive / max(int(y.sum()), 1),
                "fpr": false_positive / negatives,
                "support": int(predicted.sum()),
            }
        )
    return rows


def confusion_rows(name: str, y: np.ndarray, probability: np.ndarray, threshold: float) -> list:
    """Counts per actual and predicted class at the model's threshold (!SHOW_CONFUSION_MATRIX)."""
    matrix = confusion_matrix(y, probability >= threshold, labels=[False, True])
    return [
        {
            "evaluation_set": name,
            "actual_class": bool(actual),
            "predicted_class": bool(predicted),
            "count": int(matrix[i, j]),
        }
        for i, actual in enumerate((False, True))
        for j, predicted in enumerate((False, True))
    ]
