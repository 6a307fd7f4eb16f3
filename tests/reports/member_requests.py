"""What the tests of a report kind share about who may ask for it: the kind's PDF laid out as blank pages
(tests.reports.conftest.light_pdf) and a request as one persona, refused for the outsider."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest
from rest_framework.test import APIClient

from reports.models import ReportJob
from reports.pdf import gap_assessment
from tests.conftest import Personas, api_as

URL = "/api/v1/reports/"


def light_render(monkeypatch: pytest.MonkeyPatch, module: ModuleType, light_pdf: list[str]) -> list[str]:
    """Lay `module`'s report out as light_pdf's blank pages too (light_pdf put its stand-in on gap_assessment);
    the HTML documents it was given are returned."""
    monkeypatch.setattr(module, "html_to_pdf", gap_assessment.html_to_pdf)
    return light_pdf


def request_as(
    personas: Personas, name: str, body: dict[str, Any], capture: Any, *, scope_field: str
) -> tuple[APIClient, dict[str, Any]] | None:
    """POST `body` to the reports endpoint as persona `name`, running the job at commit. The outsider is
    refused with a 400 on `scope_field` (what they may not see does not exist for them) and no job (None);
    every member gets a 202 and the job: (their client, the job's representation)."""
    client = api_as(personas.by_name(name))
    with capture(execute=True):
        response = client.post(URL, body, format="json")
    if name == "outsider":
        assert response.status_code == 400 and "does not exist" in str(response.json()[scope_field])
        assert not ReportJob.objects.exists()
        return None
    assert response.status_code == 202, response.content
    return client, response.json()
