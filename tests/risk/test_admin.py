"""The risk models' admin pages open (lists, a change page with the history)."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import Personas
from tests.factories import UserFactory
from tests.risk import helpers
from tests.zones.plant import small_plant

pytestmark = pytest.mark.django_db


def test_admin_pages_of_risk_open(personas: Personas, client: Client) -> None:
    plant = small_plant(personas.site)
    ra = helpers.assessment(personas.site)
    helpers.scenario(ra, plant.control, helpers.source(personas.org, "Hacktivist"))
    client.force_login(UserFactory.create(username="root", is_staff=True, is_superuser=True))
    for name in ("riskmatrix", "threatsource", "riskassessment", "threatscenario", "appliedtarget"):
        assert client.get(f"/admin/risk/{name}/").status_code == 200, name
    assert client.get(f"/admin/risk/riskassessment/{ra.pk}/change/").status_code == 200
    assert client.get(f"/admin/risk/riskassessment/{ra.pk}/history/").status_code == 200
