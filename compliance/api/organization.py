"""/api/v1/catalogue/overrides/ and /api/v1/catalogue/licensed-text/: what one organization adds to the catalogue
(decision 0032). Members read their organization's; only its admins write. Another organization's do not exist
for a caller (400 naming `organization`, 404 for their rows); a member who is not an admin gets 403 on a write."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.access import Action, can, organizations_for
from accounts.models import Organization
from compliance import licensed, overrides
from compliance.api.serializers import (
    LevelOverrideCreateSerializer,
    LevelOverrideSerializer,
    LicensedTextImportSerializer,
    LicensedTextSerializer,
)
from compliance.choices import Part
from compliance.models import LevelOverride, LicensedText, Requirement
from core.api.params import scoped_param
from core.api.viewsets import ScopedViewSet, ServiceDestroyMixin
from core.http import user_of

ADMINS_ONLY = "Only an admin of the organization can change what it adds to the catalogue."
ORGANIZATION_PARAM = OpenApiParameter(
    "organization", OpenApiTypes.UUID, required=True, description="The organization's id."
)


def organization_to_manage(request: Request, organization_id: Any) -> Organization:
    """The organization a write names: 400 when the caller is not a member (another organization "does not exist",
    as for every id a request body names, core.api.fields.ScopedRelatedField), 403 when they are not its admin."""
    organization = organizations_for(request.user, Action.VIEW).filter(pk=organization_id).first()
    if organization is None:
        raise ValidationError({"organization": [f'Invalid pk "{organization_id}" - object does not exist.']})
    if not can(request.user, Action.MANAGE, organization):
        raise PermissionDenied(ADMINS_ONLY)
    return organization


class LevelOverrideViewSet(mixins.ListModelMixin, ServiceDestroyMixin, ScopedViewSet):
    """Level overrides: the lowest SL at which an organization's new assessments select a 3-3 item. POST sets one
    (or replaces the organization's override of the same item: 200 then, 201 when new); DELETE (If-Match)
    removes it. Assessments created before keep the levels they pinned. Filter with `organization`."""

    model = LevelOverride
    serializer_class = LevelOverrideSerializer
    create_serializer_class = LevelOverrideCreateSerializer
    select_related = ("created_by",)
    filterset_fields = ["organization"]
    http_method_names = ["get", "post", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[Any]:
        return super().get_queryset().order_by("organization__name", "ref")

    def get_serializer_context(self) -> dict[str, Any]:
        # The catalogue's own level beside each override: one query for the whole page.
        levels = dict(
            Requirement.objects.current()
            .filter(catalogue__part=Part.SYSTEM, kind__in=["SR", "RE"])
            .values_list("ref", "lowest_sl")
        )
        return {**super().get_serializer_context(), "catalogue_levels": levels}

    def check_change(self, obj: Any) -> None:
        if not can(self.request.user, Action.MANAGE, obj.organization):
            raise PermissionDenied(ADMINS_ONLY)

    def delete_object(self, instance: Any, version: int | None) -> None:
        overrides.level_override_delete(override=instance, expected_version=version)

    @extend_schema(request=LevelOverrideCreateSerializer, responses={200: LevelOverrideSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = LevelOverrideCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        organization = organization_to_manage(request, data["organization"])
        replaces = LevelOverride.objects.filter(organization=organization, ref=data["requirement"]).exists()
        override = overrides.level_override_set(
            organization=organization,
            ref=data["requirement"],
            lowest_sl=data["lowest_sl"],
            reason=data["reason"],
            by=user_of(request),
        )
        return self.saved(override, status.HTTP_200_OK if replaces else status.HTTP_201_CREATED)


class LicensedTextView(GenericAPIView[LicensedText]):
    """An organization's licensed text of the IEC documents. GET lists it (its members only); POST (admins, a
    multipart `file` and `organization`) replaces all of it with a CSV or JSON file, all or nothing: 400 with
    `errors`, each with its `line` and `message`; DELETE `?organization=` deletes all of it at once."""

    serializer_class = LicensedTextSerializer
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self) -> QuerySet[LicensedText]:
        return LicensedText.objects.restrict(self.request.user).select_related("imported_by").order_by("part", "ref")

    @extend_schema(parameters=[ORGANIZATION_PARAM], responses={200: LicensedTextSerializer(many=True)})
    def get(self, request: Request) -> Response:
        organization = scoped_param(request, Organization, "organization")
        page = self.paginate_queryset(self.get_queryset().filter(organization=organization))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        request={"multipart/form-data": LicensedTextImportSerializer},
        responses={200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT},
    )
    def post(self, request: Request) -> Response:
        serializer = LicensedTextImportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        organization = organization_to_manage(request, serializer.validated_data["organization"])
        upload = serializer.validated_data["file"]
        try:
            count = licensed.licensed_text_import(
                organization=organization,
                data=upload.read(int(settings.CSV_IMPORT_MAX_BYTES) + 1),
                by=user_of(request),
                filename=upload.name or "",
            )
        except licensed.CsvImportError as exc:
            errors = [{"line": line, "message": message} for line, message in exc.errors]
            return Response({"detail": "Nothing was imported.", "errors": errors}, status=status.HTTP_400_BAD_REQUEST)
        return Response({"imported": count})

    @extend_schema(
        parameters=[ORGANIZATION_PARAM],
        responses={200: OpenApiTypes.OBJECT},
    )
    def delete(self, request: Request) -> Response:
        organization = scoped_param(request, Organization, "organization")
        organization = organization_to_manage(request, organization.pk)
        return Response({"deleted": licensed.licensed_text_delete(organization=organization)})
