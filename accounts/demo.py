"""Demo organizations and logins for `manage.py seed_demo` (idempotent)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from accounts.choices import Role
from accounts.models import Membership, Organization, User

FIRST_ORG = "Northfield Water Authority"
SECOND_ORG = "Harbour Chemicals Ltd"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    full_name: str
    roles: tuple[tuple[str, str], ...]  # (organization name, role)


DEMO_LOGINS = (
    DemoLogin("demo-admin", "Alex Admin", ((FIRST_ORG, Role.ADMIN),)),
    DemoLogin("demo-consultant", "Casey Consultant", ((FIRST_ORG, Role.CONSULTANT), (SECOND_ORG, Role.CONSULTANT))),
    DemoLogin("demo-owner", "Olivia Owner", ((FIRST_ORG, Role.ASSET_OWNER),)),
    DemoLogin("demo-auditor", "Adrian Auditor", ((FIRST_ORG, Role.AUDITOR),)),
    DemoLogin("demo-outsider", "Oscar Outsider", ((SECOND_ORG, Role.ASSET_OWNER),)),
)


@transaction.atomic
def seed_people() -> dict[str, Organization]:
    """Create (or refresh) the two demo organizations and the five demo logins."""
    currencies = {FIRST_ORG: "GBP", SECOND_ORG: "EUR"}
    # The water utility reports against NIS2 and NERC CIP: its gap reports get a regulatory alignment chapter.
    frameworks = {FIRST_ORG: ["nis2", "nerc-cip"], SECOND_ORG: []}
    orgs = {
        name: Organization.objects.update_or_create(
            name=name, defaults={"currency": currency, "alignment_frameworks": frameworks[name]}
        )[0]
        for name, currency in currencies.items()
    }
    for login in DEMO_LOGINS:
        first, _, last = login.full_name.partition(" ")
        user, _ = User.objects.get_or_create(username=login.username, defaults={"first_name": first, "last_name": last})
        user.set_password(settings.DEMO_PASSWORD)
        user.email = f"{login.username}@example.com"
        user.save()
        for org_name, role in login.roles:
            Membership.objects.update_or_create(user=user, organization=orgs[org_name], defaults={"role": role})
    return orgs
