"""The API tokens section, drawn inside the profile page (another app's page) without that page's view
knowing about tokens: `{% api_tokens_section %}`."""

from __future__ import annotations

from typing import Any

from django import template

from security.views import tokens_context

register = template.Library()


@register.inclusion_tag("security/_tokens_section.html", takes_context=True)
def api_tokens_section(context: template.Context) -> dict[str, Any]:
    """The signed-in person's tokens and the form for a new one."""
    request = context["request"]
    return {**tokens_context(request.user), "request": request, "csrf_token": context.get("csrf_token")}
