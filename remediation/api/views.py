"""/api/v1/findings/, /api/v1/actions/ and /api/v1/roadmap/: reads through the door, writes through
the services. PATCH needs If-Match (428 without, 412 with a stale one, carrying the current state)."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.views import APIView

from accounts.access import Action as Can
from accounts.access import can
from accounts.api.viewsets import ScopedModelViewSet
from assessments.api.views import check_change, required_version, stale, with_etag
from assessments.models import Assessment
from core.versioning import StaleObjectError
from remediation import selectors, services
from remediation.api.serializers import (
    ActionPatchSerializer,
    ActionSerializer,
    FindingPatchSerializer,
    FindingSerializer,
    GenerateReportSerializer,
    GenerateSerializer,
    SuggestionSerializer,
    VerifyOutcomeSerializer,
    VerifySerializer,
)
from remediation.choices import OPEN_ACTION_STATUSES, ActionStatus, FindingSource, FindingStatus, Phase, Severity
from remediation.models import Action, Finding
from remediation.timeline import gantt_svg
from zones.models import Site


def _choices(values: list[str], noun: str, **kwargs: Any) -> filters.ChoiceFilter:
    message = f"%(value)s is not a valid {noun}; use one of: {', '.join(values)}."
    return filters.ChoiceFilter(choices=[(v, v) for v in values], error_messages={"invalid_choice": message}, **kwargs)


def _check_site_change(request: Request, site: Site) -> None:
    if not can(request.user, Can.CHANGE, site):
        raise PermissionDenied("Your role lets you read this site's remediation, not change it.")


# --- findings --------------------------------------------------------------------------------------
class FindingFilter(filters.FilterSet):
    site = filters.UUIDFilter()
    zone = filters.UUIDFilter()
    conduit = filters.UUIDFilter()
    assessment = filters.UUIDFilter()
    severity = _choices(Severity.values, "severity")
    status = _choices(FindingStatus.values, "finding status")
    source = _choices(FindingSource.values, "finding source")

    class Meta:
        model = Finding
        fields = ["site", "zone", "conduit", "assessment", "severity", "status", "source"]


class FindingViewSet(ScopedModelViewSet):
    """Findings of sites. Filter with site, zone, conduit, assessment, severity, status, source.
    POST enters one by hand; POST generate/ makes them from an assessment in review or final."""

    model = Finding
    serializer_class = FindingSerializer
    filterset_class = FindingFilter
    http_method_names = ["get", "post", "patch", "head", "options"]
    select_related = ("site", "zone", "conduit", "requirement", "created_by")
    prefetch_related = ("results", "actions")

    def get_queryset(self) -> Any:
        return super().get_queryset().order_by("-identified", "title", "pk")

    def get_serializer_class(self) -> type[BaseSerializer[Any]]:
        return FindingPatchSerializer if self.action == "partial_update" else FindingSerializer

    def _represent(self, pk: Any) -> tuple[dict[str, Any], int]:
        finding = self.get_queryset().get(pk=pk)
        return dict(FindingSerializer(finding, context=self.get_serializer_context()).data), finding.version

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = FindingSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        site = data.pop("site")
        _check_site_change(request, site)
        data.setdefault("identified", timezone.localdate())
        finding = services.finding_create(site=site, by=request.user, fields=data)  # type: ignore[arg-type]
        body, version = self._represent(finding.pk)
        response = Response(body, status=status.HTTP_201_CREATED, headers={"Location": body["links"]["self"]})
        return with_etag(response, version)

    @extend_schema(request=FindingPatchSerializer, responses={200: FindingSerializer})
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        finding = self.get_object()
        check_change(request, finding)
        version = required_version(request)
        serializer = FindingPatchSerializer(
            finding, data=request.data, partial=True, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("site", None)
        try:
            services.finding_update(finding=finding, by=request.user, fields=data, expected_version=version)  # type: ignore[arg-type]
        except StaleObjectError:
            return stale(*self._represent(finding.pk))
        body, version = self._represent(finding.pk)
        return with_etag(Response(body), version)

    @extend_schema(request=GenerateSerializer, responses={200: GenerateReportSerializer})
    @action(detail=False, methods=["post"])
    def generate(self, request: Request) -> Response:
        """Generate findings from an assessment in review or final (idempotent: run it again after
        the assessment changes; nothing is duplicated)."""
        serializer = GenerateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        assessment: Assessment = serializer.validated_data["assessment"]
        check_change(request, assessment)
        report = services.findings_generate(assessment=assessment, by=request.user)  # type: ignore[arg-type]
        return Response(report.as_api())


# --- actions ---------------------------------------------------------------------------------------
class ActionFilter(filters.FilterSet):
    site = filters.UUIDFilter()
    zone = filters.UUIDFilter(method="filter_zone", help_text="Actions on the zone, its conduits or its findings.")
    owner = filters.UUIDFilter()
    finding = filters.UUIDFilter(field_name="findings", distinct=True)
    status = _choices(ActionStatus.values, "action status")
    phase = _choices(Phase.values, "phase")
    overdue = filters.BooleanFilter(method="filter_overdue")

    class Meta:
        model = Action
        fields = ["site", "zone", "owner", "finding", "status", "phase", "overdue"]

    def filter_zone(self, queryset: Any, name: str, value: Any) -> Any:
        return selectors.filter_actions(queryset, zone=value)

    def filter_overdue(self, queryset: Any, name: str, value: bool) -> Any:
        late = {"status__in": OPEN_ACTION_STATUSES, "due_date__lt": timezone.localdate()}
        return queryset.filter(**late) if value else queryset.exclude(**late)


SUGGESTION_PARAMETERS = [
    OpenApiParameter("assessment", OpenApiTypes.UUID, description="Suggest for this assessment's open findings."),
    OpenApiParameter("site", OpenApiTypes.UUID, description="Or for every open finding of the site."),
]


class ActionViewSet(ScopedModelViewSet):
    """Actions on the roadmap, quick wins first. Filter with site, zone, owner, finding, status,
    phase, overdue. GET suggestions/ proposes actions for open findings nobody addresses yet."""

    model = Action
    serializer_class = ActionSerializer
    filterset_class = ActionFilter
    http_method_names = ["get", "post", "patch", "head", "options"]
    select_related = ("site", "owner", "verified_by")
    prefetch_related = ("findings", "zones", "conduits", "assets")

    def get_queryset(self) -> Any:
        return super().get_queryset().order_by("priority", "-priority_score", "due_date", "title", "pk")

    def get_serializer_class(self) -> type[BaseSerializer[Any]]:
        return ActionPatchSerializer if self.action == "partial_update" else ActionSerializer

    def _represent(self, pk: Any) -> tuple[dict[str, Any], int]:
        obj = self.get_queryset().get(pk=pk)
        return dict(ActionSerializer(obj, context=self.get_serializer_context()).data), obj.version

    @staticmethod
    def _relations(data: dict[str, Any]) -> dict[str, Any]:
        return {name: data.pop(name) for name in ("findings", "zones", "conduits", "assets") if name in data}

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = ActionSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        site = data.pop("site")
        _check_site_change(request, site)
        relations = self._relations(data)
        obj = services.action_create(site=site, by=request.user, fields=data, **relations)  # type: ignore[arg-type]
        body, version = self._represent(obj.pk)
        response = Response(body, status=status.HTTP_201_CREATED, headers={"Location": body["links"]["self"]})
        return with_etag(response, version)

    @extend_schema(request=ActionPatchSerializer, responses={200: ActionSerializer})
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        obj = self.get_object()
        check_change(request, obj)
        version = required_version(request)
        serializer = ActionPatchSerializer(obj, data=request.data, partial=True, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("site", None)
        relations = self._relations(data)
        if data.get("status") == obj.status:
            data.pop("status")
        try:
            services.action_update(
                action=obj,
                by=request.user,  # type: ignore[arg-type]
                fields=data,
                expected_version=version,
                **relations,
            )
        except StaleObjectError:
            return stale(*self._represent(obj.pk))
        body, version = self._represent(obj.pk)
        return with_etag(Response(body), version)

    @extend_schema(request=VerifySerializer, responses={200: VerifyOutcomeSerializer})
    @action(detail=True, methods=["post"])
    def verify(self, request: Request, pk: str | None = None) -> Response:
        """Record that a done action works. Update the results it addressed first (PATCH
        /api/v1/results/{id}/); with results still unsatisfied, say `accept_open_results`."""
        obj = self.get_object()
        check_change(request, obj)
        serializer = VerifySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        version = required_version(request)
        try:
            outcome = services.action_verify(
                action=obj,
                by=request.user,  # type: ignore[arg-type]
                note=serializer.validated_data.get("note", ""),
                accept_open_results=serializer.validated_data["accept_open_results"],
                expected_version=version,
            )
        except StaleObjectError:
            return stale(*self._represent(obj.pk))
        body, version = self._represent(obj.pk)
        payload = {
            "action": body,
            "resolved": [f.pk for f in outcome.resolved],
            "still_open": [f.pk for f in outcome.still_open],
            "pending_confirmation": [f.pk for f in outcome.pending_confirmation],
        }
        return with_etag(Response(payload), version)

    @extend_schema(parameters=SUGGESTION_PARAMETERS, responses={200: SuggestionSerializer(many=True)})
    @action(detail=False, methods=["get"], filterset_class=None, pagination_class=None)
    def suggestions(self, request: Request) -> Response:
        """Suggested actions for open findings that no action addresses: one per SR across the
        zones that share the gap, with a phase and dates. Accept one by POSTing its `action`."""
        assessment_id = request.query_params.get("assessment")
        site_id = request.query_params.get("site")
        findings = None
        try:
            if assessment_id:
                visible = Assessment.objects.restrict(request.user, Can.VIEW).select_related("site")
                assessment = get_object_or_404(visible, pk=assessment_id)
                site = assessment.site
                findings = Finding.objects.filter(site=site, results__assessment=assessment).distinct()
            elif site_id:
                site = get_object_or_404(Site.objects.restrict(request.user, Can.VIEW), pk=site_id)
            else:
                raise ValidationError({"assessment": ["Give an assessment or a site."]})
        except ValueError as exc:  # not a UUID
            raise ValidationError({"assessment": ["Not a valid id."]}) from exc
        items = selectors.suggestions(site, timezone.localdate(), findings)
        return Response(SuggestionSerializer(items, many=True, context=self.get_serializer_context()).data)


# --- roadmap ---------------------------------------------------------------------------------------
def _site_param(request: Request) -> Site:
    site_id = request.query_params.get("site")
    if not site_id:
        raise ValidationError({"site": ["Give the site."]})
    try:
        return get_object_or_404(Site.objects.restrict(request.user, Can.VIEW), pk=site_id)
    except ValueError as exc:
        raise ValidationError({"site": ["Not a valid id."]}) from exc


class RoadmapView(APIView):
    """A site's roadmap: progress per phase, overdue actions, and for each zone and conduit the
    SL-A it reaches if the committed actions land by their due dates, and when it meets its SL-T."""

    @extend_schema(
        parameters=[OpenApiParameter("site", OpenApiTypes.UUID, required=True)], responses={200: OpenApiTypes.OBJECT}
    )
    def get(self, request: Request) -> Response:
        site = _site_param(request)
        today = timezone.localdate()
        actions = Action.objects.restrict(request.user, Can.VIEW).filter(site=site)
        road = selectors.roadmap(actions, today)
        projection = selectors.site_projection(site, today)
        return Response(
            {
                "site": str(site.pk),
                "today": today,
                "assessment": str(projection.assessment.pk) if projection.assessment else None,
                "phases": [
                    {
                        "phase": p.phase.value,
                        "label": p.phase.label,
                        "actions": p.total,
                        "finished": p.finished,
                        "overdue": p.overdue,
                        "percent": p.percent,
                        "effort_days": p.effort_days,
                        "cost_estimate": p.cost,
                    }
                    for p in road.phases
                ],
                "overdue": [str(a.pk) for a in road.overdue],
                "projection": [
                    {
                        "id": str(row.target.pk),
                        "kind": row.kind,
                        "name": row.target.name,
                        "sl_target": row.projection.target.to_dict(),
                        "sl_achieved": row.projection.current.to_dict(),
                        "sl_projected": row.projection.projected.to_dict(),
                        "at_target_now": row.projection.at_target_now,
                        "reaches_target_on": row.projection.reaches_target_on,
                        "reaches_target_quarter": row.reaches_quarter or None,
                        "uncovered": [
                            {"fr": s.fr, "without_action": s.without_action, "not_assessed": s.not_assessed}
                            for s in row.shortfalls
                        ],
                        "actions": [str(a.pk) for a in row.actions],
                        "verdict": row.verdict,
                    }
                    for row in projection.rows
                ],
            }
        )


class GanttView(APIView):
    """The site's roadmap as an SVG Gantt chart (quarters, phase swimlanes, today, overdue in red)."""

    @extend_schema(
        parameters=[OpenApiParameter("site", OpenApiTypes.UUID, required=True)],
        responses={(200, "image/svg+xml"): OpenApiTypes.STR},
    )
    def get(self, request: Request) -> HttpResponse:
        site = _site_param(request)
        actions = selectors.actions_for(request.user).filter(site=site)
        return HttpResponse(gantt_svg(list(actions), timezone.localdate()), content_type="image/svg+xml")
