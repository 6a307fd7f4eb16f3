from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from risk.models import AppliedTarget, RiskAssessment, RiskMatrix, ThreatScenario, ThreatSource


@admin.register(RiskMatrix)
class RiskMatrixAdmin(SimpleHistoryAdmin):
    list_display = ["organization", "tolerable_rank", "version"]


@admin.register(ThreatSource)
class ThreatSourceAdmin(SimpleHistoryAdmin):
    list_display = ["name", "organization", "capability"]
    list_filter = ["organization", "capability"]
    search_fields = ["name"]


class ThreatScenarioInline(admin.TabularInline):
    model = ThreatScenario
    fields = ["title", "zone", "conduit", "threat_source", "likelihood", "residual_likelihood"]
    extra = 0
    show_change_link = True


@admin.register(RiskAssessment)
class RiskAssessmentAdmin(SimpleHistoryAdmin):
    list_display = ["title", "site", "status", "revision", "approved_by", "approved_at"]
    list_filter = ["status", "site__organization"]
    search_fields = ["title"]
    inlines = [ThreatScenarioInline]


@admin.register(ThreatScenario)
class ThreatScenarioAdmin(SimpleHistoryAdmin):
    list_display = ["title", "risk_assessment", "zone", "conduit", "threat_source", "likelihood"]
    list_filter = ["risk_assessment__site__organization"]
    search_fields = ["title"]


@admin.register(AppliedTarget)
class AppliedTargetAdmin(admin.ModelAdmin):
    list_display = ["risk_assessment", "revision", "zone", "conduit", "before", "after", "applied_by", "applied_at"]
    list_filter = ["risk_assessment__site__organization"]
