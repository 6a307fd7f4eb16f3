"""GET /api/v1/assessments/{id}/changes/?since=N: what changed on an assessment's live channel after
sequence number N (decision 0037, docs/live-protocol.md).

A browser that missed messages (a gap in the numbers, a reconnect, a tab in the background) asks here
instead of reading the whole page again: the results touched since N as they are now, and the other
messages as they were sent. When the log no longer reaches back to N, or the answer would be bigger than
a reload, 410 tells it to reload."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import Action
from assessments.api.serializers import ResultSerializer
from assessments.live_changes import TooOld, changes_since, last_seq
from assessments.models import Assessment, Result
from core.http import user_of
from core.live import plain

CHANGES_RESPONSE = inline_serializer(
    "LiveChanges",
    {
        "since": serializers.IntegerField(),
        "last": serializers.IntegerField(),
        "results": ResultSerializer(many=True),
        "messages": serializers.ListField(child=serializers.DictField()),
    },
)
GONE_RESPONSE = OpenApiResponse(
    inline_serializer(
        "LiveChangesGone",
        {"detail": serializers.CharField(), "reload": serializers.BooleanField(), "last": serializers.IntegerField()},
    ),
    description="Too old (the log was pruned, or the database was reset), or too much changed: reload.",
)


def _since(request: Request) -> int:
    raw = request.query_params.get("since", "")
    try:
        since = int(raw)
    except ValueError:
        raise ValidationError({"since": ["Give since as a whole number (the last sequence number seen)."]}) from None
    if since < 0:
        raise ValidationError({"since": ["since cannot be negative."]})
    return since


def _results(assessment: Assessment, ids: list[str]) -> list[Any]:
    """The results touched, as GET /results/{id}/ shows them now, in the workspace's order."""
    if not ids:
        return []
    results = (
        Result.objects.filter(assessment=assessment, pk__in=ids)
        .select_related("requirement", "assignee", "updated_by", "assessment")
        .prefetch_related("evidence")
        .order_by("requirement__position", "zone__name", "conduit__name", "pk")
    )
    data: list[Any] = plain(ResultSerializer(results, many=True).data)
    return data


class AssessmentChangesView(APIView):
    """What changed on the assessment's live channel after sequence number `since`: the results touched
    (as GET /results/{id}/ shows them now) and the other messages as they were sent, in order."""

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "since",
                OpenApiTypes.INT,
                required=True,
                description="The last sequence number the client applied (0 or more).",
            )
        ],
        responses={
            200: CHANGES_RESPONSE,
            400: OpenApiResponse(OpenApiTypes.OBJECT, description="since is missing, not a number or negative."),
            404: OpenApiResponse(OpenApiTypes.OBJECT, description="No such assessment (for you)."),
            410: GONE_RESPONSE,
        },
    )
    def get(self, request: Request, pk: str) -> Response:
        visible = Assessment.objects.restrict(user_of(request), Action.VIEW)
        assessment = get_object_or_404(visible, pk=pk)
        since = _since(request)
        try:
            found = changes_since(assessment.pk, since)
        except TooOld:
            detail = "Too much changed since this page was loaded, or too long ago: reload the page."
            return Response(
                {"detail": detail, "reload": True, "last": last_seq(assessment.pk)}, status=status.HTTP_410_GONE
            )
        results = _results(assessment, found.result_ids)
        return Response({"since": since, "last": found.last, "results": results, "messages": found.messages})
