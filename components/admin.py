"""The admin of the components app: the product library with its certificates, and component assessments."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from components.models import Certificate, ComponentAssessment, Invitation, Product


class CertificateInline(admin.TabularInline):
    model = Certificate
    fields = ["scheme", "level", "number", "issuer", "issued", "expires"]
    extra = 0
    show_change_link = True


@admin.register(Product)
class ProductAdmin(SimpleHistoryAdmin):
    list_display = ["vendor", "name", "release", "component_type", "organization", "sl_capability_source"]
    list_filter = ["organization", "component_type", "sl_capability_source"]
    search_fields = ["vendor", "name", "release"]
    inlines = [CertificateInline]


@admin.register(Certificate)
class CertificateAdmin(SimpleHistoryAdmin):
    list_display = ["number", "scheme", "level", "product", "issuer", "expires"]
    list_filter = ["scheme", "product__organization"]
    search_fields = ["number", "issuer", "product__name", "product__vendor"]
    readonly_fields = ["filename", "content_type", "size", "sha256"]


@admin.register(ComponentAssessment)
class ComponentAssessmentAdmin(SimpleHistoryAdmin):
    list_display = ["title", "product", "status", "created"]
    list_filter = ["status", "product__organization"]
    search_fields = ["title", "product__name"]


@admin.register(Invitation)
class InvitationAdmin(SimpleHistoryAdmin):
    # The token itself is never stored (only its hash), so nothing here can open the questionnaire.
    list_display = ["email", "assessment", "expires", "submitted_at"]
    search_fields = ["email"]
    readonly_fields = ["token_hash"]
