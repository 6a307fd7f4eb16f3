"""Template helpers of the catalogue's organization-specific parts (decision 0032): an assessment's pinned level
overrides and an organization's licensed text, looked up by requirement id in dicts the view read once."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template

register = template.Library()


@register.filter
def by_ref(mapping: Mapping[Any, Any] | None, key: Any) -> Any:
    """`mapping[key]`, or None (a template cannot index a dict with a variable)."""
    return mapping.get(key) if mapping else None
