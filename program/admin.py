from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from program.models import Exercise, KpiSnapshot, TrainingRecord, Vulnerability


@admin.register(Vulnerability)
class VulnerabilityAdmin(SimpleHistoryAdmin):
    list_display = ["cve", "advisory", "asset", "severity", "cvss_score", "found", "fixed", "status"]
    list_filter = ["severity", "status"]
    search_fields = ["cve", "advisory", "title", "asset__name", "asset__tag"]
    raw_id_fields = ["asset"]


@admin.register(TrainingRecord)
class TrainingRecordAdmin(SimpleHistoryAdmin):
    list_display = ["programme", "site", "period_start", "period_end", "people_required", "people_completed"]
    list_filter = ["site"]


@admin.register(Exercise)
class ExerciseAdmin(SimpleHistoryAdmin):
    list_display = ["scenario", "site", "held_on", "kind", "outcome"]
    list_filter = ["kind", "outcome"]


@admin.register(KpiSnapshot)
class KpiSnapshotAdmin(admin.ModelAdmin):
    list_display = ["key", "organization", "site", "month", "value", "taken_at"]
    list_filter = ["key", "organization"]
    readonly_fields = ["taken_at"]
