"""Read-only admin of tokens (with a revoke action) and of the security log."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from rest_framework.authtoken.models import TokenProxy

from core.admin import ReadOnlyAdmin
from security.models import ApiToken, SecurityEvent
from security.services import api_token_revoke

# The plain DRF tokens were turned into ApiTokens (migration 0002): their admin would show an empty table
# and offer to create keys that no longer authenticate.
if admin.site.is_registered(TokenProxy):
    admin.site.unregister(TokenProxy)


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ["name", "owner", "prefix", "state", "created", "expires_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "owner__username", "prefix"]
    exclude = ["key_hash", "password_fingerprint"]
    actions = ["revoke"]

    @admin.display(description="State")
    def state(self, obj: ApiToken) -> str:
        return obj.state.label

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        count = 0
        for token in queryset.filter(revoked_at__isnull=True):
            api_token_revoke(token=token, by=request.user if request.user.is_authenticated else None, request=request)
            count += 1
        self.message_user(request, f"{count} token(s) revoked.", messages.SUCCESS)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Actions need the change permission; the form itself stays read-only (every field is read-only).
        return bool(request.user.has_perm("security.change_apitoken"))

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [field.name for field in ApiToken._meta.fields if field.name not in self.exclude]


@admin.register(SecurityEvent)
class SecurityEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "kind", "actor", "subject", "username", "organization", "ip_address"]
    list_filter = ["kind", "organization"]
    search_fields = ["username", "actor__username", "subject__username", "ip_address"]
    date_hierarchy = "at"
