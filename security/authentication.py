"""`Authorization: Token <key>` for the API, checked against named, expiring, revocable tokens."""

from __future__ import annotations

from typing import Any

from django_otp import user_has_device
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from security.choices import TokenState
from security.models import ApiToken
from security.selectors import organizations_requiring_mfa, token_for_key
from security.services import api_token_touch


class ApiTokenAuthentication(TokenAuthentication):
    """DRF token authentication over `ApiToken`: the header stays `Token <key>` (scripts written for the
    plain DRF tokens keep working), and each refusal says why, so that a script's owner knows what to do."""

    keyword = "Token"

    def authenticate_credentials(self, key: str) -> tuple[Any, ApiToken]:
        token = token_for_key(key)
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid token.")
        state = token.state
        if state == TokenState.REVOKED:
            raise exceptions.AuthenticationFailed("Token revoked.")
        if state == TokenState.EXPIRED:
            raise exceptions.AuthenticationFailed("Token expired: create a new one on your profile page.")
        owner = token.owner
        if not owner.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        if not token.matches_password_of(owner):
            raise exceptions.AuthenticationFailed("Token ended by a password change: create a new one.")
        requiring = organizations_requiring_mfa(owner)
        if requiring and not user_has_device(owner):
            raise exceptions.AuthenticationFailed(
                f"{requiring[0]} requires two-factor authentication: set it up on your profile page first."
            )
        api_token_touch(token)
        return owner, token
