from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from remediation.models import Action, Finding


@admin.register(Finding)
class FindingAdmin(SimpleHistoryAdmin):
    list_display = ["title", "site", "source", "severity", "status", "identified", "resolved_at"]
    list_filter = ["source", "severity", "status"]
    search_fields = ["title", "reference"]
    raw_id_fields = ["site", "zone", "conduit", "requirement"]


@admin.register(Action)
class ActionAdmin(SimpleHistoryAdmin):
    list_display = ["title", "site", "status", "phase", "owner", "due_date", "priority"]
    list_filter = ["status", "phase", "priority"]
    search_fields = ["title"]
    raw_id_fields = ["site", "owner"]
    filter_horizontal = ["findings", "zones", "conduits", "assets"]
