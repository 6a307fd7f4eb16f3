"""/api/v1/products/: the permission matrix, the `version` (vendor's) vs ETag contract, validation, filters,
409 on delete while assets run the product, and a query-count guard on the list."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from components.models import Product
from tests.conftest import PERSONA_NAMES, WRITERS, Personas, api_as
from tests.factories import CertificateFactory, ProductFactory
from tests.zones.plant import make_asset, make_zone

pytestmark = pytest.mark.django_db
URL = "/api/v1/products/"
SLC = {"FR1": 2, "FR2": 2, "FR3": 2, "FR4": 1, "FR5": 2, "FR6": 1, "FR7": 2}


@pytest.fixture
def product(personas: Personas) -> Product:
    ProductFactory.create(organization=personas.other_org, vendor="Other Vendor", name="Their PLC")
    return ProductFactory.create(organization=personas.org, vendor="Acme", name="M500", release="4.1")


def new_product(personas: Personas, **extra: Any) -> dict[str, Any]:
    return {"organization": str(personas.org.pk), "vendor": "Acme", "name": "Switch 9", "version": "2.3",
            "component_type": "NDR", "sl_capability": SLC, "sl_capability_source": "vendor_claim", **extra}  # fmt: skip


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_each_persona_sees_only_its_organizations_products(personas: Personas, product: Product, name: str) -> None:
    client = api_as(personas.by_name(name))
    names = {row["name"] for row in client.get(URL).json()["results"]}
    detail = client.get(f"{URL}{product.pk}/")
    if name == "outsider":
        assert names == {"Their PLC"}
        assert detail.status_code == 404
    else:
        assert names == {"M500"}
        assert detail.status_code == 200


def test_the_api_version_is_the_vendors_and_the_etag_is_the_row_version(personas: Personas, product: Product) -> None:
    response = api_as(personas.consultant).get(f"{URL}{product.pk}/")
    body = response.json()
    assert body["version"] == "4.1"
    assert response["ETag"] == f'"{body["row_version"]}"'
    assert body["certificates"] == [] and body["asset_count"] == 0


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_create_by_persona(personas: Personas, name: str) -> None:
    response = api_as(personas.by_name(name)).post(URL, new_product(personas), format="json")
    if name in WRITERS:
        assert response.status_code == 201, response.json()
        saved = Product.objects.get(pk=response.json()["id"])
        assert (saved.release, saved.sl_capability.to_dict()) == ("2.3", SLC)
        assert response["Location"].endswith(f"{URL}{saved.pk}/")
    elif name == "auditor":
        assert response.status_code == 403
    else:  # the outsider names an organization that does not exist for them
        assert response.status_code == 400
        assert "Unknown organization" in response.json()["organization"][0]
    assert Product.objects.filter(name="Switch 9").count() == (1 if name in WRITERS else 0)


@pytest.mark.parametrize(
    ("extra", "field", "words"),
    [
        ({"component_type": "PLC"}, "component_type", "SAR, EDR, HDR, NDR"),
        ({"sl_capability_source": ""}, "sl_capability_source", "Say where"),
        ({"sl_capability": {"FR1": 5}}, "sl_capability", "FR"),
        ({"color": "red"}, "non_field_errors", "Unknown fields: color"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(personas: Personas, extra: dict[str, Any], field: str, words: str) -> None:
    response = api_as(personas.admin).post(URL, new_product(personas, **extra), format="json")
    assert response.status_code == 400
    assert words in str(response.json()[field])
    assert not Product.objects.filter(name="Switch 9").exists()


def test_patch_needs_if_match_and_refuses_a_stale_one(personas: Personas, product: Product) -> None:
    client = api_as(personas.owner)
    url = f"{URL}{product.pk}/"
    assert client.patch(url, {"version": "4.2"}, format="json").status_code == 428
    fresh = client.patch(url, {"version": "4.2"}, format="json", HTTP_IF_MATCH='"1"')
    assert fresh.status_code == 200 and fresh.json()["version"] == "4.2" and fresh["ETag"] == '"2"'
    stale = client.patch(url, {"version": "9.9"}, format="json", HTTP_IF_MATCH='"1"')
    assert stale.status_code == 412 and stale.json()["current"]["version"] == "4.2"
    product.refresh_from_db()
    assert product.release == "4.2"


def test_a_product_stays_in_its_organization(personas: Personas, product: Product) -> None:
    personas.admin.memberships.create(organization=personas.other_org, role="admin")
    response = api_as(personas.admin).patch(
        f"{URL}{product.pk}/", {"organization": str(personas.other_org.pk)}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 400 and "stays" in str(response.json()["organization"])


def test_auditor_cannot_change_or_delete(personas: Personas, product: Product) -> None:
    client = api_as(personas.auditor)
    assert client.patch(f"{URL}{product.pk}/", {"name": "x"}, format="json", HTTP_IF_MATCH='"1"').status_code == 403
    assert client.delete(f"{URL}{product.pk}/", HTTP_IF_MATCH='"1"').status_code == 403


def test_delete_is_refused_while_an_asset_runs_the_product(personas: Personas, product: Product) -> None:
    asset = make_asset(make_zone(personas.site, "Control"), "PLC 1", product=product)
    client = api_as(personas.admin)
    refused = client.delete(f"{URL}{product.pk}/", HTTP_IF_MATCH='"1"')
    assert refused.status_code == 409 and "PLC 1" in refused.json()["detail"]
    asset.delete()
    assert client.delete(f"{URL}{product.pk}/", HTTP_IF_MATCH='"1"').status_code == 204
    assert not Product.objects.filter(pk=product.pk).exists()


def test_filters(personas: Personas, product: Product) -> None:
    ProductFactory.create(organization=personas.org, vendor="Hirsch", name="Core switch", component_type="NDR")
    client = api_as(personas.consultant)

    def names(query: str) -> set[str]:
        response = client.get(f"{URL}?{query}")
        assert response.status_code == 200, response.json()
        return {row["name"] for row in response.json()["results"]}

    assert names("component_type=NDR") == {"Core switch"}
    assert names("vendor=acme") == {"M500"}
    assert names("search=switch") == {"Core switch"}
    assert names(f"organization={personas.org.pk}") == {"M500", "Core switch"}
    bad = client.get(f"{URL}?component_type=PLC")
    assert bad.status_code == 400 and "EDR" in str(bad.json())


def test_certificates_and_asset_count_in_the_list_cost_no_query_per_product(personas: Personas) -> None:
    zone = make_zone(personas.site, "Control")

    def add(n: int) -> None:
        for _ in range(n):
            product = ProductFactory.create(organization=personas.org)
            CertificateFactory.create(product=product)
            CertificateFactory.create(product=product)
            make_asset(zone, f"Asset {product.pk}", product=product)

    client = api_as(personas.consultant)
    add(2)
    with CaptureQueriesContext(connection) as few:
        assert client.get(URL).status_code == 200
    add(6)
    with CaptureQueriesContext(connection) as many:
        rows = client.get(URL).json()["results"]
    assert len(rows) == 8 and all(len(r["certificates"]) == 2 and r["asset_count"] == 1 for r in rows)
    assert len(many.captured_queries) == len(few.captured_queries)
