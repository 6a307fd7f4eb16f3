"""The zone page's "Procurement requirements" section: the form (with the choices a refused request sent back),
the number of items per component type at the zone's SL-T, and the zone's latest procurement PDFs."""

from __future__ import annotations

from typing import Any

from django import template

from compliance.models import Catalogue
from components.procurement import PURCHASE, PURCHASE_MAX_LENGTH, TYPES, ZONE, procurement_for
from components.requirements import COMPONENT_TYPES
from reports.choices import ReportKind
from reports.selectors import jobs_for
from zones.models import Zone

register = template.Library()
RECENT = 4


@register.inclusion_tag("components/_procurement.html", takes_context=True)
def procurement_section(context: Any, zone: Zone) -> dict[str, Any]:
    """The section's context. A refused request comes back with its choices in the query string
    (components.views.procurement), so the form shows them again instead of the defaults."""
    request = context["request"]
    returned = TYPES in request.GET or PURCHASE in request.GET
    chosen = set(request.GET.getlist(TYPES)) if returned else set(COMPONENT_TYPES)
    try:
        everything = procurement_for(zone)
    except Catalogue.DoesNotExist:  # before `manage.py load_catalogue`: the zone page still opens
        return {"zone": zone, "unavailable": True}
    recent = jobs_for(request.user).filter(
        kind=ReportKind.PROCUREMENT, site=zone.site_id, **{f"parameters__{ZONE}": str(zone.pk)}
    )
    return {
        "zone": zone,
        "types": [(t.component_type, t.label, len(t.items), t.component_type in chosen) for t in everything.types],
        "purchase": request.GET.get(PURCHASE, ""),
        "max_length": PURCHASE_MAX_LENGTH,
        "recent": list(recent[:RECENT]),
        "csrf_token": context.get("csrf_token"),
        "request": request,
    }
