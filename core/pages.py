"""The page contract: fetch an object through the permission door, and the create/edit form page
(save through a service, put its refusal back on the form, show a concurrent edit beside the user's
input instead of overwriting it or asking for a reload)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from accounts.access import Action, can, restrict
from core.forms import VersionedForm, errors_to_form
from core.versioning import StaleObjectError

M = TypeVar("M", bound=Model)
F = TypeVar("F", bound=forms.BaseForm)
T = TypeVar("T")


def get_for(request: HttpRequest, model: type[M], pk: Any, action: Action = Action.VIEW, *,
            select: Iterable[str] = ()) -> M:  # fmt: skip
    """`model` `pk` as the signed-in user may see it: 404 outside their scope (it does not exist for them),
    403 when they may read it but `action` asks for more. `select` names relations to join."""
    queryset = restrict(model._default_manager.all(), request.user, Action.VIEW)
    if select:
        queryset = queryset.select_related(*select)
    obj = get_object_or_404(queryset, pk=pk)
    if action != Action.VIEW and not can(request.user, action, obj):
        raise PermissionDenied("Your role lets you read this, not change it.")
    return obj


def form_save(form: F, save: Callable[[F], T]) -> T | None:
    """Validate `form` and run `save(form)` (a service call); None when the form goes back to the user,
    with the service's errors on it, or, after a concurrent edit, with the other person's values."""
    if not form.is_valid():
        return None
    try:
        return save(form)
    except StaleObjectError as exc:
        if isinstance(form, VersionedForm):
            form.show_conflict(exc.obj)
        else:  # a form without a version field cannot take theirs; it still must not overwrite
            form.add_error(None, f"Someone else saved this {exc.obj._meta.verbose_name} while you were editing.")
    except ValidationError as exc:
        errors_to_form(form, exc)
    return None


def form_view(
    request: HttpRequest,
    form: F,
    save: Callable[[F], T],
    *,
    template: str,
    done: str | Callable[[T], str],
    after: Callable[[T], Any] | None = None,
    context: Mapping[str, Any] | None = None,
) -> HttpResponse:
    """The create/edit page: show the form; on a POST save it through `save`, say `done` (a text, formatted
    with `obj`, or a function of the saved object) and go to `after(saved)` (default: the saved object's
    page); otherwise show the form again with what went wrong."""
    if request.method == "POST":
        saved = form_save(form, save)
        if saved is not None:
            messages.success(request, done(saved) if callable(done) else done.format(obj=saved))
            target: Any = after(saved) if after else saved  # a URL, or an object with get_absolute_url
            return redirect(target)
    return render(request, template, {**(context or {}), "form": form})
