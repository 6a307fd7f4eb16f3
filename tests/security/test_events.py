"""Every kind of security event is recorded once, by the signal or service it comes from."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace

import pytest
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.contrib.auth import authenticate
from django.db import connection
from django.test import Client, RequestFactory
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from guardian.shortcuts import assign_perm, remove_perm

from accounts.choices import Role
from accounts.models import Membership
from security.choices import EventKind
from security.middleware import current_request
from security.models import SecurityEvent
from security.services import api_token_create, api_token_revoke, token_expiry
from tests.conftest import Personas
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def kinds() -> list[str]:
    return list(SecurityEvent.objects.order_by("id").values_list("kind", flat=True))


def login(p: Personas) -> None:
    Client().force_login(p.owner)


def logout(p: Personas) -> None:
    client = Client()
    client.force_login(p.owner)
    SecurityEvent.objects.all().delete()
    client.logout()


def login_failed(p: Personas) -> None:
    assert authenticate(request=RequestFactory().post("/login/"), username="persona-owner", password="wrong") is None


def lockout(p: Personas) -> None:
    request = RequestFactory().post("/login/")
    user_locked_out.send("axes", request=request, username="persona-owner", ip_address="10.0.0.9")


def unlock(p: Personas) -> None:
    attempt = AccessAttempt.objects.create(
        username="persona-owner", ip_address="10.0.0.9", user_agent="x", failures_since_start=5,
        get_data="", post_data="", http_accept="", path_info="/login/",
    )  # fmt: skip
    attempt.delete()


def mfa_enabled(p: Personas) -> None:
    device = TOTPDevice.objects.create(user=p.owner, name="phone", confirmed=False)
    device.confirmed = True
    device.save()
    device.save()  # saving a confirmed device again is no new event


def mfa_disabled(p: Personas) -> None:
    device = TOTPDevice.objects.create(user=p.owner, name="phone", confirmed=True)
    SecurityEvent.objects.all().delete()
    device.delete()


def recovery_codes_generated(p: Personas) -> None:
    device = StaticDevice.objects.create(user=p.owner, name="backup")
    for _ in range(10):
        device.token_set.create(token=StaticToken.random_token())


def password_changed(p: Personas) -> None:
    p.owner.set_password("a-new-long-passphrase")
    p.owner.save()


def password_reset(p: Personas) -> None:
    request = RequestFactory().post("/reset/x/set-password/")
    request.resolver_match = SimpleNamespace(url_name="password_reset_confirm")  # type: ignore[assignment]
    reset = current_request.set(request)
    try:
        password_changed(p)
    finally:
        current_request.reset(reset)


def token_created(p: Personas) -> None:
    api_token_create(owner=p.owner, name="CI", expires_at=token_expiry(days=7))


def token_revoked(p: Personas) -> None:
    token, _ = api_token_create(owner=p.owner, name="CI", expires_at=token_expiry(days=7))
    SecurityEvent.objects.all().delete()
    api_token_revoke(token=token, by=p.owner)
    api_token_revoke(token=token, by=p.owner)  # revoking twice is one revocation


def membership_added(p: Personas) -> None:
    MembershipFactory.create(user=UserFactory.create(), organization=p.org, role=Role.AUDITOR)


def role_changed(p: Personas) -> None:
    membership = Membership.objects.get(user=p.auditor, organization=p.org)
    membership.save()  # unchanged: no event
    membership.role = Role.CONSULTANT
    membership.save()


def membership_removed(p: Personas) -> None:
    Membership.objects.get(user=p.auditor, organization=p.org).delete()


def grant_added(p: Personas) -> None:
    assign_perm("zones.view_site", p.auditor, p.site)


def grant_removed(p: Personas) -> None:
    assign_perm("zones.view_site", p.auditor, p.site)
    SecurityEvent.objects.all().delete()
    remove_perm("zones.view_site", p.auditor, p.site)


def mfa_required_changed(p: Personas) -> None:
    p.org.require_mfa = True
    p.org.save()
    p.org.save()


CASES: dict[EventKind, Callable[[Personas], None]] = {
    EventKind.LOGIN: login,
    EventKind.LOGOUT: logout,
    EventKind.LOGIN_FAILED: login_failed,
    EventKind.LOCKOUT: lockout,
    EventKind.UNLOCK: unlock,
    EventKind.MFA_ENABLED: mfa_enabled,
    EventKind.MFA_DISABLED: mfa_disabled,
    EventKind.RECOVERY_CODES_GENERATED: recovery_codes_generated,
    EventKind.PASSWORD_CHANGED: password_changed,
    EventKind.PASSWORD_RESET: password_reset,
    EventKind.TOKEN_CREATED: token_created,
    EventKind.TOKEN_REVOKED: token_revoked,
    EventKind.MEMBERSHIP_ADDED: membership_added,
    EventKind.ROLE_CHANGED: role_changed,
    EventKind.MEMBERSHIP_REMOVED: membership_removed,
    EventKind.GRANT_ADDED: grant_added,
    EventKind.GRANT_REMOVED: grant_removed,
    EventKind.MFA_REQUIRED_CHANGED: mfa_required_changed,
}


def test_every_kind_has_a_case() -> None:
    assert set(CASES) == set(EventKind)


@pytest.mark.parametrize("kind", list(CASES), ids=str)
def test_each_event_is_recorded_once(personas: Personas, kind: EventKind) -> None:
    SecurityEvent.objects.all().delete()
    CASES[kind](personas)
    assert kinds() == [kind]


def test_events_say_whom_and_where(personas: Personas) -> None:
    SecurityEvent.objects.all().delete()
    request = RequestFactory().post("/login/", HTTP_USER_AGENT="curl/8 " + "x" * 300, REMOTE_ADDR="192.0.2.7")
    authenticate(request=request, username="persona-owner", password="wrong")
    event = SecurityEvent.objects.get()
    assert (event.username, event.subject, event.actor) == ("persona-owner", personas.owner, None)
    assert event.ip_address == "192.0.2.7" and len(event.user_agent) == 200
    role_changed(personas)
    change = SecurityEvent.objects.get(kind=EventKind.ROLE_CHANGED)
    assert change.organization == personas.org and change.subject == personas.auditor
    assert change.detail == {"from": "auditor", "to": "consultant", "all_sites": True}


def test_the_request_being_served_names_the_actor(personas: Personas) -> None:
    request = RequestFactory().post("/organizations/x/", REMOTE_ADDR="192.0.2.8")
    request.user = personas.admin
    reset = current_request.set(request)
    try:
        role_changed(personas)
    finally:
        current_request.reset(reset)
    event = SecurityEvent.objects.get(kind=EventKind.ROLE_CHANGED)
    assert (event.actor, event.ip_address) == (personas.admin, "192.0.2.8")


def test_events_are_append_only(personas: Personas) -> None:
    login(personas)
    event = SecurityEvent.objects.get(kind=EventKind.LOGIN)
    event.username = "someone-else"
    with pytest.raises(ValueError, match="append-only"):
        event.save()


def test_deleting_a_person_or_an_organization_keeps_their_log(personas: Personas) -> None:
    """Their memberships, grants and devices go with them: the events of that must not point at them."""
    assign_perm("zones.view_site", personas.auditor, personas.site)
    TOTPDevice.objects.create(user=personas.auditor, name="phone", confirmed=True)
    personas.auditor.delete()
    removed = SecurityEvent.objects.get(kind=EventKind.MEMBERSHIP_REMOVED, username="persona-auditor")
    assert removed.subject is None and removed.organization == personas.org
    assert SecurityEvent.objects.filter(kind=EventKind.GRANT_REMOVED, username="persona-auditor").exists()
    personas.other_site.delete()
    personas.other_org.delete()
    assert SecurityEvent.objects.filter(kind=EventKind.MEMBERSHIP_REMOVED, organization=None).exists()
    connection.check_constraints()  # no event points at a deleted row (the commit would fail)
