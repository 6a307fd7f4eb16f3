"""The panels under an assessed row of a workspace (a gap result, a component result): its comment thread and
what its evidence panel shares, whatever is assessed. The domain view fetches the row through the door,
decides who may write (a signed-off gap assessment is read-only) and names the service; the form handling,
the refusal status and the upload limits are here once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core.forms import CommentForm, EvidenceForm, errors_to_form
from core.uploads import allowed_extensions, max_megabytes

M = TypeVar("M", bound=Model)


def refused_status(request: HttpRequest) -> int:
    """The status of a refused panel action: the panel (with the reason in words) for htmx, 400 otherwise.

    htmx swaps only 2xx answers by default, and the browser logs every 4xx as a console error; the
    refusal is the expected answer to the panel's form, so the panel comes back whole and says why.
    """
    return 200 if request.headers.get("HX-Request") == "true" else 400


def upload_limits() -> dict[str, Any]:
    """What an upload form shows and checks in the browser before sending: the size limit and the types."""
    return {
        "max_mb": max_megabytes(),
        "max_bytes": settings.EVIDENCE_MAX_BYTES,
        "extensions": ", ".join(allowed_extensions()),
    }


def comments_panel(
    request: HttpRequest,
    row: Any,
    *,
    can_comment: bool,
    add: Callable[[str], Model],
    post_url: str | None = None,
) -> HttpResponse:
    """A row's thread (assessments/_comments.html), oldest first; a POST adds to it through `add(body)`
    (the domain's service, which may refuse with ValidationError: the reasons go on the form). `post_url`
    is where the form posts when it is not the gap result's own URL."""
    form = CommentForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not can_comment:
            return HttpResponse("Your role lets you read comments, not write them.", status=403)
        if form.is_valid():
            try:
                add(form.cleaned_data["body"])
            except ValidationError as exc:
                errors_to_form(form, exc)
                status = refused_status(request)
            else:
                form = CommentForm()
        else:
            status = refused_status(request)
    context = {
        "result": row,
        "comments": row.comments.select_related("author"),
        "form": form,
        "can_comment": can_comment,
        "post_url": post_url,
    }
    return render(request, "assessments/_comments.html", context, status=status)


def evidence_from_form(form: EvidenceForm, add: Callable[..., M], **where: Any) -> M | None:
    """Store the evidence the upload `form` describes through the service `add` (given `where`: assessment,
    by, results); None when the form or the service refuses it, the reasons on the form."""
    if not form.is_valid():
        return None
    try:
        return add(
            file=form.cleaned_data.get("file"),
            reference=form.cleaned_data.get("reference") or "",
            description=form.cleaned_data.get("description") or "",
            expires=form.cleaned_data.get("expires"),
            **where,
        )
    except ValidationError as exc:
        errors_to_form(form, exc)
        return None
