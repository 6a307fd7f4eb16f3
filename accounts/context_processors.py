"""Template context shared by every page."""

from typing import Any

from django.http import HttpRequest

from accounts.access import Action, organizations_for


def memberships(request: HttpRequest) -> dict[str, Any]:
    """The organizations of the person logged in, for the navigation bar."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav_organizations": organizations_for(user, Action.VIEW).order_by("name")}
