"""The permission door: roles, organizations, per-site grants."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from guardian.shortcuts import assign_perm

from accounts.access import Action, can, organizations_for, restrict
from accounts.choices import Role
from accounts.models import Membership, Organization
from tests.conftest import WRITERS, Personas
from tests.factories import MembershipFactory, SiteFactory, UserFactory
from zones.models import Site

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["admin", "consultant", "owner", "auditor"])
def test_members_see_their_organization_and_its_site(personas: Personas, name: str) -> None:
    user = personas.by_name(name)
    assert list(organizations_for(user)) == [personas.org]
    assert list(Site.objects.restrict(user, Action.VIEW)) == [personas.site]


def test_outsider_sees_only_the_other_organization(personas: Personas) -> None:
    assert list(organizations_for(personas.outsider)) == [personas.other_org]
    assert list(Site.objects.restrict(personas.outsider, Action.VIEW)) == [personas.other_site]


@pytest.mark.parametrize(("name", "allowed"), [(n, n in WRITERS) for n in ("admin", "consultant", "owner", "auditor")])
def test_change_follows_the_role(personas: Personas, name: str, allowed: bool) -> None:
    assert can(personas.by_name(name), Action.CHANGE, personas.site) is allowed


def test_only_admins_manage_the_organization(personas: Personas) -> None:
    assert can(personas.admin, Action.MANAGE, personas.org)
    assert not can(personas.consultant, Action.MANAGE, personas.org)


def test_anonymous_sees_nothing(personas: Personas) -> None:
    assert not restrict(Site.objects.all(), AnonymousUser(), Action.VIEW).exists()
    assert not organizations_for(AnonymousUser()).exists()


def test_consultant_with_two_clients_sees_both(personas: Personas) -> None:
    MembershipFactory.create(user=personas.consultant, organization=personas.other_org, role=Role.CONSULTANT)
    assert set(Site.objects.restrict(personas.consultant)) == {personas.site, personas.other_site}


def test_membership_limited_to_granted_sites(personas: Personas) -> None:
    second_site = SiteFactory.create(organization=personas.org, name="Second plant")
    external = UserFactory.create(username="external-auditor")
    MembershipFactory.create(user=external, organization=personas.org, role=Role.AUDITOR, all_sites=False)
    assert not Site.objects.restrict(external).exists()
    assign_perm("zones.view_site", external, second_site)
    assert list(Site.objects.restrict(external)) == [second_site]
    # A grant cannot lift the role: an auditor still cannot change the granted site.
    assert not can(external, Action.CHANGE, second_site)
    # A grant on a site of an organization the person is not a member of gives nothing.
    assign_perm("zones.view_site", external, personas.other_site)
    assert list(Site.objects.restrict(external)) == [second_site]


def test_restrict_is_one_query_whatever_the_size(personas: Personas) -> None:
    for n in range(20):
        org = Organization.objects.create(name=f"Client {n}")
        Membership.objects.create(user=personas.consultant, organization=org, role=Role.CONSULTANT)
        SiteFactory.create(organization=org)
    with CaptureQueriesContext(connection) as ctx:
        sites = list(Site.objects.restrict(personas.consultant))
    assert len(sites) == 21
    assert len(ctx.captured_queries) == 1


def test_a_model_without_an_access_path_is_refused(personas: Personas) -> None:
    with pytest.raises(TypeError, match="declares no access path"):
        restrict(Membership.objects.all(), personas.admin)
