"""The product pages, and the certificates expiring within 90 days on the KPI page and the owner's home page
(not the expired ones, nor those running out later)."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from components.models import Product
from tests.conftest import Personas
from tests.factories import CertificateFactory, ProductFactory

pytestmark = pytest.mark.django_db


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


@pytest.fixture
def library(personas: Personas) -> Product:
    product = ProductFactory.create(organization=personas.org, vendor="Acme", name="M500")
    CertificateFactory.create(product=product, number="SOON-1", expires=days(30))
    CertificateFactory.create(product=product, number="GONE-1", expires=days(-3))
    CertificateFactory.create(product=product, number="LATER-1", expires=days(120))
    other = ProductFactory.create(organization=personas.other_org)
    CertificateFactory.create(product=other, number="THEIRS-1", expires=days(10))
    return product


def page(user: object, url: str) -> str:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_kpi_page_lists_certificates_expiring_within_90_days(personas: Personas, library: Product) -> None:
    html = page(personas.admin, f"/organizations/{personas.org.pk}/kpis/")
    panel = html[html.index('id="certificates-expiring"') :]
    assert "SOON-1" in panel and "LATER-1" not in panel and "THEIRS-1" not in panel
    assert "GONE-1" not in panel and "1 expired" in panel


@pytest.mark.parametrize("name", ["owner", "admin"])
def test_home_page_of_owners_and_admins_lists_them(personas: Personas, library: Product, name: str) -> None:
    html = page(personas.by_name(name), "/")
    panel = html[html.index('id="home-certificates"') :]
    assert "SOON-1" in panel and "LATER-1" not in panel and "GONE-1" not in panel and "1 expired" in panel


def test_auditors_home_has_no_certificate_list(personas: Personas, library: Product) -> None:
    assert 'id="home-certificates"' not in page(personas.auditor, "/")


def test_library_and_product_pages(personas: Personas, library: Product) -> None:
    html = page(personas.auditor, "/products/")
    assert "M500" in html and "expired" in html and "New product" not in html
    detail = page(personas.auditor, f"/products/{library.pk}/")
    assert "SOON-1" in detail and "badge-bad" in detail and "badge-warn" in detail
    assert "Record a certificate" not in detail
    assert "Record a certificate" in page(personas.consultant, f"/products/{library.pk}/")
    outsider = Client()
    outsider.force_login(personas.outsider)
    assert outsider.get(f"/products/{library.pk}/").status_code == 404


def test_new_product_form_keeps_input_and_shows_errors(personas: Personas) -> None:
    client = Client()
    client.force_login(personas.consultant)
    data = {"vendor": "Acme", "name": "Switch", "release": "1", "component_type": "NDR",
            "sl_capability_compact": "{2,2,2,2,2,2,2}", "sl_capability_source": ""}  # fmt: skip
    refused = client.post("/products/new/", data)
    assert refused.status_code == 200 and "Say where the SL-C comes from" in refused.content.decode()
    assert not Product.objects.exists()
    saved = client.post("/products/new/", {**data, "sl_capability_source": "vendor_claim"})
    product = Product.objects.get()
    assert saved.status_code == 302 and product.organization == personas.org and product.sl_capability is not None


def test_certificate_upload_form_refuses_a_level_the_scheme_does_not_give(personas: Personas, library: Product) -> None:
    client = Client()
    client.force_login(personas.owner)
    data = {"scheme": "isasecure_sdla", "level": "2", "number": "SDLA-9", "issuer": "Lab", "issued": "2024-01-01"}
    refused = client.post(f"/products/{library.pk}/certificates/new/", data)
    assert refused.status_code == 400 and "gives no security level" in refused.content.decode()
    ok = client.post(f"/products/{library.pk}/certificates/new/", {**data, "level": ""})
    assert ok.status_code == 302 and library.certificates.filter(number="SDLA-9").exists()
