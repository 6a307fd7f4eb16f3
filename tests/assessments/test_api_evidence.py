"""The evidence API: uploads (SHA-256, size limit 413, type allow-list), references, links to results,
downloads through the door, and the permission matrix."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.models import Evidence
from tests.assessments.api_helpers import (
    PDF,
    World,
    a_result,
    add_file_evidence,
    add_reference,
    build_world,
    make_assessment,
    sign_off,
    upload,
)
from tests.conftest import PERSONA_NAMES, WRITERS, Personas, api_as, shared_by_the_module

pytestmark = pytest.mark.django_db
URL = "/api/v1/evidence/"


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


# Built once for the module (two assessments); see shared_by_the_module.
_shared_world, _fresh_world, personas, world = shared_by_the_module(build_world)


# --- upload ----------------------------------------------------------------------------------------
def test_upload_is_hashed_linked_and_described(personas: Personas, world: World, media: Path) -> None:
    second = a_result(world.assessment, "SR 1.2", zone=world.plant.control)
    response = api_as(personas.owner).post(
        URL,
        {"file": upload("Firewall rules.pdf"), "description": "Rule base export", "expires": "2026-01-31",
         "results": [str(world.result.pk), str(second.pk)]},
        format="multipart",
    )  # fmt: skip
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert body["assessment"] == str(world.assessment.pk)  # derived from the results
    assert (body["filename"], body["size"], body["content_type"]) == ("Firewall rules.pdf", len(PDF), "application/pdf")
    assert (body["description"], body["expires"], body["reference"]) == ("Rule base export", "2026-01-31", "")
    assert set(body["results"]) == {str(world.result.pk), str(second.pk)}
    assert body["added_by"] == {"id": str(personas.owner.pk), "name": "persona-owner"}
    assert body["download_url"] == f"http://testserver/api/v1/evidence/{body['id']}/download/"
    assert body["added_at"]
    evidence = Evidence.objects.get(pk=body["id"])
    assert Path(evidence.file.path).read_bytes() == PDF
    assert Path(evidence.file.path).is_relative_to(media)


def test_upload_with_an_explicit_assessment_and_no_results(personas: Personas, world: World) -> None:
    response = api_as(personas.consultant).post(
        URL, {"file": upload("notes.txt", b"plain text notes\n"), "assessment": str(world.assessment.pk)},
        format="multipart",
    )  # fmt: skip
    assert response.status_code == 201, response.json()
    assert (response.json()["results"], response.json()["content_type"]) == ([], "text/plain")
    assert response.json()["sha256"] == hashlib.sha256(b"plain text notes\n").hexdigest()


def test_reference_evidence(personas: Personas, world: World) -> None:
    client = api_as(personas.owner)
    response = client.post(URL, {"reference": "DMS-4711 rev C", "results": [str(world.result.pk)]}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["reference"], body["sha256"], body["filename"], body["download_url"]) == (
        "DMS-4711 rev C",
        "",
        "",
        None,
    )
    download = client.get(f"{URL}{body['id']}/download/")
    assert download.status_code == 404
    assert "DMS-4711 rev C" in download.json()["detail"] and "no file" in download.json()["detail"]


def test_too_large_is_413(personas: Personas, world: World, settings: Any) -> None:
    settings.EVIDENCE_MAX_BYTES = 1024
    response = api_as(personas.owner).post(
        URL, {"file": upload("big.txt", b"x" * 2048), "assessment": str(world.assessment.pk)}, format="multipart"
    )
    assert response.status_code == 413
    assert "limited to" in str(response.json()["file"])
    assert not Evidence.objects.exists()
    at_limit = api_as(personas.owner).post(
        URL, {"file": upload("ok.txt", b"x" * 1024), "assessment": str(world.assessment.pk)}, format="multipart"
    )
    assert at_limit.status_code == 201


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("setup.exe", b"MZ\x90\x00", "Files of type .exe are not accepted"),
        ("report.pdf", b"MZ\x90\x00 pretending", "looks like a program"),
        ("drawing.png", b"%PDF-1.4 not a png", "does not match its .png extension"),
        ("empty.txt", b"", "empty"),
    ],
)
def test_refused_types_are_400_on_file(
    personas: Personas, world: World, name: str, content: bytes, message: str
) -> None:
    response = api_as(personas.owner).post(
        URL, {"file": upload(name, content), "assessment": str(world.assessment.pk)}, format="multipart"
    )
    assert response.status_code == 400
    assert message in str(response.json()["file"])
    assert not Evidence.objects.exists()


@pytest.mark.parametrize(
    ("case", "field", "message"),
    [
        ("neither assessment nor results", "assessment", "Give the assessment, or results"),
        ("neither file nor reference", "file", "either a file or a reference"),
        ("both file and reference", "reference", "not both"),
        ("result of another organization", "results", "does not exist"),
        ("assessment of another organization", "assessment", "does not exist"),
        ("results of two assessments", "results", "different assessments"),
        ("result of another assessment", "results", "its own assessment"),
        ("bad expiry", "expires", "Date has wrong format"),
    ],
)
def test_upload_refusals(personas: Personas, world: World, case: str, field: str, message: str) -> None:
    second = make_assessment(personas.site, personas.consultant, title="Second")
    body: dict[str, Any] = {"file": upload(), "results": [str(world.result.pk)]}
    if case == "neither assessment nor results":
        del body["results"]
    elif case == "neither file nor reference":
        del body["file"]
    elif case == "both file and reference":
        body["reference"] = "DMS-1"
    elif case == "result of another organization":
        body["results"] = [str(world.other_result.pk)]
    elif case == "assessment of another organization":
        body = {"file": upload(), "assessment": str(world.other_assessment.pk)}
    elif case == "results of two assessments":
        body["results"].append(str(a_result(second).pk))
    elif case == "result of another assessment":
        body["assessment"] = str(second.pk)
    elif case == "bad expiry":
        body["expires"] = "next spring"
    response = api_as(personas.consultant).post(URL, body, format="multipart")
    assert response.status_code == 400, response.json()
    assert message in str(response.json()[field])
    assert not Evidence.objects.exists()


def test_final_assessment_refuses_uploads_and_edits(personas: Personas, world: World) -> None:
    evidence = add_reference(world.assessment, personas.consultant)
    sign_off(world.assessment, personas.consultant)
    client = api_as(personas.consultant)
    uploaded = client.post(URL, {"file": upload(), "results": [str(world.result.pk)]}, format="multipart")
    assert uploaded.status_code == 400 and "read-only" in str(uploaded.json())
    for change in ({"description": "late"}, {"results": [str(world.result.pk)]}):
        patched = client.patch(f"{URL}{evidence.pk}/", change, format="json")
        assert patched.status_code == 400 and "read-only" in str(patched.json())
    evidence.refresh_from_db()
    assert (evidence.description, list(evidence.results.all())) == ("", [])
    assert Evidence.objects.count() == 1


# --- download --------------------------------------------------------------------------------------
def test_download_returns_the_same_bytes(personas: Personas, world: World) -> None:
    evidence = add_file_evidence(world.assessment, personas.owner, name="Rules (v2).pdf")
    response = api_as(personas.auditor).get(f"{URL}{evidence.pk}/download/")
    assert response.status_code == 200
    content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert content == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "Rules (v2).pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Checksum-SHA256"] == hashlib.sha256(PDF).hexdigest()
    assert "sandbox" in response["Content-Security-Policy"]


def test_download_of_a_lost_file_is_404(personas: Personas, world: World) -> None:
    evidence = add_file_evidence(world.assessment, personas.owner)
    Path(evidence.file.path).unlink()
    response = api_as(personas.owner).get(f"{URL}{evidence.pk}/download/")
    assert response.status_code == 404 and "missing from storage" in response.json()["detail"]


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_read_matrix(personas: Personas, world: World, name: str) -> None:
    evidence = add_file_evidence(world.assessment, personas.owner, results=[world.result])
    foreign = add_file_evidence(world.other_assessment, personas.outsider)
    client = api_as(personas.by_name(name))
    expected = 404 if name == "outsider" else 200
    assert client.get(f"{URL}{evidence.pk}/").status_code == expected
    download = client.get(f"{URL}{evidence.pk}/download/")
    assert download.status_code == expected
    if expected == 200:
        assert b"".join(download.streaming_content) == PDF  # type: ignore[attr-defined]
    listed = [e["id"] for e in client.get(URL).json()["results"]]
    assert listed == [str(foreign.pk)] if name == "outsider" else [str(evidence.pk)]


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_write_matrix(personas: Personas, world: World, name: str) -> None:
    evidence = add_reference(world.assessment, personas.consultant)
    client = api_as(personas.by_name(name))
    created = client.post(URL, {"file": upload(), "results": [str(world.result.pk)]}, format="multipart")
    # The outsider does not see org A's results: for them the ids do not exist.
    assert created.status_code == (201 if name in WRITERS else 403 if name == "auditor" else 400)
    patched = client.patch(f"{URL}{evidence.pk}/", {"description": f"By {name}"}, format="json")
    assert patched.status_code == (200 if name in WRITERS else 403 if name == "auditor" else 404)
    evidence.refresh_from_db()
    assert evidence.description == (f"By {name}" if name in WRITERS else "")
    assert Evidence.objects.count() == (2 if name in WRITERS else 1)


def test_auditor_upload_with_an_explicit_assessment_is_403(personas: Personas, world: World) -> None:
    response = api_as(personas.auditor).post(
        URL, {"file": upload(), "assessment": str(world.assessment.pk)}, format="multipart"
    )
    assert response.status_code == 403
    assert not Evidence.objects.exists()


# --- edit and filters ------------------------------------------------------------------------------
def test_patch_relinks_and_describes(personas: Personas, world: World) -> None:
    evidence = add_file_evidence(world.assessment, personas.owner, results=[world.result])
    other = a_result(world.assessment, "SR 1.2", zone=world.plant.dmz)
    second = make_assessment(personas.site, personas.consultant, title="Second")
    client = api_as(personas.consultant)
    url = f"{URL}{evidence.pk}/"
    response = client.patch(
        url, {"results": [str(other.pk)], "description": "Now for SR 1.2", "expires": "2027-12-31"}, format="json"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["results"], body["description"], body["expires"]) == ([str(other.pk)], "Now for SR 1.2", "2027-12-31")
    assert body["sha256"] == hashlib.sha256(PDF).hexdigest()  # the file is untouched
    wrong = client.patch(url, {"results": [str(a_result(second).pk)]}, format="json")
    assert wrong.status_code == 400 and "its own assessment" in str(wrong.json()["results"])
    replace = client.patch(url, {"file": upload("other.pdf")}, format="multipart")
    assert replace.status_code == 400 and "Unknown fields: file" in str(replace.json())
    evidence.refresh_from_db()
    assert [r.pk for r in evidence.results.all()] == [other.pk]
    assert evidence.filename == "firewall-rules.pdf"


def test_list_filters(personas: Personas, world: World) -> None:
    on_result = add_file_evidence(world.assessment, personas.owner, results=[world.result])
    loose = add_reference(world.assessment, personas.owner)
    second = make_assessment(personas.site, personas.consultant, title="Second")
    elsewhere = add_reference(second, personas.owner, "DMS-2")
    client = api_as(personas.auditor)

    def ids(query: str) -> set[str]:
        response = client.get(URL + query)
        assert response.status_code == 200, response.json()
        return {e["id"] for e in response.json()["results"]}

    assert ids("") == {str(on_result.pk), str(loose.pk), str(elsewhere.pk)}
    assert ids(f"?assessment={world.assessment.pk}") == {str(on_result.pk), str(loose.pk)}
    assert ids(f"?result={world.result.pk}") == {str(on_result.pk)}
    assert ids(f"?assessment={second.pk}") == {str(elsewhere.pk)}
    assert client.get(URL + "?result=nope").status_code == 400


def test_list_queries_do_not_grow(personas: Personas, world: World) -> None:
    client = api_as(personas.auditor)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(URL).status_code == 200
        return len(ctx.captured_queries)

    add_file_evidence(world.assessment, personas.owner, results=[world.result])
    one = count()
    for n in range(5):
        add_reference(world.assessment, personas.consultant, f"DMS-{n}")
        add_file_evidence(
            world.assessment, personas.owner, results=[world.result, a_result(world.assessment, "SR 1.2")]
        )
    assert count() == one
