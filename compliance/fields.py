"""Storing SL vectors: a JSON object {"FR1": n, ..., "FR7": n} in the database, an SLVector in Python."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.query_utils import DeferredAttribute

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
