"""Remediation pages: who sees and changes what, the forms, generation, status moves, suggestions,
the verify flow (results updated through the assessment, with evidence) and query counts."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.choices import ResultStatus
from assessments.models import Evidence, Result
from remediation.choices import ActionStatus, FindingStatus
from remediation.models import Action, Finding
from tests.conftest import PERSONA_NAMES, WRITERS, Personas, shared_by_the_module
from tests.remediation.helpers import Scenario, build_scenario, finish, generated, make_action, manual_finding, sign_off

pytestmark = pytest.mark.django_db


def build_generated(personas: Personas) -> Scenario:
    s = build_scenario(personas.site, personas.consultant)
    generated(s)
    return s


# Built once for the module (an assessment in review and its generated findings); see shared_by_the_module.
# (Refusing to generate for an assessment in progress, with no findings anywhere: test_generate_page.py.)
_shared_world, _fresh_world, personas, scenario = shared_by_the_module(build_generated)


@pytest.fixture
def action(personas: Personas, scenario: Scenario) -> Action:
    finding = scenario.finding(scenario.zone1, "SR 1.1")
    return make_action(personas.site, personas.owner, [finding], title="MFA for operators", owner=personas.owner)


def prefix(result: Result) -> str:
    return f"r{result.pk.hex[:8]}"


def result_post(result: Result, **fields: Any) -> dict[str, Any]:
    p = prefix(result)
    data = {f"{p}-status": ResultStatus.MET, f"{p}-observations": "", f"{p}-countermeasure": "",
            f"{p}-justification": "", f"{p}-version": result.version}  # fmt: skip
    data.update({f"{p}-{k}": v for k, v in fields.items()})
    return data


# --- the permission matrix ---------------------------------------------------------------------------
@pytest.fixture(params=PERSONA_NAMES)
def name(request: pytest.FixtureRequest, client: Any, personas: Personas) -> str:
    """Each persona in turn, logged in to `client` (the permission matrix runs every test once per persona)."""
    persona: str = request.param
    client.force_login(personas.by_name(persona))
    return persona


def test_detail_pages_are_readable_by_members_and_404_for_outsiders(
    client: Any, personas: Personas, scenario: Scenario, action: Action, name: str
) -> None:
    finding = scenario.finding(scenario.zone1, "SR 1.1")
    for url in (f"/findings/{finding.pk}/", f"/actions/{action.pk}/", f"/actions/{action.pk}/verify/"):
        assert client.get(url).status_code == (404 if name == "outsider" else 200), url


def test_list_pages_show_only_what_the_person_may_see(
    client: Any, personas: Personas, scenario: Scenario, action: Action, name: str
) -> None:
    site = personas.site.pk
    for url in (f"/roadmap/?site={site}", f"/roadmap/suggestions/?site={site}", f"/findings/?site={site}",
                f"/actions/?site={site}", "/roadmap/", "/findings/", "/actions/"):  # fmt: skip
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        visible = "MFA for operators" in body or "Zone 1" in body
        assert visible == (name != "outsider"), url


def test_form_pages_need_a_writer_role(
    client: Any, personas: Personas, scenario: Scenario, action: Action, name: str
) -> None:
    finding = scenario.finding(scenario.zone1, "SR 1.1")
    expected = {"outsider": 404, "auditor": 403}.get(name, 200)
    for url in (f"/sites/{personas.site.pk}/findings/new/", f"/findings/{finding.pk}/edit/",
                f"/sites/{personas.site.pk}/actions/new/", f"/actions/{action.pk}/edit/"):  # fmt: skip
        assert client.get(url).status_code == expected, url


def test_posts_need_a_writer_role(
    client: Any, personas: Personas, scenario: Scenario, action: Action, name: str
) -> None:
    expected = {"outsider": 404, "auditor": 403}.get(name, 302)
    done = finish(
        make_action(personas.site, personas.owner, [manual_finding(personas.site, personas.owner)]), personas.owner
    )
    result = scenario.result(scenario.zone1, "SR 1.1")
    sr51 = scenario.finding(scenario.zone1, "SR 5.1")
    posts = {
        "generate": ("/findings/generate/", {"assessment": scenario.assessment.pk}),
        "status": (f"/actions/{action.pk}/status/", {"status": "in_progress", "version": action.version}),
        "suggestion": (
            "/roadmap/suggestions/decide/",
            {"site": personas.site.pk, "decision": "drop", "key": _key([sr51]), "findings": [sr51.pk]},
        ),
        "verify result": (f"/actions/{action.pk}/verify/results/{result.pk}/", result_post(result)),
        "verify": (f"/actions/{done.pk}/verify/", {"note": "ok", "version": done.version}),
    }
    for label, (url, data) in posts.items():
        assert client.post(url, data).status_code == expected, label
    action.refresh_from_db()
    assert action.status == ("in_progress" if name in WRITERS else "planned")
    assert Result.objects.get(pk=result.pk).status == ("met" if name in WRITERS else "not_met")
    assert Action.objects.filter(status=ActionStatus.REJECTED).count() == (1 if name in WRITERS else 0)
    assert Action.objects.get(pk=done.pk).status == ("verified" if name in WRITERS else "done")


def _key(findings: list[Finding]) -> str:
    import hashlib

    return hashlib.sha256(",".join(sorted(str(f.pk) for f in findings)).encode()).hexdigest()[:16]


# --- findings ----------------------------------------------------------------------------------------
def test_findings_list_filters(client: Any, personas: Personas, scenario: Scenario) -> None:
    manual_finding(personas.site, personas.owner, title="Audit: no IR plan")
    client.force_login(personas.auditor)
    url = f"/findings/?site={personas.site.pk}"
    assert "Audit: no IR plan" in client.get(url).content.decode()
    body = client.get(url + "&source=assessment&severity=critical").content.decode()
    assert "Audit: no IR plan" not in body and "SR 5.1 Network segmentation · Zone 1" in body
    body = client.get(url + f"&zone={scenario.zone2.pk}").content.decode()
    assert "· Zone 2" in body and "· Zone 1" not in body
    assert client.get(url + "&severity=nonsense&zone=not-a-uuid").status_code == 200  # ignored, not an error


def test_generate_from_the_page_says_what_it_did(client: Any, personas: Personas, scenario: Scenario) -> None:
    client.force_login(personas.owner)
    response = client.post("/findings/generate/", {"assessment": scenario.assessment.pk}, follow=True)
    assert "0 new findings, 3 already up to date" in response.content.decode()


def test_enter_and_edit_a_finding(client: Any, personas: Personas, scenario: Scenario) -> None:
    client.force_login(personas.owner)
    data = {"title": "Default SNMP community on the switches", "source": "vulnerability_scan", "reference": "Scan 7",
            "zone": scenario.zone1.pk, "severity": "medium", "identified": "2026-11-02", "status": "open"}  # fmt: skip
    response = client.post(f"/sites/{personas.site.pk}/findings/new/", data)
    finding = Finding.objects.get(title=data["title"])
    assert response.status_code == 302 and response["Location"] == finding.get_absolute_url()
    response = client.post(f"/findings/{finding.pk}/edit/", {**data, "status": "resolved", "version": 1})
    finding.refresh_from_db()
    assert finding.status == FindingStatus.RESOLVED and finding.resolved_at is not None
    stale = client.post(f"/findings/{finding.pk}/edit/", {**data, "title": "Mine", "version": 1})
    body = stale.content.decode()
    assert stale.status_code == 200 and "Someone else saved this finding while you were editing" in body
    assert 'value="Mine"' in body and 'name="version" value="2"' in body  # input kept, their version taken
    assert '<td data-role="theirs">Resolved</td>' in body and '<td data-role="yours">Open</td>' in body
    finding.refresh_from_db()
    assert (finding.title, finding.status) == (data["title"], FindingStatus.RESOLVED)  # nothing overwritten


def test_finding_form_refuses_a_resolution_before_identification(
    client: Any, personas: Personas, scenario: Scenario
) -> None:
    client.force_login(personas.owner)
    data = {"title": "Old", "source": "incident", "severity": "low", "identified": "2026-11-02",
            "status": "resolved", "resolved_at": "2026-01-01"}  # fmt: skip
    body = client.post(f"/sites/{personas.site.pk}/findings/new/", data).content.decode()
    assert "cannot be resolved before it was identified" in body
    assert not Finding.objects.filter(title="Old").exists()


# --- actions -----------------------------------------------------------------------------------------
def test_create_an_action_prefilled_from_a_suggestion(client: Any, personas: Personas, scenario: Scenario) -> None:
    client.force_login(personas.consultant)
    findings = [scenario.finding(scenario.zone1, "SR 1.1"), scenario.finding(scenario.zone2, "SR 1.1")]
    query = "&".join(f"findings={f.pk}" for f in findings)
    form = client.get(f"/sites/{personas.site.pk}/actions/new/?{query}").content.decode()
    assert 'value="SR 1.1 Human user identification and authentication: Zone 1, Zone 2"' in form
    assert 'value="7.5"' in form
    data = {"title": "MFA everywhere", "findings": [f.pk for f in findings], "status": "planned", "phase": "short_term",
            "effort_days": "8", "planned_start": "2026-12-01", "due_date": "2027-02-26",
            "owner": personas.owner.pk}  # fmt: skip
    response = client.post(f"/sites/{personas.site.pk}/actions/new/", data)
    created = Action.objects.get(title="MFA everywhere")
    assert response["Location"] == created.get_absolute_url()
    assert set(created.zones.all()) == {scenario.zone1, scenario.zone2}
    assert {f.status for f in created.findings.all()} == {FindingStatus.IN_REMEDIATION}


def test_action_form_errors_keep_the_input(client: Any, personas: Personas) -> None:
    client.force_login(personas.owner)
    data = {"title": "Backwards", "status": "planned", "phase": "quick_win", "planned_start": "2027-03-01",
            "due_date": "2027-01-01", "needs_maintenance_window": "on"}  # fmt: skip
    body = client.post(f"/sites/{personas.site.pk}/actions/new/", data).content.decode()
    assert "The due date is before the planned start." in body
    assert "Name the maintenance window" in body
    assert 'value="Backwards"' in body and not Action.objects.exists()


def test_edit_action_and_stale_form(client: Any, personas: Personas, action: Action) -> None:
    client.force_login(personas.owner)
    data = {"title": "MFA for all operators", "status": "planned", "phase": "mid_term", "version": action.version,
            "findings": [f.pk for f in action.findings.all()], "zones": [z.pk for z in action.zones.all()]}  # fmt: skip
    assert client.post(f"/actions/{action.pk}/edit/", data).status_code == 302
    action.refresh_from_db()
    assert action.title == "MFA for all operators" and action.findings.count() == 1
    stale = client.post(f"/actions/{action.pk}/edit/", {**data, "title": "Mine"})
    body = stale.content.decode()
    assert stale.status_code == 200 and "Someone else saved this action while you were editing" in body
    assert 'value="Mine"' in body and '<td data-role="theirs">MFA for all operators</td>' in body
    action.refresh_from_db()
    assert action.title == "MFA for all operators"  # nothing overwritten
    history = client.get(f"/actions/{action.pk}/").content.decode().split('id="history"')[1]
    assert "persona-owner" in history
    assert '<span class="diff-old">MFA for operators</span> → <span class="diff-new">MFA for all operators</span>' in (
        history
    )


def test_status_buttons(client: Any, personas: Personas, action: Action) -> None:
    client.force_login(personas.owner)
    page = client.get(f"/actions/{action.pk}/").content.decode()
    assert "Start work" in page and "Mark done" in page
    response = client.post(f"/actions/{action.pk}/status/", {"status": "done", "version": action.version}, follow=True)
    assert "Action marked done. Verify it next" in response.content.decode()
    assert "Verify and update the results" in response.content.decode()
    response = client.post(f"/actions/{action.pk}/status/", {"status": "verified"}, follow=True)
    assert "verify flow" in response.content.decode()


def test_actions_list_filters_and_overdue(client: Any, personas: Personas, action: Action) -> None:
    make_action(personas.site, personas.owner, title="Late review", planned_start=None, due_date=date(2020, 1, 1))
    client.force_login(personas.auditor)
    body = client.get(f"/actions/?site={personas.site.pk}&status=planned").content.decode()
    assert "Late review" in body and "overdue" in body and "MFA for operators" in body
    body = client.get(f"/actions/?site={personas.site.pk}&owner={personas.owner.pk}").content.decode()
    assert "MFA for operators" in body and "Late review" not in body


# --- suggestions -------------------------------------------------------------------------------------
def test_accept_and_drop_suggestions(client: Any, personas: Personas, scenario: Scenario) -> None:
    client.force_login(personas.owner)
    page = client.get(f"/roadmap/suggestions/?site={personas.site.pk}").content.decode()
    assert "SR 1.1 Human user identification and authentication: Zone 1, Zone 2" in page
    sr11 = [scenario.finding(scenario.zone1, "SR 1.1"), scenario.finding(scenario.zone2, "SR 1.1")]
    data = {"site": personas.site.pk, "key": _key(sr11), "findings": [f.pk for f in sr11], "decision": "accept",
            "phase": "mid_term"}  # fmt: skip
    client.post("/roadmap/suggestions/decide/", data)
    accepted = Action.objects.get(findings=sr11[0])
    assert (accepted.status, accepted.owner, accepted.phase) == (ActionStatus.PLANNED, personas.owner, "mid_term")
    assert accepted.planned_start is not None and accepted.due_date is not None
    again = client.post("/roadmap/suggestions/decide/", data, follow=True).content.decode()
    assert "That suggestion has changed meanwhile" in again
    sr51 = [scenario.finding(scenario.zone1, "SR 5.1")]
    client.post(
        "/roadmap/suggestions/decide/", {**data, "key": _key(sr51), "findings": [sr51[0].pk], "decision": "drop"}
    )
    assert Action.objects.get(findings=sr51[0]).status == ActionStatus.REJECTED
    page = client.get(f"/roadmap/suggestions/?site={personas.site.pk}").content.decode()
    assert "Nothing to suggest" in page


# --- the verify flow ---------------------------------------------------------------------------------
def test_verify_flow_updates_results_with_evidence_then_records(
    client: Any, personas: Personas, scenario: Scenario, action: Action
) -> None:
    client.force_login(personas.owner)
    action = finish(action, personas.owner)
    page = client.get(f"/actions/{action.pk}/verify/").content.decode()
    assert "Save SR 1.1" in page and "Save SR 1.1 RE 1" in page
    assert "{0,2,2,2,0,2,2}" in page  # Zone 1's SL-A before
    sr11, re1 = scenario.result(scenario.zone1, "SR 1.1"), scenario.result(scenario.zone1, "SR 1.1 RE 1")
    upload = SimpleUploadedFile("mfa-test.pdf", b"%PDF-1.7\n%%EOF\n", content_type="application/pdf")
    response = client.post(
        f"/actions/{action.pk}/verify/results/{sr11.pk}/",
        result_post(sr11, observations="MFA on all HMIs, tested", evidence_file=upload),
    )
    assert response.status_code == 302 and response["Location"].endswith(f"#r-{sr11.pk}")
    sr11.refresh_from_db()
    assert (sr11.status, sr11.observations, sr11.updated_by) == ("met", "MFA on all HMIs, tested", personas.owner)
    evidence = Evidence.objects.get(results=sr11)
    assert (evidence.filename, evidence.description) == ("mfa-test.pdf", "Verification of “MFA for operators”")
    # Verifying with RE 1 still partially met needs an explicit yes.
    refused = client.post(f"/actions/{action.pk}/verify/", {"note": "Tested", "version": action.version})
    assert refused.status_code == 400 and "still shows 1 addressed result(s) unsatisfied" in refused.content.decode()
    client.post(f"/actions/{action.pk}/verify/results/{re1.pk}/", result_post(re1, evidence_reference="CHG-0042"))
    page = client.get(f"/actions/{action.pk}/verify/").content.decode()
    assert "{2,2,2,2,0,2,2}" in page  # Zone 1's FR1 rose to its target
    response = client.post(f"/actions/{action.pk}/verify/", {"note": "Tested", "version": action.version}, follow=True)
    assert "Action verified. 1 finding resolved." in response.content.decode()
    assert Finding.objects.get(pk=scenario.finding(scenario.zone1, "SR 1.1").pk).status == FindingStatus.RESOLVED


def test_verify_result_form_errors_and_stale_versions(
    client: Any, personas: Personas, scenario: Scenario, action: Action
) -> None:
    client.force_login(personas.owner)
    sr11 = scenario.result(scenario.zone1, "SR 1.1")
    url = f"/actions/{action.pk}/verify/results/{sr11.pk}/"
    body = client.post(url, result_post(sr11, status="compensated")).content.decode()
    assert "Describe the compensating countermeasure" in body
    stale = client.post(url, result_post(sr11, observations="Mine", version=sr11.version + 5))
    body = stale.content.decode()
    assert stale.status_code == 200 and "Someone else saved this result while you were editing" in body
    assert "Mine</textarea>" in body and '<td data-role="yours">Mine</td>' in body
    sr11.refresh_from_db()
    assert sr11.observations != "Mine"  # nothing overwritten
    other = scenario.result(scenario.zone2, "SR 1.1")  # not addressed by this action
    assert client.post(f"/actions/{action.pk}/verify/results/{other.pk}/", result_post(other)).status_code == 404


def test_verify_page_for_a_final_assessment(
    client: Any, personas: Personas, scenario: Scenario, action: Action
) -> None:
    sign_off(scenario.assessment, personas.consultant)
    action = finish(action, personas.owner)
    client.force_login(personas.owner)
    page = client.get(f"/actions/{action.pk}/verify/").content.decode()
    assert "final (signed off) and read-only" in page and "Save SR 1.1" not in page
    response = client.post(f"/actions/{action.pk}/verify/", {"note": "ok", "version": action.version}, follow=True)
    assert "confirm the fix in the next assessment" in response.content.decode()


# --- roadmap -----------------------------------------------------------------------------------------
def test_roadmap_page(client: Any, personas: Personas, scenario: Scenario, action: Action) -> None:
    make_action(personas.site, personas.owner, title="Late review", planned_start=None, due_date=date(2020, 1, 1))
    client.force_login(personas.auditor)
    body = client.get(f"/roadmap/?site={personas.site.pk}").content.decode()
    assert "<svg" in body and "MFA for operators" in body
    assert 'id="overdue"' in body and "Late review" in body
    assert "Not with the planned actions" in body and "FR5 uncovered" in body
    assert "New action" not in body  # auditors read
    filtered = client.get(f"/roadmap/?site={personas.site.pk}&owner={personas.owner.pk}").content.decode()
    assert "MFA for operators" in filtered and "Late review" not in filtered.split('id="projection"')[0]


def _queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_list_pages_take_constant_queries(client: Any, personas: Personas, scenario: Scenario, action: Action) -> None:
    client.force_login(personas.owner)
    urls = [f"/roadmap/?site={personas.site.pk}", f"/actions/?site={personas.site.pk}",
            f"/findings/?site={personas.site.pk}"]  # fmt: skip
    before = [_queries(client, u) for u in urls]
    findings = list(Finding.objects.filter(site=personas.site))
    for n in range(4):
        make_action(personas.site, personas.owner, findings, title=f"A{n}", owner=personas.consultant)
        manual_finding(personas.site, personas.owner, title=f"F{n}")
    assert [_queries(client, u) for u in urls] == before


def test_costs_are_shown_in_the_organizations_currency(client: Any, personas: Personas, action: Action) -> None:
    personas.org.currency = "CHF"
    personas.org.save()
    Action.objects.filter(pk=action.pk).update(cost_estimate=1500)
    client.force_login(personas.consultant)
    assert "1,500 CHF" in client.get(f"/actions/{action.pk}/").content.decode()
    assert "cost 1,500 CHF" in client.get(f"/roadmap/?site={personas.site.pk}").content.decode()
    assert "Cost estimate (CHF)" in client.get(f"/actions/{action.pk}/edit/").content.decode()
