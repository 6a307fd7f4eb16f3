"""/api/v1/sites/, zones/, conduits/, assets/ and the site diagram (the write contract: core.api.viewsets)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db.models import Model
from django.http import HttpResponse
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.request import Request

from core.api.viewsets import ServiceViewSet
from zones import services
from zones.api.serializers import AssetSerializer, ConduitSerializer, SiteSerializer, ZoneSerializer
from zones.models import Asset, Conduit, Site, Zone
from zones.selectors import site_overview


class _PlantViewSet(ServiceViewSet):
    """Sites and what is in them: saved by zones.services, deleted unless an assessment still refers to them."""

    parent_fields: ClassVar[tuple[str, ...]] = ("site",)
    create_denied = "Your role lets you read this site, not change it."

    def parent_of(self, data: dict[str, Any], instance: Any) -> Model:
        parent: Model = data.get("site") or instance.site
        return parent

    def delete_object(self, instance: Any, version: int | None) -> None:
        services.object_delete(obj=instance, expected_version=version)


class SiteViewSet(_PlantViewSet):
    """A client's plants. Filter with `organization`."""

    model = Site
    serializer_class = SiteSerializer
    filterset_fields = ["organization", "sector"]
    parent_fields = ()  # a site stays in its organization (the serializer says so)
    create_denied = "Your role lets you read this organization's sites, not add one."

    def parent_of(self, data: dict[str, Any], instance: Any) -> Model:
        parent: Model = data.get("organization") or instance.organization
        return parent

    def save_object(self, instance: Any, data: dict[str, Any], version: int | None) -> Any:
        return services.site_save(site=instance, fields=data, expected_version=version)

    @extend_schema(responses={(200, "image/svg+xml"): OpenApiTypes.STR})
    @action(detail=True, methods=["get"], url_path="diagram.svg")
    def diagram(self, request: Request, pk: str | None = None) -> HttpResponse:
        """The zone-and-conduit diagram as SVG."""
        svg = site_overview(self.get_object()).diagram_svg()
        return HttpResponse(svg, content_type="image/svg+xml")


class ZoneViewSet(_PlantViewSet):
    """Zones of sites. Filter with `site`."""

    model = Zone
    serializer_class = ZoneSerializer
    filterset_fields = ["site", "kind", "criticality"]

    def save_object(self, instance: Any, data: dict[str, Any], version: int | None) -> Any:
        return services.zone_save(zone=instance, fields=data, expected_version=version)


class AssetFilter(filters.FilterSet):
    site = filters.UUIDFilter(field_name="zone__site")
    product = filters.UUIDFilter()

    class Meta:
        model = Asset
        fields = ["zone", "site", "product", "component_type", "role", "legacy", "criticality"]


class AssetViewSet(_PlantViewSet):
    """Assets (components). Filter with `site` or `zone`."""

    model = Asset
    serializer_class = AssetSerializer
    filterset_class = AssetFilter
    parent_fields = ("zone",)
    select_related = ("product",)  # its SL-C stands in for an asset without one (sl_capability_effective)

    def parent_of(self, data: dict[str, Any], instance: Any) -> Model:
        parent: Model = (data.get("zone") or instance.zone).site
        return parent

    def save_object(self, instance: Any, data: dict[str, Any], version: int | None) -> Any:
        return services.asset_save(asset=instance, fields=data, expected_version=version)


class ConduitFilter(filters.FilterSet):
    zone = filters.UUIDFilter(field_name="zones", distinct=True)

    class Meta:
        model = Conduit
        fields = ["site", "zone", "direction"]


class ConduitViewSet(_PlantViewSet):
    """Conduits between zones of a site. Filter with `site` or `zone`."""

    model = Conduit
    serializer_class = ConduitSerializer
    filterset_class = ConduitFilter
    prefetch_related = ("zones", "boundary_devices")

    def save_object(self, instance: Any, data: dict[str, Any], version: int | None) -> Any:
        zones, devices = data.pop("zones", None), data.pop("boundary_devices", None)
        return services.conduit_save(
            conduit=instance, fields=data, zones=zones, boundary_devices=devices, expected_version=version
        )
