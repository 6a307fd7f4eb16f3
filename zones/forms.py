"""Forms for sites, zones, conduits and assets (the pages' side of zones.services)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from compliance.choices import FR_CODES
from compliance.sl import SLVector, SLVectorError
from core.forms import DateInput, VersionedForm
from zones.choices import ComponentType
from zones.models import Asset, Conduit, Site, Zone


class SLVectorWidget(forms.Widget):
    """Seven small number inputs (FR1-FR7) plus a box for the compact notation {2,2,1,1,3,1,2}. When the
    box is filled it wins (SLVectorFormField reads it first); static/js/zones-form.js then disables the seven
    inputs and copies the levels into them, so the page shows which entry counts. Whatever the person typed
    comes back as typed when the form is refused, beside the message."""

    template_name = "zones/widgets/sl_vector.html"

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        if isinstance(value, SLVector):
            levels, compact, current = value.to_dict(), "", value.compact()
        elif isinstance(value, dict):  # posted input, refused or not: as typed
            levels, compact, current = value, str(value.get("compact") or ""), ""
        else:
            levels, compact, current = {}, "", ""
        context["widget"]["frs"] = [(fr, levels.get(fr, "")) for fr in FR_CODES]
        context["widget"]["compact"] = compact
        context["widget"]["placeholder"] = current or "{2,2,1,1,3,1,2}"
        return context

    def value_from_datadict(self, data: Any, files: Any, name: str) -> dict[str, str]:
        values = {fr: data.get(f"{name}_{fr}", "") for fr in FR_CODES}
        values["compact"] = data.get(f"{name}_compact", "")
        return values


class SLVectorFormField(forms.Field):
    widget = SLVectorWidget

    def to_python(self, value: Any) -> SLVector | None:
        if isinstance(value, SLVector) or value is None:
            return value
        compact = (value.get("compact") or "").strip()
        try:
            if compact:
                return SLVector.parse(compact)
            raw = {fr: (value.get(fr) or "").strip() for fr in FR_CODES}
            if not any(raw.values()):
                if self.required:
                    raise ValidationError("Give a level 0-4 for each of FR1 to FR7.")
                return None
            levels: dict[str, Any] = {}
            for fr, text in raw.items():
                if text == "":
                    levels[fr] = None
                else:
                    levels[fr] = int(text) if text.lstrip("-").isdigit() else text
            missing = [fr for fr, v in levels.items() if v is None]
            if missing:
                raise ValidationError(f"Give a level for {', '.join(missing)} as well.")
            return SLVector.from_mapping(levels)
        except SLVectorError as exc:
            raise ValidationError(list(exc.errors.values())) from exc

    def prepare_value(self, value: Any) -> Any:
        return value

    def has_changed(self, initial: Any, data: Any) -> bool:
        try:
            return self.to_python(data) != initial
        except ValidationError:
            return True


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
    sl_capability = SLVectorFormField(label="SL-C (capability)", required=False)

    def __init__(self, *args: Any, site: Site, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["zone"].queryset = site.zones.order_by("name")  # type: ignore[attr-defined]

    class Meta:
        model = Asset
        fields = [
            "zone", "name", "tag", "component_type", "role", "vendor", "model", "firmware",
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
