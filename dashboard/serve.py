"""The script `panel serve` runs (started by `c360 serve`).

`panel serve dashboard/serve.py --args --serving-path PATH [--heartbeat FILE] [--lineage FILE]
[--semantic-model YAML] [--assistant-store FILE]`.
One `Store` (one connection per published version, one cache) is shared by every session of
the process.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd
import panel as pn

from dashboard.app import create_app
from dashboard.assistant_adapter import load_engine
from dashboard.data import Store

pn.extension("tabulator", notifications=False, sizing_mode="stretch_width")


def _options(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="dashboard")
    parser.add_argument("--serving-path", type=Path, required=True)
    parser.add_argument("--heartbeat", type=Path, default=None)
    parser.add_argument("--lineage", type=Path, default=None)
    parser.add_argument("--semantic-model", type=Path, default=None)
    parser.add_argument("--assistant-store", type=Path, default=None)
    return parser.parse_args(argv)


def _shared(options: argparse.Namespace) -> dict:
    key = ("c360-dashboard", str(options.serving_path))
    if key not in pn.state.cache:
        lineage = None
        if options.lineage and options.lineage.exists():
            lineage = pd.DataFrame(json.loads(options.lineage.read_text()))
        pn.state.cache[key] = {
            "store": Store(options.serving_path, heartbeat_path=options.heartbeat),
            "engine": load_engine(
                options.serving_path, options.semantic_model, options.assistant_store
            ),
            "lineage": lineage,
        }
    return pn.state.cache[key]


def _roles() -> frozenset[str] | None:
    """The tabs the logged-in user's role may see (None: everything, local mode)."""
    from dashboard.access import tabs_for

    return tabs_for(pn.state.user)


shared = _shared(_options(sys.argv[1:]))
create_app(shared["store"], shared["engine"], shared["lineage"], _roles()).servable()
