"""`manage.py seed_demo`: demo organizations, logins and a realistic plant (idempotent)."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from accounts.demo import DEMO_LOGINS, FIRST_ORG, seed_people


class Command(BaseCommand):
    help = "Create or refresh the demo organizations, sites and logins."

    def handle(self, *args: Any, **options: Any) -> None:
        from assessments.demo import seed_assessment
        from zones.demo import seed_plants, seed_water_works

        orgs = seed_people()
        seed_plants(orgs)
        seed_assessment(seed_water_works(orgs[FIRST_ORG]))
        self.stdout.write(f"Demo logins (password: {settings.DEMO_PASSWORD}):")
        for login in DEMO_LOGINS:
            roles = ", ".join(f"{role} at {org}" for org, role in login.roles)
            self.stdout.write(f"  {login.username:<16} {roles}")
