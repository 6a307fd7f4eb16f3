"""The page contract: fetch an object through the permission door; the create/edit form page (save through
a service, put its refusal back on the form, show a concurrent edit beside the user's input instead of
overwriting it or asking for a reload); and the one-button write (a status move, a delete) told as a message."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, TextChoices
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


def creating(service: Callable[..., T], /, **bound: Any) -> Callable[[VersionedForm], T]:
    """The `save` of a create page: `service` called with `bound` (the new object or its parent, who creates
    it), the form's model fields as `fields=` and its relations as keywords of their own."""

    def save(form: VersionedForm) -> T:
        return service(**bound, fields=form.service_fields(), **form.relations())

    return save


def updating(service: Callable[..., T], /, **bound: Any) -> Callable[[VersionedForm], T]:
    """The `save` of an edit page: as `creating`, and the version the user started from as `expected_version=`,
    so the service refuses to overwrite a concurrent edit."""

    def save(form: VersionedForm) -> T:
        return service(
            **bound, fields=form.service_fields(), **form.relations(), expected_version=form.expected_version
        )

    return save


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


def posted_version(request: HttpRequest) -> int | None:
    """The version a one-button form says its page showed (None when it sent none)."""
    version = request.POST.get("version", "")
    return int(version) if version.isdigit() else None


def button_write(
    request: HttpRequest,
    write: Callable[[], T],
    *,
    done: str | Callable[[T], str],
    stale: str = "Someone else changed this meanwhile; check the page and try again.",
) -> T | None:
    """Run a write behind a button (a status move, a delete, a re-sync) and tell how it went as a message:
    `done` (a text, or a function of what `write` returned) on success; on a concurrent edit, `stale`; when the
    service refuses, its reason. Returns what `write` returned, or None when it did not go through."""
    try:
        result = write()
    except StaleObjectError:
        messages.error(request, stale)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done(result) if callable(done) else done)
        return result
    return None


def status_move(
    request: HttpRequest,
    obj: Model,
    move: Callable[..., Any],
    statuses: type[TextChoices],
    *,
    said: Mapping[str, str] | None = None,
) -> HttpResponse:
    """A status button on `obj`'s page: `move(to=, by=, expected_version=)` (its transition service, `obj` bound)
    to the posted status, told as a message ("<Noun> moved to <status>.", or `said[status]`), then back to
    its page."""
    noun = str(obj._meta.verbose_name)
    to = request.POST.get("status", "")
    button_write(
        request,
        lambda: move(to=to, by=request.user, expected_version=posted_version(request)),
        done=lambda _: (said or {}).get(to) or f"{noun.capitalize()} moved to {statuses(to).label.lower()}.",
        stale=f"Someone else changed this {noun} meanwhile; check the page and try again.",
    )
    page: Any = obj  # a model with get_absolute_url
    return redirect(page)
