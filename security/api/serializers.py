"""What the token endpoints read and write."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_login_failed
from django_otp import match_token, user_has_device
from rest_framework import serializers

from accounts.auth.lockout import flag_api_lockout
from core.api.fields import StrictFieldsMixin
from core.validators import validate_single_line
from security.choices import TOKEN_DEFAULT_DAYS, TOKEN_MAX_DAYS, TokenState
from security.models import ApiToken
from security.selectors import organizations_requiring_mfa

DEFAULT_NAME = "API token"


class ApiTokenSerializer(serializers.ModelSerializer[ApiToken]):
    """A token as its owner sees it in a list: never its key."""

    state = serializers.ChoiceField(choices=TokenState.choices, read_only=True)

    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created", "expires_at", "last_used_at", "revoked_at", "state"]
        read_only_fields = fields


class NewApiTokenSerializer(ApiTokenSerializer):
    """A token just created: the list fields and, this once, its key."""

    token = serializers.CharField(read_only=True, help_text="The key: shown once, send it as `Token <key>`.")

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "token"]
        read_only_fields = fields


class TokenLifetimeMixin(serializers.Serializer[Any]):
    """A name and a lifetime: `expires_in_days` (default 90) or an `expires_at` moment, at most 365 days out."""

    name = serializers.CharField(
        max_length=100, required=False, default=DEFAULT_NAME, validators=[validate_single_line]
    )
    expires_in_days = serializers.IntegerField(
        min_value=1, max_value=TOKEN_MAX_DAYS, required=False, help_text=f"Default {TOKEN_DEFAULT_DAYS}."
    )
    expires_at = serializers.DateTimeField(required=False, help_text="Instead of expires_in_days.")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        if "expires_in_days" in attrs and "expires_at" in attrs:
            raise serializers.ValidationError({"expires_at": "Give expires_in_days or expires_at, not both."})
        return attrs


class ApiTokenCreateSerializer(StrictFieldsMixin, TokenLifetimeMixin):
    """POST /api/v1/tokens/."""


class TokenRequestSerializer(StrictFieldsMixin, TokenLifetimeMixin):
    """POST /api/v1/auth/token/: a username and password (and a second-factor code when the person has one)."""

    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False, write_only=True)
    otp = serializers.CharField(
        required=False, allow_blank=True, write_only=True,
        help_text="The code of your authenticator app, or a recovery code: required once two-factor is set up.",
    )  # fmt: skip

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        request = self.context["request"]
        # authenticate() with the request, so that django-axes counts a failure and refuses a locked-out caller.
        user = authenticate(request=request, username=attrs["username"], password=attrs["password"])
        if user is None:
            flag_api_lockout(request)
            raise serializers.ValidationError("Unable to log in with provided credentials.", code="authorization")
        if user_has_device(user):
            code = attrs.get("otp", "").strip()
            if not code:
                raise serializers.ValidationError({"otp": "Two-factor authentication is on: send your current code."})
            if match_token(user, code) is None:
                # A wrong code is a failed login: axes counts it like a wrong password.
                user_login_failed.send(sender=__name__, credentials={"username": attrs["username"]}, request=request)
                flag_api_lockout(request)
                raise serializers.ValidationError({"otp": "That code is not valid (or was used already)."})
        else:
            requiring = organizations_requiring_mfa(user)
            if requiring:
                raise serializers.ValidationError(
                    {"otp": f"{requiring[0]} requires two-factor authentication: set it up on your profile page first."}
                )
        attrs["user"] = user
        return attrs
