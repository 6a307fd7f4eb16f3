"""Reads about organizations and people."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet

from accounts.access import Action, AnyUser, organizations_for, site_ids_for, site_model
from accounts.choices import Role
from accounts.models import Membership, User


def role_label(role: str | None) -> str:
    """A role as people read it ("Asset owner"), never its code; "" for none."""
    return str(Role(role).label) if role in Role.values else ""


def organizations_with_roles(user: AnyUser) -> list[dict[str, Any]]:
    """The user's organizations, each with the user's role (its code and its words), the number of sites
    they see and whether they may add sites to it."""
    roles = dict(Membership.objects.filter(user_id=str(user.pk)).values_list("organization_id", "role"))
    visible_sites = site_model()._default_manager.filter(pk__in=site_ids_for(user, Action.VIEW))
    counts = dict(visible_sites.values("organization_id").annotate(n=Count("pk")).values_list("organization_id", "n"))
    writable = set(organizations_for(user, Action.CHANGE).values_list("pk", flat=True))
    return [
        {
            "organization": org,
            "role": roles.get(org.pk),
            "role_label": role_label(roles.get(org.pk)),
            "site_count": counts.get(org.pk, 0),
            "can_add_site": org.pk in writable,
        }
        for org in organizations_for(user, Action.VIEW).order_by("name")
    ]


def sites_of(user: AnyUser, organization_id: Any) -> QuerySet[Any]:
    """The sites of one organization that `user` may see (whatever app models them)."""
    return site_model()._default_manager.filter(pk__in=site_ids_for(user, Action.VIEW), organization_id=organization_id)


def members_of(organization_id: Any) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(organization_id=organization_id)
        .select_related("user")
        .order_by("role", "user__username")
    )


def people_of(organization_id: Any) -> QuerySet[User]:
    """The people of one organization (a membership in any role), by username: whom a site's work can be
    given to (an assessment's lead and team, an action's owner, a result's assignee)."""
    return User.objects.filter(memberships__organization_id=organization_id).order_by("username").distinct()
