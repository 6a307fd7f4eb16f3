"""Password change from the profile page and reset by e-mail from the login page."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from tests.conftest import Personas
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
NEW = "granite-otter-lantern-42"


def test_change_applies_the_validators_and_keeps_the_session(client: Client, personas: Personas) -> None:
    client.force_login(personas.owner)
    assert "/profile/password/" in client.get("/profile/").content.decode()
    numeric = client.post(
        "/profile/password/", {"old_password": PASSWORD, "new_password1": "73914628503", "new_password2": "73914628503"}
    )
    assert numeric.status_code == 200 and "entirely numeric" in numeric.content.decode()
    short = client.post("/profile/password/", {"old_password": PASSWORD, "new_password1": "a1", "new_password2": "a1"})
    assert "too short" in short.content.decode()
    other = Client()
    other.force_login(personas.owner)

    done = client.post("/profile/password/", {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302 and done["Location"] == "/profile/"
    assert client.get("/").status_code == 200  # this session stays logged in
    assert other.get("/").status_code == 302  # the others end
    personas.owner.refresh_from_db()
    assert personas.owner.check_password(NEW)


def test_reset_by_mail_from_the_login_page(client: Client, personas: Personas) -> None:
    assert 'href="/password-reset/"' in client.get("/login/").content.decode()
    sent = client.post("/password-reset/", {"email": personas.owner.email})
    assert sent.status_code == 302 and sent["Location"] == "/password-reset/sent/"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [personas.owner.email]
    assert client.post("/password-reset/", {"email": "nobody@example.com"}).status_code == 302  # no hint
    assert len(mail.outbox) == 1

    link = re.search(r"http://testserver(/reset/\S+/)", str(mail.outbox[0].body))
    assert link, mail.outbox[0].body
    form = client.get(link.group(1), follow=True)
    assert form.status_code == 200 and "Choose a new password" in form.content.decode()
    done = client.post(form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302 and done["Location"] == "/reset/done/"
    assert client.get("/").status_code == 302  # not logged in by the reset (a second factor may be due)
    assert client.post("/login/", {"username": "persona-owner", "password": NEW}).status_code == 302
    used = client.get(link.group(1), follow=True)
    assert "no longer works" in used.content.decode()
