"""Forms for sites, zones, conduits and assets (the pages' side of zones.services)."""

from __future__ import annotations

from typing import Any

from django import forms

from compliance.fields import SLVectorFormField
from components.models import Product
from core.forms import DateInput, VersionedForm
from zones.choices import ComponentType
from zones.models import Asset, Conduit, Site, Zone


class SiteForm(VersionedForm):
    class Meta:
        model = Site
        fields = ["name", "location", "sector", "description"]


class ZoneForm(VersionedForm):
    sl_target = SLVectorFormField(label="SL-T (target security level)")

    class Meta:
        model = Zone
        fields = ["name", "kind", "purdue_level", "criticality", "sl_target", "responsible", "description"]


class AssetForm(VersionedForm):
    sl_capability = SLVectorFormField(
        label="SL-C (capability)",
        required=False,
        help_text="Leave empty to use the product's SL-C; fill in to override it for this asset.",
    )

    def __init__(self, *args: Any, site: Site, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["zone"].queryset = site.zones.order_by("name")  # type: ignore[attr-defined]
        # Only the products of the site's organization: another organization's library is not this one's.
        products = Product.objects.filter(organization_id=site.organization_id).order_by("vendor", "name", "release")
        self.fields["product"].queryset = products  # type: ignore[attr-defined]
        self.fields["product"].empty_label = "— none —"  # type: ignore[attr-defined]

    class Meta:
        model = Asset
        fields = [
            "zone", "name", "tag", "component_type", "role", "vendor", "model", "firmware", "product",
            "network_addresses", "sl_capability", "sl_capability_source", "end_of_support", "legacy", "criticality",
            "business_system", "safety_related", "temporarily_connected", "wireless", "external_network",
        ]  # fmt: skip
        widgets = {"end_of_support": DateInput}


NETWORK_DEVICES_HERE = "Network devices in these zones"
NETWORK_DEVICES_OF_SITE = "Network devices of the site"
OTHER_ASSETS = "Other assets of the site"


def _device_label(asset: Asset) -> str:
    return f"{asset} · {asset.get_role_display()} · {asset.zone.name}"


class ConduitForm(VersionedForm):
    relation_fields = ("zones", "boundary_devices")
    sl_target = SLVectorFormField(label="SL-T (target security level)")
    zones = forms.ModelMultipleChoiceField(queryset=Zone.objects.none(), widget=forms.CheckboxSelectMultiple)
    source_zone = forms.ModelChoiceField(
        queryset=Zone.objects.none(),
        required=False,
        label="Data flows from",
        help_text="One way only: one of the zones this conduit joins.",
    )
    destination_zone = forms.ModelChoiceField(
        queryset=Zone.objects.none(),
        required=False,
        label="Data flows to",
        help_text="One way only: the zone that receives (the diagram's arrow points to it).",
    )
    boundary_devices = forms.ModelMultipleChoiceField(
        queryset=Asset.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="The firewalls, diodes and gateways that guard the conduit: network devices of its zones first.",
    )

    def __init__(self, *args: Any, site: Site, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        zones = site.zones.order_by("purdue_level", "name")
        for name in ("zones", "source_zone", "destination_zone"):
            self.fields[name].queryset = zones  # type: ignore[attr-defined]
        devices = Asset.objects.filter(zone__site=site).select_related("zone").order_by("-role", "name")
        self.fields["boundary_devices"].queryset = devices  # type: ignore[attr-defined]
        if not self.instance._state.adding:
            self.initial["zones"] = list(self.instance.zones.all())
            self.initial["boundary_devices"] = list(self.instance.boundary_devices.all())
        self.fields["boundary_devices"].choices = self._device_groups(list(devices))  # type: ignore[attr-defined]

    def _joined_zone_ids(self) -> set[str]:
        """The zones the conduit joins as the person sees them: those ticked in a posted form, else saved."""
        if self.is_bound:
            key = self.add_prefix("zones")
            posted = self.data.getlist(key) if hasattr(self.data, "getlist") else self.data.get(key) or []
            return {str(v) for v in posted}
        return {str(z.pk) for z in self.initial.get("zones", [])}

    def _device_groups(self, devices: list[Asset]) -> list[tuple[str, list[tuple[Any, str]]]]:
        """Boundary-device choices, grouped: the network devices (NDR) of the joined zones (of the whole site
        while none is chosen) first, then every other asset of the site."""
        joined = self._joined_zone_ids()
        here = [a for a in devices if not joined or str(a.zone_id) in joined]
        first = [a for a in here if a.component_type == ComponentType.NDR]
        chosen = {a.pk for a in first}
        rest = [a for a in devices if a.pk not in chosen]
        groups = [
            (NETWORK_DEVICES_HERE if joined else NETWORK_DEVICES_OF_SITE, first),
            (OTHER_ASSETS, rest),
        ]
        return [(label, [(a.pk, _device_label(a)) for a in group]) for label, group in groups if group]

    class Meta:
        model = Conduit
        fields = [
            "name", "zones", "protocols", "direction", "source_zone", "destination_zone", "sl_target",
            "boundary_devices", "description",
        ]  # fmt: skip
