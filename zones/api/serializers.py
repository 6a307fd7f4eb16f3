"""API shapes of sites, zones, conduits and assets (field names are a contract scripts rely on)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Organization
from compliance.sl import SLVector, SLVectorError
from core.api.fields import ScopedRelatedField, StaysMixin
from zones.models import Asset, Conduit, Site, Zone


@extend_schema_field(
    {
        "type": "object",
        "properties": {f"FR{n}": {"type": "integer", "minimum": 0, "maximum": 4} for n in range(1, 8)},
        "required": [f"FR{n}" for n in range(1, 8)],
        "additionalProperties": False,
        "example": {"FR1": 2, "FR2": 2, "FR3": 1, "FR4": 1, "FR5": 3, "FR6": 1, "FR7": 2},
    }
)
class SLVectorSerializerField(serializers.Field):
    """An SL vector as {"FR1": n, ..., "FR7": n}; errors name the FR and the value."""

    def to_representation(self, value: SLVector) -> dict[str, int]:
        return value.to_dict()

    def to_internal_value(self, data: Any) -> SLVector:
        try:
            return SLVector.from_mapping(data)
        except SLVectorError as exc:
            raise serializers.ValidationError(list(exc.errors.values())) from exc


class SiteSerializer(StaysMixin, serializers.ModelSerializer[Site]):
    stays = {"organization": "A site cannot move to another organization."}
    organization = ScopedRelatedField(Organization)

    class Meta:
        model = Site
        fields = ["id", "organization", "name", "location", "sector", "description", "version", "created"]
        read_only_fields = ["id", "version", "created"]


class ZoneSerializer(serializers.ModelSerializer[Zone]):
    site = ScopedRelatedField(Site)
    sl_target = SLVectorSerializerField()

    class Meta:
        model = Zone
        fields = [
            "id", "site", "name", "description", "kind", "purdue_level", "criticality", "sl_target",
            "responsible", "version", "created",
        ]  # fmt: skip
        read_only_fields = ["id", "version", "created"]


class AssetSerializer(serializers.ModelSerializer[Asset]):
    zone = ScopedRelatedField(Zone)
    sl_capability = SLVectorSerializerField(allow_null=True, required=False)

    class Meta:
        model = Asset
        fields = [
            "id", "zone", "name", "tag", "component_type", "role", "vendor", "model", "firmware",
            "network_addresses", "sl_capability", "sl_capability_source", "end_of_support", "legacy",
            "criticality", "business_system", "safety_related", "temporarily_connected", "wireless",
            "external_network", "version", "created",
        ]  # fmt: skip
        read_only_fields = ["id", "version", "created"]


class ConduitSerializer(serializers.ModelSerializer[Conduit]):
    site = ScopedRelatedField(Site)
    zones = ScopedRelatedField(Zone, many=True)
    boundary_devices = ScopedRelatedField(Asset, many=True, required=False)
    # One way only: where the data comes from and goes to, two of `zones` (null on a two-way conduit).
    source_zone = ScopedRelatedField(Zone, allow_null=True, required=False)
    destination_zone = ScopedRelatedField(Zone, allow_null=True, required=False)
    sl_target = SLVectorSerializerField()

    class Meta:
        model = Conduit
        fields = [
            "id", "site", "name", "description", "zones", "protocols", "direction", "source_zone",
            "destination_zone", "sl_target", "boundary_devices", "version", "created",
        ]  # fmt: skip
        read_only_fields = ["id", "version", "created"]
