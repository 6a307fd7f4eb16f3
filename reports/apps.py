from django.apps import AppConfig


class ReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reports"
    verbose_name = "Reports and evidence bundles"

    def ready(self) -> None:
        from reports import checks  # noqa: F401  (registers the native-library checks)
