"""POST /api/v1/assets/{id}/capability-finding/: an asset's capability gap (its SL-C, or its product's, below its
zone's SL-T) as a finding on the zone, with the suggested actions. Idempotent: 201 with the new finding, or
200 with the open one it already has (brought up to date)."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import Action, can, restrict
from core.api.errors import with_etag
from core.http import user_of
from remediation.api.serializers import FindingSerializer
from remediation.capability_gaps import capability_gap_finding_create
from zones.models import Asset


class CapabilityFindingView(APIView):
    """Record the asset's capability gap as a finding on its zone (400 when it has none)."""

    @extend_schema(
        request=None,
        responses={
            201: OpenApiResponse(FindingSerializer, description="The new finding."),
            200: OpenApiResponse(FindingSerializer, description="The open finding the asset already had."),
        },
        operation_id="assets_capability_finding_create",
        tags=["findings"],
    )
    def post(self, request: Request, pk: Any) -> Response:
        asset = get_object_or_404(restrict(Asset.objects.select_related("zone__site"), request.user), pk=pk)
        if not can(request.user, Action.CHANGE, asset.zone.site):
            raise PermissionDenied("Your role lets you read this site's remediation, not change it.")
        finding, created = capability_gap_finding_create(asset=asset, by=user_of(request))
        body = FindingSerializer(finding, context={"request": request}).data
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return with_etag(Response(body, status=code), finding.version)
