"""/api/v1/reports/: request a report (202, rendered by a worker), follow it, download it, retry it.

Requesting a report is a reading action: whoever may see an assessment may have its report (auditors
export evidence). Another organization's assessment or site does not exist for the caller (400 on
request, 404 on a job)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.access import Action
from reports import services
from reports.api.serializers import ReportJobSerializer, ReportRequestSerializer
from reports.choices import JobStatus, ReportKind
from reports.files import NotReady, report_file_response
from reports.models import ReportJob


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "not_ready"


def _choices(values: list[str], noun: str) -> filters.ChoiceFilter:
    message = f"%(value)s is not a valid {noun}; use one of: {', '.join(values)}."
    return filters.ChoiceFilter(choices=[(v, v) for v in values], error_messages={"invalid_choice": message})


class ReportJobFilter(filters.FilterSet):
    kind = _choices(ReportKind.values, "report kind")
    status = _choices(JobStatus.values, "report status")
    assessment = filters.UUIDFilter()
    site = filters.UUIDFilter()

    class Meta:
        model = ReportJob
        fields = ["kind", "status", "assessment", "site"]


class ReportJobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[ReportJob]):
    """Report jobs of the assessments and sites you can see, newest first. Filter with kind, status,
    assessment, site. POST to request one; poll the job (or its page) until status is succeeded or failed."""

    serializer_class = ReportJobSerializer
    filterset_class = ReportJobFilter

    def get_queryset(self) -> QuerySet[ReportJob]:
        return (
            ReportJob.objects.restrict(self.request.user, Action.VIEW)
            .select_related("site", "assessment", "requested_by")
            .order_by("-created", "pk")
        )

    @extend_schema(request=ReportRequestSerializer, responses={202: ReportJobSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = ReportRequestSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        job = services.report_request(
            kind=data["kind"],
            by=request.user,  # type: ignore[arg-type]
            assessment=data.get("assessment"),
            site=data.get("site"),
        )
        body = ReportJobSerializer(self.get_queryset().get(pk=job.pk), context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["links"]["self"]})

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
        job = services.report_retry(job=self.get_object(), by=request.user)
        body = ReportJobSerializer(self.get_queryset().get(pk=job.pk), context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_202_ACCEPTED)
