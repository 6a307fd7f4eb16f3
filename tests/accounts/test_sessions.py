"""Sessions end after an idle time (and at most SESSION_MAX_AGE after login), without a session write on
every request."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from accounts.auth.middleware import AUTH_AT, TOUCHED
from tests.conftest import Personas
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _row(client: Client) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


def _login(client: Client) -> None:
    assert client.post("/login/", {"username": "persona-owner", "password": PASSWORD}).status_code == 302


def test_the_session_expires_after_the_idle_timeout(client: Client, personas: Personas) -> None:
    assert settings.SESSION_COOKIE_AGE == settings.SESSION_IDLE_TIMEOUT == 30 * 60
    _login(client)
    expires = _row(client).expire_date
    assert abs((expires - timezone.now()).total_seconds() - 30 * 60) < 60
    Session.objects.filter(pk=_row(client).pk).update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_activity_pushes_the_expiry_at_most_once_a_minute(client: Client, personas: Personas) -> None:
    _login(client)
    first = _row(client).expire_date
    client.get("/")
    assert _row(client).expire_date == first  # a request within the minute writes nothing
    session = client.session
    session[TOUCHED] = int(time.time()) - settings.SESSION_TOUCH_INTERVAL
    session.save()
    Session.objects.filter(pk=session.session_key).update(expire_date=timezone.now() + timedelta(minutes=5))
    client.get("/")
    assert _row(client).expire_date > timezone.now() + timedelta(minutes=29)


def test_a_session_ends_at_its_maximum_age_whatever_the_activity(client: Client, personas: Personas) -> None:
    _login(client)
    session = client.session
    session[AUTH_AT] = int(time.time()) - settings.SESSION_MAX_AGE - 1
    session.save()
    response = client.get("/", follow=True)
    assert response.redirect_chain[0][0].startswith("/login/")
    assert "log in again" in response.content.decode()
    assert client.get("/").status_code == 302
