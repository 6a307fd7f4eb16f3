"""/api/v1/risk-matrices/, threat-sources/, risk-assessments/ (with sl-targets/ and apply/) and
threat-scenarios/: reads through the door, writes through risk.services under the If-Match contract of
core.api (428 without it, 412 on a stale one)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Model, QuerySet
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.access import Action, organizations_for
from compliance.sl import ZERO, SLVector
from core.api.errors import required_version, with_etag
from core.api.fields import api_url, choice_filter
from core.api.schema import IF_MATCH
from core.api.viewsets import ScopedViewSet, ServiceUpdateMixin, ServiceViewSet
from risk import services
from risk.api.serializers import (
    ApplySerializer,
    MatrixCache,
    RiskAssessmentPatchSerializer,
    RiskAssessmentSerializer,
    RiskMatrixSerializer,
    ThreatScenarioSerializer,
    ThreatSourceSerializer,
)
from risk.choices import RiskStatus
from risk.models import RiskAssessment, RiskMatrix, ThreatScenario, ThreatSource
from risk.selectors import TargetProposal, matrix_for, site_proposal


class _RiskViewSet(ScopedViewSet):
    """A service's refusal by role (django's PermissionDenied) is a 403 that keeps its message."""

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, DjangoPermissionDenied):
            exc = PermissionDenied(str(exc) or None)
        return super().handle_exception(exc)

    def ensure_defaults(self) -> None:
        """The organizations the caller sees get their default matrix and threat sources on first use."""
        for organization in organizations_for(self.user, Action.VIEW).filter(risk_matrix__isnull=True):
            matrix_for(organization)


# --- the organization's yardstick -------------------------------------------------------------------------
class RiskMatrixViewSet(ServiceUpdateMixin, mixins.ListModelMixin, _RiskViewSet):
    """One risk matrix per organization (created with the default on first use). Filter with `organization`.
    PUT/PATCH need If-Match; admins and consultants edit."""

    model = RiskMatrix
    serializer_class = RiskMatrixSerializer
    filterset_fields = ["organization"]
    select_related = ("organization",)
    http_method_names = ["get", "put", "patch", "head", "options"]

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.ensure_defaults()
        return super().list(request, *args, **kwargs)

    def update_object(self, instance: RiskMatrix, data: dict[str, Any], version: int | None) -> RiskMatrix:
        return services.risk_matrix_update(matrix=instance, by=self.user, fields=data, expected_version=version)


class ThreatSourceViewSet(ServiceViewSet, _RiskViewSet):
    """An organization's threat sources (the usual five on first use). Filter with `organization`.
    Admins and consultants add, edit and delete them; a source a scenario uses cannot be deleted (409)."""

    model = ThreatSource
    serializer_class = ThreatSourceSerializer
    filterset_fields = ["organization", "capability"]
    select_related = ("organization",)
    parent_fields: ClassVar[tuple[str, ...]] = ("organization",)
    create_denied = "Your role lets you read this organization's threat sources, not add one."

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.ensure_defaults()
        return super().list(request, *args, **kwargs)

    def parent_of(self, data: dict[str, Any], instance: Any) -> Model:
        parent: Model = data.get("organization") or instance.organization
        return parent

    def save_object(self, instance: Any, data: dict[str, Any], version: int | None) -> Any:
        return services.threat_source_save(source=instance, by=self.user, fields=data, expected_version=version)

    def delete_object(self, instance: Any, version: int | None) -> None:
        services.threat_source_delete(source=instance, by=self.user, expected_version=version)


# --- risk assessments --------------------------------------------------------------------------------------
class RiskAssessmentFilter(filters.FilterSet):
    site = filters.UUIDFilter()
    status = choice_filter(RiskStatus.values, "risk assessment status")

    class Meta:
        model = RiskAssessment
        fields = ["site", "status"]


def _vector(value: SLVector | None) -> dict[str, int] | None:
    """An SL vector as the API shows it; an SL-T never set (all zero, the default) is null."""
    return None if value is None or value == ZERO else value.to_dict()


def _entry(target: TargetProposal) -> dict[str, Any]:
    return {
        "id": str(target.id),
        "name": target.name,
        "current": _vector(target.current),
        "proposed": target.proposed.to_dict(),
        "reasons": [
            {"fr": r.fr, "level": r.level, "scenario": str(r.scenario), "threat_source": str(r.threat_source)}
            for r in target.proposal.reasons
        ],
        "initial_risk": {
            "worst_consequence": target.initial.worst_consequence,
            "rank": target.initial.rank,
            "above_tolerable": target.initial.above_tolerable,
        },
    }


class RiskAssessmentViewSet(ServiceViewSet, _RiskViewSet):
    """Risk assessments of sites (IEC 62443-3-2). Filter with `site` and `status`. PATCH needs If-Match;
    consultants draft and submit (in_review), an asset owner or admin approves; auditors read."""

    model = RiskAssessment
    serializer_class = RiskAssessmentSerializer
    update_serializer_class = RiskAssessmentPatchSerializer
    filterset_class = RiskAssessmentFilter
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    select_related = ("site", "approved_by", "created_by")
    parent_fields: ClassVar[tuple[str, ...]] = ("site",)
    create_denied = "Your role lets you read this site, not start a risk assessment on it."

    def parent_of(self, data: dict[str, Any], instance: Any) -> Model:
        site: Model = data.get("site") or instance.site
        return site

    def create_object(self, data: dict[str, Any]) -> RiskAssessment:
        site = data.pop("site")
        return services.risk_assessment_create(site=site, by=self.user, fields=data)

    def update_object(self, instance: RiskAssessment, data: dict[str, Any], version: int | None) -> RiskAssessment:
        data.pop("site", None)
        return services.risk_assessment_update(assessment=instance, by=self.user, fields=data, expected_version=version)

    def delete_object(self, instance: Any, version: int | None) -> None:
        services.risk_assessment_delete(assessment=instance, expected_version=version)

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["get"], url_path="sl-targets")
    def sl_targets(self, request: Request, pk: str | None = None) -> Response:
        """The proposed SL-T of every zone and conduit of the site, with today's SL-T (null when never set),
        the reasons of each level (the scenarios that set it; a level without reasons is the baseline) and the
        initial risk (worst consequence with the threat succeeding, against tolerable risk)."""
        assessment = self.get_object()
        proposal = site_proposal(assessment)
        body = {
            "risk_assessment": str(assessment.pk),
            "revision": assessment.revision,
            "status": assessment.status,
            "baseline_sl": assessment.baseline_sl,
            "tolerable_rank": proposal.matrix.tolerable_rank,
            "zones": [_entry(t) for t in proposal.zones],
            "conduits": [_entry(t) for t in proposal.conduits],
        }
        return with_etag(Response(body), assessment.version)

    @extend_schema(request=ApplySerializer, parameters=[IF_MATCH], responses={200: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["post"])
    def apply(self, request: Request, pk: str | None = None) -> Response:
        """Write the proposal (or justified overrides) as SL-T of the chosen zones and conduits (default: all),
        through the zones' services, all or nothing. Needs If-Match with the assessment's ETag, and an approved
        assessment. The answer lists what changed and the gap assessments a re-sync is available for."""
        assessment = self.get_object_for_change()
        version = required_version(request)
        serializer = ApplySerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        overrides = {
            key: services.Override(value["sl_target"], value["justification"])
            for key, value in data.get("overrides", {}).items()
        }
        result = services.risk_apply(
            assessment=assessment,
            by=self.user,
            targets=data.get("targets"),
            overrides=overrides,
            expected_version=version,
        )
        body = {
            "changed": [
                {
                    "id": str(a.zone_id or a.conduit_id),
                    "kind": "zone" if a.zone_id else "conduit",
                    "name": str(a.zone or a.conduit),
                    "before": _vector(a.before),
                    "proposed": a.proposed.to_dict(),
                    "after": a.after.to_dict(),
                    "justification": a.justification,
                }
                for a in result.changed
            ],
            "unchanged": [{"id": str(t.id), "kind": t.kind, "name": t.name} for t in result.unchanged],
            "resync": [
                {
                    "assessment": str(offer.assessment.pk),
                    "title": offer.assessment.title,
                    "added": offer.added,
                    "retired": offer.retired,
                    "restored": offer.restored,
                    "resync": api_url(serializer, "assessments-api:assessment-resync", offer.assessment.pk),
                }
                for offer in result.resync
            ],
        }
        return with_etag(Response(body), assessment.version)


# --- threat scenarios --------------------------------------------------------------------------------------
class ThreatScenarioFilter(filters.FilterSet):
    risk_assessment = filters.UUIDFilter()
    zone = filters.UUIDFilter()
    conduit = filters.UUIDFilter()
    threat_source = filters.UUIDFilter()

    class Meta:
        model = ThreatScenario
        fields = ["risk_assessment", "zone", "conduit", "threat_source"]


class ThreatScenarioViewSet(ServiceViewSet, _RiskViewSet):
    """Threat scenarios of risk assessments. Filter with `risk_assessment`, `zone`, `conduit`, `threat_source`.
    PATCH and DELETE need If-Match; a change to a scenario of an approved assessment makes a new revision."""

    model = ThreatScenario
    serializer_class = ThreatScenarioSerializer
    filterset_class = ThreatScenarioFilter
    select_related = ("risk_assessment__site", "threat_source")
    parent_fields: ClassVar[tuple[str, ...]] = ("risk_assessment",)
    create_denied = "Your role lets you read this risk assessment, not add to it."

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "matrices": MatrixCache()}

    def get_queryset(self) -> QuerySet[Any]:
        return super().get_queryset().order_by("risk_assessment", "title", "pk")

    def parent_of(self, data: dict[str, Any], instance: Any) -> Model:
        parent: Model = (data.get("risk_assessment") or instance.risk_assessment).site
        return parent

    def save_object(self, instance: Any, data: dict[str, Any], version: int | None) -> Any:
        return services.threat_scenario_save(scenario=instance, fields=data, expected_version=version, by=self.user)

    def delete_object(self, instance: Any, version: int | None) -> None:
        services.threat_scenario_delete(scenario=instance, expected_version=version, by=self.user)

    @extend_schema(request=None, responses={200: OpenApiTypes.OBJECT, 201: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["post"], url_path="create-action")
    def create_action(self, request: Request, pk: str | None = None) -> Response:
        """Put the scenario's additional countermeasures on the site's roadmap as a remediation action (ZCR 5.12):
        only while its residual risk exceeds tolerable risk (else 400). 201 with the new action; once it has
        one, 200 with that action (nothing new is made). Whoever may change the site may; readers get 403."""
        scenario = self.get_object_for_change()
        result = services.threat_scenario_create_action(scenario=scenario, by=self.user)
        made = result.action
        serializer = self.get_serializer(scenario)
        body = {
            "scenario": str(scenario.pk),
            "created": result.created,
            "action": {
                "id": str(made.pk),
                "title": made.title,
                "status": made.status,
                "links": {
                    "self": api_url(serializer, "remediation-api:action-detail", made.pk),
                    "page": request.build_absolute_uri(made.get_absolute_url()),
                },
            },
        }
        return Response(body, status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK)
