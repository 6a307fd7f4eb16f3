from django.contrib import admin

from compliance.models import Catalogue, FoundationalRequirement, Requirement


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
