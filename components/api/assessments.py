"""/api/v1/component-assessments/, component-results/ and component-evidence/: reads through the door, writes
through the services under the API contract of core.api (PATCH needs If-Match: 428 without it, 412 with a
stale one; apply takes an optional If-Match)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Model, QuerySet
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from compliance.choices import FR_CODES, Kind, ResultStatus
from components import live, selectors
from components.api.assessment_serializers import (
    ComponentAssessmentPatchSerializer,
    ComponentAssessmentSerializer,
    ComponentCommentSerializer,
    ComponentEvidenceCreateSerializer,
    ComponentEvidenceSerializer,
    ComponentResultSerializer,
    ComponentResultUpdateSerializer,
)
from components.choices import ComponentAssessmentStatus, ResultSource
from components.history import component_result_history
from components.models import ComponentAssessment, ComponentComment, ComponentEvidence, ComponentResult
from components.services import assessments as assessment_services
from components.services import results as result_services
from core.api.errors import expected_version
from core.api.evidence import EvidenceViewSetBase, evidence_filterset, filtered
from core.api.fields import choice_filter
from core.api.history import HistoryEntrySerializer
from core.api.rows import AssessedRowViewSet
from core.api.viewsets import ServiceViewSet

# The kinds of 4-2 items (a CR, a component-type item, an RE of either).
KINDS = [Kind.CR, Kind.SAR, Kind.EDR, Kind.HDR, Kind.NDR, Kind.RE]


class ComponentAssessmentFilter(filters.FilterSet):
    product = filters.UUIDFilter()
    status = choice_filter(ComponentAssessmentStatus.values, "assessment status")

    class Meta:
        model = ComponentAssessment
        fields = ["product", "status"]


class ComponentResultFilter(filters.FilterSet):
    fr = choice_filter(list(FR_CODES), "foundational requirement", field_name="requirement__fr_id")
    status = choice_filter(ResultStatus.values, "result status")
    kind = choice_filter(KINDS, "requirement kind", field_name="requirement__kind")
    source = choice_filter(ResultSource.values, "result source")

    class Meta:
        model = ComponentResult
        fields = ["fr", "status", "kind", "source"]


class ComponentAssessmentViewSet(ServiceViewSet):
    """Component assessments (IEC 62443-4-2) of the organization's products. Filter with `product` and
    `status`. PATCH (the title) needs If-Match."""

    model = ComponentAssessment
    serializer_class = ComponentAssessmentSerializer
    update_serializer_class = ComponentAssessmentPatchSerializer
    filterset_class = ComponentAssessmentFilter
    http_method_names = ["get", "post", "patch", "head", "options"]
    select_related = ("product", "catalogue", "created_by", "applied_by")
    create_denied = "Your role lets you read this product, not assess it."

    def get_queryset(self) -> QuerySet[Any]:
        queryset = super().get_queryset()
        if self.action in ("list", "retrieve"):
            queryset = queryset.annotate(result_count=Count("results")).order_by("-created", "pk")
        return queryset

    def parent_of(self, data: dict[str, Any], instance: Any) -> Model:
        product: Model = data.get("product") or instance.product
        return product

    def create_object(self, data: dict[str, Any]) -> ComponentAssessment:
        return assessment_services.component_assessment_create(
            product=data["product"], title=data["title"], by=self.user, sl_target=data.get("sl_target")
        )

    def update_object(self, instance: ComponentAssessment, data: dict[str, Any], version: int | None) -> Any:
        return assessment_services.component_assessment_rename(
            assessment=instance, title=data["title"], by=self.user, expected_version=version
        )

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["get"])
    def summary(self, request: Request, pk: str | None = None) -> Response:
        """SL-C per FR (compliance.sl's SL-A arithmetic over the component type's items; items above the
        target and not assessed count as not satisfied), counts by status, per FR, the target."""
        return Response(selectors.component_summary(self.get_object()).as_api())

    @extend_schema(
        request=None,
        parameters=[OpenApiParameter("If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False)],
        responses={200: OpenApiTypes.OBJECT},
    )
    @action(detail=True, methods=["post"])
    def apply(self, request: Request, pk: str | None = None) -> Response:
        """Set the product's SL-C to the derived one (source: our own assessment). If-Match is optional;
        a stale one is 412."""
        assessment = self.get_object()
        self.check_change(assessment)
        product = assessment_services.component_assessment_apply(
            assessment=assessment, by=self.user, expected_version=expected_version(request)
        )
        capability = product.sl_capability.to_dict() if product.sl_capability is not None else None
        return Response(
            {
                "product": str(product.pk),
                "sl_capability": capability,
                "sl_capability_source": product.sl_capability_source,
                "sl_capability_note": product.sl_capability_note,
                "assessment": self.represent(assessment)[0],
            }
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("fr", OpenApiTypes.STR, enum=list(FR_CODES)),
            OpenApiParameter("status", OpenApiTypes.STR, enum=ResultStatus.values),
            OpenApiParameter("kind", OpenApiTypes.STR, enum=KINDS),
            OpenApiParameter("source", OpenApiTypes.STR, enum=ResultSource.values),
        ],
        responses={200: ComponentResultSerializer(many=True)},
    )
    @action(detail=True, methods=["get"], filterset_class=None)
    def results(self, request: Request, pk: str | None = None) -> Response:
        """The results in catalogue order, paginated; filter with fr, status, kind, source."""
        page = self.paginate_queryset(
            filtered(ComponentResultFilter, request, selectors.results_for(self.get_object()))
        )
        data = ComponentResultSerializer(page, many=True, context=self.get_serializer_context()).data
        return self.get_paginated_response(data)


@extend_schema_view(
    history=extend_schema(responses={200: HistoryEntrySerializer(many=True)}),
    comments=extend_schema(
        request=ComponentCommentSerializer,
        responses={200: ComponentCommentSerializer(many=True), 201: ComponentCommentSerializer},
    ),
)
class ComponentResultViewSet(AssessedRowViewSet):
    """One component result: read, PATCH (If-Match; status, source, texts, assignee, evidence), its history
    and comments (no list: results are read per assessment)."""

    model = ComponentResult
    serializer_class = ComponentResultSerializer
    update_serializer_class = ComponentResultUpdateSerializer
    select_related = ("requirement", "assignee", "updated_by", "assessment")
    prefetch_related = ("evidence",)
    comment_model = ComponentComment
    comment_serializer_class = ComponentCommentSerializer

    def update_object(self, instance: ComponentResult, data: dict[str, Any], version: int | None) -> Any:
        evidence = data.pop("evidence", None)
        return result_services.component_result_update(
            result=instance, by=self.user, fields=data, evidence=evidence, expected_version=version
        )

    def represent_row(self, obj: ComponentResult) -> dict[str, Any]:
        return live.represent(obj)

    def change_log(self, obj: ComponentResult) -> list[dict[str, Any]]:
        return component_result_history(obj)

    def add_comment(self, obj: ComponentResult, body: str) -> ComponentComment:
        return result_services.component_comment_add(result=obj, author=self.user, body=body)


@extend_schema_view(create=extend_schema(request={"multipart/form-data": ComponentEvidenceCreateSerializer}))
class ComponentEvidenceViewSet(EvidenceViewSetBase):
    """Evidence of component assessments. Filter with `assessment` or `result`. Upload as multipart."""

    model = ComponentEvidence
    serializer_class = ComponentEvidenceSerializer
    create_serializer_class = ComponentEvidenceCreateSerializer
    filterset_class = evidence_filterset(ComponentEvidence)

    def add_evidence(self, **kwargs: Any) -> ComponentEvidence:
        return result_services.component_evidence_add(**kwargs)

    def update_evidence(self, evidence: ComponentEvidence, fields: dict[str, Any], results: Any) -> ComponentEvidence:
        return result_services.component_evidence_update(
            evidence=evidence, by=self.user, fields=fields, results=results
        )
