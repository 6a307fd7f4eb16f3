"""Requests whose user is known to be signed in, typed as such (pages behind login_required, API views
behind IsAuthenticated), so code that records who did something needs no cast."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest
from rest_framework.request import Request

if TYPE_CHECKING:
    from accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """A page request behind `login_required`: `request.user` is a `User`, never anonymous."""

    user: User


def user_of(request: HttpRequest | Request) -> User:
    """The signed-in user of a request that has passed authentication (pages and API alike)."""
    user = request.user
    if not user.is_authenticated:  # the views guard this; reaching here anonymously is a bug
        raise PermissionError("This request has no signed-in user.")
    return user
