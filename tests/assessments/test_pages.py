"""Assessment pages: who sees and changes what, the forms, the workspace, evidence and partials."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments import services
from assessments.choices import AssessmentStatus, ResultStatus
from assessments.models import Assessment, Evidence, Result
from tests.assessments.helpers import make_assessment, make_plant, uniform
from tests.conftest import PERSONA_NAMES, WRITERS, Personas

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessment(personas: Personas) -> Assessment:
    make_plant(personas.site, [uniform(2), uniform(1)], conduit_slt=uniform(1))
    return make_assessment(personas.site, personas.consultant)


def first_result(assessment: Assessment, ref: str = "SR 1.1") -> Result:
    return Result.objects.filter(assessment=assessment, requirement__ref=ref, zone__isnull=False).order_by(
        "zone__name"
    )[0]


def page_urls(a: Assessment) -> list[str]:
    r = first_result(a)
    return [
        f"/assessments/{a.pk}/",
        f"/assessments/{a.pk}/workspace/",
        f"/assessments/{a.pk}/workspace/?target={r.zone_id}&fr=FR1&status=not_assessed&todo=1",
        f"/assessments/{a.pk}/heatmap/",
        f"/assessments/{a.pk}/workspace/targets/",
        f"/assessments/{a.pk}/evidence/",
        f"/results/{r.pk}/history/",
        f"/results/{r.pk}/comments/",
        f"/results/{r.pk}/evidence/",
    ]


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_every_page_is_readable_by_members_and_404_for_outsiders(
    client: Any, personas: Personas, assessment: Assessment, name: str
) -> None:
    client.force_login(personas.by_name(name))
    for url in page_urls(assessment):
        expected = 404 if name == "outsider" else 200
        assert client.get(url).status_code == expected, url


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_writes_by_page_need_a_writer_role(client: Any, personas: Personas, assessment: Assessment, name: str) -> None:
    client.force_login(personas.by_name(name))
    r = first_result(assessment)
    edit = client.get(f"/assessments/{assessment.pk}/edit/")
    comment = client.post(f"/results/{r.pk}/comments/", {"body": "Seen on site"})
    expected = {"outsider": 404, "auditor": 403}.get(name, 200)
    assert edit.status_code == expected
    assert comment.status_code == expected
    assert r.comments.count() == (1 if name in WRITERS else 0)


def test_stale_edit_keeps_the_input_and_shows_the_other_change(
    client: Any, personas: Personas, assessment: Assessment
) -> None:
    client.force_login(personas.consultant)
    url = f"/assessments/{assessment.pk}/edit/"
    form = client.get(url).context["form"]
    started_from = assessment.version
    Assessment.objects.filter(pk=assessment.pk).update(title="Renamed by them", version=started_from + 1)
    data = {**{k: v for k, v in form.initial.items() if v is not None}, "title": "Renamed by me",
            "version": started_from}  # fmt: skip
    data["zones"] = [z.pk for z in assessment.zones.all()]
    data["conduits"] = [c.pk for c in assessment.conduits.all()]
    data["team"] = [u.pk for u in assessment.team.all()]
    response = client.post(url, data)
    body = response.content.decode()
    assert response.status_code == 200 and "Someone else saved this assessment while you were editing" in body
    assert 'value="Renamed by me"' in body and f'name="version" value="{started_from + 1}"' in body
    assert '<td data-role="theirs">Renamed by them</td><td data-role="yours">Renamed by me</td>' in body
    assert Assessment.objects.get(pk=assessment.pk).title == "Renamed by them"  # nothing overwritten


def test_list_shows_only_the_users_assessments(client: Any, personas: Personas, assessment: Assessment) -> None:
    make_plant(personas.other_site, [uniform(1)], prefix="B")
    make_assessment(personas.other_site, personas.outsider, title="Their assessment")
    client.force_login(personas.auditor)
    body = client.get("/assessments/").content.decode()
    assert assessment.title in body
    assert "Their assessment" not in body


def test_create_by_form_defaults_to_the_whole_site(client: Any, personas: Personas) -> None:
    plant = make_plant(personas.site, [uniform(2), uniform(1)], conduit_slt=uniform(1))
    client.force_login(personas.consultant)
    url = f"/sites/{personas.site.pk}/assessments/new/"
    form = client.get(url).content.decode()
    assert form.count('type="checkbox" name="zones"') == 2 and "checked" in form
    data = {
        "title": "Spring 2026",
        "zones": [z.pk for z in plant.zones],
        "conduits": [c.pk for c in plant.conduits],
        "lead": personas.consultant.pk,
        "team": [personas.owner.pk],
        "planned_start": "2026-03-01",
        "planned_end": "2026-03-31",
    }
    response = client.post(url, data)
    created = Assessment.objects.get(title="Spring 2026")
    assert response.status_code == 302 and response["Location"] == created.get_absolute_url()
    assert created.results.count() > 0
    assert list(created.team.all()) == [personas.owner]


def test_create_form_shows_field_errors_and_keeps_input(client: Any, personas: Personas) -> None:
    make_plant(personas.site, [uniform(1)])
    client.force_login(personas.consultant)
    response = client.post(
        f"/sites/{personas.site.pk}/assessments/new/",
        {"title": "Backwards", "planned_start": "2026-03-31", "planned_end": "2026-03-01"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "The planned end is before the planned start." in body
    assert 'value="Backwards"' in body
    assert not Assessment.objects.filter(title="Backwards").exists()


def test_status_buttons_and_sign_off(client: Any, personas: Personas, assessment: Assessment) -> None:
    url = f"/assessments/{assessment.pk}/status/"
    client.force_login(personas.owner)
    for to in (AssessmentStatus.IN_PROGRESS, AssessmentStatus.IN_REVIEW):
        client.post(url, {"status": to})
    client.post(url, {"status": AssessmentStatus.FINAL})  # owners cannot sign off
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.IN_REVIEW
    client.force_login(personas.consultant)
    page = client.get(assessment.get_absolute_url()).content.decode()
    assert "Sign off (make final)" in page
    client.post(url, {"status": AssessmentStatus.FINAL, "version": assessment.version, "reason": "For the test"})
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.FINAL and assessment.signed_off_by == personas.consultant
    workspace = client.get(f"/assessments/{assessment.pk}/workspace/").content.decode()
    assert 'data-can-change="0"' in workspace and 'id="final-banner"' in workspace  # read-only, says so
    assert 'data-field="status"' not in workspace  # values as text, no controls
    assert "read-only" in client.get(assessment.get_absolute_url()).content.decode()


def test_stale_status_change_is_refused_with_a_message(client: Any, personas: Personas, assessment: Assessment) -> None:
    client.force_login(personas.consultant)
    stale = assessment.version
    services.assessment_update(assessment=assessment, by=personas.owner, fields={"title": "Renamed"})
    response = client.post(
        f"/assessments/{assessment.pk}/status/", {"status": AssessmentStatus.IN_PROGRESS, "version": stale}, follow=True
    )
    assert "Someone else changed this assessment" in response.content.decode()
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.DRAFT


def test_workspace_filters(client: Any, personas: Personas, assessment: Assessment) -> None:
    r = first_result(assessment)
    services.result_update(result=r, by=personas.owner, fields={"status": ResultStatus.MET})
    client.force_login(personas.owner)
    base = f"/assessments/{assessment.pk}/workspace/?target={r.zone_id}"
    met = client.get(base + "&status=met").content.decode()
    assert met.count('class="result ') == 1 and f'id="r-{r.pk}"' in met
    todo = client.get(base + "&todo=1").content.decode()
    assert f'id="r-{r.pk}"' not in todo and todo.count('class="result ') > 10
    fr2 = client.get(base + "&fr=FR2").content.decode()
    assert "SR 2.1" in fr2 and "SR 1.1<" not in fr2


def test_workspace_query_count_does_not_grow_with_results(client: Any, personas: Personas) -> None:
    small = make_plant(personas.site, [uniform(1)], prefix="Small")
    big = make_plant(personas.site, [uniform(4)], prefix="Big")
    a = make_assessment(personas.site, personas.consultant, zones=small.zones + big.zones, conduits=[])
    client.force_login(personas.consultant)
    counts = []
    for zone in (small.zones[0], big.zones[0]):
        url = f"/assessments/{a.pk}/workspace/?target={zone.pk}"
        client.get(url)  # warm the catalogue cache
        with CaptureQueriesContext(connection) as ctx:
            body = client.get(url).content.decode()
        counts.append((len(ctx.captured_queries), body.count('class="result ')))
    (few_queries, few_rows), (many_queries, many_rows) = counts
    assert many_rows > 2 * few_rows
    assert many_queries == few_queries


def test_evidence_upload_from_a_result_and_checked_download(
    client: Any, personas: Personas, assessment: Assessment
) -> None:
    r = first_result(assessment)
    content = b"%PDF-1.7\nfirewall rule review\n"
    client.force_login(personas.owner)
    upload = SimpleUploadedFile("rules.pdf", content, content_type="application/pdf")
    response = client.post(f"/results/{r.pk}/evidence/", {"file": upload, "description": "Rule review"})
    assert response.status_code == 200 and "rules.pdf" in response.content.decode()
    evidence = Evidence.objects.get(results=r)
    assert evidence.sha256 == hashlib.sha256(content).hexdigest()
    download = client.get(f"/evidence/{evidence.pk}/download/")
    assert b"".join(download.streaming_content) == content
    assert download["X-Checksum-SHA256"] == evidence.sha256
    assert "attachment" in download["Content-Disposition"]
    client.force_login(personas.outsider)
    assert client.get(f"/evidence/{evidence.pk}/download/").status_code == 404


def test_evidence_refused_type_is_a_field_error(client: Any, personas: Personas, assessment: Assessment) -> None:
    client.force_login(personas.consultant)
    bad = SimpleUploadedFile("tool.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    response = client.post(f"/assessments/{assessment.pk}/evidence/", {"file": bad})
    assert response.status_code == 200
    assert "are not accepted" in response.content.decode()
    assert not Evidence.objects.exists()


def test_link_existing_evidence_to_another_result(client: Any, personas: Personas, assessment: Assessment) -> None:
    a, b = Result.objects.filter(assessment=assessment)[:2]
    evidence = services.evidence_add(assessment=assessment, by=personas.owner, reference="DMS-4411", results=[a])
    client.force_login(personas.owner)
    client.post(f"/results/{b.pk}/evidence/", {"link": evidence.pk})
    assert set(evidence.results.all()) == {a, b}
    client.post(f"/results/{a.pk}/evidence/", {"unlink": evidence.pk})
    assert set(evidence.results.all()) == {b}


def test_history_partial_names_who_changed_what(client: Any, personas: Personas, assessment: Assessment) -> None:
    r = first_result(assessment)
    services.result_update(result=r, by=personas.owner, fields={"status": ResultStatus.NOT_MET})
    r.refresh_from_db()
    services.result_update(result=r, by=personas.consultant, fields={"status": ResultStatus.MET})
    client.force_login(personas.auditor)
    body = client.get(f"/results/{r.pk}/history/").content.decode()
    assert body.index("Not met") < body.index("Not assessed")  # newest first: met ← not met ← not assessed
    assert personas.owner.username in body and personas.consultant.username in body


def test_overview_offers_resync_after_a_target_changes(client: Any, personas: Personas, assessment: Assessment) -> None:
    from tests.assessments.helpers import set_target

    zone = assessment.zones.order_by("name")[1]
    set_target(zone, uniform(2))
    client.force_login(personas.consultant)
    page = client.get(assessment.get_absolute_url()).content.decode()
    assert "Targets have changed" in page
    before = assessment.results.count()
    client.post(f"/assessments/{assessment.pk}/resync/")
    assert assessment.results.count() > before
    assert "Targets have changed" not in client.get(assessment.get_absolute_url()).content.decode()
