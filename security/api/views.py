"""The token endpoints: a token for a username and password, and the caller's own tokens."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from core.http import user_of
from security.api.serializers import (
    ApiTokenCreateSerializer,
    ApiTokenSerializer,
    NewApiTokenSerializer,
    TokenRequestSerializer,
)
from security.models import ApiToken
from security.selectors import tokens_of
from security.services import api_token_create, api_token_revoke, token_expiry


def _create(request: Request, owner: Any, data: dict[str, Any]) -> tuple[ApiToken, str]:
    try:
        expires = token_expiry(days=data.get("expires_in_days"), until=data.get("expires_at"))
        return api_token_create(owner=owner, name=data["name"], expires_at=expires, request=request)
    except DjangoValidationError as exc:
        raise DRFValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages) from exc


@extend_schema(
    request=TokenRequestSerializer,
    responses=inline_serializer(
        "TokenResponse",
        {"token": serializers.CharField(), "name": serializers.CharField(), "expires_at": serializers.DateTimeField()},
    ),
)
class TokenView(ObtainAuthToken):
    """Exchange a username and password (and a second-factor code once it is set up) for a new named API
    token; send it as `Authorization: Token <token>`. Optional `name` and `expires_in_days` (default 90)."""

    serializer_class = TokenRequestSerializer

    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        token, key = _create(request, data["user"], data)
        return Response({"token": key, "name": token.name, "expires_at": token.expires_at})


@extend_schema_view(
    create=extend_schema(request=ApiTokenCreateSerializer, responses={201: NewApiTokenSerializer}),
    destroy=extend_schema(responses={204: OpenApiResponse(description="Revoked (the token stays in the list).")}),
)
class ApiTokenViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet[ApiToken]
):
    """The caller's own API tokens: list, create (the key is in the answer, once), revoke (DELETE; the row
    stays, revoked). Another person's token is 404. A token cannot create tokens: a stolen one must not be
    able to outlive its own revocation; create them with a session (the profile page) or a password."""

    serializer_class = ApiTokenSerializer

    def get_queryset(self) -> QuerySet[ApiToken]:
        return tokens_of(self.request.user)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if isinstance(request.auth, ApiToken):
            raise PermissionDenied("A token cannot create tokens: use the profile page or POST /api/v1/auth/token/.")
        serializer = ApiTokenCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token, key = _create(request, user_of(request), dict(serializer.validated_data))
        body = NewApiTokenSerializer(token, context=self.get_serializer_context()).data
        return Response({**body, "token": key}, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance: ApiToken) -> None:
        api_token_revoke(token=instance, by=user_of(self.request), request=self.request)
