from django.contrib import admin
from guardian.admin import GuardedModelAdmin

from zones.models import Site


@admin.register(Site)
class SiteAdmin(GuardedModelAdmin):
    list_display = ["name", "organization", "sector", "location"]
    list_filter = ["organization", "sector"]
    search_fields = ["name", "location"]
