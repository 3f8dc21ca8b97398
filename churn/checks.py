"""Pre-training checks of spec 10.3: enough rows, no NULL in a required feature, a class
balance a classifier can learn from. Each failure is one line naming what to do."""

from __future__ import annotations

import pandas as pd

from c360.core.errors import C360Error
from churn.dataset import LABEL, REQUIRED_FEATURES

#: Spec 10.3: fewer rows than this is "insufficient training data".
MIN_ROWS = 1000
#: Spec 10.3: the smaller class under this share of the larger is "severe class imbalance".
MIN_CLASS_BALANCE = 0.05


class TrainingDataError(C360Error):
    """The training rows fail a pre-training check; nothing was trained or replaced."""


def check_training_rows(rows: pd.DataFrame, *, min_rows: int = MIN_ROWS) -> None:
    """Raise `TrainingDataError` (one line) when `rows` fail a spec-10.3 check."""
    count = len(rows)
    if count < min_rows:
        raise TrainingDataError(
            f"insufficient training data ({count:,} rows at the training cutoffs; need at "
            f"least {min_rows:,}): load more history or more customers"
        )
    nulls = rows[list(REQUIRED_FEATURES)].isna()
    if nulls.any(axis=None):
        bad = nulls.any(axis=1).sum()
        columns = ", ".join(c for c in REQUIRED_FEATURES if nulls[c].any())
        raise TrainingDataError(
            f"found {bad:,} training rows with NULL features ({columns}): "
            "check gold.churn_features_at_cutoff"
        )
    counts = rows[LABEL].astype(bool).value_counts()
    positives, negatives = int(counts.get(True, 0)), int(counts.get(False, 0))
    balance = min(positives, negatives) / max(positives, negatives, 1)
    if balance < MIN_CLASS_BALANCE:
        raise TrainingDataError(
            f"severe class imbalance ({positives:,} churned vs {negatives:,} not: "
            f"{balance:.1%} < {MIN_CLASS_BALANCE:.0%}): the training cutoffs hold too few "
            "churners to learn from"
        )
