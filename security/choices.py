"""The kinds of things the security app names: token states and security event kinds."""

from django.db import models


class TokenState(models.TextChoices):
    ACTIVE = "active", "Active"
    EXPIRED = "expired", "Expired"
    REVOKED = "revoked", "Revoked"


class EventKind(models.TextChoices):
    LOGIN = "login", "Logged in"
    LOGIN_FAILED = "login_failed", "Login failed"
    LOGOUT = "logout", "Logged out"
    LOCKOUT = "lockout", "Locked out"
    UNLOCK = "unlock", "Unlocked"
    MFA_ENABLED = "mfa_enabled", "Two-factor authentication enabled"
    MFA_DISABLED = "mfa_disabled", "Two-factor authentication disabled"
    RECOVERY_CODES_GENERATED = "recovery_codes_generated", "Recovery codes generated"
    PASSWORD_CHANGED = "password_changed", "Password changed"
    PASSWORD_RESET = "password_reset", "Password reset requested"
    TOKEN_CREATED = "token_created", "API token created"
    TOKEN_REVOKED = "token_revoked", "API token revoked"
    MEMBERSHIP_ADDED = "membership_added", "Member added"
    ROLE_CHANGED = "role_changed", "Role changed"
    MEMBERSHIP_REMOVED = "membership_removed", "Member removed"
    GRANT_ADDED = "grant_added", "Site access granted"
    GRANT_REMOVED = "grant_removed", "Site access withdrawn"
    MFA_REQUIRED_CHANGED = "mfa_required_changed", "Two-factor requirement changed"


# Token lifetimes people pick from (days); the default is the middle one and nothing may exceed the last.
TOKEN_LIFETIME_CHOICES = (7, 30, 90, 365)
TOKEN_DEFAULT_DAYS = 90
TOKEN_MAX_DAYS = 365
