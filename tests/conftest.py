"""Fixtures shared by the whole suite: the catalogue, named personas, API clients."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from accounts.choices import Role
from accounts.models import Organization, User
from tests.factories import MembershipFactory, OrganizationFactory, SiteFactory, UserFactory
from zones.models import Site


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> None:
    """Load the real catalogue once into the test database."""
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        call_command("load_catalogue", verbosity=0)


@dataclass
class Personas:
    """Organization A (with a site) and its four roles, plus an outsider who belongs only to B."""

    org: Organization
    site: Site
    other_org: Organization
    other_site: Site
    admin: User
    consultant: User
    owner: User
    auditor: User
    outsider: User

    def by_name(self, name: str) -> User:
        user: User = getattr(self, name)
        return user


PERSONA_NAMES = ("admin", "consultant", "owner", "auditor", "outsider")
WRITERS = ("admin", "consultant", "owner")


@pytest.fixture
def personas(db: None) -> Personas:
    org = OrganizationFactory.create(name="Org A")
    other = OrganizationFactory.create(name="Org B")
    users = {}
    for name, role in [
        ("admin", Role.ADMIN),
        ("consultant", Role.CONSULTANT),
        ("owner", Role.ASSET_OWNER),
        ("auditor", Role.AUDITOR),
    ]:
        users[name] = UserFactory.create(username=f"persona-{name}")
        MembershipFactory.create(user=users[name], organization=org, role=role)
    users["outsider"] = UserFactory.create(username="persona-outsider")
    MembershipFactory.create(user=users["outsider"], organization=other, role=Role.ADMIN)
    return Personas(
        org=org,
        site=SiteFactory.create(organization=org, name="Site A"),
        other_org=other,
        other_site=SiteFactory.create(organization=other, name="Site B"),
        **users,
    )


@pytest.fixture
def api() -> APIClient:
    return APIClient()


def api_as(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client
