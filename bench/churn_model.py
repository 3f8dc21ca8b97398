"""Benchmark: training + scoring the churn model at full scale (issue 10 target <= 60 s).

Times exactly what `c360 train` runs (`c360.commands.churn.retrain`), on a built warehouse
(the full-scale demo: 50,000 customers, 18 months) that already has the churn models in prod:

- train: reading the training and later cutoffs from `gold.churn_features_at_cutoff`, the
  spec 10.3 checks, fitting + calibrating the evaluation model, the three evaluation sets,
  permutation importance, the retrained final model, saving the artifact and writing the
  `observability.ml_*` tables;
- score: the restating build that re-scores every customer (`gold.churn_predictions`) with
  the new artifact and recomputes the marts that read it.

Before the clock starts, the copy is brought up to date with one ordinary build (untimed): a
copy made an hour after its last build would otherwise make the timed build also process
the new hour for every model, which is the hourly refresh, not training or scoring.

Wall seconds and CPU seconds (all threads of this process) are printed, with the load
average before and after: the machine is shared, and on 2 cores a load above 2 stretches
wall time while CPU time stays put. Figures are printed, never asserted (not a test).
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

from c360.commands.churn import PREDICTIONS_MODEL, retrain
from c360.core.logs import configure_logging
from c360.core.settings import Settings
from c360.pipeline.build import build

TARGET_SECONDS = 60.0


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
    caught_up = build(settings)
    if not caught_up.ok:
        raise SystemExit(f"catch-up build failed: {caught_up.error}")
    print(f"cores {os.cpu_count()}, load average {os.getloadavg()[0]:.1f} before (shared machine)")

    started, cpu = time.perf_counter(), time.process_time()
    report = retrain(settings)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        scored, versions = con.execute(
            f"SELECT count(*), count(DISTINCT model_version) FROM {PREDICTIONS_MODEL}"  # noqa: S608
        ).fetchone()

    result = report.result
    later = result.metric("later_cutoff")
    print(
        f"rows: {result.rows}; later cutoff {later.cutoffs}: ROC AUC {later.roc_auc:.3f}, "
        f"PR AUC {later.pr_auc:.3f}, prevalence {later.prevalence:.1%}"
    )
    print(f"train  {report.train_seconds:6.1f} s")
    print(
        f"score  {report.score_seconds:6.1f} s  ({scored:,} customers, {versions} model "
        f"version(s), build {report.build.action})"
    )
    verdict = "meets" if wall <= TARGET_SECONDS else "misses"
    print(
        f"total  {wall:6.1f} s wall, {cpu:.1f} s CPU ({verdict} the {TARGET_SECONDS:.0f} s target)"
    )
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    if args.keep is None:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
