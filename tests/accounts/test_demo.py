"""seed_demo: the demo organizations and logins, idempotent, with the password from the settings."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from accounts.access import organizations_for
from accounts.models import Membership, Organization, User
from tests.conftest import DEMO_GROUP

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group(DEMO_GROUP)]
LOGINS = ("demo-admin", "demo-consultant", "demo-owner", "demo-auditor", "demo-outsider")


def test_the_demo_logins_and_their_organizations(demo_db: None) -> None:
    for username in LOGINS:
        assert authenticate(username=username, password="zonewise-demo") is not None, username
    consultant = User.objects.get(username="demo-consultant")
    assert organizations_for(consultant).count() == 2
    outsider = User.objects.get(username="demo-outsider")
    assert [o.name for o in organizations_for(outsider)] == ["Harbour Chemicals Ltd"]
    roles = dict(
        Membership.objects.filter(organization__name="Northfield Water Authority").values_list("user__username", "role")
    )
    assert roles == {
        "demo-admin": "admin",
        "demo-consultant": "consultant",
        "demo-owner": "asset_owner",
        "demo-auditor": "auditor",
    }


def test_seeding_again_adds_nothing_lists_the_logins_and_takes_the_password_from_the_settings(
    demo_db: None, settings: object
) -> None:
    # One second run on the seeded demo checks both (it used to be two tests seeding twice and once more).
    counts = (User.objects.count(), Organization.objects.count(), Membership.objects.count())
    settings.DEMO_PASSWORD = "another-secret"  # type: ignore[attr-defined]
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert (User.objects.count(), Organization.objects.count(), Membership.objects.count()) == counts
    assert "password: another-secret" in out.getvalue()
    for username in LOGINS:
        assert username in out.getvalue()
        assert authenticate(username=username, password="another-secret") is not None, username
