"""What every service does with the `fields` a caller hands it, before it looks at their values."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError


def refuse_unknown_fields(fields: Mapping[str, Any], allowed: Iterable[str]) -> None:
    """Raise ValidationError naming the keys of `fields` a service does not take: a misspelt or
    protected field must not be dropped or set silently."""
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ValidationError(f"Unknown fields: {', '.join(sorted(unknown))}")
