"""SL vectors in the database, in forms and in the API: a JSON object {"FR1": n, ..., "FR7": n} stored, an
SLVector in Python, seven small inputs (or the compact {2,2,1,1,3,1,2}) on a page, {"FR1": n, ...} in JSON."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.query_utils import DeferredAttribute
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from compliance.choices import FR_CODES
from compliance.sl import SLVector, SLVectorError


class _SLVectorAttribute(DeferredAttribute):
    """Turns whatever is assigned (an API dict, the compact text) into an SLVector at once."""

    def __set__(self, instance: models.Model, value: Any) -> None:
        field: SLVectorField = self.field  # type: ignore[assignment]
        instance.__dict__[field.attname] = field.to_python(value)


class SLVectorField(models.JSONField):
    description = "Security-level vector (0-4 per FR1-FR7)"
    descriptor_class = _SLVectorAttribute

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> SLVector | None:
        data = super().from_db_value(value, expression, connection)
        return None if data is None else SLVector.from_mapping(data)

    def to_python(self, value: Any) -> SLVector | None:
        if value is None or isinstance(value, SLVector):
            return value
        try:
            if isinstance(value, str):
                return SLVector.parse(value)
            return SLVector.from_mapping(value)
        except SLVectorError as exc:
            raise ValidationError(str(exc), code="invalid_sl_vector") from exc

    def get_prep_value(self, value: Any) -> Any:
        if isinstance(value, SLVector):
            value = value.to_dict()
        return super().get_prep_value(value)

    def validate(self, value: Any, model_instance: models.Model | None) -> None:
        vector = self.to_python(value)
        super().validate(vector.to_dict() if vector is not None else None, model_instance)

    def value_to_string(self, obj: models.Model) -> str:
        value = self.value_from_object(obj)
        return value.compact() if isinstance(value, SLVector) else ""


# --- forms ---------------------------------------------------------------------------------------------
class SLVectorWidget(forms.Widget):
    """Seven small number inputs (FR1-FR7) plus a box for the compact notation {2,2,1,1,3,1,2}. When the
    box is filled it wins (SLVectorFormField reads it first); static/js/zones-form.js then disables the seven
    inputs and copies the levels into them, so the page shows which entry counts. Whatever the person typed
    comes back as typed when the form is refused, beside the message."""

    template_name = "compliance/widgets/sl_vector.html"

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
                    levels[fr] = int(text) if re.fullmatch(r"-?[0-9]+", text) else text  # "²" is a digit to isdigit()
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


# --- API ------------------------------------------------------------------------------------------------
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
