"""The model card's plots (docs/img/): the calibration curve of the later-cutoff holdout and
the histogram of the current scores by spec 12.5 bucket. Drawn with matplotlib (Agg)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
from sklearn.calibration import calibration_curve

from churn.train import TrainingResult

BUCKETS = ("0-20", "21-40", "41-60", "61-80", "81-100")


def score_buckets(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Customers per spec 12.5 score bucket in gold.churn_predictions."""
    rows = con.execute(
        """
        SELECT CASE WHEN churn_risk_score <= 20 THEN '0-20'
                    WHEN churn_risk_score <= 40 THEN '21-40'
                    WHEN churn_risk_score <= 60 THEN '41-60'
                    WHEN churn_risk_score <= 80 THEN '61-80'
                    ELSE '81-100' END AS bucket, COUNT(*)
        FROM gold.churn_predictions GROUP BY 1
        """
    ).fetchall()
    found = dict(rows)
    return {bucket: int(found.get(bucket, 0)) for bucket in BUCKETS}


def write_report(con: duckdb.DuckDBPyConnection, result: TrainingResult, out: Path) -> list[Path]:
    """Write img/churn_calibration.png and img/churn_score_histogram.png under `out`."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    images = out / "img"
    images.mkdir(parents=True, exist_ok=True)
    written = []
    later = result.later_scored
    if later is not None and not later.empty:
        y = later["churned"].to_numpy(bool)
        fraction, mean = calibration_curve(y, later["probability"], n_bins=10, strategy="quantile")
        figure, axis = plt.subplots(figsize=(5, 4.5))
        axis.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfectly calibrated")
        axis.plot(mean, fraction, marker="o", label=f"later cutoff {result.later_cutoff}")
        axis.set_xlabel("predicted churn probability (decile mean)")
        axis.set_ylabel("observed churn rate")
        axis.set_title("Calibration, later-cutoff holdout")
        axis.legend(loc="upper left")
        figure.tight_layout()
        path = images / "churn_calibration.png"
        figure.savefig(path, dpi=110)
        plt.close(figure)
        written.append(path)
    buckets = score_buckets(con)
    figure, axis = plt.subplots(figsize=(5.5, 4))
    counts = np.array(list(buckets.values()))
    axis.bar(list(buckets), counts, color="#4c72b0")
    for i, count in enumerate(counts):
        axis.annotate(f"{count:,}", (i, count), ha="center", va="bottom", fontsize=8)
    axis.set_xlabel("churn_risk_score bucket (spec 12.5)")
    axis.set_ylabel("customers")
    axis.set_title(f"Current scores (cutoff {result.scoring_cutoff})")
    figure.tight_layout()
    path = images / "churn_score_histogram.png"
    figure.savefig(path, dpi=110)
    plt.close(figure)
    written.append(path)
    return written
