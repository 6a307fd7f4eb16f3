"""Carry forward (decision 0026): a new assessment starts from an earlier one's findings, marked to confirm;
confirming clears the mark through the result's PATCH (If-Match, history, live); expired evidence is flagged."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from assessments import carry, live, services
from assessments.choices import ResultStatus
from assessments.models import Assessment, Evidence, Result
from assessments.selectors import summary
from tests.assessments.api_helpers import a_result, add_reference, etag, make_assessment, sign_off
from tests.conftest import Personas, api_as, shared_by_the_module
from tests.zones.plant import Plant, small_plant
from zones.models import Zone

pytestmark = pytest.mark.django_db


class Last:
    """Last year's assessment of org A's small plant with three findings, one with expired evidence."""

    def __init__(self, personas: Personas) -> None:
        self.plant: Plant = small_plant(personas.site)
        by = personas.consultant
        self.assessment = make_assessment(personas.site, by, title="2025")
        self.met = a_result(self.assessment, "SR 1.1", zone=self.plant.control)
        self.compensated = a_result(self.assessment, "SR 1.2", zone=self.plant.control)
        self.na = a_result(self.assessment, "SR 1.1", conduit=self.plant.conduit)
        services.result_update(result=self.met, by=by, fields={"status": "met", "observations": "AD accounts"})
        services.result_update(
            result=self.compensated,
            by=by,
            fields={"status": "compensated", "countermeasure": "Jump host", "observations": "No MFA"},
        )
        services.result_update(result=self.na, by=by, fields={"status": "not_applicable", "justification": "None"})
        self.evidence = add_reference(self.assessment, by)
        self.expired = services.evidence_add(
            assessment=self.assessment,
            by=by,
            reference="Old audit",
            expires=timezone.localdate() - timedelta(days=1),
        )
        services.evidence_link(evidence=self.evidence, results=[self.met, self.compensated], by=by)
        services.evidence_link(evidence=self.expired, results=[self.compensated], by=by)
        sign_off(self.assessment, by)


# Built once for the module (an assessment signed off); see shared_by_the_module.
_shared_world, _fresh_world, personas, last = shared_by_the_module(Last)


def carried(assessment: Assessment) -> dict[tuple[Any, str], Result]:
    rows = Result.objects.filter(assessment=assessment, carried_forward=True).select_related("requirement")
    return {(r.target_id, r.requirement.ref): r for r in rows}


# --- the service -----------------------------------------------------------------------------------
def test_carry_copies_findings_and_links_the_same_evidence(personas: Personas, last: Last) -> None:
    new = make_assessment(personas.site, personas.consultant, title="2026", previous=last.assessment)
    rows = carried(new)
    assert set(rows) == {
        (last.plant.control.pk, "SR 1.1"),
        (last.plant.control.pk, "SR 1.2"),
        (last.plant.conduit.pk, "SR 1.1"),
    }  # only the targets and requirements that had a finding; the DMZ's SR 1.1 was never assessed
    comp = rows[(last.plant.control.pk, "SR 1.2")]
    assert (comp.status, comp.countermeasure, comp.observations) == ("compensated", "Jump host", "No MFA")
    assert comp.carried_from_id == last.compensated.pk and comp.version == 1  # created carried, one write
    assert rows[(last.plant.conduit.pk, "SR 1.1")].justification == "None"
    assert set(comp.evidence.values_list("pk", flat=True)) == {last.evidence.pk, last.expired.pk}
    assert Evidence.objects.count() == 2  # linked, not copied
    assert new.carried == carry.CarryCounts(carried=3, evidence_links=3, expired_links=1)  # type: ignore[attr-defined]
    assert [h.carried_forward for h in comp.history.all()] == [True]  # created carried, in the history
    untouched = a_result(new, "SR 1.1", zone=last.plant.dmz)
    assert (untouched.status, untouched.carried_forward) == (ResultStatus.NOT_ASSESSED, False)
    # last year's results are not changed by the carry
    last.met.refresh_from_db()
    assert last.met.carried_forward is False and last.met.evidence.count() == 1


def test_carry_only_targets_in_the_new_scope(personas: Personas, last: Last) -> None:
    new = make_assessment(
        personas.site, personas.consultant, previous=last.assessment, zones=[last.plant.dmz], conduits=[]
    )
    assert carried(new) == {}


def test_carry_refuses_another_site_all_or_nothing(personas: Personas, last: Last) -> None:
    other_site = type(personas.site).objects.create(organization=personas.org, name="Site A2")
    Zone.objects.create(site=other_site, name="Z")
    before = Assessment.objects.count()
    with pytest.raises(ValidationError) as refused:
        make_assessment(other_site, personas.consultant, previous=last.assessment)
    assert "same site" in str(refused.value.message_dict["previous"])
    assert Assessment.objects.count() == before


def test_carry_failing_half_way_leaves_nothing(personas: Personas, last: Last) -> None:
    before = (Assessment.objects.count(), Result.objects.count())
    links = Evidence.results.through.objects
    with mock.patch.object(links, "bulk_create", side_effect=RuntimeError("disk")), pytest.raises(RuntimeError):
        make_assessment(personas.site, personas.consultant, previous=last.assessment)
    assert (Assessment.objects.count(), Result.objects.count()) == before


def test_progress_counts_carried_apart_until_confirmed(personas: Personas, last: Last) -> None:
    new = make_assessment(personas.site, personas.consultant, previous=last.assessment)
    control = next(t for t in summary(new).zones if t.id == last.plant.control.pk)
    assert (control.carried_forward, control.progress.assessed) == (2, 0)
    result = carried(new)[(last.plant.control.pk, "SR 1.1")]
    services.result_update(result=result, by=personas.consultant, fields={"carried_forward": False})
    control = next(t for t in summary(new).zones if t.id == last.plant.control.pk)
    assert (control.carried_forward, control.progress.assessed) == (1, 1)
    assert summary(new).carried_forward == 2


def test_a_result_cannot_be_marked_carried_by_hand(personas: Personas, last: Last) -> None:
    with pytest.raises(ValidationError):
        services.result_update(result=last.met, by=personas.consultant, fields={"carried_forward": True})


# --- the API -----------------------------------------------------------------------------------------
def test_api_create_with_previous_answers_counts(personas: Personas, last: Last) -> None:
    client = api_as(personas.consultant)
    body = {"site": str(personas.site.pk), "title": "2026", "previous": str(last.assessment.pk)}
    response = client.post("/api/v1/assessments/", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["carried_forward"] == 3 and "previous" not in response.json()
    summary_ = client.get(f"/api/v1/assessments/{response.json()['id']}/summary/").json()
    control = next(z for z in summary_["zones"] if z["id"] == str(last.plant.control.pk))
    assert control["carried_forward"] == 2


def test_api_refuses_previous_of_another_site_or_organization(personas: Personas, last: Last) -> None:
    client = api_as(personas.consultant)
    other_org = make_assessment(personas.other_site, personas.outsider, title="B")
    site_b = type(personas.site).objects.create(organization=personas.org, name="Site A2")
    for site, previous, says in [
        (personas.site, other_org, "does not exist"),
        (site_b, last.assessment, "same site"),
    ]:
        body = {"site": str(site.pk), "title": "2026", "previous": str(previous.pk)}
        response = client.post("/api/v1/assessments/", body, format="json")
        assert response.status_code == 400
        assert says in str(response.json()["previous"])


def test_api_confirm_with_patch(personas: Personas, last: Last) -> None:
    new = make_assessment(personas.site, personas.consultant, previous=last.assessment)
    result = carried(new)[(last.plant.control.pk, "SR 1.2")]
    client = api_as(personas.consultant)
    url = f"/api/v1/results/{result.pk}/"
    shown = client.get(url).json()
    assert (shown["carried_forward"], shown["evidence_expired"]) == (True, True)
    assert shown["carried_from"] == str(last.compensated.pk)
    assert client.patch(url, {"carried_forward": False}, format="json").status_code == 428
    assert client.patch(url, {"carried_forward": False}, format="json", HTTP_IF_MATCH='"7"').status_code == 412
    response = client.patch(url, {"carried_forward": False}, format="json", HTTP_IF_MATCH=etag(result))
    assert response.status_code == 200 and response.json()["carried_forward"] is False
    result.refresh_from_db()
    assert result.carried_forward is False and result.status == "compensated"
    assert [h.carried_forward for h in result.history.order_by("history_date")] == [True, False]
    # Keeping the carried evidence on a later PATCH is allowed; it belongs to last year's assessment.
    evidence_ids = [str(last.evidence.pk), str(last.expired.pk)]
    kept = client.patch(url, {"evidence": evidence_ids}, format="json", HTTP_IF_MATCH=etag(result))
    assert kept.status_code == 200, kept.json()
    other = a_result(new, "SR 1.1", zone=last.plant.dmz)
    refused = client.patch(
        f"/api/v1/results/{other.pk}/", {"evidence": evidence_ids[:1]}, format="json", HTTP_IF_MATCH=etag(other)
    )
    assert refused.status_code == 400


def test_api_confirm_is_published_live(personas: Personas, last: Last, django_capture_on_commit_callbacks: Any) -> None:
    new = make_assessment(personas.site, personas.consultant, previous=last.assessment)
    result = carried(new)[(last.plant.control.pk, "SR 1.1")]
    sent: list[dict[str, Any]] = []
    url = f"/api/v1/results/{result.pk}/"
    with (
        mock.patch.object(live, "send_now", lambda _a, m: sent.append(m)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        api_as(personas.consultant).patch(url, {"carried_forward": False}, format="json", HTTP_IF_MATCH=etag(result))
    assert [(m["type"], m["result"]["carried_forward"]) for m in sent] == [("result.updated", False)]


# --- the pages -----------------------------------------------------------------------------------------
def test_create_page_carries_forward_from_the_chosen_assessment(client: Any, personas: Personas, last: Last) -> None:
    client.force_login(personas.consultant)
    url = f"/sites/{personas.site.pk}/assessments/new/"
    form = client.get(url).content.decode()
    assert "Carry forward from" in form and str(last.assessment.pk) in form
    data = {
        "title": "2026",
        "previous": str(last.assessment.pk),
        "zones": [str(z.pk) for z in (last.plant.dmz, last.plant.control)],
        "conduits": [str(last.plant.conduit.pk)],
        "lead": str(personas.consultant.pk),
    }
    response = client.post(url, data)
    assert response.status_code == 302
    new = Assessment.objects.get(title="2026")
    assert len(carried(new)) == 3
    detail = client.get(f"/assessments/{new.pk}/").content.decode()
    assert "3 carried forward, to confirm" in detail
    edit = client.get(f"/assessments/{new.pk}/edit/").content.decode()
    assert "Carry forward from" not in edit  # only at creation


def test_workspace_shows_the_mark_the_button_and_expired_evidence(client: Any, personas: Personas, last: Last) -> None:
    new = make_assessment(personas.site, personas.consultant, previous=last.assessment)
    comp = carried(new)[(last.plant.control.pk, "SR 1.2")]
    met = carried(new)[(last.plant.control.pk, "SR 1.1")]
    url = f"/assessments/{new.pk}/workspace/?target={last.plant.control.pk}"
    client.force_login(personas.consultant)
    page = client.get(url).content.decode()
    assert "2 carried forward, to confirm" not in page  # the whole assessment has 3
    assert "3 carried forward, to confirm" in page and "2 to confirm" in page
    row = page[page.index(f'id="r-{comp.pk}"') :].split("</article>")[0]
    assert 'data-role="carried"' in row and "evidence expired" in row and 'data-action="confirm"' in row
    row = page[page.index(f'id="r-{met.pk}"') :].split("</article>")[0]
    assert 'data-role="carried"' in row and "evidence expired" not in row
    client.force_login(personas.auditor)  # reads, cannot confirm
    row = client.get(url).content.decode().split(f'id="r-{comp.pk}"')[1].split("</article>")[0]
    assert 'data-role="carried"' in row and 'data-action="confirm"' not in row
