"""/api/v1/assessments/, results/ and evidence/: reads through the door, writes through the services under
the API contract of core.api (PATCH of assessments and results needs If-Match: 428 without it, 412 with a
stale one, carrying the current representation under "current")."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Count, Model, Q, QuerySet
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from assessments import live, services
from assessments.api.serializers import (
    AssessmentPatchSerializer,
    AssessmentSerializer,
    CommentSerializer,
    EvidenceCreateSerializer,
    EvidenceSerializer,
    ResultSerializer,
    ResultUpdateSerializer,
    ResyncCountsSerializer,
)
from assessments.choices import AssessmentStatus, ResultStatus
from assessments.history import result_history
from assessments.models import Assessment, Comment, Evidence, Result
from assessments.selectors import ResyncPlan, results_for, resync_counts, summary
from compliance.choices import FR_CODES
from core.api.evidence import EvidenceViewSetBase, evidence_filterset, filtered
from core.api.fields import choice_filter
from core.api.history import HistoryEntrySerializer
from core.api.rows import AssessedRowViewSet
from core.api.viewsets import ServiceViewSet
from core.versioning import StaleObjectError


def _plan_counts(plan: ResyncPlan) -> dict[str, int]:
    return {"added": len(plan.add), "retired": len(plan.retire), "restored": len(plan.restore)}


# --- assessments -----------------------------------------------------------------------------------
class AssessmentFilter(filters.FilterSet):
    site = filters.UUIDFilter()
    status = choice_filter(AssessmentStatus.values, "assessment status")

    class Meta:
        model = Assessment
        fields = ["site", "status"]


class ResultFilter(filters.FilterSet):
    zone = filters.UUIDFilter()
    conduit = filters.UUIDFilter()
    fr = choice_filter(list(FR_CODES), "foundational requirement", field_name="requirement__fr_id")
    status = choice_filter(ResultStatus.values, "result status")
    assignee = filters.UUIDFilter()
    in_scope = choice_filter(["true", "false", "all"], "in_scope value", method="filter_in_scope")

    class Meta:
        model = Result
        fields = ["zone", "conduit", "fr", "status", "assignee", "in_scope"]

    def filter_in_scope(self, queryset: QuerySet[Result], name: str, value: str) -> QuerySet[Result]:
        return queryset if value == "all" else queryset.filter(in_scope=value == "true")

    def filter_queryset(self, queryset: QuerySet[Result]) -> QuerySet[Result]:
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("in_scope"):
            queryset = queryset.filter(in_scope=True)  # what is no longer required stays out unless asked
        return queryset


RESULT_FILTER_PARAMETERS = [
    OpenApiParameter("zone", OpenApiTypes.UUID),
    OpenApiParameter("conduit", OpenApiTypes.UUID),
    OpenApiParameter("fr", OpenApiTypes.STR, enum=list(FR_CODES)),
    OpenApiParameter("status", OpenApiTypes.STR, enum=ResultStatus.values),
    OpenApiParameter("assignee", OpenApiTypes.UUID),
    OpenApiParameter(
        "in_scope", OpenApiTypes.STR, enum=["true", "false", "all"], description="Default: in-scope results only."
    ),
]


class AssessmentViewSet(ServiceViewSet):
    """Gap assessments of sites. Filter with `site` and `status`. PATCH needs If-Match."""

    model = Assessment
    serializer_class = AssessmentSerializer
    update_serializer_class = AssessmentPatchSerializer
    filterset_class = AssessmentFilter
    http_method_names = ["get", "post", "patch", "head", "options"]
    select_related = ("site", "catalogue", "lead", "signed_off_by", "created_by")
    prefetch_related = ("zones", "conduits", "team")
    create_denied = "Your role lets you read this site, not start an assessment on it."

    def get_queryset(self) -> QuerySet[Any]:
        queryset = super().get_queryset()
        if self.action in ("list", "retrieve", "create", "partial_update"):
            counted = queryset.annotate(
                result_count=Count("results", filter=Q(results__in_scope=True)),
                carried_forward_count=Count("results", filter=Q(results__in_scope=True, results__carried_forward=True)),
            )
            queryset = counted.order_by("-created", "pk")  # Meta.ordering does not survive an aggregate
        return queryset

    def parent_of(self, data: dict[str, Any], instance: Any) -> Model:
        site: Model = data.get("site") or instance.site
        return site

    def create_object(self, data: dict[str, Any]) -> Assessment:
        return services.assessment_create(
            site=data.pop("site"),
            title=data.pop("title"),
            by=self.user,
            zones=data.pop("zones", None),
            conduits=data.pop("conduits", None),
            team=data.pop("team", ()),
            **data,
        )

    def update_object(self, instance: Assessment, data: dict[str, Any], version: int | None) -> Assessment:
        data.pop("site", None)
        to = data.pop("status", None)
        reason = data.pop("reason", "")
        relations = {name: data.pop(name) for name in ("zones", "conduits", "team") if name in data}
        # One PATCH, one outcome: a refused status move also undoes the edits sent with it.
        with transaction.atomic():
            if data or relations:
                updated = services.assessment_update(
                    assessment=instance, by=self.user, fields=data, expected_version=version, **relations
                )
                version = updated.version
            if to is not None:
                services.assessment_transition(
                    assessment=instance, to=to, by=self.user, expected_version=version, reason=reason
                )
            elif not (data or relations) and version != instance.version:
                raise StaleObjectError(instance)  # nothing to write does not mean up to date
        return instance

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["get"])
    def summary(self, request: Request, pk: str | None = None) -> Response:
        """SL-T, SL-A, gap, counts by status and progress per zone and conduit in scope."""
        return Response(summary(self.get_object()).as_api())

    @extend_schema(request=None, responses={200: ResyncCountsSerializer})
    @action(detail=True, methods=["get", "post"])
    def resync(self, request: Request, pk: str | None = None) -> Response:
        """GET: what a re-sync with the current SL-Ts would do. POST: do it."""
        assessment = self.get_object()
        if request.method == "GET":
            counts = resync_counts(assessment)  # counted by the database: cheap on a large site (decision 0040)
            return Response({"added": counts.added, "retired": counts.retired, "restored": counts.restored})
        self.check_change(assessment)
        plan = services.assessment_resync(assessment=assessment, by=self.user)
        return Response(_plan_counts(plan))

    @extend_schema(parameters=RESULT_FILTER_PARAMETERS, responses={200: ResultSerializer(many=True)})
    @action(detail=True, methods=["get"], filterset_class=None)
    def results(self, request: Request, pk: str | None = None) -> Response:
        """The assessment's results in catalogue order, paginated; filter with zone, conduit, fr,
        status, assignee, in_scope."""
        rows = filtered(ResultFilter, request, results_for(self.get_object()))
        # A tie-breaker after the catalogue order keeps pages stable (one item has several targets).
        page = self.paginate_queryset(rows.order_by("requirement__position", "zone__name", "conduit__name", "pk"))
        data = ResultSerializer(page, many=True, context=self.get_serializer_context()).data
        return self.get_paginated_response(data)


# --- results ---------------------------------------------------------------------------------------
@extend_schema_view(
    history=extend_schema(responses={200: HistoryEntrySerializer(many=True)}),
    comments=extend_schema(
        request=CommentSerializer, responses={200: CommentSerializer(many=True), 201: CommentSerializer}
    ),
)
class ResultViewSet(AssessedRowViewSet):
    """One result: read, PATCH (If-Match), its history and its comments (no list: results are read per
    assessment)."""

    model = Result
    serializer_class = ResultSerializer
    update_serializer_class = ResultUpdateSerializer
    select_related = ("requirement", "assignee", "updated_by", "assessment")
    prefetch_related = ("evidence",)
    comment_model = Comment
    comment_serializer_class = CommentSerializer

    def update_object(self, instance: Result, data: dict[str, Any], version: int | None) -> Result:
        evidence = data.pop("evidence", None)
        return services.result_update(
            result=instance, by=self.user, fields=data, evidence=evidence, expected_version=version
        )

    def represent_row(self, obj: Result) -> dict[str, Any]:
        return live.represent(obj)

    def change_log(self, obj: Result) -> list[dict[str, Any]]:
        return result_history(obj)

    def add_comment(self, obj: Result, body: str) -> Comment:
        return services.comment_add(result=obj, author=self.user, body=body)


# --- evidence --------------------------------------------------------------------------------------
@extend_schema_view(create=extend_schema(request={"multipart/form-data": EvidenceCreateSerializer}))
class EvidenceViewSet(EvidenceViewSetBase):
    """Evidence files and references. Filter with `assessment` or `result`. Upload as multipart.
    Evidence has no version: its PATCH needs no If-Match."""

    model = Evidence
    serializer_class = EvidenceSerializer
    create_serializer_class = EvidenceCreateSerializer
    filterset_class = evidence_filterset(Evidence)

    def add_evidence(self, **kwargs: Any) -> Evidence:
        return services.evidence_add(**kwargs)

    def update_evidence(self, evidence: Evidence, fields: dict[str, Any], results: Any) -> Evidence:
        return services.evidence_update(evidence=evidence, by=self.user, fields=fields, results=results)
