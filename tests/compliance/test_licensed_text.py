"""Licensed text (decision 0032): an organization imports the IEC documents' text from its own CSV or JSON file,
all or nothing, with every refusal on its line; only its members ever see it (API, catalogue, workspace, gap
report); its admins delete it at once; the demo holds none."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from compliance import licensed
from compliance.models import LicensedText
from reports.pdf.gap_data import gap_report
from tests.assessments.helpers import make_assessment, make_plant, uniform
from tests.conftest import DEMO_GROUP, Personas, api_as

pytestmark = pytest.mark.django_db

URL = "/api/v1/catalogue/licensed-text/"
SECRET = "Licensed wording of SR 1.1 for Org A only"
GOOD_CSV = "\n".join(
    ["id,text,guidance", f'SR 1.1,"{SECRET}","Guidance, with a comma"', "SR 1.2,Licensed wording of SR 1.2,", ""]
).encode()


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def import_file(personas: Personas, data: bytes = GOOD_CSV, name: str = "texts.csv", user: Any = None) -> Any:
    body = {"organization": str(personas.org.pk), "file": upload(name, data)}
    return api_as(user or personas.admin).post(URL, body, format="multipart")


def texts(personas: Personas) -> dict[str, str]:
    return dict(LicensedText.objects.filter(organization=personas.org).values_list("ref", "text"))


# --- importing -------------------------------------------------------------------------------------------------
def test_a_csv_import(personas: Personas) -> None:
    response = import_file(personas)
    assert response.status_code == 200, response.content
    assert response.json() == {"imported": 2}
    saved = LicensedText.objects.get(organization=personas.org, ref="SR 1.1")
    assert (saved.part, saved.text, saved.guidance) == ("3-3", SECRET, "Guidance, with a comma")
    assert saved.imported_by == personas.admin


def test_a_json_import_replaces_everything_the_organization_held(personas: Personas) -> None:
    import_file(personas)
    entries = [
        {"id": "SR 2.1", "text": "Licensed wording of SR 2.1", "guidance": "Why"},
        {"id": "CR 1.1", "text": "Licensed wording of CR 1.1", "part": "4-2"},
    ]
    response = import_file(personas, json.dumps(entries, indent=2).encode(), "texts.json")
    assert response.status_code == 200, response.content
    assert texts(personas) == {"SR 2.1": "Licensed wording of SR 2.1", "CR 1.1": "Licensed wording of CR 1.1"}
    assert LicensedText.objects.get(ref="CR 1.1").part == "4-2"


def refused(personas: Personas, data: bytes, name: str = "texts.csv") -> list[tuple[int, str]]:
    """Import `data` over the good file and return the refusals, checking that nothing changed."""
    import_file(personas)
    response = import_file(personas, data, name)
    assert response.status_code == 400, response.content
    assert response.json()["detail"] == "Nothing was imported."
    assert texts(personas) == {"SR 1.1": SECRET, "SR 1.2": "Licensed wording of SR 1.2"}
    return [(e["line"], e["message"]) for e in response.json()["errors"]]


LONG = "x" * (licensed.TEXT_MAX_CHARS + 1)


@pytest.mark.parametrize(
    ("data", "line", "says"),
    [
        (b"id,text\nSR 1.1,ok\nSR 9.9,what\n", 3, "unknown id 'SR 9.9'"),
        (b"id,text\nSR 1.1,one\nSR 2.1,two\nSR 1.1,three\n", 4, "duplicate id 'SR 1.1': already on line 2"),
        (b"id,text,guidance\nSR 1.1,,Only guidance\n", 2, "the text is empty"),
        (f"id,text\nSR 1.1,ok\nSR 1.2,{LONG}\n".encode(), 3, "the text has 20001 characters"),
        (b"id,text\nSR 1.1,caf\xe9\n", 2, "not UTF-8"),
        (b"ref,wording\nSR 1.1,x\n", 1, "unknown columns: 'ref', 'wording'"),
        (b"id,guidance\nSR 1.1,x\n", 1, "missing columns: text"),
        (b"id,text,part\nSR 1.1,ok,4-2\n", 2, "'SR 1.1' is not an id of IEC 62443-4-2"),
    ],
)
def test_csv_refusals_name_their_line_and_write_nothing(personas: Personas, data: bytes, line: int, says: str) -> None:
    errors = refused(personas, data)
    assert [n for n, _ in errors] == [line]
    assert says in errors[0][1]


@pytest.mark.parametrize(
    ("text", "lines", "says"),
    [
        ('[\n  {"id": "SR 1.1", "text": "ok"},\n  {"id": "SR 9.9", "text": "x"}\n]', [3], "unknown id"),
        ('[\n  {"id": "SR 1.1", "text": "a"},\n  {"id": "SR 1.1",\n   "text": "b"}\n]', [3], "duplicate id"),
        ('[\n  {"id": "SR 1.1", "text": ""},\n  {"id": "SR 1.2", "wording": "x"}\n]', [2, 3], "the text is empty"),
        ('[\n  "SR 1.1"\n]', [2], "each entry must be an object"),
        ('[\n  {"id": "SR 1.1", "text": 7}\n]', [2], "text must be text"),
        ('{"id": "SR 1.1", "text": "x"}', [1], "must hold a JSON list"),
        ('[\n  {"id": "SR 1.1", "text": "x"},\n  {"id": \n]', [4], "not valid JSON"),
    ],
)
def test_json_refusals_name_the_line_of_their_entry(personas: Personas, text: str, lines: list[int], says: str) -> None:
    errors = refused(personas, text.encode(), "texts.json")
    assert [n for n, _ in errors] == lines
    assert says in errors[0][1]


@pytest.mark.parametrize(("name", "status"), [("consultant", 403), ("auditor", 403), ("outsider", 400)])
def test_only_the_organizations_admins_import(personas: Personas, name: str, status: int) -> None:
    assert import_file(personas, user=personas.by_name(name)).status_code == status
    assert not LicensedText.objects.exists()


def test_the_import_page_lists_refusals_then_imports(personas: Personas, client: Any) -> None:
    client.force_login(personas.admin)
    url = reverse("licensed-text", args=[personas.org.pk])
    bad = client.post(url, {"file": upload("t.csv", b"id,text\nSR 1.1,ok\nSR 9.9,x\n")})
    assert bad.status_code == 200 and "Nothing was imported" in bad.content.decode()
    assert "unknown id" in bad.content.decode() and not LicensedText.objects.exists()
    good = client.post(url, {"file": upload("t.csv", GOOD_CSV)})
    assert good.status_code == 302 and len(texts(personas)) == 2
    client.force_login(personas.consultant)
    assert client.get(url).status_code == 403
    client.force_login(personas.outsider)
    assert client.get(url).status_code == 404


# --- who sees it ---------------------------------------------------------------------------------------------------
def test_the_api_shows_it_to_the_organizations_members_only(personas: Personas) -> None:
    import_file(personas)
    mine = api_as(personas.auditor).get(URL, {"organization": str(personas.org.pk)})
    assert mine.status_code == 200 and {t["id"] for t in mine.json()["results"]} == {"SR 1.1", "SR 1.2"}
    outsider = api_as(personas.outsider)
    assert outsider.get(URL, {"organization": str(personas.org.pk)}).status_code == 404
    assert outsider.get(URL, {"organization": str(personas.other_org.pk)}).json()["results"] == []
    assert SECRET not in outsider.get("/api/v1/catalogue/requirements/SR 1.1/").content.decode()


def test_the_api_list_reads_in_constant_queries(personas: Personas) -> None:
    api = api_as(personas.auditor)
    import_file(personas)
    with CaptureQueriesContext(connection) as two:
        assert api.get(URL, {"organization": str(personas.org.pk)}).json()["count"] == 2
    rows = "\n".join(f"SR {n}.1,Licensed wording {n}" for n in range(1, 8))
    import_file(personas, f"id,text\n{rows}\n".encode())
    with CaptureQueriesContext(connection) as seven:
        assert api.get(URL, {"organization": str(personas.org.pk)}).json()["count"] == 7
    assert len(seven) == len(two)


def test_the_catalogue_page_shows_it_to_members_only(personas: Personas, client: Any) -> None:
    import_file(personas)
    client.force_login(personas.auditor)
    page = client.get(reverse("catalogue")).content.decode()
    assert SECRET in page and "Licensed text (Org A)" in page
    client.force_login(personas.outsider)
    assert SECRET not in client.get(reverse("catalogue")).content.decode()


def test_the_workspace_and_gap_report_show_the_assessments_organizations_text_only(
    personas: Personas, client: Any
) -> None:
    import_file(personas)
    mine = make_assessment(make_plant(personas.site, [uniform(1)]).site, personas.consultant)
    theirs = make_assessment(make_plant(personas.other_site, [uniform(1)]).site, personas.outsider)

    client.force_login(personas.auditor)
    assert SECRET in client.get(reverse("assessment-workspace", args=[mine.pk])).content.decode()
    client.force_login(personas.outsider)
    assert SECRET not in client.get(reverse("assessment-workspace", args=[theirs.pk])).content.decode()
    assert client.get(reverse("assessment-workspace", args=[mine.pk])).status_code == 404

    def shown(report: Any) -> set[str]:
        return {row.licensed_text for s in report.sections for g in s.groups for row in g.rows} - {""}

    assert shown(gap_report(mine)) == {SECRET}
    assert shown(gap_report(theirs)) == set()


# --- deleting --------------------------------------------------------------------------------------------------
def test_an_admin_deletes_it_all_at_once(personas: Personas) -> None:
    import_file(personas)
    query = f"?organization={personas.org.pk}"
    assert api_as(personas.consultant).delete(URL + query).status_code == 403
    assert api_as(personas.outsider).delete(URL + query).status_code == 404
    assert LicensedText.objects.count() == 2
    response = api_as(personas.admin).delete(URL + query)
    assert response.status_code == 200 and response.json() == {"deleted": 2}
    assert not LicensedText.objects.exists()


def test_the_delete_page_asks_then_deletes(personas: Personas, client: Any) -> None:
    import_file(personas)
    client.force_login(personas.admin)
    url = reverse("licensed-text-delete", args=[personas.org.pk])
    assert "Delete all 2" in client.get(url).content.decode() and LicensedText.objects.count() == 2
    assert client.post(url).status_code == 302
    assert not LicensedText.objects.exists()


@pytest.mark.xdist_group(DEMO_GROUP)
def test_the_demo_holds_no_licensed_text(demo_db: None) -> None:
    assert not LicensedText.objects.exists()
