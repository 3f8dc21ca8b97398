"""Test-only fault injection: hold a process at a named point so a test can `kill -9` it there.

Off unless `C360_TEST_PAUSE_AT` names a point. Then, the first time the process reaches
that point, it writes the file named by `C360_TEST_PAUSE_MARKER` (if set) and sleeps for
`PAUSE_SECONDS` before going on, so the test that set the variables can kill it at exactly
that moment (`tests/test_pipeline_continuous.py`). Points:

- `load`: a file's rows are in bronze, its load transaction is not committed yet (loader);
- `loaded`: a burst of files is committed, its build has not started (continuous loop);
- `run`: inside the SQLMesh run, after the first model batch (build's console);
- `publish`: the new serving file is written, not yet swapped in (publish);
- `idle`: a cycle after the catch-up is over, the loop waits for files (continuous loop).

Read from the environment on purpose: the hook is not a setting, and a test reaches a
process through nothing else.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

PAUSE_AT = "C360_TEST_PAUSE_AT"
PAUSE_MARKER = "C360_TEST_PAUSE_MARKER"
#: Long enough for a test to kill the process; a forgotten one carries on afterwards.
PAUSE_SECONDS = 120.0

_reached: set[str] = set()


def pause_at(point: str) -> None:
    """Hold here if `C360_TEST_PAUSE_AT` is `point` (once per process); else do nothing."""
    if os.environ.get(PAUSE_AT) != point or point in _reached:
        return
    _reached.add(point)
    if marker := os.environ.get(PAUSE_MARKER):
        Path(marker).write_text(f"{os.getpid()} {point}\n")
    time.sleep(PAUSE_SECONDS)
