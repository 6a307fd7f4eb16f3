"""The admin shows tokens and events read-only, and revokes tokens through the service (so it is logged)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from security.choices import EventKind
from security.models import ApiToken, SecurityEvent
from security.services import api_token_create, token_expiry
from tests.conftest import Personas
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_admin_lists_and_revokes_but_edits_nothing(personas: Personas) -> None:
    staff = UserFactory.create(username="root", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(staff)
    token, _ = api_token_create(owner=personas.owner, name="CI", expires_at=token_expiry(days=7))
    assert client.get(reverse("admin:security_securityevent_changelist")).status_code == 200
    assert client.get(reverse("admin:security_apitoken_changelist")).status_code == 200
    assert client.get(reverse("admin:security_securityevent_add")).status_code == 403
    event = SecurityEvent.objects.first()
    assert event is not None
    delete = reverse("admin:security_securityevent_delete", args=[event.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    response = client.post(
        reverse("admin:security_apitoken_changelist"), {"action": "revoke", "_selected_action": [str(token.pk)]}
    )
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert SecurityEvent.objects.filter(kind=EventKind.TOKEN_REVOKED, actor=staff).exists()
    change = client.post(reverse("admin:security_apitoken_change", args=[token.pk]), {"name": "renamed"})
    assert change.status_code in (200, 302, 403)
    assert ApiToken.objects.get(pk=token.pk).name == "CI"
