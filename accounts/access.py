"""The permission door: every page and endpoint gets its querysets from here.

Access is granted at the scope roots — an organization (through a Membership and its role)
and, for memberships limited to some sites, a site (through a django-guardian object
permission). Everything below a site is derived by filtering on its parent in SQL
subqueries. Anything outside a person's scope simply does not exist for them (404).
"""

from __future__ import annotations

from enum import StrEnum
from functools import cache
from typing import Any, TypeAlias, TypeVar

from django.apps import apps
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import Q, QuerySet

from accounts.choices import Role

AnyUser: TypeAlias = AbstractBaseUser | AnonymousUser


class Action(StrEnum):
    VIEW = "view"
    CHANGE = "change"  # create, edit, delete compliance data
    MANAGE = "manage"  # manage the organization itself (members, grants)
    SIGN_OFF = "sign_off"  # move an assessment to final


ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    Role.ADMIN: frozenset({Action.VIEW, Action.CHANGE, Action.MANAGE, Action.SIGN_OFF}),
    Role.CONSULTANT: frozenset({Action.VIEW, Action.CHANGE, Action.SIGN_OFF}),
    Role.ASSET_OWNER: frozenset({Action.VIEW, Action.CHANGE}),
    Role.AUDITOR: frozenset({Action.VIEW}),
}

SITE_GRANT_CODENAME = "view_site"

M = TypeVar("M", bound=models.Model)


def roles_allowing(action: Action | str) -> list[str]:
    act = Action(action)
    return [role for role, actions in ROLE_ACTIONS.items() if act in actions]


def _memberships(user: AnyUser, action: Action | str) -> QuerySet[Any]:
    from accounts.models import Membership

    if not user.is_authenticated:
        return Membership.objects.none()
    return Membership.objects.filter(user_id=str(user.pk), role__in=roles_allowing(action))


def organizations_for(user: AnyUser, action: Action | str = Action.VIEW) -> QuerySet[Any]:
    """Organizations in which the user holds a role that allows `action`."""
    from accounts.models import Organization

    org_ids = _memberships(user, action).values("organization_id")
    return Organization.objects.filter(pk__in=org_ids)


@cache
def site_model() -> type[models.Model]:
    """The model of the site scope root, named by settings.ACCESS_SITE_MODEL ("app_label.Model"): the door
    sits below every domain app and imports none of them."""
    return apps.get_model(settings.ACCESS_SITE_MODEL)


@cache
def site_grant_model() -> type[models.Model]:
    """The django-guardian model of per-site grants: the direct-foreign-key one pointing at the site model."""
    # guardian's models need the user model registered: imported when first asked, not with accounts.models.
    from guardian.models import UserObjectPermission, UserObjectPermissionBase

    for relation in site_model()._meta.related_objects:
        model = relation.related_model
        if (
            isinstance(model, type)
            and issubclass(model, UserObjectPermissionBase)
            and model is not UserObjectPermission
        ):
            return model
    # Generic grants key on a text pk: the subquery in site_ids_for would be wrong, so refuse them loudly.
    raise ImproperlyConfigured(f"{settings.ACCESS_SITE_MODEL} needs a direct-foreign-key user permission model.")


def site_ids_for(user: AnyUser, action: Action | str = Action.VIEW) -> QuerySet[Any]:
    """A subquery of the ids of the sites the user may act on."""
    Site, SiteUserObjectPermission = site_model(), site_grant_model()
    memberships = _memberships(user, action)
    whole_orgs = memberships.filter(all_sites=True).values("organization_id")
    limited_orgs = memberships.filter(all_sites=False).values("organization_id")
    granted = SiteUserObjectPermission._default_manager.filter(
        user_id=str(user.pk), permission__codename=SITE_GRANT_CODENAME
    ).values("content_object_id")
    return Site._default_manager.filter(
        Q(organization_id__in=whole_orgs) | Q(organization_id__in=limited_orgs, pk__in=granted)
    ).values("pk")


def restrict(queryset: QuerySet[M], user: AnyUser, action: Action | str = Action.VIEW) -> QuerySet[M]:
    """Narrow `queryset` to what `user` may do `action` on.

    A model declares where its scope root is: `access_site_path` (lookup to its Site, "" for
    Site itself) or `access_organization_path` (lookup to its Organization, "" for Organization).
    """
    model = queryset.model
    if not user.is_authenticated:
        return queryset.none()
    site_path: str | None = getattr(model, "access_site_path", None)
    if site_path is not None:
        lookup = f"{site_path}__in" if site_path else "pk__in"
        return queryset.filter(**{lookup: site_ids_for(user, action)})
    org_path: str | None = getattr(model, "access_organization_path", None)
    if org_path is not None:
        lookup = f"{org_path}__in" if org_path else "pk__in"
        return queryset.filter(**{lookup: organizations_for(user, action).values("pk")})
    raise TypeError(f"{model.__name__} declares no access path; it cannot pass the permission door")


def can(user: AnyUser, action: Action | str, obj: models.Model) -> bool:
    """Whether `user` may do `action` on this one object (for showing buttons, checking writes)."""
    manager = type(obj)._default_manager
    return restrict(manager.all(), user, action).filter(pk=obj.pk).exists()


def role_in(user: AnyUser, organization_id: Any) -> str | None:
    membership = _memberships(user, Action.VIEW).filter(organization_id=organization_id).first()
    return membership.role if membership else None


class RestrictedQuerySet(models.QuerySet[M]):
    """QuerySet with `.restrict(user, action)`: the door, spelled as a method."""

    def restrict(self, user: AnyUser, action: Action | str = Action.VIEW) -> QuerySet[M]:
        return restrict(self, user, action)
