"""/api/v1/assessments/, results/ and evidence/: reads through the door, writes through the services.

Results and assessments are edited by several people at once, so their PATCH needs `If-Match`
(428 without it, 412 with a stale one; the 412 carries the current representation under "current").
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Count, Model, Q, QuerySet
from django.http import FileResponse, Http404
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, NotFound, PermissionDenied, ValidationError
from rest_framework.generics import get_object_or_404
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from accounts.access import Action, can
from accounts.api.viewsets import ScopedModelViewSet, expected_version
from assessments import live, services
from assessments.api.serializers import (
    AssessmentPatchSerializer,
    AssessmentSerializer,
    CommentSerializer,
    EvidenceCreateSerializer,
    EvidenceSerializer,
    HistoryEntrySerializer,
    ResultSerializer,
    ResultUpdateSerializer,
    ResyncCountsSerializer,
)
from assessments.choices import AssessmentStatus, ResultStatus
from assessments.evidence_files import EvidenceTooLarge, evidence_file_response
from assessments.history import result_history
from assessments.models import Assessment, Comment, Evidence, Result
from assessments.selectors import ResyncPlan, results_for, resync_plan, summary
from compliance.choices import FR_CODES
from core.versioning import StaleObjectError


class PreconditionRequired(APIException):
    status_code = 428
    default_detail = 'This write needs an If-Match header with the ETag you read (e.g. If-Match: "3").'
    default_code = "precondition_required"


class PayloadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The upload is too large."
    default_code = "too_large"


def required_version(request: Request) -> int:
    """The version from If-Match; where two people edit one row at once it is not optional."""
    version = expected_version(request)
    if version is None:
        raise PreconditionRequired()
    return version


def with_etag(response: Response, version: int) -> Response:
    response["ETag"] = f'"{version}"'
    return response


def stale(current: dict[str, Any], version: int) -> Response:
    """412 with what is saved now, so the client can show the other person's change."""
    body = {"detail": "Someone else changed this since you read it; nothing was saved.", "current": current}
    return with_etag(Response(body, status=status.HTTP_412_PRECONDITION_FAILED), version)


def check_change(request: Request, obj: Model) -> None:
    if not can(request.user, Action.CHANGE, obj):
        raise PermissionDenied("Your role lets you read this, not change it.")


def _choice_filter(values: list[str], noun: str, **kwargs: Any) -> filters.ChoiceFilter:
    message = f"%(value)s is not a valid {noun}; use one of: {', '.join(values)}."
    return filters.ChoiceFilter(choices=[(v, v) for v in values], error_messages={"invalid_choice": message}, **kwargs)


def _plan_counts(plan: ResyncPlan) -> dict[str, int]:
    return {"added": len(plan.add), "retired": len(plan.retire), "restored": len(plan.restore)}


# --- assessments -----------------------------------------------------------------------------------
class AssessmentFilter(filters.FilterSet):
    site = filters.UUIDFilter()
    status = _choice_filter(AssessmentStatus.values, "assessment status")

    class Meta:
        model = Assessment
        fields = ["site", "status"]


class ResultFilter(filters.FilterSet):
    zone = filters.UUIDFilter()
    conduit = filters.UUIDFilter()
    fr = _choice_filter(list(FR_CODES), "foundational requirement", field_name="requirement__fr_id")
    status = _choice_filter(ResultStatus.values, "result status")
    assignee = filters.UUIDFilter()
    in_scope = _choice_filter(["true", "false", "all"], "in_scope value", method="filter_in_scope")

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


class AssessmentViewSet(ScopedModelViewSet):
    """Gap assessments of sites. Filter with `site` and `status`. PATCH needs If-Match."""

    model = Assessment
    serializer_class = AssessmentSerializer
    filterset_class = AssessmentFilter
    http_method_names = ["get", "post", "patch", "head", "options"]
    select_related = ("site", "catalogue", "lead", "signed_off_by", "created_by")
    prefetch_related = ("zones", "conduits", "team")

    def get_queryset(self) -> QuerySet[Any]:
        queryset = super().get_queryset()
        if self.action in ("list", "retrieve", "create", "partial_update"):
            counted = queryset.annotate(result_count=Count("results", filter=Q(results__in_scope=True)))
            queryset = counted.order_by("-created", "pk")  # Meta.ordering does not survive an aggregate
        return queryset

    def get_serializer_class(self) -> type[BaseSerializer[Any]]:
        return AssessmentPatchSerializer if self.action == "partial_update" else AssessmentSerializer

    def _represent(self, pk: Any) -> tuple[dict[str, Any], int]:
        assessment = self.get_queryset().get(pk=pk)
        return dict(AssessmentSerializer(assessment, context=self.get_serializer_context()).data), assessment.version

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = AssessmentSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        site = data.pop("site")
        if not can(request.user, Action.CHANGE, site):
            raise PermissionDenied("Your role lets you read this site, not start an assessment on it.")
        assessment = services.assessment_create(
            site=site,
            title=data.pop("title"),
            by=request.user,  # type: ignore[arg-type]
            zones=data.pop("zones", None),
            conduits=data.pop("conduits", None),
            team=data.pop("team", ()),
            **data,
        )
        body, version = self._represent(assessment.pk)
        response = Response(body, status=status.HTTP_201_CREATED, headers={"Location": body["links"]["self"]})
        return with_etag(response, version)

    @extend_schema(request=AssessmentPatchSerializer, responses={200: AssessmentSerializer})
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        assessment = self.get_object()
        check_change(request, assessment)
        version = required_version(request)
        serializer = AssessmentPatchSerializer(
            assessment, data=request.data, partial=True, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("site", None)
        to = data.pop("status", None)
        relations = {name: data.pop(name) for name in ("zones", "conduits", "team") if name in data}
        try:
            # One PATCH, one outcome: a refused status move also undoes the edits sent with it.
            with transaction.atomic():
                if data or relations:
                    updated = services.assessment_update(
                        assessment=assessment,
                        by=request.user,  # type: ignore[arg-type]
                        fields=data,
                        expected_version=version,
                        **relations,
                    )
                    version = updated.version
                if to is not None:
                    services.assessment_transition(
                        assessment=assessment,
                        to=to,
                        by=request.user,  # type: ignore[arg-type]
                        expected_version=version,
                    )
                elif not (data or relations) and version != assessment.version:
                    raise StaleObjectError(assessment)
        except StaleObjectError:
            return stale(*self._represent(assessment.pk))
        body, version = self._represent(assessment.pk)
        return with_etag(Response(body), version)

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
            return Response(_plan_counts(resync_plan(assessment)))
        check_change(request, assessment)
        plan = services.assessment_resync(assessment=assessment, by=request.user)  # type: ignore[arg-type]
        return Response(_plan_counts(plan))

    @extend_schema(parameters=RESULT_FILTER_PARAMETERS, responses={200: ResultSerializer(many=True)})
    @action(detail=True, methods=["get"], filterset_class=None)
    def results(self, request: Request, pk: str | None = None) -> Response:
        """The assessment's results in catalogue order, paginated; filter with zone, conduit, fr,
        status, assignee, in_scope."""
        filterset = ResultFilter(request.query_params, queryset=results_for(self.get_object()), request=request)
        if not filterset.is_valid():
            raise ValidationError({name: list(errors) for name, errors in filterset.errors.items()})
        # A tie-breaker after the catalogue order keeps pages stable (one item has several targets).
        page = self.paginate_queryset(
            filterset.qs.order_by("requirement__position", "zone__name", "conduit__name", "pk")
        )
        data = ResultSerializer(page, many=True, context=self.get_serializer_context()).data
        return self.get_paginated_response(data)


# --- results ---------------------------------------------------------------------------------------
class ResultViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet[Result]):
    """One result: read, PATCH (If-Match), its history and its comments."""

    serializer_class = ResultSerializer

    def get_queryset(self) -> QuerySet[Result]:
        queryset = Result.objects.select_related("requirement", "assignee", "updated_by", "assessment")
        return queryset.prefetch_related("evidence").restrict(self.request.user, Action.VIEW)

    def _represent(self, pk: Any) -> tuple[dict[str, Any], int]:
        result = self.get_queryset().get(pk=pk)
        return dict(ResultSerializer(result, context=self.get_serializer_context()).data), result.version

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        result = self.get_object()
        return with_etag(Response(self.get_serializer(result).data), result.version)

    @extend_schema(request=ResultUpdateSerializer, responses={200: ResultSerializer})
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # The hot path of live editing: one read through the door for change; only when that finds
        # nothing does a second read tell "not yours to change" (403) from "not there" (404).
        try:
            result = get_object_or_404(Result.objects.restrict(request.user, Action.CHANGE), pk=kwargs["pk"])
        except Http404:
            check_change(request, self.get_object())  # 404 when they cannot even see it
            raise PermissionDenied("Your role lets you read this, not change it.") from None
        version = required_version(request)
        serializer = ResultUpdateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        evidence = fields.pop("evidence", None)
        try:
            updated = services.result_update(
                result=result,
                by=request.user,  # type: ignore[arg-type]
                fields=fields,
                evidence=evidence,
                expected_version=version,
            )
        except StaleObjectError:
            return stale(*self._represent(result.pk))
        # The saved row itself, not a second read through the door: it was checked above. The live
        # message already serialized it for this version.
        return with_etag(Response(live.represent(updated)), updated.version)

    @extend_schema(responses={200: HistoryEntrySerializer(many=True)})
    @action(detail=True, methods=["get"])
    def history(self, request: Request, pk: str | None = None) -> Response:
        """Who changed what and when, newest first."""
        return Response(HistoryEntrySerializer(result_history(self.get_object()), many=True).data)

    @extend_schema(request=CommentSerializer, responses={200: CommentSerializer(many=True), 201: CommentSerializer})
    @action(detail=True, methods=["get", "post"])
    def comments(self, request: Request, pk: str | None = None) -> Response:
        """The result's thread, oldest first; POST adds to it."""
        result = self.get_object()
        if request.method == "GET":
            comments = Comment.objects.restrict(request.user, Action.VIEW)
            rows = comments.filter(result=result).select_related("author")
            return Response(CommentSerializer(rows, many=True).data)
        check_change(request, result)
        serializer = CommentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        comment = services.comment_add(
            result=result,
            author=request.user,  # type: ignore[arg-type]
            body=serializer.validated_data["body"],
        )
        return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)


# --- evidence --------------------------------------------------------------------------------------
class EvidenceFilter(filters.FilterSet):
    assessment = filters.UUIDFilter()
    result = filters.UUIDFilter(field_name="results", distinct=True)

    class Meta:
        model = Evidence
        fields = ["assessment", "result"]


class EvidenceViewSet(ScopedModelViewSet):
    """Evidence files and references. Filter with `assessment` or `result`. Upload as multipart."""

    model = Evidence
    serializer_class = EvidenceSerializer
    filterset_class = EvidenceFilter
    http_method_names = ["get", "post", "patch", "head", "options"]
    select_related = ("added_by", "assessment")
    prefetch_related = ("results",)

    def _represent(self, pk: Any) -> dict[str, Any]:
        return dict(EvidenceSerializer(self.get_queryset().get(pk=pk), context=self.get_serializer_context()).data)

    @extend_schema(request={"multipart/form-data": EvidenceCreateSerializer}, responses={201: EvidenceSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = EvidenceCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        assessment = data.pop("assessment")
        check_change(request, assessment)
        try:
            evidence = services.evidence_add(
                assessment=assessment,
                by=request.user,  # type: ignore[arg-type]
                file=data.get("file"),
                reference=data.get("reference", ""),
                description=data.get("description", ""),
                expires=data.get("expires"),
                results=data.get("results", ()),
            )
        except EvidenceTooLarge as exc:
            raise PayloadTooLarge(exc.message_dict) from exc
        return Response(self._represent(evidence.pk), status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        evidence = self.get_object()
        check_change(request, evidence)
        serializer = EvidenceSerializer(
            evidence, data=request.data, partial=True, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        results = data.pop("results", None)
        services.evidence_update(evidence=evidence, by=request.user, fields=data, results=results)  # type: ignore[arg-type]
        return Response(self._represent(evidence.pk))

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def download(self, request: Request, pk: str | None = None) -> FileResponse:
        """The file as uploaded, with its SHA-256 in `X-Checksum-SHA256`."""
        evidence = self.get_object()
        if not evidence.is_file:
            raise NotFound(f"This evidence is a reference to a document held elsewhere ({evidence.reference}); "
                           "there is no file to download.")  # fmt: skip
        return evidence_file_response(evidence)
