"""The profile page: who the person is, where, with which role; password and second factor."""

from __future__ import annotations

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.accounts.otp import RECOVERY, give_totp
from tests.conftest import Personas

pytestmark = pytest.mark.django_db


def test_profile_shows_the_person_and_their_security(client: Client, personas: Personas) -> None:
    assert client.get("/profile/").status_code == 302
    client.force_login(personas.consultant)
    page = client.get("/profile/").content.decode()
    assert "persona-consultant" in page and personas.org.name in page and "Consultant" in page
    assert personas.other_org.name not in page
    assert 'href="/profile/password/"' in page and 'href="/profile/mfa/setup/"' in page
    assert 'id="profile-mfa"' in page and "Off" in page
    assert '<a class="userlink" href="/profile/"' in page  # the username in the top bar leads here


def test_profile_with_two_factor_on(personas: Personas) -> None:

    give_totp(personas.owner, recovery=RECOVERY)
    client = Client()
    client.force_login(personas.owner)
    session = client.session
    session["otp_device_id"] = TOTPDevice.objects.get(user=personas.owner).persistent_id
    session.save()
    page = client.get("/profile/").content.decode()
    assert "Recovery codes left: <strong>2</strong>" in page and "Make new ones soon" in page
    assert 'href="/profile/mfa/disable/"' in page
