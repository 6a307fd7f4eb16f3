"""/api/v1/vulnerabilities/, trainings/, exercises/ and kpis/: reads through the door, writes through
program.services. PATCH needs If-Match (428 without it, 412 with a stale one, carrying the current row)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import Action, can
from core.api.params import is_uuid, scoped_param
from core.api.viewsets import ServiceViewSet
from program import csv_io, selectors, services
from program.api.serializers import (
    ExerciseSerializer,
    ImportCountsSerializer,
    KpiReportSerializer,
    TrainingRecordSerializer,
    VulnerabilityImportSerializer,
    VulnerabilitySerializer,
)
from program.choices import Severity, VulnerabilityStatus
from program.kpis import Scope, parse_month
from program.models import Exercise, TrainingRecord, Vulnerability
from zones.models import Site


class _ProgramViewSet(ServiceViewSet):
    """Create, read, PATCH and delete one kind of program data of a site (no PUT)."""

    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    parent_fields = ("site",)
    create_denied = "Your role lets you read this site's program data, not add to it."
    move_denied = "You cannot move this to a site you may not change."

    def parent_of(self, data: dict[str, Any], instance: Any) -> Site:
        site: Site = data.get("site") or instance.site
        return site

    def delete_object(self, instance: Any, version: int | None) -> None:
        services.record_delete(obj=instance, expected_version=version)


# --- vulnerabilities ------------------------------------------------------------------------------------------
class VulnerabilityFilter(filters.FilterSet):
    site = filters.UUIDFilter(field_name="asset__zone__site")
    zone = filters.UUIDFilter(field_name="asset__zone")
    severity = filters.ChoiceFilter(choices=Severity.choices)
    status = filters.ChoiceFilter(choices=VulnerabilityStatus.choices)
    cve = filters.CharFilter(lookup_expr="iexact")

    class Meta:
        model = Vulnerability
        fields = ["site", "zone", "asset", "severity", "status", "cve"]


class VulnerabilityViewSet(_ProgramViewSet):
    """Vulnerabilities (CVEs, advisories) on assets. Filter with `site`, `zone`, `asset`, `severity`,
    `status`, `cve`. POST `import/` takes a CSV file for a site (all or nothing)."""

    model = Vulnerability
    serializer_class = VulnerabilitySerializer
    filterset_class = VulnerabilityFilter
    select_related = ("asset", "asset__zone")
    parent_fields = ("asset",)

    def parent_of(self, data: dict[str, Any], instance: Any) -> Site:
        site: Site = (data.get("asset") or instance.asset).zone.site
        return site

    def save_object(self, instance: Any, data: dict[str, Any], version: int | None) -> Any:
        return services.vulnerability_save(vulnerability=instance, fields=data, expected_version=version)

    @extend_schema(
        request={"multipart/form-data": VulnerabilityImportSerializer},
        responses={200: ImportCountsSerializer, 400: OpenApiTypes.OBJECT},
    )
    @action(detail=False, methods=["post"], url_path="import", parser_classes=[MultiPartParser, FormParser])
    def import_csv(self, request: Request) -> Response:
        """Create or update a site's vulnerabilities from a CSV file. Any bad row refuses the whole file:
        400 with `errors`, each with its `line` and `message`."""
        serializer = VulnerabilityImportSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        site = serializer.validated_data["site"]
        if not can(self.user, Action.CHANGE, site):
            raise PermissionDenied("Your role lets you read this site's vulnerabilities, not import them.")
        upload = serializer.validated_data["file"]
        try:
            result = csv_io.import_csv(site=site, data=upload.read(settings.CSV_IMPORT_MAX_BYTES + 1))
        except csv_io.CsvImportError as exc:
            errors = [{"line": line, "message": message} for line, message in exc.errors]
            return Response({"detail": "Nothing was imported.", "errors": errors}, status=status.HTTP_400_BAD_REQUEST)
        return Response({"created": result.created, "updated": result.updated})

    @extend_schema(
        parameters=[OpenApiParameter("site", OpenApiTypes.UUID, required=True)],
        responses={(200, "text/csv"): OpenApiTypes.STR},
    )
    @action(detail=False, methods=["get"], url_path="export", filterset_class=None)
    def export_csv(self, request: Request) -> HttpResponse:
        """A site's vulnerabilities as CSV, in the format the import reads."""
        site = scoped_param(request, Site, "site")
        response = HttpResponse(csv_io.export_csv(site), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="vulnerabilities-{site.pk}.csv"'
        return response


# --- training and exercises ---------------------------------------------------------------------------------------
class TrainingRecordViewSet(_ProgramViewSet):
    """Security-training counts per programme and period. Filter with `site`, `programme`."""

    model = TrainingRecord
    serializer_class = TrainingRecordSerializer
    filterset_fields = ["site", "programme"]

    def save_object(self, instance: Any, data: dict[str, Any], version: int | None) -> Any:
        return services.training_record_save(record=instance, fields=data, expected_version=version)


class ExerciseViewSet(_ProgramViewSet):
    """Incident-response exercises. Filter with `site`, `kind`, `outcome`."""

    model = Exercise
    serializer_class = ExerciseSerializer
    filterset_fields = ["site", "kind", "outcome"]

    def save_object(self, instance: Any, data: dict[str, Any], version: int | None) -> Any:
        return services.exercise_save(exercise=instance, fields=data, expected_version=version)


# --- KPIs ----------------------------------------------------------------------------------------------------------
class KpiView(APIView):
    """The six KPIs of an organization (all its sites) or of one site, for a month."""

    @extend_schema(
        parameters=[
            OpenApiParameter("organization", OpenApiTypes.UUID, description="Required unless `site` is given."),
            OpenApiParameter("site", OpenApiTypes.UUID, description="One site; without it, the whole organization."),
            OpenApiParameter("month", OpenApiTypes.STR, description="YYYY-MM; default the current month (to date)."),
        ],
        responses={200: KpiReportSerializer},
    )
    def get(self, request: Request) -> Response:
        scope = self._scope(request)
        month = request.query_params.get("month", "")
        try:
            values = selectors.kpi_values(scope, parse_month(month) if month else timezone.localdate())
        except (ValueError, OverflowError) as exc:  # not a month, one out of range, or one that has not begun
            raise ValidationError({"month": [str(exc)]}) from exc
        body = {"scope": scope.as_api(), "period": values[0].period.as_api(), "kpis": [v.as_api() for v in values]}
        return Response(body)

    def _scope(self, request: Request) -> Scope:
        org_id = request.query_params.get("organization", "")
        site_id = request.query_params.get("site", "")
        if not org_id and not site_id:
            raise ValidationError({"organization": ["Give an organization, a site, or both."]})
        for name, value in (("organization", org_id), ("site", site_id)):
            if value and not is_uuid(value):
                raise ValidationError({name: [f"'{value}' is not a UUID."]})
        if site_id:
            site = Site.objects.restrict(request.user, Action.VIEW).select_related("organization").filter(pk=site_id)
            found = site.first()
            if found is None:
                raise NotFound("No such site.")
            if org_id and str(found.organization_id) != org_id:
                raise ValidationError({"site": ["This site belongs to another organization."]})
            return Scope.of_site(found)
        organization = selectors.organizations_with_whole_view(request.user).filter(pk=org_id).first()
        if organization is None:
            # Also for people limited to some sites: the organization's totals would count the others.
            raise NotFound("No such organization, or you see only some of its sites (ask with `site`).")
        return Scope(organization)
