"""Query parameters that name an object: read through the door like every other read."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.shortcuts import get_object_or_404
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

from accounts.access import Action, restrict
from core.ids import is_uuid

__all__ = ["is_uuid", "scoped_param"]  # is_uuid stays importable from here for the API views


def scoped_param(request: Request, model: type[models.Model], name: str) -> Any:
    """The object whose id is the query parameter `name`: 400 when it is missing or not an id, 404 when the
    caller cannot see it (another organization's objects do not exist for them)."""
    value = request.query_params.get(name, "")
    if not is_uuid(value):
        raise ValidationError({name: [f"Give the {name} as a UUID."]})
    return get_object_or_404(restrict(model._default_manager.all(), request.user, Action.VIEW), pk=value)
