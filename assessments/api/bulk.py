"""POST /api/v1/assessments/{id}/results/bulk/: set status, assignee or a not-applicable justification on
many results at once, all or nothing (decision 0028; the service is assessments.bulk).

Each selected result carries the version the client read, in the body, since one If-Match header cannot
name hundreds of versions. A stale one is 412 naming every stale result with its current version and
representation; results of another assessment, an unknown field or more than BULK_LIMIT results are 400.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import set_rollback

from assessments import live
from assessments.api.serializers import ResultSerializer
from assessments.bulk import BulkItem, BulkStale, results_bulk_update
from assessments.choices import ResultStatus
from assessments.models import Assessment
from core.api.errors import STALE_DETAIL
from core.api.fields import MemberField, StrictFieldsMixin, choice_field
from core.api.viewsets import ScopedViewSet


class BulkItemSerializer(StrictFieldsMixin, serializers.Serializer[Any]):
    id = serializers.UUIDField()
    version = serializers.IntegerField(min_value=1, help_text="The version (ETag) the client read.")


class BulkSetSerializer(StrictFieldsMixin, serializers.Serializer[Any]):
    """What to set on every selected result; leave out what stays as it is."""

    status = choice_field(ResultStatus.values, "result status", required=False)
    assignee = MemberField(required=False, allow_null=True)
    justification = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)


class BulkEditSerializer(StrictFieldsMixin, serializers.Serializer[Any]):
    results = BulkItemSerializer(many=True, help_text="The selected results and the versions read.")
    set = BulkSetSerializer()

    def validate(self, attrs: Any) -> Any:
        # A nested serializer never sees the keys it was sent: refuse unknown ones here, so that a field
        # the bulk edit does not set (observations, say) is a 400 and not silently dropped.
        raw = getattr(self, "initial_data", None) or {}
        sent = raw.get("set") if hasattr(raw, "get") else None
        unknown = sorted(set(sent) - set(BulkSetSerializer().fields)) if isinstance(sent, dict) else []
        if unknown:
            allowed = ", ".join(BulkSetSerializer().fields)
            raise serializers.ValidationError(
                {"set": [f"Unknown fields: {', '.join(unknown)} (a bulk edit sets {allowed})."]}
            )
        return super().validate(attrs)


class BulkResultView(ScopedViewSet):
    """Bulk edit of an assessment's results: the assessment is read through the door (404 outside the
    caller's scope), changing it needs Action.CHANGE (403 for auditors)."""

    model = Assessment

    @extend_schema(
        request=BulkEditSerializer,
        responses={
            200: inline_serializer("BulkEditDone", {"results": ResultSerializer(many=True)}),
            400: OpenApiResponse(description="An unknown field, results of another assessment, a rule of the "
                                             "single edit broken, or more than 2,000 results. Nothing was saved."),
            412: inline_serializer(
                "BulkEditStale",
                {
                    "detail": serializers.CharField(),
                    "stale": inline_serializer(
                        "BulkEditStaleItem", {"id": serializers.UUIDField(), "version": serializers.IntegerField()},
                        many=True,
                    ),
                    "current": ResultSerializer(many=True),
                },
            ),
        },
    )  # fmt: skip
    def create(self, request: Request, pk: str | None = None) -> Response:
        """Set `set` on every result in `results`, each with the version read: all or nothing."""
        assessment = self.get_object_for_change()
        serializer = BulkEditSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        items = [BulkItem(id=item["id"], version=item["version"]) for item in data["results"]]
        try:
            saved = results_bulk_update(assessment=assessment, items=items, fields=dict(data["set"]), by=self.user)
        except BulkStale as exc:
            set_rollback()
            body = {
                "detail": STALE_DETAIL,
                "stale": [{"id": str(r.pk), "version": r.version} for r in exc.stale],
                "current": ResultSerializer(exc.stale, many=True).data,
            }
            return Response(body, status=status.HTTP_412_PRECONDITION_FAILED)
        return Response({"results": [live.represent(r) for r in saved]})
