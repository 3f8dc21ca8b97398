"""Is another c360 process (a watcher, a publisher) still alive? Used to tell a live
heartbeat or temporary file from one a `kill -9` left behind."""

from __future__ import annotations

import os


def process_alive(pid: int) -> bool:
    """True when a process with `pid` exists (also when it belongs to another user)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
