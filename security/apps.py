from django.apps import AppConfig


class SecurityConfig(AppConfig):
    """The platform's own security: API tokens and the audit log of security events."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "security"
    verbose_name = "Security"

    def ready(self) -> None:
        from security import signals

        signals.connect()
