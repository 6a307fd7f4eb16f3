"""seed_demo: the demo organizations and logins, idempotent."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from accounts.access import organizations_for
from accounts.models import Membership, Organization, User

pytestmark = pytest.mark.django_db


def test_seed_demo_is_idempotent_and_logins_work(settings: object) -> None:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    counts = (User.objects.count(), Organization.objects.count(), Membership.objects.count())
    call_command("seed_demo", stdout=StringIO())
    assert (User.objects.count(), Organization.objects.count(), Membership.objects.count()) == counts
    for username in ("demo-admin", "demo-consultant", "demo-owner", "demo-auditor", "demo-outsider"):
        assert authenticate(username=username, password="zonewise-demo") is not None
        assert username in out.getvalue()
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


def test_demo_password_from_environment(settings: object) -> None:
    settings.DEMO_PASSWORD = "another-secret"  # type: ignore[attr-defined]
    call_command("seed_demo", stdout=StringIO())
    assert authenticate(username="demo-owner", password="another-secret") is not None
