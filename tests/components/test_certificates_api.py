"""/api/v1/certificates/: expiry flags and filters, levels only where a scheme gives one, the document as
multipart (checked like evidence) and downloaded only through the door."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from components.models import Certificate, Product
from tests.conftest import Personas, api_as
from tests.factories import CertificateFactory, ProductFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/certificates/"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def product(personas: Personas) -> Product:
    return ProductFactory.create(organization=personas.org)


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def payload(product: Product, **extra: Any) -> dict[str, Any]:
    return {"product": str(product.pk), "scheme": "isasecure_csa", "level": 2, "number": "CSA-1", "issuer": "Lab",
            "issued": "2024-03-01", "expires": days(400).isoformat(), **extra}  # fmt: skip


def test_expired_and_expiring_soon_flags_and_filters(personas: Personas, product: Product) -> None:
    CertificateFactory.create(product=product, number="OLD", expires=days(-1))
    CertificateFactory.create(product=product, number="SOON", expires=days(89))
    CertificateFactory.create(product=product, number="TODAY", expires=days(0))
    CertificateFactory.create(product=product, number="LATER", expires=days(91))
    CertificateFactory.create(product=product, number="FOREVER", expires=None)
    CertificateFactory.create(product=ProductFactory.create(organization=personas.other_org), expires=days(10))
    client = api_as(personas.auditor)
    rows = {r["number"]: r for r in client.get(URL).json()["results"]}
    assert set(rows) == {"OLD", "SOON", "TODAY", "LATER", "FOREVER"}
    assert {n for n, r in rows.items() if r["expired"]} == {"OLD"}
    assert {n for n, r in rows.items() if r["expiring_soon"]} == {"SOON", "TODAY"}

    def numbers(query: str) -> set[str]:
        return {r["number"] for r in client.get(f"{URL}?{query}").json()["results"]}

    assert numbers("expiring_within=90") == {"SOON", "TODAY"}
    assert numbers("expired=true") == {"OLD"}
    assert numbers("expired=false") == {"SOON", "TODAY", "LATER", "FOREVER"}
    summary = client.get(f"/api/v1/products/{product.pk}/").json()["certificates"]
    assert {c["number"]: c["expired"] for c in summary}["OLD"] is True


def test_upload_with_the_document_then_download_through_the_door(personas: Personas, product: Product) -> None:
    file = SimpleUploadedFile("csa.pdf", PDF, content_type="application/pdf")
    response = api_as(personas.owner).post(URL, {**payload(product), "file": file}, format="multipart")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["filename"] == "csa.pdf" and body["size"] == len(PDF) and len(body["sha256"]) == 64
    download = api_as(personas.auditor).get(body["download_url"])
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF  # type: ignore[attr-defined]
    assert api_as(personas.outsider).get(body["download_url"]).status_code == 404
    # The page route (a session login): the auditor reads the file, the outsider finds nothing.
    auditor, outsider = Client(), Client()
    auditor.force_login(personas.auditor)
    outsider.force_login(personas.outsider)
    page = auditor.get(f"/certificates/{body['id']}/download/")
    assert page.status_code == 200 and b"".join(page.streaming_content) == PDF  # type: ignore[attr-defined]
    assert outsider.get(f"/certificates/{body['id']}/download/").status_code == 404


def test_a_program_renamed_to_pdf_is_refused_and_nothing_is_written(personas: Personas, product: Product) -> None:
    file = SimpleUploadedFile("csa.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = api_as(personas.admin).post(URL, {**payload(product), "file": file}, format="multipart")
    assert response.status_code == 400 and "file" in response.json()
    assert not Certificate.objects.exists()


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"scheme": "isasecure_sdla", "level": 2}, "level"),  # a process certificate gives no level
        ({"scheme": "iecee_cb_4_1", "level": 1}, "level"),
        ({"scheme": "isasecure_edsa", "level": 4}, "level"),  # EDSA had three levels
        ({"scheme": "isasecure_csa", "level": 5}, "level"),
        ({"scheme": "isasecure_sdla", "level": None, "sl_vector": {f"FR{n}": 2 for n in range(1, 8)}}, "sl_vector"),
        ({"scheme": "lloyds"}, "scheme"),
        ({"issued": "2024-03-01", "expires": "2023-01-01"}, "expires"),
    ],
)
def test_invalid_certificates_are_refused(
    personas: Personas, product: Product, extra: dict[str, Any], field: str
) -> None:
    response = api_as(personas.consultant).post(URL, payload(product, **extra), format="json")
    assert response.status_code == 400 and field in response.json(), response.json()
    assert not Certificate.objects.exists()


def test_levels_and_vectors_where_the_scheme_gives_them(personas: Personas, product: Product) -> None:
    client = api_as(personas.consultant)
    vector = {f"FR{n}": 3 for n in range(1, 8)}
    assert client.post(URL, payload(product, scheme="isasecure_edsa", level=3), format="json").status_code == 201
    ok = client.post(URL, payload(product, scheme="iecee_cb_4_2", level=None, number="CB-1", sl_vector=vector),
                     format="json")  # fmt: skip
    assert ok.status_code == 201 and ok.json()["sl_vector"] == vector


def test_certificates_of_other_organizations_do_not_exist(personas: Personas, product: Product) -> None:
    certificate = CertificateFactory.create(product=product)
    outsider = api_as(personas.outsider)
    assert outsider.get(f"{URL}{certificate.pk}/").status_code == 404
    response = outsider.post(URL, payload(product), format="json")
    assert response.status_code == 400 and "Unknown product" in str(response.json()["product"])
    assert api_as(personas.auditor).delete(f"{URL}{certificate.pk}/", HTTP_IF_MATCH='"1"').status_code == 403
    assert api_as(personas.admin).delete(f"{URL}{certificate.pk}/", HTTP_IF_MATCH='"1"').status_code == 204
