from django.contrib import admin
from guardian.admin import GuardedModelAdmin

from zones.models import Asset, Site


@admin.register(Site)
class SiteAdmin(GuardedModelAdmin):
    list_display = ["name", "organization", "sector", "location"]
    list_filter = ["organization", "sector"]
    search_fields = ["name", "location"]


@admin.register(Asset)
class AssetAdmin(admin.ModelAdmin):
    """Assets for support staff: filter by the partitioning flags to find what a zone mixes."""

    list_display = ["name", "tag", "zone", "role", "business_system", "safety_related", "wireless"]
    list_filter = [
        "business_system", "safety_related", "temporarily_connected", "wireless", "external_network", "role",
    ]  # fmt: skip
    search_fields = ["name", "tag", "zone__name"]
    list_select_related = ["zone"]
