"""`panel serve --setup` script: only users with a role may open the dashboard.

`pn.config.authorize_callback` must be set here (inside the app it is session-local).
"""

from __future__ import annotations

import panel as pn

from dashboard.access import authorized, load_users

_USERS = load_users()


def _authorize(user_info: dict, request_path: str) -> bool:
    return authorized((user_info or {}).get("user") or (user_info or {}).get("username"), _USERS)


pn.config.authorize_callback = _authorize
