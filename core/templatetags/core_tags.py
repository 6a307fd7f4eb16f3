"""Template helpers for any page: values as a person reads them."""

from typing import Any

from django import template
from django.db.models import Model

from core.forms import saved_value

register = template.Library()


@register.filter
def attr_value(obj: Model, name: str) -> str:
    """The saved value of field `name` on `obj`, readable: choice labels, related objects by name, an SL
    vector compact, and a dash when empty."""
    return saved_value(obj, name)


@register.filter
def verbose_name(obj: Any) -> str:
    """The model's name for `obj` ("zone", "conduit"), for headings that serve several kinds."""
    return str(obj._meta.verbose_name)
