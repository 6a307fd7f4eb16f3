"""The API tokens section of the profile page: list, create (the key shown once), revoke."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from security.models import ApiToken, key_hash
from security.services import api_token_create, token_expiry
from tests.conftest import Personas

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner_client(personas: Personas) -> Client:
    client = Client()
    client.force_login(personas.owner)
    return client


def test_the_profile_page_lists_the_persons_tokens_only(personas: Personas, owner_client: Client) -> None:
    api_token_create(owner=personas.owner, name="Mine", expires_at=token_expiry(days=7))
    api_token_create(owner=personas.auditor, name="Theirs", expires_at=token_expiry(days=7))
    body = owner_client.get(reverse("profile")).content.decode()
    assert 'id="api-tokens"' in body and "Mine" in body and "Theirs" not in body


@pytest.mark.parametrize("htmx", [False, True])
def test_creating_shows_the_key_once(personas: Personas, owner_client: Client, htmx: bool) -> None:
    headers = {"HX-Request": "true"} if htmx else {}
    response = owner_client.post(reverse("token-create"), {"name": "CI", "lifetime": "30"}, headers=headers)
    assert response.status_code == 200
    body = response.content.decode()
    key = re.search(r'value="(zw_[^"]+)"', body)
    assert key is not None
    token = ApiToken.objects.get(owner=personas.owner)
    assert token.key_hash == key_hash(key.group(1))
    assert ("<html" in body) is not htmx
    assert key.group(1) not in owner_client.get(reverse("profile")).content.decode()


def test_a_picked_date_and_a_refused_one(personas: Personas, owner_client: Client) -> None:
    ok = owner_client.post(reverse("token-create"), {"name": "CI", "lifetime": "date", "expires_on": "2099-01-01"})
    assert ok.status_code == 400 and "at most 365 days" in ok.content.decode()
    missing = owner_client.post(reverse("token-create"), {"name": "CI", "lifetime": "date"})
    assert missing.status_code == 400 and "Pick the date" in missing.content.decode()
    assert not ApiToken.objects.exists()


def test_revoking_own_token_and_not_anothers(personas: Personas, owner_client: Client) -> None:
    mine, _ = api_token_create(owner=personas.owner, name="Mine", expires_at=token_expiry(days=7))
    theirs, _ = api_token_create(owner=personas.auditor, name="Theirs", expires_at=token_expiry(days=7))
    assert owner_client.post(reverse("token-revoke", args=[theirs.pk])).status_code == 404
    response = owner_client.post(reverse("token-revoke", args=[mine.pk]), follow=True)
    assert "revoked" in response.content.decode()
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.revoked_at is not None and theirs.revoked_at is None
