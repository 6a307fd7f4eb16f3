"""/api/v1/sites/, zones/, conduits/, assets/ and the site diagram."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.serializers import BaseSerializer

from accounts.access import Action, can, organizations_for
from accounts.api.viewsets import Conflict, PreconditionFailed, ScopedModelViewSet, expected_version
from core.versioning import InUse, StaleObjectError
from zones import services
from zones.api.serializers import AssetSerializer, ConduitSerializer, SiteSerializer, ZoneSerializer
from zones.choices import ComponentType, Criticality, ZoneKind
from zones.models import Asset, Conduit, Site, Zone
from zones.selectors import site_overview


class _ServiceWrites(ScopedModelViewSet):
    """Writes go through zones.services; version conflicts become 412."""

    def save_with(self, serializer: BaseSerializer[Any], instance: Any, **extra: Any) -> Any:
        data = dict(serializer.validated_data)
        try:
            return self.service(instance=instance, fields=data, version=expected_version(self.request), **extra)
        except StaleObjectError as exc:
            raise PreconditionFailed(str(exc)) from exc

    def service(self, *, instance: Any, fields: dict[str, Any], version: int | None) -> Any:
        raise NotImplementedError

    def parent_of(self, data: dict[str, Any], instance: Any) -> Any:
        raise NotImplementedError

    def perform_create(self, serializer: BaseSerializer[Any]) -> None:
        parent = self.parent_of(dict(serializer.validated_data), None)
        if not can(self.request.user, Action.CHANGE, parent):
            raise PermissionDenied("Your role lets you read this site, not change it.")
        serializer.instance = self.save_with(serializer, self.model())

    def perform_update(self, serializer: BaseSerializer[Any]) -> None:
        assert serializer.instance is not None
        self.check_change(serializer.instance)
        new_parent = self.parent_of(dict(serializer.validated_data), serializer.instance)
        if not can(self.request.user, Action.CHANGE, new_parent):
            raise PermissionDenied("You cannot move this into a site you may not change.")
        serializer.instance = self.save_with(serializer, serializer.instance)

    def perform_destroy(self, instance: Any) -> None:
        self.check_change(instance)
        try:
            services.object_delete(obj=instance, expected_version=expected_version(self.request))
        except StaleObjectError as exc:
            raise PreconditionFailed(str(exc)) from exc
        except InUse as exc:
            raise Conflict(str(exc)) from exc


class SiteViewSet(_ServiceWrites):
    """A client's plants. Filter with `organization`."""

    model = Site
    serializer_class = SiteSerializer
    filterset_fields = ["organization", "sector"]

    def parent_of(self, data: dict[str, Any], instance: Any) -> Any:
        return data.get("organization") or instance.organization

    def perform_create(self, serializer: BaseSerializer[Any]) -> None:
        org = serializer.validated_data["organization"]
        if not organizations_for(self.request.user, Action.CHANGE).filter(pk=org.pk).exists():
            raise PermissionDenied("Your role lets you read this organization's sites, not add one.")
        serializer.instance = self.save_with(serializer, Site())

    def perform_update(self, serializer: BaseSerializer[Any]) -> None:
        assert serializer.instance is not None
        self.check_change(serializer.instance)
        org = serializer.validated_data.get("organization")
        if org is not None and org.pk != serializer.instance.organization_id:
            raise ValidationError({"organization": "A site cannot move to another organization."})
        serializer.instance = self.save_with(serializer, serializer.instance)

    def service(self, *, instance: Any, fields: dict[str, Any], version: int | None) -> Any:
        return services.site_save(site=instance, fields=fields, expected_version=version)

    @extend_schema(responses={(200, "image/svg+xml"): OpenApiTypes.STR})
    @action(detail=True, methods=["get"], url_path="diagram.svg")
    def diagram(self, request: Request, pk: str | None = None) -> HttpResponse:
        """The zone-and-conduit diagram as SVG."""
        svg = site_overview(self.get_object()).diagram_svg()
        return HttpResponse(svg, content_type="image/svg+xml")


class ZoneFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=ZoneKind.choices)

    class Meta:
        model = Zone
        fields = ["site", "kind", "criticality"]


class ZoneViewSet(_ServiceWrites):
    """Zones of sites. Filter with `site`."""

    model = Zone
    serializer_class = ZoneSerializer
    filterset_class = ZoneFilter

    def parent_of(self, data: dict[str, Any], instance: Any) -> Any:
        return data.get("site") or instance.site

    def service(self, *, instance: Any, fields: dict[str, Any], version: int | None) -> Any:
        return services.zone_save(zone=instance, fields=fields, expected_version=version)


class AssetFilter(filters.FilterSet):
    site = filters.UUIDFilter(field_name="zone__site")
    component_type = filters.ChoiceFilter(choices=ComponentType.choices)
    criticality = filters.ChoiceFilter(choices=Criticality.choices)

    class Meta:
        model = Asset
        fields = ["zone", "site", "component_type", "role", "legacy", "criticality"]


class AssetViewSet(_ServiceWrites):
    """Assets (components). Filter with `site` or `zone`."""

    model = Asset
    serializer_class = AssetSerializer
    filterset_class = AssetFilter

    def parent_of(self, data: dict[str, Any], instance: Any) -> Any:
        return (data.get("zone") or instance.zone).site

    def service(self, *, instance: Any, fields: dict[str, Any], version: int | None) -> Any:
        return services.asset_save(asset=instance, fields=fields, expected_version=version)


class ConduitFilter(filters.FilterSet):
    zone = filters.UUIDFilter(field_name="zones", distinct=True)

    class Meta:
        model = Conduit
        fields = ["site", "zone", "direction"]


class ConduitViewSet(_ServiceWrites):
    """Conduits between zones of a site. Filter with `site` or `zone`."""

    model = Conduit
    serializer_class = ConduitSerializer
    filterset_class = ConduitFilter
    prefetch_related = ("zones", "boundary_devices")

    def parent_of(self, data: dict[str, Any], instance: Any) -> Any:
        return data.get("site") or instance.site

    def service(self, *, instance: Any, fields: dict[str, Any], version: int | None) -> Any:
        zones = fields.pop("zones", None)
        devices = fields.pop("boundary_devices", None)
        return services.conduit_save(
            conduit=instance, fields=fields, zones=zones, boundary_devices=devices, expected_version=version
        )
