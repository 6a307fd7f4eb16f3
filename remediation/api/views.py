"""/api/v1/findings/, /api/v1/actions/ and /api/v1/roadmap/: reads through the door, writes through the
services under the API contract of core.api (PATCH needs If-Match: 428 without, 412 with a stale one,
carrying the current state)."""

from __future__ import annotations

from typing import Any

from django.db.models import Model
from django.http import HttpResponse
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import Action as Can
from assessments.models import Assessment
from core.api.errors import required_version, with_etag
from core.api.fields import choice_filter
from core.api.params import scoped_param
from core.api.schema import IF_MATCH
from core.api.viewsets import ServiceViewSet
from core.http import user_of
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
from remediation.models import FINDING_ORDER, Action, Finding
from remediation.timeline import gantt_svg
from zones.models import Site


class _SiteWrites(ServiceViewSet):
    """Findings and actions: created on a site the caller may change, and they stay on it."""

    http_method_names = ["get", "post", "patch", "head", "options"]
    create_denied = "Your role lets you read this site's remediation, not change it."

    def parent_of(self, data: dict[str, Any], instance: Any) -> Model:
        site: Model = data.get("site") or instance.site
        return site


# --- findings --------------------------------------------------------------------------------------
class FindingFilter(filters.FilterSet):
    site = filters.UUIDFilter()
    zone = filters.UUIDFilter()
    conduit = filters.UUIDFilter()
    assessment = filters.UUIDFilter()
    severity = choice_filter(Severity.values, "severity")
    status = choice_filter(FindingStatus.values, "finding status")
    source = choice_filter(FindingSource.values, "finding source")

    class Meta:
        model = Finding
        fields = ["site", "zone", "conduit", "assessment", "severity", "status", "source"]


class FindingViewSet(_SiteWrites):
    """Findings of sites. Filter with site, zone, conduit, assessment, severity, status, source.
    POST enters one by hand; POST generate/ makes them from an assessment in review or final."""

    model = Finding
    serializer_class = FindingSerializer
    update_serializer_class = FindingPatchSerializer
    filterset_class = FindingFilter
    select_related = ("site", "zone", "conduit", "requirement", "created_by")
    prefetch_related = ("results", "actions")

    def get_queryset(self) -> Any:
        return super().get_queryset().order_by(*FINDING_ORDER)

    def create_object(self, data: dict[str, Any]) -> Finding:
        site = data.pop("site")
        data.setdefault("identified", timezone.localdate())
        return services.finding_create(site=site, by=self.user, fields=data)

    def update_object(self, instance: Finding, data: dict[str, Any], version: int | None) -> Finding:
        data.pop("site", None)
        return services.finding_update(finding=instance, by=self.user, fields=data, expected_version=version)

    @extend_schema(request=GenerateSerializer, responses={200: GenerateReportSerializer})
    @action(detail=False, methods=["post"])
    def generate(self, request: Request) -> Response:
        """Generate findings from an assessment in review or final (idempotent: run it again after
        the assessment changes; nothing is duplicated)."""
        serializer = GenerateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        assessment: Assessment = serializer.validated_data["assessment"]
        self.check_change(assessment)
        report = services.findings_generate(assessment=assessment, by=self.user)
        return Response(report.as_api())


# --- actions ---------------------------------------------------------------------------------------
class ActionFilter(filters.FilterSet):
    site = filters.UUIDFilter()
    zone = filters.UUIDFilter(method="filter_zone", help_text="Actions on the zone, its conduits or its findings.")
    owner = filters.UUIDFilter()
    finding = filters.UUIDFilter(field_name="findings", distinct=True)
    status = choice_filter(ActionStatus.values, "action status")
    phase = choice_filter(Phase.values, "phase")
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


class ActionViewSet(_SiteWrites):
    """Actions on the roadmap, quick wins first. Filter with site, zone, owner, finding, status,
    phase, overdue. GET suggestions/ proposes actions for open findings nobody addresses yet."""

    model = Action
    serializer_class = ActionSerializer
    update_serializer_class = ActionPatchSerializer
    filterset_class = ActionFilter
    select_related = ("site", "owner", "verified_by")
    prefetch_related = ("findings", "zones", "conduits", "assets")

    def get_queryset(self) -> Any:
        return super().get_queryset().order_by("priority", "-priority_score", "due_date", "title", "pk")

    @staticmethod
    def _relations(data: dict[str, Any]) -> dict[str, Any]:
        return {name: data.pop(name) for name in ("findings", "zones", "conduits", "assets") if name in data}

    def create_object(self, data: dict[str, Any]) -> Action:
        site = data.pop("site")
        return services.action_create(site=site, by=self.user, fields=data, **self._relations(data))

    def update_object(self, instance: Action, data: dict[str, Any], version: int | None) -> Action:
        data.pop("site", None)
        relations = self._relations(data)
        if data.get("status") == instance.status:
            data.pop("status")
        return services.action_update(action=instance, by=self.user, fields=data, expected_version=version, **relations)

    @extend_schema(request=VerifySerializer, responses={200: VerifyOutcomeSerializer}, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"])
    def verify(self, request: Request, pk: str | None = None) -> Response:
        """Record that a done action works. Update the results it addressed first (PATCH
        /api/v1/results/{id}/); with results still unsatisfied, say `accept_open_results`."""
        obj = self.get_object_for_change()
        serializer = VerifySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        outcome = services.action_verify(
            action=obj,
            by=self.user,
            note=serializer.validated_data.get("note", ""),
            accept_open_results=serializer.validated_data["accept_open_results"],
            expected_version=required_version(request),
        )
        body, version = self.represent(obj)
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
        findings = None
        if request.query_params.get("assessment"):
            assessment: Assessment = scoped_param(request, Assessment, "assessment")
            site = assessment.site
            findings = Finding.objects.filter(site=site, results__assessment=assessment).distinct()
        elif request.query_params.get("site"):
            site = scoped_param(request, Site, "site")
        else:
            raise ValidationError({"assessment": ["Give an assessment or a site."]})
        items = selectors.suggestions(site, timezone.localdate(), findings)
        return Response(SuggestionSerializer(items, many=True, context=self.get_serializer_context()).data)


# --- roadmap ---------------------------------------------------------------------------------------
class RoadmapView(APIView):
    """A site's roadmap: progress per phase, overdue actions, and for each zone and conduit the
    SL-A it reaches if the committed actions land by their due dates, and when it meets its SL-T."""

    @extend_schema(
        parameters=[OpenApiParameter("site", OpenApiTypes.UUID, required=True)], responses={200: OpenApiTypes.OBJECT}
    )
    def get(self, request: Request) -> Response:
        site: Site = scoped_param(request, Site, "site")
        today = timezone.localdate()
        actions = Action.objects.restrict(user_of(request), Can.VIEW).filter(site=site)
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
        site: Site = scoped_param(request, Site, "site")
        actions = selectors.actions_for(user_of(request)).filter(site=site)
        return HttpResponse(gantt_svg(list(actions), timezone.localdate()), content_type="image/svg+xml")
