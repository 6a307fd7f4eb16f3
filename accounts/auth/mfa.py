"""Two-factor authentication with django-otp: an authenticator app (TOTP) plus ten recovery codes.

"Set up" means a confirmed TOTP device; the recovery codes (a StaticDevice) come and go with it. Codes are
checked against one device at a time (django-otp advises against match_token), so its throttling holds.
"""

from __future__ import annotations

import secrets
from base64 import b32encode
from binascii import unhexlify

import segno
from django.db.models import Exists, OuterRef, Subquery
from django_otp import verify_token
from django_otp.models import Device
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Organization, User

RECOVERY_CODE_COUNT = 10
SECRET_BYTES = 20  # 160 bits, RFC 4226's recommendation and what authenticator apps expect


def has_mfa(user: User) -> bool:
    """Whether the person has set up two-factor authentication (a confirmed authenticator app)."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def mfa_state(user: User) -> tuple[bool, str | None]:
    """In one query: whether the person has set up two-factor authentication, and the name of an
    organization of theirs that requires it (None if none does)."""
    devices = TOTPDevice.objects.filter(user_id=OuterRef("pk"), confirmed=True)
    requiring = Organization.objects.filter(require_mfa=True, memberships__user_id=OuterRef("pk")).order_by("name")
    row = (
        User.objects.filter(pk=user.pk)
        .annotate(has_device=Exists(devices), requiring=Subquery(requiring.values("name")[:1]))
        .values_list("has_device", "requiring")
        .first()
    )
    return (bool(row[0]), row[1]) if row else (False, None)


def organizations_requiring_mfa(user: User) -> list[str]:
    """The names of the person's organizations that require two-factor authentication."""
    return list(
        Organization.objects.filter(require_mfa=True, memberships__user=user)
        .order_by("name")
        .values_list("name", flat=True)
    )


def new_secret() -> str:
    """A fresh TOTP secret, hex-encoded as TOTPDevice.key stores it."""
    return secrets.token_hex(SECRET_BYTES)


def secret_for_humans(secret_hex: str) -> str:
    """The secret as authenticator apps take it when typed in: base32, in groups of four."""
    text = b32encode(unhexlify(secret_hex)).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def provisioning_uri(user: User, secret_hex: str) -> str:
    """The otpauth:// URI the QR code carries (issuer and account name, as TOTPDevice spells it)."""
    return TOTPDevice(user=user, key=secret_hex).config_url


def qr_svg(uri: str) -> str:
    """The QR code as inline SVG markup: no image file, nothing the CSP refuses (no style attribute)."""
    qr = segno.make(uri, error="m")
    return str(qr.svg_inline(scale=5, border=2, dark="#10233d", title="QR code for your authenticator app"))


def code_matches_secret(secret_hex: str, code: str) -> int | None:
    """If `code` is the current code of `secret_hex` (one step either side for clock skew), its time step."""
    code = normalize(code)
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = TOTP(unhexlify(secret_hex))
    return totp.t() if totp.verify(int(code), tolerance=1) else None


def normalize(code: str) -> str:
    """A code as typed: spaces and dashes dropped, lower case (recovery codes are lower-case base32)."""
    return code.replace(" ", "").replace("-", "").strip().lower()


def verify_code(user: User, code: str) -> Device | None:
    """The device that accepts `code` (a six-digit app code or a recovery code, used up), or None.

    Each device throttles its own failures (django-otp's ThrottlingMixin): after a wrong code the next
    is refused for a doubling delay, so guessing six digits is hopeless even before the lockout."""
    code = normalize(code)
    if not code:
        return None
    devices: list[Device]
    if code.isdigit() and len(code) == 6:
        devices = list(TOTPDevice.objects.filter(user=user, confirmed=True))
    else:
        devices = list(StaticDevice.objects.filter(user=user, confirmed=True))
    for device in devices:
        verified = verify_token(user, device.persistent_id, code)
        if verified is not None:
            return verified
    return None


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def new_recovery_codes() -> list[str]:
    return [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
