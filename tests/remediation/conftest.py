"""Fixtures shared by the remediation tests."""

from __future__ import annotations

import pytest

from tests.conftest import Personas
from tests.remediation.helpers import Scenario, build_scenario


@pytest.fixture
def scenario(personas: Personas) -> Scenario:
    """The plant with known gaps (see `Scenario`), its assessment in review, findings not yet generated."""
    return build_scenario(personas.site, personas.consultant)
