"""Generating findings from the page refuses an assessment still in progress (out of test_pages.py, whose tests
share one assessment in review with its findings generated)."""

from __future__ import annotations

from typing import Any

import pytest

from remediation.models import Finding
from tests.conftest import Personas
from tests.remediation.helpers import build_scenario

pytestmark = pytest.mark.django_db


def test_generate_refuses_an_assessment_in_progress(client: Any, personas: Personas) -> None:
    scenario = build_scenario(personas.site, personas.consultant, review=False)
    client.force_login(personas.owner)
    response = client.post("/findings/generate/", {"assessment": scenario.assessment.pk}, follow=True)
    assert "in review or final" in response.content.decode()
    assert not Finding.objects.exists()
