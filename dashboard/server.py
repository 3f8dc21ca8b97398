"""`python -m dashboard.server <panel serve arguments>`: `panel serve`, its port bound with
SO_REUSEPORT, so that several of these processes can listen on one port (`c360 serve
--workers N` starts N).

Why not `panel serve --num-procs N`: it forks N processes over one shared listening socket,
and the process that wakes first accepts every pending connection of a burst (tornado
accepts up to 128 per wake-up). Measured with 20 sessions opened at once: one process built
18 of them while the other idled, and p95 session-ready stayed at 3.5 s — the same as one
process. With SO_REUSEPORT every process has its own listening socket on the same port and
the kernel spreads new connections over them (by a hash of the client's address and port),
and the two processes of a 2-core machine share the burst. A session still lives
in one process, on its websocket; a browser's page request and its websocket may reach
different processes, which Bokeh handles as with --num-procs (the websocket's process builds
the session from the signed session token).
"""

from __future__ import annotations

import functools
import sys

import tornado.netutil


def main(argv: list[str] | None = None) -> None:
    # Bokeh binds through tornado.netutil.bind_sockets (bokeh.server.util.bind_sockets)
    tornado.netutil.bind_sockets = functools.partial(tornado.netutil.bind_sockets, reuse_port=True)
    from panel.command import main as panel_main

    sys.argv = ["panel", "serve", *(sys.argv[1:] if argv is None else argv)]
    panel_main()


if __name__ == "__main__":
    main()
