"""Level overrides (decision 0032): an organization's own level for a 3-3 item changes the scope and SL-A of the
assessments created after it, never of earlier ones; admins of that organization only; disputed items."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.choices import ResultStatus
from assessments.selectors import resync_plan, summary
from compliance import overrides
from compliance.models import LevelOverride, Requirement
from tests.assessments.helpers import Plant, make_assessment, make_plant, record, result_for, results_of, uniform
from tests.conftest import Personas, api_as

pytestmark = pytest.mark.django_db

DISPUTED = "SR 1.13 RE 1"  # FR1, selected from SL2 by the catalogue; public sources disagree (it has a note)
URL = "/api/v1/catalogue/overrides/"


@pytest.fixture
def plant(personas: Personas) -> Plant:
    return make_plant(personas.site, [uniform(1)])


def override(personas: Personas, ref: str = DISPUTED, level: int = 1, reason: str = "We read it as SL1") -> Any:
    return overrides.level_override_set(
        organization=personas.org, ref=ref, lowest_sl=level, reason=reason, by=personas.admin
    )


def post(personas: Personas, user: Any = None, **data: Any) -> Any:
    body = {"organization": str(personas.org.pk), "requirement": DISPUTED, "lowest_sl": 1, "reason": "Our reading"}
    return api_as(user or personas.admin).post(URL, {**body, **data}, format="json")


# --- the pin ---------------------------------------------------------------------------------------------------
def test_an_override_changes_the_scope_of_new_assessments_only(personas: Personas, plant: Plant) -> None:
    zone = plant.zones[0]
    before = make_assessment(personas.site, personas.consultant, title="Before")
    override(personas)
    after = make_assessment(personas.site, personas.consultant, title="After")

    assert results_of(after, zone).count() == results_of(before, zone).count() + 1
    assert results_of(after, zone).filter(requirement__ref=DISPUTED).exists()
    assert not results_of(before, zone).filter(requirement__ref=DISPUTED).exists()
    assert before.level_overrides == {} and after.level_overrides == {DISPUTED: 1}
    assert summary(after).progress.total == summary(before).progress.total + 1
    assert resync_plan(before).empty, "a re-sync keeps the old assessment's pin"
    assert resync_plan(after).empty


def test_the_pin_survives_a_change_or_removal_of_the_override(personas: Personas, plant: Plant) -> None:
    pinned = override(personas)
    assessment = make_assessment(personas.site, personas.consultant)
    overrides.level_override_set(organization=personas.org, ref=DISPUTED, lowest_sl=3, reason="No", by=personas.admin)
    overrides.level_override_delete(override=LevelOverride.objects.get(pk=pinned.pk))

    assessment.refresh_from_db()
    assert assessment.level_overrides == {DISPUTED: 1}
    assert resync_plan(assessment).empty
    shown = overrides.pinned_overrides(assessment)[DISPUTED]
    assert (shown.lowest_sl, shown.catalogue_sl, shown.reason) == (1, 2, "We read it as SL1")


def test_raising_a_level_takes_an_item_out_of_new_assessments(personas: Personas, plant: Plant) -> None:
    override(personas, ref="SR 1.1", level=3)
    assessment = make_assessment(personas.site, personas.consultant)
    assert not results_of(assessment, plant.zones[0]).filter(requirement__ref="SR 1.1").exists()


def test_sl_achieved_uses_the_pinned_level(personas: Personas, plant: Plant) -> None:
    zone = plant.zones[0]
    before = make_assessment(personas.site, personas.consultant, title="Before")
    override(personas)
    after = make_assessment(personas.site, personas.consultant, title="After")
    for assessment in (before, after):
        for result in results_of(assessment, zone).filter(requirement__fr_id="FR1"):
            record(result, ResultStatus.MET, personas.consultant)
    record(result_for(after, zone, DISPUTED), ResultStatus.NOT_MET, personas.consultant)

    assert summary(before).zones[0].standing.achieved["FR1"] == 1
    assert summary(after).zones[0].standing.achieved["FR1"] == 0, "the SL1 override is required at SL-T 1"


def test_other_organizations_overrides_do_not_apply(personas: Personas, plant: Plant) -> None:
    overrides.level_override_set(
        organization=personas.other_org, ref=DISPUTED, lowest_sl=1, reason="Theirs", by=personas.outsider
    )
    assessment = make_assessment(personas.site, personas.consultant)
    assert assessment.level_overrides == {}


# --- what shows the pin ----------------------------------------------------------------------------------------
def test_the_assessment_api_detail_page_and_workspace_say_which_overrides_it_uses(
    personas: Personas, plant: Plant, client: Any
) -> None:
    before = make_assessment(personas.site, personas.consultant, title="Before")
    override(personas)
    after = make_assessment(personas.site, personas.consultant, title="After")
    api = api_as(personas.auditor)
    assert api.get(f"/api/v1/assessments/{after.pk}/").json()["level_overrides"] == {DISPUTED: 1}
    assert api.get(f"/api/v1/assessments/{before.pk}/").json()["level_overrides"] == {}
    results = api.get(f"/api/v1/assessments/{after.pk}/results/", {"page_size": "all"}).json()["results"]
    assert {r["level"] for r in results if r["requirement"] == DISPUTED} == {1}

    client.force_login(personas.auditor)
    page = client.get(reverse("assessment-detail", args=[after.pk])).content.decode()
    assert DISPUTED in page and "We read it as SL1" in page
    assert "None: the catalogue" in client.get(reverse("assessment-detail", args=[before.pk])).content.decode()
    workspace = client.get(reverse("assessment-workspace", args=[after.pk])).content.decode()
    assert "overridden from SL2" in workspace


# --- the API ---------------------------------------------------------------------------------------------------
def test_an_admin_sets_then_replaces_an_override(personas: Personas) -> None:
    created = post(personas)
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["requirement"], body["lowest_sl"], body["catalogue_sl"], body["version"]) == (DISPUTED, 1, 2, 1)

    replaced = post(personas, lowest_sl=3, reason="Stricter after all")
    assert replaced.status_code == 200
    assert (replaced.json()["id"], replaced.json()["lowest_sl"], replaced.json()["version"]) == (body["id"], 3, 2)
    saved = LevelOverride.objects.get()
    assert [h.lowest_sl for h in saved.history.order_by("history_date")] == [1, 3], "the history keeps both"


@pytest.mark.parametrize(("name", "status"), [("consultant", 403), ("owner", 403), ("auditor", 403), ("outsider", 400)])
def test_only_the_organizations_admins_write(personas: Personas, name: str, status: int) -> None:
    user = personas.by_name(name)
    assert post(personas, user).status_code == status
    existing = override(personas)
    url = f"{URL}{existing.pk}/"
    # Another organization's override does not exist for the outsider (404); a member who is no admin: 403.
    assert api_as(user).delete(url, HTTP_IF_MATCH='"1"').status_code == (404 if name == "outsider" else status)
    assert LevelOverride.objects.filter(pk=existing.pk).exists()


def test_an_admin_removes_an_override_under_if_match(personas: Personas) -> None:
    existing = override(personas)
    url = f"{URL}{existing.pk}/"
    admin = api_as(personas.admin)
    assert admin.delete(url).status_code == 428
    assert admin.delete(url, HTTP_IF_MATCH='"7"').status_code == 412
    assert admin.delete(url, HTTP_IF_MATCH='"1"').status_code == 204
    assert not LevelOverride.objects.exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"requirement": "SR 9.9"}, "requirement"),
        ({"requirement": "CR 1.1"}, "requirement"),  # 4-2 items are not selected by an assessment's SL-T
        ({"lowest_sl": 0}, "lowest_sl"),
        ({"lowest_sl": 5}, "lowest_sl"),
        ({"lowest_sl": 2}, "lowest_sl"),  # the catalogue's own level
        ({"lowest_sl": "two"}, "lowest_sl"),
        ({"reason": "  "}, "reason"),
        ({"colour": "red"}, "non_field_errors"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(personas: Personas, data: dict[str, Any], field: str) -> None:
    response = post(personas, **data)
    assert response.status_code == 400
    assert field in response.json()
    assert not LevelOverride.objects.exists()


def test_the_list_shows_the_callers_organizations_only(personas: Personas) -> None:
    override(personas)
    overrides.level_override_set(organization=personas.other_org, ref="SR 2.11", lowest_sl=1, reason="B's",
                                 by=personas.outsider)  # fmt: skip
    mine = api_as(personas.auditor).get(URL).json()["results"]
    theirs = api_as(personas.outsider).get(URL).json()["results"]
    assert [o["requirement"] for o in mine] == [DISPUTED]
    assert [o["requirement"] for o in theirs] == ["SR 2.11"]
    assert api_as(personas.outsider).get(f"{URL}{mine[0]['id']}/").status_code == 404


def test_the_list_reads_in_constant_queries(personas: Personas) -> None:
    api = api_as(personas.admin)
    override(personas)
    with CaptureQueriesContext(connection) as one:
        assert api.get(URL).status_code == 200
    for ref in ("SR 2.11", "SR 3.4", "SR 6.2", "SR 5.2 RE 1"):
        override(personas, ref=ref)
    with CaptureQueriesContext(connection) as five:
        assert len(api.get(URL).json()["results"]) == 5
    assert len(five) == len(one)


# --- disputed items -----------------------------------------------------------------------------------------------
def test_disputed_items_are_flagged_and_filterable(personas: Personas) -> None:
    api = api_as(personas.outsider)
    disputed = api.get("/api/v1/catalogue/requirements/", {"disputed": "true", "page_size": "all"}).json()
    others = api.get("/api/v1/catalogue/requirements/", {"disputed": "false", "page_size": "all"}).json()
    expected = set(Requirement.objects.current().exclude(note="").values_list("ref", flat=True))
    assert expected and {r["id"] for r in disputed["results"]} == expected
    assert all(r["disputed"] and r["note"] for r in disputed["results"])
    assert not any(r["disputed"] for r in others["results"])
    assert disputed["count"] + others["count"] == Requirement.objects.current().count()
    detail = api.get(f"/api/v1/catalogue/requirements/{DISPUTED}/").json()
    assert detail["disputed"] is True


def test_the_catalogue_page_marks_disputed_items(personas: Personas, client: Any) -> None:
    client.force_login(personas.auditor)
    page = client.get(reverse("catalogue"), {"disputed": "true"}).content.decode()
    disputed = Requirement.objects.current().filter(catalogue__part="3-3").exclude(note="")
    assert disputed.exists() and page.count(">disputed</span>") == disputed.count()


def test_the_catalogue_page_shows_an_organizations_overrides_to_its_members_only(
    personas: Personas, client: Any
) -> None:
    override(personas)
    client.force_login(personas.auditor)
    assert "Org A: SL1" in client.get(reverse("catalogue")).content.decode()
    client.force_login(personas.outsider)
    assert "Org A: SL1" not in client.get(reverse("catalogue")).content.decode()
