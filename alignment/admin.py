"""Frameworks in the admin: read-only, like the catalogue (they change only through load_catalogue)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from alignment.models import Framework, FrameworkItem, Mapping
from core.admin import ReadOnlyAdmin


@admin.register(Framework)
class FrameworkAdmin(ReadOnlyAdmin):
    list_display = ["short_name", "key", "edition", "version", "loaded_at"]
    search_fields = ["key", "name", "short_name"]


class MappingInline(admin.TabularInline):
    model = Mapping
    fields = ["relationship", "rationale", "source"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(FrameworkItem)
class FrameworkItemAdmin(ReadOnlyAdmin):
    list_display = ["ref", "title", "framework", "group"]
    list_filter = ["framework"]
    search_fields = ["ref", "title"]
    inlines = [MappingInline]
