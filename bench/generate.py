"""Benchmark: full-scale portfolio generation (issue 2 target: <= 30 s wall, <= 3 GiB RSS).

Runs the real `c360 generate` in a child process so the figures include start-up,
and reads the child's peak RSS from the kernel (RUSAGE_CHILDREN). Prints figures;
it is not a test and never fails on a slow machine.

    .venv/bin/python bench/generate.py [--customers 50000] [--format csv] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_SECONDS = 30.0
TARGET_RSS_GIB = 3.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--format", default="csv", choices=("csv", "parquet"))
    parser.add_argument("--as-of", default="2026-11-27")
    parser.add_argument("--keep", type=Path, help="generate into this folder and keep it")
    args = parser.parse_args()

    target = args.keep or Path(tempfile.mkdtemp(prefix="c360-bench-"))
    c360 = Path(sys.executable).with_name("c360")
    command = [
        str(c360),
        "--log-level",
        "WARNING",
        "generate",
        "--customers",
        str(args.customers),
        "--format",
        args.format,
        "--as-of",
        args.as_of,
        "--data-dir",
        str(target),
    ]
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    peak_gib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024**2
    if result.returncode:
        sys.exit(f"generate failed:\n{result.stderr}")

    files = [p for p in (target / "landing").rglob("*") if p.is_file()]
    size = sum(p.stat().st_size for p in files)
    rows = (
        sum(
            sum(1 for _ in p.open("rb")) - 1
            for p in files
            if p.suffix == ".csv" and "transactions" in p.parts
        )
        if args.format == "csv"
        else None
    )

    print(
        f"machine          : {platform.processor() or platform.machine()}, {os.cpu_count()} cores"
    )
    print(f"command          : {' '.join(command[1:])}")
    print(f"customers        : {args.customers:,}")
    if rows is not None:
        print(f"transaction rows : {rows:,} (incl. injected defects)")
    print(f"files / size     : {len(files)} / {size / 1024**3:.2f} GiB")
    print(f"wall time        : {wall:.1f} s   (target <= {TARGET_SECONDS:.0f} s)")
    print(f"peak RSS         : {peak_gib:.2f} GiB (target <= {TARGET_RSS_GIB:.0f} GiB)")
    print(f"throughput       : {(rows or 0) / wall:,.0f} rows/s")
    if not args.keep:
        shutil.rmtree(target, ignore_errors=True)


if __name__ == "__main__":
    main()
