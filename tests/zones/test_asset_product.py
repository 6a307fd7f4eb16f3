"""An asset linked to a product: it shows the product's SL-C unless it has its own, the zone's capability check
follows the product's SL-C, and only products of the site's organization may be linked."""

from __future__ import annotations

import pytest
from django.test import Client

from compliance.sl import SLVector
from components.models import Product
from components.services.products import product_set_capability
from tests.conftest import Personas, api_as
from tests.factories import ProductFactory
from tests.zones.plant import make_asset, make_zone
from zones.forms import AssetForm
from zones.models import Zone
from zones.selectors import site_overview

pytestmark = pytest.mark.django_db
LOW = SLVector.parse("{1,1,1,1,1,1,1}")
HIGH = SLVector.parse("{3,3,3,3,3,3,3}")


@pytest.fixture
def zone(personas: Personas) -> Zone:
    return make_zone(personas.site, "Control", "{2,2,2,2,2,2,2}")


@pytest.fixture
def product(personas: Personas) -> Product:
    return ProductFactory.create(organization=personas.org, sl_capability=LOW, sl_capability_source="certificate")


def test_the_api_shows_the_products_sl_c_unless_the_asset_has_its_own(
    personas: Personas, zone: Zone, product: Product
) -> None:
    inherits = make_asset(zone, "PLC 1", product=product)
    own = make_asset(zone, "PLC 2", "{2,2,2,2,2,2,2}", product=product)
    client = api_as(personas.auditor)
    first = client.get(f"/api/v1/assets/{inherits.pk}/").json()
    assert first["product"] == str(product.pk) and first["sl_capability"] is None
    assert first["sl_capability_effective"] == LOW.to_dict() and first["sl_capability_from"] == "product"
    second = client.get(f"/api/v1/assets/{own.pk}/").json()
    assert second["sl_capability_effective"]["FR1"] == 2 and second["sl_capability_from"] == "asset"
    listed = client.get(f"/api/v1/assets/?product={product.pk}").json()["results"]
    assert {a["name"] for a in listed} == {"PLC 1", "PLC 2"}


def test_the_zone_capability_check_follows_the_products_sl_c(personas: Personas, zone: Zone, product: Product) -> None:
    asset = make_asset(zone, "PLC 1", product=product)
    below = site_overview(personas.site).capability_by_zone[zone.pk]
    assert [a.pk for a in below.assets_below_target] == [asset.pk] and not below.no_capability
    product_set_capability(product=product, sl_capability=HIGH, source="own_assessment", note="CA-1", by=personas.admin)
    after = site_overview(personas.site).capability_by_zone[zone.pk]
    assert after.assets_below_target == [] and after.asset_count == 1
    product_set_capability(product=product, sl_capability=None, source="", note="", by=personas.admin)
    assert [a.pk for a in site_overview(personas.site).capability_by_zone[zone.pk].no_capability] == [asset.pk]


def test_the_capability_check_costs_no_query_per_asset(
    personas: Personas, zone: Zone, product: Product, django_assert_max_num_queries: object
) -> None:
    for n in range(12):
        make_asset(zone, f"PLC {n}", product=product)
    site_overview(personas.site)  # warm the content-type and catalogue caches
    with django_assert_max_num_queries(6):  # type: ignore[operator]
        overview = site_overview(personas.site)
        assert len(overview.capability_by_zone[zone.pk].assets_below_target) == 12


def test_a_product_of_another_organization_is_refused(personas: Personas, zone: Zone) -> None:
    theirs = ProductFactory.create(organization=personas.other_org)
    ours = ProductFactory.create(organization=personas.org)
    asset = make_asset(zone, "PLC 1")
    client = api_as(personas.admin)
    response = client.patch(f"/api/v1/assets/{asset.pk}/", {"product": str(theirs.pk)}, format="json",
                            HTTP_IF_MATCH=asset.etag)  # fmt: skip
    assert response.status_code == 400 and "Unknown product" in str(response.json()["product"])
    form = AssetForm(site=personas.site, instance=asset)
    assert list(form.fields["product"].queryset) == [ours]  # type: ignore[attr-defined]


def test_the_asset_page_says_where_its_sl_c_comes_from(personas: Personas, zone: Zone, product: Product) -> None:
    asset = make_asset(zone, "PLC 1", product=product)
    client = Client()
    client.force_login(personas.owner)
    page = client.get(f"/assets/{asset.pk}/").content.decode()
    assert f"from product {product}" in page and "Certificate (e.g. ISASecure CSA)" in page
    assert "Record as a finding" in page  # SL-C 1 is below the zone's SL-T 2
    product_set_capability(product=product, sl_capability=HIGH, source="vendor_claim", note="", by=None)
    assert "Record as a finding" not in client.get(f"/assets/{asset.pk}/").content.decode()
