"""API tokens people name and revoke, and the append-only log of security events."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from core.validators import validate_single_line
from security.choices import EventKind, TokenState

KEY_PREFIX = "zw_"
SHOWN_PREFIX_LENGTH = 10  # "zw_" and 7 characters of the key: enough to tell tokens apart, nothing to guess with
PASSWORD_FINGERPRINT_SALT = "security.ApiToken.password"  # noqa: S105 (a salt, not a secret)


def key_hash(key: str) -> str:
    """The stored form of a key: its SHA-256. Keys are 256 random bits, so an unsalted fast hash is enough
    (nobody can brute-force them) and lets authentication find the row by an indexed lookup."""
    return hashlib.sha256(key.encode()).hexdigest()


def password_fingerprint(user: Any) -> str:
    """A fingerprint of the person's password hash, as Django's session auth hash is: it changes when the
    password does, without storing anything that helps to guess the password."""
    return salted_hmac(PASSWORD_FINGERPRINT_SALT, user.password, algorithm="sha256").hexdigest()


class ApiToken(models.Model):
    """A named key a person's scripts send as `Authorization: Token <key>`: it expires, can be revoked, and
    stops working when the person's password changes or the account is deactivated. Only the key's hash is
    kept; the key itself is shown once, when it is created."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, validators=[validate_single_line])
    prefix = models.CharField(max_length=SHOWN_PREFIX_LENGTH, help_text="The key's first characters, to tell it.")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    password_fingerprint = models.CharField(max_length=64, editable=False)
    created = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def state(self) -> TokenState:
        """Revoked, expired or active (a revoked token stays revoked after its expiry date)."""
        if self.revoked_at is not None:
            return TokenState.REVOKED
        if self.expires_at <= timezone.now():
            return TokenState.EXPIRED
        return TokenState.ACTIVE

    def matches_password_of(self, user: Any) -> bool:
        """Whether the owner's password is still the one the token was created under."""
        return constant_time_compare(self.password_fingerprint, password_fingerprint(user))


class SecurityEvent(models.Model):
    """One security-relevant thing that happened: a login or failed login, a lockout, an MFA or password
    change, a token created or revoked, a role or site grant changed. Append-only: rows are never edited."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    kind = models.CharField(max_length=40, choices=EventKind.choices, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="Who did it (none for a failed login or a system action).",
    )  # fmt: skip
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="Whose account it concerns, when that is someone else or the actor is unknown.",
    )  # fmt: skip
    username = models.CharField(max_length=150, blank=True, help_text="The username typed, or the actor's.")
    organization = models.ForeignKey(
        "accounts.Organization", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=200, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["organization", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.get_kind_display()} {self.username}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # An audit record that can be rewritten proves nothing: the only write is the first one.
        if not self._state.adding:
            raise ValueError("Security events are append-only.")
        super().save(*args, **kwargs)
