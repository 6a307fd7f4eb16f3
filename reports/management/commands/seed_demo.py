"""`manage.py seed_demo`: demo organizations, logins and a realistic plant (idempotent).

It seeds every app, so it lives in reports, the app that already depends on all the others (accounts,
the bottom layer, imports no domain app)."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from accounts.choices import Role
from accounts.demo import DEMO_LOGINS, FIRST_ORG, seed_people
from assessments.demo import seed_assessment
from components.demo import seed_components
from program.demo import seed_program
from remediation.demo import seed_roadmap
from reports.demo import seed as seed_reports
from reports.demo import seed_crs
from risk.demo import seed_risk
from zones.demo import seed_plants, seed_water_works


class Command(BaseCommand):
    help = "Create or refresh the demo organizations, sites and logins."

    def handle(self, *args: Any, **options: Any) -> None:
        orgs = seed_people()
        seed_plants(orgs)
        site = seed_water_works(orgs[FIRST_ORG])
        seed_components(orgs[FIRST_ORG])  # the product library; links the works' assets to products
        seed_assessment(site)
        seed_program(orgs[FIRST_ORG])  # before the roadmap: its actions reuse the audit findings seeded here
        seed_roadmap(site)
        seed_crs(seed_risk(site))  # the approved risk assessment behind the SL-T vectors; its CRS queued once
        seed_reports(site.assessments.order_by("created").first())  # queues one gap report, once
        self.stdout.write(f"Demo logins (password: {settings.DEMO_PASSWORD}):")
        for login in DEMO_LOGINS:
            roles = ", ".join(f"{Role(role).label.lower()} at {org}" for org, role in login.roles)
            self.stdout.write(f"  {login.username:<16} {roles}")
