"""Who sees which tab: roles of spec 6 (marketing_manager, data_analyst, data_engineer).

Default local mode has no login (one user, bound to 127.0.0.1): every tab. With a login
(`c360 serve --users FILE`, Panel basic auth) each user has a role; `authorize_callback`
(set in `dashboard/auth_setup.py`, the `--setup` script) refuses unknown users, and the app
shows only the role's tabs.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

ROLE_TABS: dict[str, frozenset[str]] = {
    # gold views only: no Pipeline Health
    "marketing_manager": frozenset({"segments", "customer", "assistant", "campaigns"}),
    "data_analyst": frozenset({"segments", "customer", "assistant", "campaigns", "health"}),
    "data_engineer": frozenset({"segments", "customer", "assistant", "campaigns", "health"}),
}
#: Set by `c360 serve --users FILE`: {"user": {"password": "...", "role": "data_analyst"}}.
USERS_ENV = "C360_DASHBOARD_USERS_FILE"


def load_users(path: Path | None = None) -> dict[str, dict]:
    path = path or (Path(os.environ[USERS_ENV]) if os.environ.get(USERS_ENV) else None)
    if path is None:
        return {}
    users = json.loads(Path(path).read_text())
    for name, entry in users.items():
        if entry.get("role") not in ROLE_TABS:
            raise ValueError(f"user {name!r}: role must be one of {sorted(ROLE_TABS)}")
    return users


def role_of(user: str | None, users: dict[str, dict]) -> str | None:
    return users.get(user, {}).get("role") if user else None


def tabs_for(user: str | None, users: dict[str, dict] | None = None) -> frozenset[str] | None:
    """The tabs `user` may see; None = all (local mode, no login configured)."""
    users = load_users() if users is None else users
    if not users:
        return None
    role = role_of(user, users)
    return ROLE_TABS.get(role, frozenset()) if role else frozenset()


def authorized(user: str | None, users: dict[str, dict] | None = None) -> bool:
    users = load_users() if users is None else users
    return not users or role_of(user, users) is not None
