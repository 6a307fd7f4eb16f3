"""The endpoint of one assessed row (a gap result, a component result): read, PATCH under If-Match on the
hot path of live editing, its change log and its comment thread. The domain viewset names its model, its
comment model and serializer, and the services; the machinery is here once."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db.models import Model
from django.http import Http404
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import get_object_or_404
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.access import Action, restrict
from core.api.errors import with_etag
from core.api.history import HistoryEntrySerializer
from core.api.viewsets import ScopedViewSet, ServiceUpdateMixin


class AssessedRowViewSet(ServiceUpdateMixin, ScopedViewSet):
    """One result: GET, PATCH (If-Match), `history/` (newest first) and `comments/` (GET, POST). Declare
    `comment_model`, `comment_serializer_class`, `change_log(obj)`, `add_comment(obj, body)` and
    `represent_row(obj)` (the live message's representation, which the PATCH answers with)."""

    http_method_names = ["get", "post", "patch", "head", "options"]
    comment_model: ClassVar[type[Model]]
    comment_serializer_class: ClassVar[type[serializers.ModelSerializer[Any]]]

    def change_log(self, obj: Any) -> list[dict[str, Any]]:
        raise NotImplementedError

    def add_comment(self, obj: Any, body: str) -> Model:
        raise NotImplementedError

    def represent_row(self, obj: Any) -> dict[str, Any]:
        raise NotImplementedError

    def get_object_for_change(self) -> Any:
        # The hot path of live editing: one read through the door for change; only when that finds
        # nothing does a second read tell "not yours to change" (403) from "not there" (404).
        try:
            changeable = restrict(self.model._default_manager.all(), self.request.user, Action.CHANGE)
            return get_object_or_404(changeable, pk=self.kwargs["pk"])
        except Http404:
            self.check_change(self.get_object())  # 404 when they cannot even see it
            raise PermissionDenied(self.change_denied) from None

    def saved(self, obj: Model, status_code: int = status.HTTP_200_OK) -> Response:
        # The saved row itself, not a second read through the door: it was checked above. The live
        # message already serialized it for this version.
        return with_etag(Response(self.represent_row(obj), status=status_code), getattr(obj, "version", None))

    @action(detail=True, methods=["get"], pagination_class=None)
    def history(self, request: Request, pk: str | None = None) -> Response:
        """Who changed what and when, newest first."""
        return Response(HistoryEntrySerializer(self.change_log(self.get_object()), many=True).data)

    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def comments(self, request: Request, pk: str | None = None) -> Response:
        """The result's thread, oldest first; POST adds to it."""
        row = self.get_object()
        if request.method == "GET":
            comments = restrict(self.comment_model._default_manager.all(), request.user, Action.VIEW)
            rows = comments.filter(result=row).select_related("author")
            return Response(self.comment_serializer_class(rows, many=True).data)
        self.check_change(row)
        serializer = self.comment_serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        comment = self.add_comment(row, serializer.validated_data["body"])
        return Response(self.comment_serializer_class(comment).data, status=status.HTTP_201_CREATED)
