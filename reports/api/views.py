"""/api/v1/reports/: request a report (202, rendered by a worker), follow it, download it, retry it.

Requesting a report is a reading action: whoever may see an assessment may have its report (auditors
export evidence). Another organization's assessment or site does not exist for the caller (400 on
request, 404 on a job)."""

from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet
from django.http import FileResponse
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.access import Action
from core.api.errors import Conflict
from core.api.fields import choice_filter
from core.api.viewsets import ServiceViewSet
from reports import services
from reports.api.serializers import ReportJobSerializer, ReportRequestSerializer
from reports.choices import COMPACT_NOT_ASSESSED, OMIT_MET, PROCUREMENT_KINDS, JobStatus, ReportKind
from reports.files import NotReady, report_file_response
from reports.models import ReportJob


class ReportJobFilter(filters.FilterSet):
    kind = choice_filter(ReportKind.values, "report kind")
    status = choice_filter(JobStatus.values, "report status")
    assessment = filters.UUIDFilter()
    site = filters.UUIDFilter()

    class Meta:
        model = ReportJob
        fields = ["kind", "status", "assessment", "site"]


class ReportJobViewSet(ServiceViewSet):
    """Report jobs of the assessments and sites you can see, newest first. Filter with kind, status,
    assessment, site. POST to request one (202); poll the job (or its page) until status is succeeded or
    failed. Jobs are not edited: no PATCH, no DELETE."""

    model = ReportJob
    serializer_class = ReportJobSerializer
    create_serializer_class = ReportRequestSerializer
    filterset_class = ReportJobFilter
    http_method_names = ["get", "post", "head", "options"]
    select_related = ("site", "assessment", "risk_assessment", "requested_by")
    parent_action = Action.VIEW  # requesting a report is a reading action
    created_status = status.HTTP_202_ACCEPTED

    def get_queryset(self) -> QuerySet[ReportJob]:
        return super().get_queryset().order_by("-created", "pk")

    def parent_of(self, data: dict[str, Any], instance: Any) -> Model | None:
        parent: Model | None = data.get("assessment") or data.get("risk_assessment") or data.get("site")
        return parent or data.get("zone")  # none: the service says what is missing (400)

    def create_object(self, data: dict[str, Any]) -> ReportJob:
        compact = data.get("compact_not_assessed")
        parameters = {COMPACT_NOT_ASSESSED: compact} if compact is not None else {}
        if data.get("omit_met"):
            parameters[OMIT_MET] = True
        site, zone = data.get("site"), data.get("zone")
        # The procurement options go to the service as parameters; on any other kind it refuses them (400).
        parameters |= {key: data[key] for key in ("component_types", "purchase") if key in data}
        if zone is not None or data["kind"] in PROCUREMENT_KINDS:
            parameters["zone"] = str(zone.pk) if zone is not None else None
        if data["kind"] in PROCUREMENT_KINDS and site is None and zone is not None:
            site = zone.site  # the zone names its site; a site given as well must be the zone's (the service checks)
        return services.report_request(
            kind=data["kind"],
            by=self.user,
            assessment=data.get("assessment"),
            site=site,
            risk_assessment=data.get("risk_assessment"),
            parameters=parameters,
        )

    @extend_schema(
        responses={
            (200, "application/octet-stream"): OpenApiTypes.BINARY,
            409: OpenApiResponse(description="The report is not ready (queued, running or failed)."),
        }
    )
    @action(detail=True, methods=["get"])
    def download(self, request: Request, pk: str | None = None) -> FileResponse:
        """The report file, with its SHA-256 in `X-Checksum-SHA256`; 409 until the job has succeeded."""
        job = self.get_object()
        try:
            return report_file_response(job)
        except NotReady as exc:
            raise Conflict(str(exc)) from exc

    @extend_schema(request=None, responses={202: ReportJobSerializer})
    @action(detail=True, methods=["post"])
    def retry(self, request: Request, pk: str | None = None) -> Response:
        """Queue a failed job again (400 for a job that has not failed)."""
        job = services.report_retry(job=self.get_object(), by=self.user)
        return self.saved(job, status.HTTP_202_ACCEPTED)
