"""API shapes of sites, zones, conduits and assets (field names are a contract scripts rely on)."""

from __future__ import annotations

from rest_framework import serializers

from accounts.models import Organization
from compliance.fields import SLVectorSerializerField
from components.models import Product
from core.api.fields import ScopedRelatedField, StaysMixin
from zones.models import Asset, Conduit, Site, Zone


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
    # The product from the library (components); its SL-C counts unless the asset has its own.
    product = ScopedRelatedField(
        Product,
        allow_null=True,
        required=False,
        error_messages={"does_not_exist": "Unknown product: {pk_value} is not one you can see."},
    )
    sl_capability = SLVectorSerializerField(allow_null=True, required=False)
    sl_capability_effective = SLVectorSerializerField(
        read_only=True, allow_null=True, help_text="The SL-C that counts: the asset's own, else its product's."
    )
    sl_capability_from = serializers.ChoiceField(
        choices=["asset", "product", ""], read_only=True, help_text="Where sl_capability_effective comes from."
    )

    class Meta:
        model = Asset
        fields = [
            "id", "zone", "name", "tag", "component_type", "role", "vendor", "model", "firmware",
            "network_addresses", "product", "sl_capability", "sl_capability_source", "sl_capability_effective",
            "sl_capability_from", "end_of_support", "legacy", "criticality", "business_system", "safety_related",
            "temporarily_connected", "wireless", "external_network", "version", "created",
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
