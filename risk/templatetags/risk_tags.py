"""Template filters of the risk pages."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def person(user: Any, empty: str = "—") -> str:
    """A person's full name, else their username; `empty` for nobody."""
    if user is None or user == "":
        return empty
    return str(user.get_full_name() or user.get_username())
