"""Logging in safely: lockout after failed attempts (django-axes), the second factor (django-otp), session
limits. Decisions and their reasons: docs/decisions/0019-authentication.md."""
