"""The plain DRF tokens of before become named ApiTokens that keep working (migration 0002)."""

from __future__ import annotations

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from security.models import ApiToken
from tests.conftest import Personas

pytestmark = pytest.mark.django_db
migration = importlib.import_module("security.migrations.0002_tokens_from_drf_authtoken")


def test_old_keys_become_named_tokens_expiring_in_90_days(personas: Personas) -> None:
    old = Token.objects.create(user=personas.owner)
    migration.convert_legacy_tokens(apps, None)
    token = ApiToken.objects.get(owner=personas.owner)
    assert token.name == "Token from before named tokens"
    assert abs(token.expires_at - (timezone.now() + timedelta(days=90))) < timedelta(minutes=1)
    assert token.prefix == old.key[:10]
    assert not Token.objects.exists()  # one key, valid in one place
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {old.key}")
    assert client.get("/api/v1/organizations/").status_code == 200
    personas.owner.set_password("a-new-long-passphrase")
    personas.owner.save()
    assert client.get("/api/v1/organizations/").status_code == 401
