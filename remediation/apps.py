from django.apps import AppConfig


class RemediationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "remediation"
    verbose_name = "Remediation roadmap"
