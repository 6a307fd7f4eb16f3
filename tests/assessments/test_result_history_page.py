"""A result's history: the workspace's dialog loads it with htmx (the partial), and its URL opened directly
(a link, a bookmark, a new tab) is a full page of the assessment with a way into the workspace. The
history of zones, conduits, assets and sites is a full page too."""

from __future__ import annotations

from typing import Any

import pytest

from assessments import services
from assessments.choices import ResultStatus
from assessments.models import Assessment, Result
from tests.assessments.helpers import make_assessment, make_plant, uniform
from tests.conftest import Personas

pytestmark = pytest.mark.django_db


@pytest.fixture
def result(personas: Personas) -> Result:
    plant = make_plant(personas.site, [uniform(1), uniform(1)], conduit_slt=uniform(1))
    assessment: Assessment = make_assessment(personas.site, personas.consultant)
    result = Result.objects.get(assessment=assessment, conduit=plant.conduits[0], requirement__ref="SR 1.1")
    return services.result_update(result=result, by=personas.owner, fields={"status": ResultStatus.NOT_MET})


def test_htmx_gets_the_dialog_content_only(client: Any, personas: Personas, result: Result) -> None:
    client.force_login(personas.auditor)
    response = client.get(f"/results/{result.pk}/history/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert [t.name for t in response.templates] == ["assessments/_result_history.html"]
    body = response.content.decode()
    assert "<html" not in body and body.lstrip().startswith('<h2 id="history-title">')
    assert "Not met" in body


def test_opened_directly_it_is_a_page_of_the_assessment(client: Any, personas: Personas, result: Result) -> None:
    client.force_login(personas.auditor)
    response = client.get(f"/results/{result.pk}/history/")
    assert response.status_code == 200
    assert response.templates[0].name == "assessments/result_history_page.html"
    body = response.content.decode()
    assert "<html" in body and 'aria-label="Main"' in body, "the navigation"
    assert result.assessment.title in body and "History of SR 1.1 · Conduit 1-2" in body
    assert "Not met" in body
    workspace = f"/assessments/{result.assessment_id}/workspace/?target={result.conduit_id}#r-{result.pk}"
    assert f'href="{workspace}"' in body


def test_other_histories_opened_directly_are_pages_too(client: Any, personas: Personas, result: Result) -> None:
    client.force_login(personas.auditor)
    for url in (f"/conduit/{result.conduit_id}/history/", f"/site/{personas.site.pk}/history/"):
        body = client.get(url).content.decode()
        assert "<html" in body and 'aria-label="Main"' in body, url


def test_outside_the_organization_it_does_not_exist(client: Any, personas: Personas, result: Result) -> None:
    client.force_login(personas.outsider)
    assert client.get(f"/results/{result.pk}/history/").status_code == 404
    assert client.get(f"/results/{result.pk}/history/", HTTP_HX_REQUEST="true").status_code == 404
