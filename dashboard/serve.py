"""The script `panel serve` runs (started by `c360 serve`).

`panel serve dashboard/serve.py --args --serving-path PATH [--heartbeat FILE] [--lineage FILE]
[--semantic-model YAML] [--assistant-store FILE]`.
One `Store` (one connection per published version, one cache) is shared by every session of
the process.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
from pathlib import Path

import pandas as pd
import panel as pn
from panel.io.resources import get_dist_path

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
        # What the process loaded once (store, assistant vocabulary, Panel itself) stays for
        # its lifetime: keep it out of the collector's full passes, which every session's
        # thousands of new objects would otherwise trigger over it again and again.
        gc.freeze()
    return pn.state.cache[key]


def _roles() -> frozenset[str] | None:
    """The tabs the logged-in user's role may see (None: everything, local mode)."""
    from dashboard.access import tabs_for

    return tabs_for(pn.state.user)


def _local_stylesheets() -> None:
    """Point the session's stylesheets at this server, not Panel's CDN.

    Panel sets the document's `dist_url` when it serves the page (its DocHandler); every
    model created afterwards takes its CSS URLs from it. A session can also be built by a
    websocket that arrived without a page request in this process: another `c360 serve`
    worker served the page (the workers share the port), or a Bokeh client
    (`pull_session`). Without `dist_url` such a session loads its CSS from
    cdn.holoviz.org, which an offline machine cannot reach: unstyled widgets."""
    doc = pn.state.curdoc
    if doc is not None and doc.session_context is not None:
        doc.template_variables.setdefault("dist_url", get_dist_path(cdn=False))


_local_stylesheets()
shared = _shared(_options(sys.argv[1:]))
create_app(shared["store"], shared["engine"], shared["lineage"], _roles()).servable()
