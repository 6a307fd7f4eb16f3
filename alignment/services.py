"""The one write of alignment people make: which frameworks an organization's reports show."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts.access import Action, can
from accounts.models import Organization, User
from alignment.models import Framework


@transaction.atomic
def organization_alignment_set(*, actor: User, organization: Organization, keys: Iterable[str]) -> Organization:
    """Set the frameworks whose coverage the organization's gap-assessment reports show (an admin's choice).
    The keys are kept in the frameworks' display order; an unknown key refuses the whole change."""
    if not can(actor, Action.MANAGE, organization):
        raise PermissionDenied("Only an admin of the organization may do this.")
    wanted = set(keys)
    known = list(Framework.objects.order_by("short_name").values_list("key", flat=True))
    unknown = sorted(wanted - set(known))
    if unknown:
        raise ValidationError({"alignment_frameworks": [f"Unknown framework: {', '.join(unknown)}."]})
    locked = Organization.objects.select_for_update().get(pk=organization.pk)
    chosen = [key for key in known if key in wanted]
    if locked.alignment_frameworks != chosen:
        locked.alignment_frameworks = chosen
        locked.save(update_fields=["alignment_frameworks"])
    return locked
