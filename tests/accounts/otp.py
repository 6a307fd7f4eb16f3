"""Second-factor helpers for the authentication tests: a person's authenticator app, and its codes."""

from __future__ import annotations

import time
from binascii import unhexlify

from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User

RECOVERY = ["recov1ery", "recov2ery"]


def give_totp(user: User, *, recovery: list[str] | None = None) -> TOTPDevice:
    """A confirmed authenticator app for `user` (and recovery codes, if given)."""
    device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    if recovery:
        static = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
        for code in recovery:
            static.token_set.create(token=code)
    return device


def code(key_hex: str, *, steps_ahead: int = 0) -> str:
    """The code an app holding `key_hex` shows now (or `steps_ahead` 30-second steps later, still accepted
    one step ahead: a code of a step already used is refused)."""
    totp = TOTP(unhexlify(key_hex))
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"
