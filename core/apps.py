from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Installed so that core's templates and template tags are found; core has no models of its own."""

    name = "core"
    verbose_name = "Zonewise core"
