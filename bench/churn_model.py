"""Benchmark: training + scoring the churn model at full scale (issue 10 target <= 60 s).

Figures printed (never asserted — this is not a test), on a built warehouse (the full-scale
demo: 50,000 customers, 18 months) that already has the churn models in prod:

- train: reading the training cutoffs from `gold.churn_features_at_cutoff`, the spec 10.3
  checks, fitting + calibrating the evaluation model, the three evaluation sets, permutation
  importance, and the retrained final model (`churn.train.train`);
- score: the restating build that re-scores every customer (`gold.churn_predictions` and the
  marts that read it) with the saved artifact (`build(restate=...)`), i.e. what `c360 train`
  and `c360 score` run after training;
- the load average before and after: the machine is shared, so figures are noisy.

It works on a copy of the data dir (`--keep DIR` keeps it), never on the original.

    .venv/bin/python bench/churn_model.py --data-dir /path/to/full-scale-data [--keep DIR]

(Not `bench/churn.py`: the script's folder is first on `sys.path`, and a `churn.py` there would
shadow the `churn` package.)
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

import duckdb

from c360.core.clock import utc_now
from c360.core.logs import configure_logging
from c360.core.settings import Settings
from c360.pipeline.build import build
from churn import artifacts
from churn.train import metadata, train

TARGET_SECONDS = 60.0
PREDICTIONS = "gold.churn_predictions"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True, help="a built data dir")
    parser.add_argument("--keep", type=Path, help="work in DIR (kept) instead of a temp dir")
    args = parser.parse_args()
    configure_logging("WARNING")
    work = args.keep or Path(tempfile.mkdtemp(prefix="c360-churn-bench-"))
    root = work / "data"
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(args.data_dir, root)
    settings = Settings(data_dir=root)
    print(f"cores {os.cpu_count()}, load average {os.getloadavg()[0]:.1f} (shared machine)")

    started = time.perf_counter()
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        result = train(con)
    trained_at = utc_now().replace(tzinfo=None)
    version = f"bench{trained_at:%Y%m%dT%H%M%S}"
    artifacts.save(
        artifacts.model_dir(root.resolve()),
        version,
        result.estimator,
        metadata(result, trained_at=trained_at),
    )
    train_seconds = time.perf_counter() - started

    started = time.perf_counter()
    report = build(settings, restate=(PREDICTIONS,))
    score_seconds = time.perf_counter() - started
    if not report.ok:
        raise SystemExit(f"scoring build failed: {report.error}")
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        scored = con.execute(f"SELECT count(*) FROM {PREDICTIONS}").fetchone()[0]  # noqa: S608

    later = result.metric("later_cutoff")
    print(
        f"rows: {result.rows}; later cutoff {later.cutoffs}: ROC AUC {later.roc_auc:.3f}, "
        f"PR AUC {later.pr_auc:.3f}, prevalence {later.prevalence:.1%}"
    )
    print(f"train  {train_seconds:6.1f} s")
    print(f"score  {score_seconds:6.1f} s  ({scored:,} customers, build {report.action})")
    total = train_seconds + score_seconds
    verdict = "meets" if total <= TARGET_SECONDS else "misses"
    print(f"total  {total:6.1f} s  ({verdict} the {TARGET_SECONDS:.0f} s target)")
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    if args.keep is None:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
