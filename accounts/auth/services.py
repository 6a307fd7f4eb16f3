"""Writes about a person's own login: turning two-factor authentication on and off, new recovery codes.

Devices and tokens are saved and deleted one by one (never bulk-updated) so that the security log, which
listens to their post_save and post_delete, records every change."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.auth import mfa
from accounts.models import User


@transaction.atomic
def mfa_enable(*, user: User, secret_hex: str, code: str) -> tuple[TOTPDevice, list[str]]:
    """Confirm the authenticator app holding `secret_hex` with its current `code`; return the new device and
    the ten recovery codes (shown once: only the database copy remains)."""
    if mfa.has_mfa(user):
        raise ValidationError("Two-factor authentication is already set up.")
    step = mfa.code_matches_secret(secret_hex, code)
    if step is None:
        raise ValidationError("That code does not match. Check the time on your phone and enter the current code.")
    # last_t: the code just used to confirm cannot be replayed to log in.
    device = TOTPDevice.objects.create(user=user, name="Authenticator app", key=secret_hex, confirmed=True, last_t=step)
    return device, _replace_recovery_codes(user)


@transaction.atomic
def recovery_codes_regenerate(*, user: User) -> list[str]:
    """Throw away the person's recovery codes and make ten new ones."""
    if not mfa.has_mfa(user):
        raise ValidationError("Set up two-factor authentication first.")
    return _replace_recovery_codes(user)


def _replace_recovery_codes(user: User) -> list[str]:
    device = StaticDevice.objects.filter(user=user).first()
    if device is None:
        device = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    for token in list(device.token_set.all()):
        token.delete()
    codes = mfa.new_recovery_codes()
    for code in codes:
        device.token_set.create(token=code)
    return codes


def mfa_disable(*, user: User, code: str = "", password: str = "") -> None:
    """Turn two-factor authentication off, proven by a current code or the password."""
    # Checked outside the transaction: a wrong code's throttling must survive the refusal's rollback.
    proven = (bool(code) and mfa.verify_code(user, code) is not None) or (
        bool(password) and user.check_password(password)
    )
    if not proven:
        raise ValidationError("Enter a current code from your app, a recovery code, or your password.")
    with transaction.atomic():
        for device in [*TOTPDevice.objects.filter(user=user), *StaticDevice.objects.filter(user=user)]:
            device.delete()
