"""/api/v1/frameworks/ (any signed-in user, like the catalogue) and /api/v1/assessments/{id}/coverage/
(through the permission door: another organization's assessment is 404)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import Action
from alignment.api.serializers import FrameworkSerializer, coverage_data, framework_brief, item_data
from alignment.models import Framework
from alignment.selectors import coverage_for, frameworks, item_rows
from assessments.models import Assessment
from core.http import user_of


class FrameworkViewSet(viewsets.ReadOnlyModelViewSet[Framework]):
    """The frameworks mapped onto IEC 62443-3-3 (NIS2, NERC CIP, TSA, NIST CSF 2.0, ISO/IEC 27001 Annex A)."""

    serializer_class = FrameworkSerializer
    lookup_field = "key"
    lookup_value_regex = r"[a-z0-9-]+"
    pagination_class = None  # a handful of frameworks

    def get_queryset(self) -> QuerySet[Framework]:
        return frameworks()

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["get"])
    def items(self, request: Request, key: str) -> Response:
        """Every item of the framework in its own order, with its mappings (relationship, the 62443-3-3 ids,
        rationale, source key) or, for an item outside 62443-3-3's reach, why nothing maps."""
        framework = self.get_object()
        rows = item_rows(framework)
        return Response(
            {
                "framework": framework_brief(framework),
                "count": len(rows),
                "results": [item_data(row) for row in rows],
            }
        )


def framework_param(request: Request) -> Framework:
    """The framework named by `?framework=KEY`: 400 with a field error when it is missing or unknown."""
    key = request.query_params.get("framework", "").strip()
    if not key:
        raise ValidationError({"framework": ["Give a framework key, e.g. ?framework=nis2."]})
    framework = Framework.objects.filter(key=key).first()
    if framework is None:
        known = ", ".join(Framework.objects.values_list("key", flat=True)) or "none loaded"
        raise ValidationError({"framework": [f"Unknown framework {key!r} (known: {known})."]})
    return framework


class AssessmentCoverageView(APIView):
    """How far the assessment covers one framework: per framework item, its mapped in-scope results and their
    statuses, and its coverage (covered, partial, not_covered, not_assessed, out_of_scope, no_counterpart;
    decision 0031), with the number of items of each coverage at the top."""

    @extend_schema(
        parameters=[OpenApiParameter("framework", str, required=True, description="A framework key, e.g. nis2.")],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request, pk: str) -> Response:
        assessment = get_object_or_404(Assessment.objects.restrict(user_of(request), Action.VIEW), pk=pk)
        framework = framework_param(request)
        return Response(coverage_data(assessment, coverage_for(assessment, framework)))
