"""Named, expiring, revocable API tokens: the token endpoint, the caller's own tokens, and what ends a token."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from security.models import ApiToken, key_hash
from security.services import api_token_create, api_token_touch, token_expiry
from tests.conftest import Personas, api_as
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
ORGS = "/api/v1/organizations/"


def bearer(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def new_key(personas: Personas, name: str = "owner", **kwargs: object) -> tuple[ApiToken, str]:
    return api_token_create(owner=personas.by_name(name), name="CI", expires_at=token_expiry(**kwargs))  # type: ignore[arg-type]


def login_for_token(api: APIClient, **extra: object) -> object:
    body = {"username": "persona-owner", "password": PASSWORD, **extra}
    return api.post("/api/v1/auth/token/", body, format="json")


def test_the_token_endpoint_creates_a_named_token_stored_as_a_hash(api: APIClient, personas: Personas) -> None:
    response = login_for_token(api, name="Nightly export", expires_in_days=30)
    assert response.status_code == 200  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert body["name"] == "Nightly export" and body["token"].startswith("zw_")
    token = ApiToken.objects.get(owner=personas.owner)
    assert token.key_hash == key_hash(body["token"]) and body["token"] not in token.key_hash
    assert token.prefix == body["token"][:10]
    assert abs(token.expires_at - (timezone.now() + timedelta(days=30))) < timedelta(minutes=1)
    assert bearer(body["token"]).get(ORGS).status_code == 200


def test_the_default_lifetime_is_90_days_and_at_most_365(api: APIClient, personas: Personas) -> None:
    login_for_token(api)
    token = ApiToken.objects.get(owner=personas.owner)
    assert token.name == "API token"
    assert abs(token.expires_at - (timezone.now() + timedelta(days=90))) < timedelta(minutes=1)
    response = login_for_token(api, expires_in_days=366)
    assert response.status_code == 400 and "expires_in_days" in response.json()  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("revoke", "Token revoked."),
        ("expire", "Token expired"),
        ("deactivate", "User inactive or deleted."),
        ("password", "password change"),
    ],
)
def test_what_ends_a_token_is_a_401_that_says_why(personas: Personas, change: str, message: str) -> None:
    token, key = new_key(personas)
    client = bearer(key)
    assert client.get(ORGS).status_code == 200
    owner = personas.owner
    if change == "revoke":
        assert api_as(owner).delete(f"/api/v1/tokens/{token.pk}/").status_code == 204
    elif change == "expire":
        ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    elif change == "deactivate":
        owner.is_active = False
        owner.save()
    else:
        owner.set_password("a-new-long-passphrase")
        owner.save()
    response = client.get(ORGS)
    assert response.status_code == 401
    assert message in response.json()["detail"]
    assert response.headers["WWW-Authenticate"] == "Token"


def test_a_rehash_of_the_same_password_keeps_tokens_working(personas: Personas) -> None:
    """A hasher upgrade at login re-hashes the same password: Django says that is no password change."""
    _, key = new_key(personas)
    owner = personas.owner
    owner.password = owner.password + "x"  # stands for the new hash of the same password
    owner._password = None  # type: ignore[attr-defined]  # what check_password's setter leaves: not a change of password
    owner.save(update_fields=["password"])
    assert bearer(key).get(ORGS).status_code == 200


def test_an_unknown_key_is_401(personas: Personas) -> None:
    assert bearer("zw_nothing").get(ORGS).json()["detail"] == "Invalid token."


def test_last_used_is_written_at_most_once_a_minute(personas: Personas, django_assert_num_queries: object) -> None:
    token, key = new_key(personas)
    bearer(key).get(ORGS)
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    bearer(key).get(ORGS)
    token.refresh_from_db()
    assert token.last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(minutes=2))
    token.refresh_from_db()
    api_token_touch(token)
    token.refresh_from_db()
    assert token.last_used_at is not None and token.last_used_at > first


def test_the_caller_lists_creates_and_revokes_only_their_own_tokens(personas: Personas) -> None:
    mine, _ = new_key(personas, "owner")
    theirs, _ = new_key(personas, "auditor")
    client = api_as(personas.owner)
    listed = client.get("/api/v1/tokens/").json()["results"]
    assert [t["id"] for t in listed] == [str(mine.pk)]
    assert set(listed[0]) == {"id", "name", "prefix", "created", "expires_at", "last_used_at", "revoked_at", "state"}
    assert listed[0]["state"] == "active"
    assert client.get(f"/api/v1/tokens/{theirs.pk}/").status_code == 404
    assert client.delete(f"/api/v1/tokens/{theirs.pk}/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    created = client.post("/api/v1/tokens/", {"name": "Backup", "expires_in_days": 7}, format="json")
    assert created.status_code == 201
    key = created.json()["token"]
    assert bearer(key).get(ORGS).status_code == 200
    assert client.delete(f"/api/v1/tokens/{mine.pk}/").status_code == 204
    revoked = client.get(f"/api/v1/tokens/{mine.pk}/").json()
    assert revoked["state"] == "revoked" and revoked["revoked_at"]
    assert "token" not in client.get(f"/api/v1/tokens/{created.json()['id']}/").json()


def test_a_token_cannot_create_tokens(personas: Personas) -> None:
    _, key = new_key(personas)
    response = bearer(key).post("/api/v1/tokens/", {"name": "More"}, format="json")
    assert response.status_code == 403
    assert ApiToken.objects.count() == 1


def test_names_are_single_line(personas: Personas) -> None:
    response = api_as(personas.owner).post("/api/v1/tokens/", {"name": "a\nb"}, format="json")
    assert response.status_code == 400 and "name" in response.json()


def test_a_second_factor_is_required_once_set_up(api: APIClient, personas: Personas) -> None:
    device = TOTPDevice.objects.create(user=personas.owner, name="phone", confirmed=True)
    missing = login_for_token(api)
    assert missing.status_code == 400 and "otp" in missing.json()  # type: ignore[attr-defined]
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    right = login_for_token(api, otp=code)
    assert right.status_code == 200, right.json()  # type: ignore[attr-defined]
    wrong = login_for_token(api, otp=f"{(int(code) + 1) % 1_000_000:06d}")
    assert wrong.status_code == 400 and "otp" in wrong.json()  # type: ignore[attr-defined]
    assert ApiToken.objects.filter(owner=personas.owner).count() == 1


def test_the_command_prints_a_new_working_token(personas: Personas) -> None:
    out = StringIO()
    call_command("api_token", "persona-auditor", "--name", "bench", "--days", "7", stdout=out)
    key = out.getvalue().strip()
    token = ApiToken.objects.get(key_hash=key_hash(key))
    assert token.name == "bench" and token.owner == personas.auditor
    assert bearer(key).get(ORGS).status_code == 200
    with pytest.raises(CommandError, match="at most 365"):
        call_command("api_token", "persona-auditor", "--days", "400")
