from django.contrib import admin
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
    list_display = ["ref", "organization", "lowest_sl", "created_by", "version"]
    list_filter = ["organization", "lowest_sl"]
    search_fields = ["ref", "reason"]


# LicensedText is left out of the admin on purpose: it is shown to its own organization's members only
# (decision 0032), and the admin site would show it to the operators of every organization.
