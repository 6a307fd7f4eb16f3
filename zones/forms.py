"""Forms for sites, zones, conduits and assets (the pages' side of zones.services)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from compliance.choices import FR_CODES
from compliance.sl import SLVector, SLVectorError
from core.forms import DateInput, VersionedForm
from zones.models import Asset, Conduit, Site, Zone


class SLVectorWidget(forms.Widget):
    """Seven small number inputs (FR1-FR7) plus a box for the compact notation {2,2,1,1,3,1,2}."""

    template_name = "zones/widgets/sl_vector.html"

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        if isinstance(value, SLVector):
            levels = value.to_dict()
        elif isinstance(value, dict):
            levels = value
        else:
            levels = {}
        context["widget"]["frs"] = [(fr, levels.get(fr, "")) for fr in FR_CODES]
        context["widget"]["compact"] = value.compact() if isinstance(value, SLVector) else ""
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
        ]  # fmt: skip
        widgets = {"end_of_support": DateInput}


class ConduitForm(VersionedForm):
    relation_fields = ("zones", "boundary_devices")
    sl_target = SLVectorFormField(label="SL-T (target security level)")
    zones = forms.ModelMultipleChoiceField(queryset=Zone.objects.none(), widget=forms.CheckboxSelectMultiple)
    boundary_devices = forms.ModelMultipleChoiceField(
        queryset=Asset.objects.none(), widget=forms.CheckboxSelectMultiple, required=False
    )

    def __init__(self, *args: Any, site: Site, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["zones"].queryset = site.zones.order_by("purdue_level", "name")  # type: ignore[attr-defined]
        self.fields["boundary_devices"].queryset = (  # type: ignore[attr-defined]
            Asset.objects.filter(zone__site=site).select_related("zone").order_by("-role", "name")
        )
        if not self.instance._state.adding:
            self.initial["zones"] = list(self.instance.zones.all())
            self.initial["boundary_devices"] = list(self.instance.boundary_devices.all())

    class Meta:
        model = Conduit
        fields = ["name", "zones", "protocols", "direction", "sl_target", "boundary_devices", "description"]
