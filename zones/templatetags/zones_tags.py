"""Template helpers for the zones pages."""

from typing import Any

from django import template

register = template.Library()


@register.filter
def attr_value(obj: Any, name: str) -> str:
    """The saved value of `name` on `obj`, as a person reads it (choice labels, m2m names)."""
    display = getattr(obj, f"get_{name}_display", None)
    if callable(display):
        return str(display())
    value = getattr(obj, name, "")
    if hasattr(value, "all"):
        return ", ".join(str(v) for v in value.all())
    return "—" if value in (None, "") else str(value)


@register.filter
def verbose_name(obj: Any) -> str:
    return str(obj._meta.verbose_name)
