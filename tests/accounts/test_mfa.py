"""Two-factor authentication: setting it up, the second login step, recovery codes, switching it off, and an
organization that requires it."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from django.db.models.signals import post_delete, post_save
from django.test import Client
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.auth.views import PENDING
from tests.accounts.otp import RECOVERY, code, give_totp
from tests.conftest import Personas
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _login_password(client: Client, username: str) -> Any:
    return client.post("/login/", {"username": username, "password": PASSWORD})


def test_setup_shows_a_qr_code_and_confirms_with_a_current_code(client: Client, personas: Personas) -> None:
    client.force_login(personas.owner)
    page = client.get("/profile/mfa/setup/")
    body = page.content.decode()
    assert page.status_code == 200 and "<svg" in body and "style=" not in body.split("<svg", 1)[1].split("</svg>")[0]
    assert "<img" not in body  # inline SVG only: no image files, nothing the CSP refuses
    secret = client.session["mfa_setup_secret"]
    shown = re.search(r'id="mfa-secret">([A-Z2-7 ]+)<', body)
    assert shown and len(shown.group(1).replace(" ", "")) == 32  # base32 of 20 bytes, for typing in

    wrong = client.post("/profile/mfa/setup/", {"code": "000000" if code(secret) != "000000" else "111111"})
    assert wrong.status_code == 200 and "does not match" in wrong.content.decode()
    assert not TOTPDevice.objects.filter(user=personas.owner).exists()  # not even an unconfirmed one

    done = client.post("/profile/mfa/setup/", {"code": code(secret)})
    assert done.status_code == 302 and done["Location"] == "/profile/mfa/recovery-codes/"
    device = TOTPDevice.objects.get(user=personas.owner)
    assert device.confirmed and device.key == secret
    codes_page = client.get("/profile/mfa/recovery-codes/").content.decode()
    codes = re.findall(r"<li><code>([a-z2-7]+)</code></li>", codes_page)
    assert len(codes) == 10 and set(codes) == set(StaticToken.objects.values_list("token", flat=True))
    again = client.get("/profile/mfa/recovery-codes/").content.decode()
    assert not any(c in again for c in codes) and "10</strong> unused recovery codes" in again  # shown once
    assert client.get("/").status_code == 200  # the session that set it up counts as verified


def test_no_page_between_the_password_and_the_code(client: Client, personas: Personas) -> None:
    device = give_totp(personas.owner)
    response = _login_password(client, "persona-owner")
    assert response.status_code == 302 and response["Location"] == "/login/verify/"
    assert client.get("/").status_code == 302  # not logged in yet
    assert client.get("/api/v1/organizations/").status_code in (401, 403)
    assert "_auth_user_id" not in client.session

    wrong = client.post("/login/verify/", {"code": "12345"})
    assert wrong.status_code == 200 and "not right" in wrong.content.decode()
    ok = client.post("/login/verify/", {"code": code(device.key)})
    assert ok.status_code == 302 and ok["Location"] == "/"
    assert client.get("/").status_code == 200
    assert PENDING not in client.session and client.session["otp_device_id"] == device.persistent_id


def test_the_next_url_survives_the_second_step(client: Client, personas: Personas) -> None:
    device = give_totp(personas.owner)
    client.post("/login/", {"username": "persona-owner", "password": PASSWORD, "next": "/profile/"})
    assert client.post("/login/verify/", {"code": code(device.key)})["Location"] == "/profile/"


def test_a_recovery_code_logs_in_once(client: Client, personas: Personas) -> None:
    give_totp(personas.owner, recovery=RECOVERY)
    _login_password(client, "persona-owner")
    assert client.post("/login/verify/", {"code": "RECOV1ERY "}).status_code == 302  # typed loosely
    client.post("/logout/")
    _login_password(client, "persona-owner")
    assert client.post("/login/verify/", {"code": "recov1ery"}).status_code == 200  # used up
    assert StaticToken.objects.filter(device__user=personas.owner).count() == 1


def test_the_second_step_expires(client: Client, personas: Personas) -> None:
    device = give_totp(personas.owner)
    _login_password(client, "persona-owner")
    session = client.session
    session[PENDING] = {**session[PENDING], "until": time.time() - 1}
    session.save()
    response = client.post("/login/verify/", {"code": code(device.key)})
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert client.get("/").status_code == 302


def test_a_login_that_skipped_the_code_is_ended(client: Client, personas: Personas) -> None:
    """The admin site's own login form (or anything else calling auth.login) cannot skip the second step."""
    give_totp(personas.owner)
    client.force_login(personas.owner)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert client.get("/").status_code == 302


def test_new_recovery_codes_replace_the_old_row_by_row(client: Client, personas: Personas) -> None:
    device = give_totp(personas.owner, recovery=RECOVERY)
    _login_password(client, "persona-owner")
    client.post("/login/verify/", {"code": code(device.key)})
    seen: list[str] = []

    def saw(sender: Any, **kwargs: Any) -> None:
        seen.append("created" if kwargs.get("created") else "deleted" if "created" not in kwargs else "saved")

    post_save.connect(saw, sender=StaticToken)
    post_delete.connect(saw, sender=StaticToken)
    try:
        assert client.post("/profile/mfa/recovery-codes/").status_code == 302
    finally:
        post_save.disconnect(saw, sender=StaticToken)
        post_delete.disconnect(saw, sender=StaticToken)
    assert seen.count("deleted") == 2 and seen.count("created") == 10  # the security log hears each one
    tokens = set(StaticToken.objects.values_list("token", flat=True))
    assert len(tokens) == 10 and not tokens & set(RECOVERY)


def test_switching_off_needs_a_code_or_the_password(client: Client, personas: Personas) -> None:
    device = give_totp(personas.owner)
    _login_password(client, "persona-owner")
    client.post("/login/verify/", {"code": code(device.key)})
    refused = client.post("/profile/mfa/disable/", {"code": "", "password": "not-it"})
    assert refused.status_code == 200 and TOTPDevice.objects.filter(user=personas.owner).exists()
    assert client.post("/profile/mfa/disable/", {"password": PASSWORD}).status_code == 302
    assert not TOTPDevice.objects.filter(user=personas.owner).exists()
    assert client.get("/").status_code == 200  # still logged in, now without a second factor


def test_an_organization_admin_requires_it(client: Client, personas: Personas) -> None:
    url = f"/organizations/{personas.org.pk}/require-mfa/"
    client.force_login(personas.consultant)
    assert client.post(url, {"require_mfa": "on"}).status_code == 403  # admins only
    client.force_login(personas.outsider)
    assert client.post(url, {"require_mfa": "on"}).status_code == 404
    client.force_login(personas.admin)
    page = client.get(f"/organizations/{personas.org.pk}/").content.decode()
    assert 'name="require_mfa"' in page
    assert client.post(url, {"require_mfa": "on"}).status_code == 302
    personas.org.refresh_from_db()
    assert personas.org.require_mfa

    # The admin has no second factor either: sent to set it up, like everyone.
    member = Client()
    member.force_login(personas.owner)
    home = member.get("/", follow=True)
    assert home.redirect_chain[-1][0] == "/profile/mfa/setup/"
    assert f"{personas.org.name} requires two-factor authentication" in home.content.decode()
    assert member.get(f"/organizations/{personas.org.pk}/")["Location"] == "/profile/mfa/setup/"
    assert member.get("/profile/password/").status_code == 200  # allowed: setup, password, logout, static
    assert member.get("/healthz").status_code == 200
    hx = member.get("/", HTTP_HX_REQUEST="true")
    assert hx["HX-Redirect"] == "/profile/mfa/setup/"
    api = member.get("/api/v1/organizations/")
    assert api.status_code == 403 and "requires two-factor authentication" in api.json()["detail"]

    # Outsiders (another organization) are not concerned.
    other = Client()
    other.force_login(personas.outsider)
    assert other.get("/").status_code == 200

    secret_page = member.get("/profile/mfa/setup/")
    secret = member.session["mfa_setup_secret"]
    assert secret_page.status_code == 200
    member.post("/profile/mfa/setup/", {"code": code(secret)})
    assert member.get("/").status_code == 200
    assert member.get("/api/v1/organizations/").status_code == 200
