"""The API side of the permission door: scoped querysets, role checks on writes, ETags."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django.db.models import QuerySet
from rest_framework import status, viewsets
from rest_framework.exceptions import APIException, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.access import Action, can, restrict


class Conflict(APIException):
    """The request is sound but the object's state forbids it (deleting what an assessment refers to)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "This object is still in use."
    default_code = "in_use"


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "This object was changed by someone else since you read it; fetch it again."
    default_code = "stale"


def expected_version(request: Request) -> int | None:
    """The version a write is based on, from `If-Match: "<version>"` (None when absent or `*`)."""
    header = request.headers.get("If-Match", "").strip()
    if not header or header == "*":
        return None
    value = header.removeprefix("W/").strip('"')
    if not value.isdigit():
        raise PreconditionFailed(f"If-Match {header!r} is not an ETag of this API.")
    return int(value)


class ScopedModelViewSet(viewsets.ModelViewSet):
    """A ModelViewSet whose reads go through the door (404 outside scope) and whose writes need
    a role that may change the object's scope (403 for readers such as auditors)."""

    model: ClassVar[type[models.Model]]
    select_related: ClassVar[tuple[str, ...]] = ()
    prefetch_related: ClassVar[tuple[str, ...]] = ()

    def get_queryset(self) -> QuerySet[Any]:
        qs = restrict(self.model._default_manager.all(), self.request.user, Action.VIEW)
        return qs.select_related(*self.select_related).prefetch_related(*self.prefetch_related)

    def check_change(self, obj: models.Model) -> None:
        if not can(self.request.user, Action.CHANGE, obj):
            raise PermissionDenied("Your role lets you read this, not change it.")

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().retrieve(request, *args, **kwargs)
        return self._with_etag(response)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().update(request, *args, **kwargs)
        return self._with_etag(response)

    def _with_etag(self, response: Response) -> Response:
        version = response.data.get("version") if isinstance(response.data, dict) else None
        if version is not None:
            response["ETag"] = f'"{version}"'
        return response
