"""Template filters for the remediation pages."""

from __future__ import annotations

from typing import Any

from django import template

from remediation.rules import PRIORITY_LABELS

register = template.Library()

SEVERITY_BADGE = {"critical": "sev-critical", "high": "sev-high", "medium": "sev-medium", "low": "sev-low"}


@register.filter
def severity_class(severity: str) -> str:
    return SEVERITY_BADGE.get(severity, "")


@register.filter
def priority_label(band: int) -> str:
    return PRIORITY_LABELS.get(band, "")


@register.filter
def days(value: Any) -> str:
    """Person-days without a useless ".0"."""
    if value is None or value == "":
        return "—"
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return f"{text} d"


@register.filter
def money(value: Any, currency: str = "") -> str:
    """A cost in whole units with thousands separators, and the currency's ISO code when given: 3,800 GBP."""
    if value is None or value == "":
        return "—"
    return f"{value:,.0f} {currency}".rstrip()


@register.simple_tag
def query(request: Any, **changes: Any) -> str:
    """The current query string with some parameters changed (None or "" removes one)."""
    params = request.GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.filter
def is_overdue(action: Any, today: Any) -> bool:
    return bool(action.is_overdue(today))


@register.filter
def among(value: str, names: str) -> bool:
    """Whether `value` is one of the comma-separated `names` (whole words, not substrings)."""
    return value in {n.strip() for n in names.split(",")}
