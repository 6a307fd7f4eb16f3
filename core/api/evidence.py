"""The evidence endpoint of an assessment, whatever is assessed (a site's zones and conduits, a product): list
and filter, upload (multipart; over the size limit is 413), PATCH of what the evidence says about itself and
what it supports (no version, so no If-Match), and the download. The domain viewset names its model, its
serializers and its two services; the machinery is here once. Also the one way a filtered sub-list of an
action answers bad filters (400 with field errors)."""

from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet
from django.http import FileResponse
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request

from core.api.errors import PayloadTooLarge
from core.api.viewsets import ScopedViewSet, ServiceViewSet
from core.uploads import EvidenceTooLarge, evidence_file_response


def filtered(filterset_class: type[filters.FilterSet], request: Request, queryset: QuerySet[Any]) -> QuerySet[Any]:
    """`queryset` narrowed by the request's query parameters, or a 400 naming each bad one (an action's list
    is not filtered by the viewset's own filter backend)."""
    filterset = filterset_class(request.query_params, queryset=queryset, request=request)
    if not filterset.is_valid():
        raise ValidationError({name: list(errors) for name, errors in filterset.errors.items()})
    return filterset.qs


class EvidenceFilterBase(filters.FilterSet):
    """Evidence of one `assessment`, or supporting one `result` (subclass it naming the model in Meta)."""

    assessment = filters.UUIDFilter()
    result = filters.UUIDFilter(field_name="results", distinct=True)


def evidence_filterset(model: type[Model]) -> type[filters.FilterSet]:
    """The filter of an evidence model (a subclass of core.evidence.EvidenceBase linked to `results`)."""
    meta = type("Meta", (), {"model": model, "fields": ["assessment", "result"]})
    return type(f"{model.__name__}Filter", (EvidenceFilterBase,), {"Meta": meta})


class EvidenceViewSetBase(ServiceViewSet):
    """Evidence files and references of assessments. Declare `model`, `serializer_class`,
    `create_serializer_class`, `filterset_class` (evidence_filterset), `add_evidence(**kwargs)` (the service
    that stores a file or a reference and links it: assessment, by, file, reference, description, expires,
    results) and `update_evidence(evidence, data, results)`."""

    http_method_names = ["get", "post", "patch", "head", "options"]
    select_related = ("added_by", "assessment")
    prefetch_related = ("results",)
    create_denied = ScopedViewSet.change_denied

    def add_evidence(self, **kwargs: Any) -> Model:
        raise NotImplementedError

    def update_evidence(self, evidence: Any, fields: dict[str, Any], results: Any) -> Model:
        raise NotImplementedError

    def parent_of(self, data: dict[str, Any], instance: Any) -> Model:
        assessment: Model = data.get("assessment") or instance.assessment
        return assessment

    def create_object(self, data: dict[str, Any]) -> Model:
        try:
            return self.add_evidence(
                assessment=data["assessment"],
                by=self.user,
                file=data.get("file"),
                reference=data.get("reference", ""),
                description=data.get("description", ""),
                expires=data.get("expires"),
                results=data.get("results", ()),
            )
        except EvidenceTooLarge as exc:
            raise PayloadTooLarge(exc.message_dict) from exc

    def update_object(self, instance: Any, data: dict[str, Any], version: int | None) -> Model:
        results = data.pop("results", None)
        return self.update_evidence(instance, data, results)

    @extend_schema(
        responses={
            (200, "*/*"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The file, with the type it was uploaded as."
            )
        }
    )
    @action(detail=True, methods=["get"])
    def download(self, request: Request, pk: str | None = None) -> FileResponse:
        """The file as uploaded, with its SHA-256 in `X-Checksum-SHA256`."""
        evidence = self.get_object()
        if not evidence.is_file:
            raise NotFound(f"This evidence is a reference to a document held elsewhere ({evidence.reference}); "
                           "there is no file to download.")  # fmt: skip
        return evidence_file_response(evidence)
