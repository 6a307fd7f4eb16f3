"""GET /api/v1/assessments/{id}/compare/?with=OTHER: two assessments of one site side by side (decision 0027).

Both are read through the permission door: an assessment the caller cannot see is 404, a missing or
malformed `with` is 400, and so is an assessment of another site or the same assessment twice."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import Action
from assessments.compare import compare
from assessments.models import Assessment
from core.api.params import scoped_param
from core.http import user_of


class AssessmentCompareView(APIView):
    """SL-A of every zone and conduit in both assessments (older and newer by creation date) with the
    difference per FR (newer minus older; targets in one of them only are "added" or "removed"), the
    results whose status changed, and the findings opened and closed between them."""

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "with", OpenApiTypes.UUID, required=True, description="Another assessment of the same site."
            )
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request, pk: str) -> Response:
        visible = Assessment.objects.restrict(user_of(request), Action.VIEW).select_related("site")
        assessment = get_object_or_404(visible, pk=pk)
        other: Assessment = scoped_param(request, Assessment, "with")
        return Response(compare(assessment, other).as_api(base=assessment))
