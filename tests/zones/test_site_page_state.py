"""The site page's main button is the next step: a zone while there is none, then a first assessment;
delete buttons look destructive; the diagram fills its card."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.assessments.helpers import make_assessment
from tests.conftest import Personas
from tests.zones.plant import make_zone
from zones.models import Site

pytestmark = pytest.mark.django_db


def site_page(user: object, site: Site) -> str:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    response = client.get(f"/sites/{site.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def primary_buttons(page: str) -> list[str]:
    head = page[page.index('class="page-head"') : page.index("</div>\n</div>")]
    return re.findall(r'class="btn btn-primary"[^>]*>([^<]+)<', head)


def test_without_zones_the_main_button_adds_a_zone(personas: Personas) -> None:
    page = site_page(personas.consultant, personas.site)
    assert primary_buttons(page) == ["Add a zone"]
    assert "New assessment" not in page
    assert "Add your first zone" in page


def test_with_zones_but_no_assessment_the_main_button_starts_one(personas: Personas) -> None:
    make_zone(personas.site, "Control")
    page = site_page(personas.consultant, personas.site)
    assert primary_buttons(page) == ["New assessment"]
    assert "start a gap assessment" in page


def test_with_an_assessment_no_button_shouts(personas: Personas) -> None:
    make_zone(personas.site, "Control")
    make_assessment(personas.site, personas.consultant, title="First look")
    page = site_page(personas.consultant, personas.site)
    assert primary_buttons(page) == []
    assert "First look" in page


def test_readers_get_no_buttons_but_the_first_step_is_explained(personas: Personas) -> None:
    page = site_page(personas.auditor, personas.site)
    assert primary_buttons(page) == [] and "Delete" not in page
    assert "Start with the zones" in page


def test_delete_looks_destructive_and_the_diagram_fills_its_card(personas: Personas) -> None:
    make_zone(personas.site, "Control")
    page = site_page(personas.consultant, personas.site)
    assert re.search(r'class="btn btn-danger" href="/site/[^"]+/delete/">Delete<', page)
    assert 'class="diagram card"' in page and "css/zones.css" in page
    client = Client()
    css = client.get("/static/css/zones.css")
    text = b"".join(css.streaming_content).decode() if css.status_code == 200 else ""  # type: ignore[attr-defined]
    if text:  # served in DEBUG; otherwise read it from the source tree
        assert "width: 100%" in text


def test_new_site_takes_the_organization_the_person_works_in(personas: Personas) -> None:
    from accounts.choices import Role
    from tests.factories import MembershipFactory, OrganizationFactory, SiteFactory

    first = OrganizationFactory.create(name="AAA first alphabetically")
    MembershipFactory.create(user=personas.consultant, organization=first, role=Role.CONSULTANT)
    client = Client()
    client.force_login(personas.consultant)
    assert client.get("/sites/new/").context["organization"] == first
    # From an organization's page ("New site" carries ?organization=).
    assert client.get(f"/sites/new/?organization={personas.org.pk}").context["organization"] == personas.org
    # After opening a site of Org A, "New site" (from the site list) is for Org A.
    client.get(f"/sites/{personas.site.pk}/")
    assert client.get("/sites/new/").context["organization"] == personas.org
    other = SiteFactory.create(organization=first, name="Elsewhere")
    client.get(f"/sites/{other.pk}/edit/")
    assert client.get("/sites/new/").context["organization"] == first
    # An organization the person may not add sites to is ignored.
    assert client.get(f"/sites/new/?organization={personas.other_org.pk}").context["organization"] == first
    saved = client.post("/sites/new/", {"organization": str(personas.org.pk), "name": "New plant", "sector": "water"})
    assert saved.status_code == 302
    assert Site.objects.get(name="New plant").organization == personas.org
