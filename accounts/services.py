"""Writes an organization's admin makes about its people's logins: requiring two-factor authentication,
unlocking a member locked out after failed attempts."""

from __future__ import annotations

from axes.utils import reset as axes_reset
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts.access import Action, can
from accounts.models import Membership, Organization, User


def _require_manager(actor: User, organization: Organization) -> None:
    if not can(actor, Action.MANAGE, organization):
        raise PermissionDenied("Only an admin of the organization may do this.")


@transaction.atomic
def organization_require_mfa_set(*, actor: User, organization: Organization, require: bool) -> Organization:
    """Require (or stop requiring) two-factor authentication of every member of `organization`."""
    _require_manager(actor, organization)
    locked = Organization.objects.select_for_update().get(pk=organization.pk)
    if locked.require_mfa != require:
        locked.require_mfa = require
        locked.save(update_fields=["require_mfa"])
    return locked


def member_unlock(*, actor: User, organization: Organization, member: User) -> int:
    """Lift a member's login lockout (their failed attempts from every address); the number cleared."""
    _require_manager(actor, organization)
    if not Membership.objects.filter(organization=organization, user=member).exists():
        raise ValidationError(f"{member} is not a member of {organization}.")
    return axes_reset(username=member.get_username())
