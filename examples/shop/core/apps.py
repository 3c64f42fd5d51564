from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Shared abstract bases, custom fields and generic comments."""

    name = "core"
    verbose_name = "Core"
