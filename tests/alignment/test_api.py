"""/api/v1/frameworks/ and /api/v1/assessments/{id}/coverage/: content, the six coverages on a hand-built
assessment, 400 for a bad framework, 404 through the door, and a query count that does not grow."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alignment.models import Framework
from alignment.selectors import _item_rows
from tests.alignment.helpers import EXPECTED, KEY, covered_assessment, load_test_framework
from tests.conftest import Personas, api_as

pytestmark = pytest.mark.django_db


@pytest.fixture
def framework(db: None) -> Framework:
    return load_test_framework()


def coverage_url(assessment_id: Any, key: str | None = KEY) -> str:
    url = f"/api/v1/assessments/{assessment_id}/coverage/"
    return url if key is None else f"{url}?framework={key}"


def test_frameworks_list_and_items_for_any_signed_in_user(personas: Personas, framework: Framework) -> None:
    client = api_as(personas.outsider)  # reference data, like the catalogue
    listed = client.get("/api/v1/frameworks/").json()
    mine = next(f for f in listed if f["id"] == KEY)
    assert mine["short_name"] == "TestFW" and mine["item_count"] == 6 and "zonewise" in mine["sources"]
    body = client.get(f"/api/v1/frameworks/{KEY}/items/").json()
    assert body["count"] == 6
    items = {i["id"]: i for i in body["results"]}
    assert items["A-2"]["iec"] == ["SR 1.3", "SR 1.4"]
    assert items["A-2"]["mappings"][1] == {
        "relationship": "intersects_with", "iec": ["SR 1.4"], "rationale": "Identifier management overlaps.",
        "source": "other",
    }  # fmt: skip
    assert items["G-1"]["iec"] == [] and items["G-1"]["no_counterpart"].startswith("Governance")
    assert client.get("/api/v1/frameworks/no-such/items/").status_code == 404


def test_anonymous_callers_are_refused(framework: Framework, api: Any) -> None:
    assert api.get("/api/v1/frameworks/").status_code in (401, 403)


def test_coverage_gives_each_item_its_coverage_results_and_counts(personas: Personas, framework: Framework) -> None:
    built = covered_assessment(personas.site, personas.consultant)
    body = api_as(personas.auditor).get(coverage_url(built.assessment.pk)).json()
    assert {i["id"]: i["coverage"] for i in body["items"]} == EXPECTED
    assert body["counts"] == dict.fromkeys(EXPECTED.values(), 1)
    assert body["framework"]["id"] == KEY
    partial = next(i for i in body["items"] if i["id"] == "A-2")
    assert partial["relationships"] == ["subset_of", "intersects_with"]
    assert partial["status_counts"] == {"compensated": 2, "not_met": 1, "not_assessed": 1}
    first = partial["results"][0]
    assert first["requirement"] == "SR 1.3" and first["status"] == "compensated"
    assert first["target"]["name"] == "Zone 1" and first["target"]["kind"] == "zone"
    assert next(i for i in body["items"] if i["id"] == "A-5")["results"] == []


@pytest.mark.parametrize(("query", "message"), [(None, "Give a framework key"), ("nope", "Unknown framework 'nope'")])
def test_a_missing_or_unknown_framework_is_a_400_naming_the_field(
    personas: Personas, framework: Framework, query: str | None, message: str
) -> None:
    built = covered_assessment(personas.site, personas.consultant, zones=1)
    response = api_as(personas.consultant).get(coverage_url(built.assessment.pk, query))
    assert response.status_code == 400
    assert message in response.json()["framework"][0]


def test_another_organizations_assessment_is_404(personas: Personas, framework: Framework) -> None:
    built = covered_assessment(personas.site, personas.consultant, zones=1)
    assert api_as(personas.outsider).get(coverage_url(built.assessment.pk)).status_code == 404


def test_the_query_count_does_not_grow_with_zones(personas: Personas, framework: Framework) -> None:
    small = covered_assessment(personas.site, personas.consultant, zones=1)
    large = covered_assessment(personas.site, personas.consultant, zones=3, prefix="Area")
    client = api_as(personas.consultant)
    counts = []
    for built in (small, large):
        _item_rows.cache_clear()  # the worst case: the framework's items not yet cached in this process
        with CaptureQueriesContext(connection) as queries:
            response = client.get(coverage_url(built.assessment.pk))
        assert response.status_code == 200
        counts.append(len(queries))
        with CaptureQueriesContext(connection) as queries:  # then cached: assessment, framework, results
            assert client.get(coverage_url(built.assessment.pk)).status_code == 200
        counts.append(len(queries))
    assert counts == [6, 3, 6, 3]
    large_body = client.get(coverage_url(large.assessment.pk)).json()
    assert len(next(i for i in large_body["items"] if i["id"] == "A-1")["results"]) == 3


def test_the_schema_documents_the_endpoints(personas: Personas) -> None:
    from tests.assessments.api_helpers import schema_paths

    paths = schema_paths(personas.owner)
    for path in ("/api/v1/frameworks/", "/api/v1/frameworks/{key}/items/", "/api/v1/assessments/{id}/coverage/"):
        assert path in paths, path
    parameters = paths["/api/v1/assessments/{id}/coverage/"]["get"]["parameters"]
    assert any(p["name"] == "framework" and p["required"] for p in parameters)
