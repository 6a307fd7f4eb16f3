from django.contrib import admin

from reports.models import ReportJob


@admin.register(ReportJob)
class ReportJobAdmin(admin.ModelAdmin):
    """Read-only: jobs are created by requests and changed by workers, never by hand."""

    list_display = ["created", "kind", "site", "assessment", "status", "progress", "requested_by", "size", "pages"]
    list_filter = ["kind", "status"]
    search_fields = ["filename", "sha256", "assessment__title", "site__name"]
    list_select_related = ["site", "assessment", "requested_by"]
    date_hierarchy = "created"

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
