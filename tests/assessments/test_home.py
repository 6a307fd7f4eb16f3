"""The home page answers "what should I do now?" for each role: the asset owner's actions due (theirs
first) and maintenance windows, the consultant's open assessments with progress and assigned results, the
auditor's final assessments, expiring evidence and bundles; an admin sees all of it; empty organizations
and sites say what to add first. The query count does not grow with the data."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import User
from assessments.choices import AssessmentStatus
from assessments.models import Evidence, Result
from tests.assessments.helpers import make_assessment, make_plant, uniform
from tests.conftest import DEMO_GROUP, Personas
from tests.remediation.helpers import make_action

pytestmark = pytest.mark.django_db


def home_as(user: User) -> str:
    client = Client()
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def section(page: str, ident: str) -> str:
    start = page.index(f'id="{ident}"')
    return page[start : page.index("</section>", start)]


def test_each_role_sees_its_own_parts_and_roles_in_words(personas: Personas) -> None:
    owner, consultant, auditor = home_as(personas.owner), home_as(personas.consultant), home_as(personas.auditor)
    assert 'id="home-actions"' in owner and 'id="home-windows"' in owner
    assert 'id="home-assessments"' not in owner and 'id="home-final"' not in owner
    assert 'id="home-assessments"' in consultant and 'id="home-assigned"' in consultant
    assert 'id="home-actions"' not in consultant
    assert all(f'id="{part}"' in auditor for part in ("home-final", "home-expiring", "home-bundles"))
    assert 'id="home-assigned"' not in auditor
    admin = home_as(personas.admin)
    assert all(f'id="home-{part}"' in admin for part in ("actions", "assessments", "final", "bundles"))
    assert "Asset owner" in owner and "asset_owner" not in owner


def test_empty_site_and_empty_organization_say_what_to_add_first(personas: Personas) -> None:
    page = home_as(personas.consultant)
    steps = section(page, "first-steps")
    assert "Site A has no zones yet." in steps and "Add your first zone" in steps
    assert f"/sites/{personas.site.pk}/zones/new/" in steps
    personas.site.delete()
    steps = section(home_as(personas.consultant), "first-steps")
    assert "Add your first site" in steps and f"?organization={personas.org.pk}" in steps
    # Readers are not told to add what they cannot.
    assert 'id="first-steps"' not in home_as(personas.auditor)


def test_the_owner_sees_actions_due_theirs_first_and_the_maintenance_windows(personas: Personas) -> None:
    today = timezone.localdate()
    site = personas.site
    make_action(site, personas.consultant, title="Someone else's, overdue", owner=personas.consultant,
                planned_start=today - timedelta(days=30), due_date=today - timedelta(days=3))  # fmt: skip
    make_action(site, personas.owner, title="Mine, due soon", owner=personas.owner, planned_start=today,
                due_date=today + timedelta(days=10), needs_maintenance_window=True,
                maintenance_window="Spring shutdown")  # fmt: skip
    make_action(site, personas.owner, title="Mine, far away", owner=personas.owner, planned_start=today,
                due_date=today + timedelta(days=200))  # fmt: skip
    due = section(home_as(personas.owner), "home-actions")
    assert due.index("Mine, due soon") < due.index("Someone else&#x27;s, overdue")
    assert "Mine, far away" not in due
    assert "overdue" in due.split("Someone else")[1]
    windows = section(home_as(personas.owner), "home-windows")
    assert "Spring shutdown" in windows and "1 action waiting" in windows


def test_the_consultant_sees_progress_and_the_results_assigned_to_them(personas: Personas) -> None:
    plant = make_plant(personas.site, [uniform(1)])
    assessment = make_assessment(personas.site, personas.consultant, zones=plant.zones, title="Open one")
    make_assessment(personas.site, personas.admin, zones=plant.zones, title="Not theirs")
    assessment.team.add(personas.consultant)
    results = list(Result.objects.filter(assessment=assessment, in_scope=True)[:3])
    Result.objects.filter(pk__in=[r.pk for r in results]).update(assignee=personas.consultant)
    page = home_as(personas.consultant)
    assessments = section(page, "home-assessments")
    assert "<progress" in assessments and "yours" in assessments
    assert assessments.index("Open one") < assessments.index("Not theirs"), "theirs first, though older"
    assigned = section(page, "home-assigned")
    assert "3 results" in assigned and "3 still to assess" in assigned and "?assignee=me" in assigned


def test_the_auditor_sees_evidence_expiring_within_thirty_days_and_lapsed_evidence_of_open_work(
    personas: Personas,
) -> None:
    plant = make_plant(personas.site, [uniform(1)])
    assessment = make_assessment(personas.site, personas.consultant, zones=plant.zones)
    closed = make_assessment(personas.site, personas.consultant, zones=plant.zones)
    type(closed).objects.filter(pk=closed.pk).update(status=AssessmentStatus.FINAL)
    today = timezone.localdate()
    for name, days in (("Soon.pdf", 5), ("Later.pdf", 45), ("Gone.pdf", -1)):
        Evidence.objects.create(assessment=assessment, reference=name, expires=today + timedelta(days=days))
    Evidence.objects.create(assessment=closed, reference="Archived.pdf", expires=today - timedelta(days=3))
    expiring = section(home_as(personas.auditor), "home-expiring")
    assert "Soon.pdf" in expiring and "Later.pdf" not in expiring
    assert "Gone.pdf" in expiring and "expired " in expiring  # it no longer supports the open assessment
    assert "Archived.pdf" not in expiring  # a signed-off record keeps what it had


@pytest.mark.xdist_group(DEMO_GROUP)
@pytest.mark.parametrize("username", ["demo-owner", "demo-consultant", "demo-auditor", "demo-admin"])
def test_demo_home_pages_in_bounded_queries(
    demo_db: None, username: str, django_assert_max_num_queries: object
) -> None:
    user = User.objects.get(username=username)
    client = Client()
    client.force_login(user)
    with django_assert_max_num_queries(18):  # type: ignore[operator]  # admin: 15, whatever the data
        response = client.get("/")
    assert response.status_code == 200
    page = response.content.decode()
    if username == "demo-owner":
        assert "Summer maintenance week 2027" in section(page, "home-windows")
    if username == "demo-consultant":
        assert "<progress" in section(page, "home-assessments")
    if username == "demo-auditor":
        assert "Final assessments" in page


def test_the_organization_page_names_roles_in_words_and_offers_the_first_site(personas: Personas) -> None:
    client = Client()
    client.force_login(personas.owner)
    page = client.get(f"/organizations/{personas.org.pk}/").content.decode()
    assert "Your role: Asset owner" in page and "asset_owner" not in page
    client.force_login(personas.auditor)
    assert "New site" not in client.get(f"/organizations/{personas.org.pk}/").content.decode()
    personas.site.delete()
    client.force_login(personas.consultant)
    page = client.get(f"/organizations/{personas.org.pk}/").content.decode()
    assert "Your role: Consultant" in page
    assert f"/sites/new/?organization={personas.org.pk}" in page and "Add your first site" in page
