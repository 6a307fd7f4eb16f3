from django.apps import AppConfig


class ComponentsConfig(AppConfig):
    name = "components"
    verbose_name = "Components and suppliers (IEC 62443-4-2)"
