"""How people are named wherever the platform shows who did something (pages, API, histories, exports)."""

from __future__ import annotations

from typing import Any


def person_name(user: Any) -> str:
    """Full name, else user name; "" for nobody."""
    if user is None:
        return ""
    return str(user.get_full_name() or user.get_username())
