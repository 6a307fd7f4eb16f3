"""What the assessment pages share: the door for pages, and putting service errors on forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from accounts.access import Action, can


def get_for(request: HttpRequest, model: type[Model], pk: Any, action: Action = Action.VIEW, **related: Any) -> Any:
    """404 outside the user's scope, 403 for readers asking to change."""
    manager: Any = model._default_manager
    queryset = manager.restrict(request.user, Action.VIEW)
    if related:
        queryset = queryset.select_related(*related.get("select", ()))
    obj = get_object_or_404(queryset, pk=pk)
    if action != Action.VIEW and not can(request.user, action, obj):
        raise PermissionDenied("Your role lets you read this, not change it.")
    return obj


def errors_to_form(form: forms.BaseForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)
