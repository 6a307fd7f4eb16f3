from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from compliance.models import Catalogue, FoundationalRequirement, LevelOverride, Requirement


@admin.register(Catalogue)
class CatalogueAdmin(admin.ModelAdmin):
    list_display = ["part", "edition", "version", "is_current", "loaded_at"]
    readonly_fields = ["sha256", "sources", "source_file"]


@admin.register(FoundationalRequirement)
class FoundationalRequirementAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "abbreviation"]


@admin.register(Requirement)
class RequirementAdmin(admin.ModelAdmin):
    list_display = ["ref", "title", "kind", "fr", "lowest_sl", "assessable", "catalogue"]
    list_filter = ["catalogue", "kind", "fr", "lowest_sl", "assessable"]
    search_fields = ["ref", "title"]


@admin.register(LevelOverride)
class LevelOverrideAdmin(SimpleHistoryAdmin):
    """Read only, with its history: overrides are set through compliance.overrides (the API), whose checks the
    admin's form would skip."""

    list_display = ["ref", "organization", "lowest_sl", "created_by", "version"]
    list_filter = ["organization", "lowest_sl"]
    search_fields = ["ref", "reason"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


# LicensedText is left out of the admin on purpose: it is shown to its own organization's members only
# (decision 0032), and the admin site would show it to the operators of every organization.
