"""Template helpers for the zones pages; the generic ones (attr_value, verbose_name) live in core_tags."""

from django import template

from core.templatetags.core_tags import verbose_name

register = template.Library()
register.filter("verbose_name", verbose_name)  # the delete and history pages load it from here
