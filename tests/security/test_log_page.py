"""The organization's security log page: admins only, filters, paging, the CSV export."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from security.choices import EventKind
from security.models import SecurityEvent
from security.services import security_event_record
from tests.conftest import Personas
from tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    SecurityEvent.objects.filter(kind=EventKind.LOGIN, actor=user).delete()  # the tests count their own events
    return client


def log_url(personas: Personas) -> str:
    return reverse("security-log", args=[personas.org.pk])


@pytest.mark.parametrize(("name", "status"), [("admin", 200), ("consultant", 404), ("auditor", 404), ("outsider", 404)])
def test_only_the_organizations_admins_see_its_log(personas: Personas, name: str, status: int) -> None:
    assert client_for(personas.by_name(name)).get(log_url(personas)).status_code == status


def test_the_organization_page_links_the_log_for_admins_only(personas: Personas) -> None:
    page = reverse("organization-detail", args=[personas.org.pk])
    assert log_url(personas) in client_for(personas.admin).get(page).content.decode()
    assert log_url(personas) not in client_for(personas.consultant).get(page).content.decode()


def test_the_log_holds_the_organizations_and_its_members_events_only(personas: Personas) -> None:
    SecurityEvent.objects.all().delete()
    security_event_record(kind=EventKind.LOGIN, actor=personas.owner)
    security_event_record(kind=EventKind.LOGIN, actor=personas.outsider)  # not a member of Org A
    stranger = UserFactory.create(username="stranger")
    security_event_record(kind=EventKind.LOGIN_FAILED, subject=None, username="stranger")
    other = OrganizationFactory.create(name="Org C")
    security_event_record(kind=EventKind.ROLE_CHANGED, subject=personas.owner, organization=other)
    security_event_record(kind=EventKind.MFA_REQUIRED_CHANGED, organization=personas.org, detail={"required": True})
    body = client_for(personas.admin).get(log_url(personas)).content.decode()
    assert "persona-owner" in body or "Persona" in body
    assert body.count("<tr>") - 1 == 2  # the owner's login and the organization's own change
    assert "persona-outsider" not in body and "stranger" not in body
    assert stranger.pk  # (a person who exists but belongs elsewhere)


def test_filters_by_kind_person_and_dates(personas: Personas) -> None:
    SecurityEvent.objects.all().delete()
    old = security_event_record(kind=EventKind.LOGIN, actor=personas.owner)
    SecurityEvent.objects.filter(pk=old.pk).update(at=timezone.now() - timedelta(days=10))
    security_event_record(kind=EventKind.LOGIN, actor=personas.auditor)
    security_event_record(kind=EventKind.LOGIN_FAILED, subject=personas.owner, username="persona-owner")
    client = client_for(personas.admin)

    def count(**params: str) -> int:
        response = client.get(log_url(personas), params)
        assert response.status_code == 200
        return response.context["page"].paginator.count

    assert count() == 3
    assert count(kind="login") == 2
    assert count(person=str(personas.owner.pk)) == 2
    assert count(kind="login", person=str(personas.owner.pk)) == 1
    today = timezone.localdate()
    assert count(since=str(today - timedelta(days=1))) == 2
    assert count(until=str(today - timedelta(days=5))) == 1
    assert count(person=str(personas.outsider.pk)) == 3  # not a choice: the form refuses it, nothing filtered


def test_the_log_is_paged(personas: Personas) -> None:
    SecurityEvent.objects.all().delete()
    SecurityEvent.objects.bulk_create(
        [SecurityEvent(kind=EventKind.LOGIN, actor=personas.owner, username="persona-owner") for _ in range(55)]
    )
    client = client_for(personas.admin)
    first = client.get(log_url(personas), {"kind": "login"})
    assert len(first.context["page"]) == 50
    assert "kind=login&amp;page=2" in first.content.decode()
    assert len(client.get(log_url(personas), {"kind": "login", "page": "2"}).context["page"]) == 5


def test_the_csv_export_has_the_filtered_events_with_formulas_escaped(personas: Personas) -> None:
    SecurityEvent.objects.all().delete()
    security_event_record(kind=EventKind.LOGIN, actor=personas.owner)
    security_event_record(
        kind=EventKind.LOGIN_FAILED, subject=personas.owner, username="=HYPERLINK(\"http://x\")",
        detail={"note": "+cmd"},
    )  # fmt: skip
    response = client_for(personas.admin).get(log_url(personas), {"format": "csv", "kind": "login_failed"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"] and "security log" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["at", "event", "kind", "actor", "subject", "username", "ip_address", "user_agent", "detail"]
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["kind"] == "login_failed" and row["subject"] == "persona-owner"
    assert row["username"] == '\'=HYPERLINK("http://x")'
    assert row["detail"] == "note=+cmd"  # not at the start of the cell: harmless


def test_the_csv_export_is_admins_only(personas: Personas) -> None:
    response = client_for(personas.consultant).get(log_url(personas), {"format": "csv"})
    assert response.status_code == 404
