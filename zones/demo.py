"""Demo plants for `manage.py seed_demo`: a water treatment works and a chemical plant."""

from __future__ import annotations

from django.db import transaction

from accounts.demo import FIRST_ORG, SECOND_ORG
from accounts.models import Organization
from zones.choices import Sector
from zones.models import Site


@transaction.atomic
def seed_plants(orgs: dict[str, Organization]) -> None:
    Site.objects.get_or_create(
        organization=orgs[FIRST_ORG],
        name="Riverside Water Treatment Works",
        defaults={
            "location": "Northfield",
            "sector": Sector.WATER,
            "description": "Surface water treatment, 120 Ml/day: intake, clarification, filtration, disinfection.",
        },
    )
    Site.objects.get_or_create(
        organization=orgs[SECOND_ORG],
        name="Harbour Bay Chemical Plant",
        defaults={"location": "Harbour Bay", "sector": Sector.CHEMICALS, "description": "Batch chemical production."},
    )
