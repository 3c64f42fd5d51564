"""AppConfig of the runtime exporter."""

from django.apps import AppConfig


class DjatlasConfig(AppConfig):
    """The ``djatlas`` management command; the app defines no models."""

    name = "djatlas.django"
    label = "djatlas"
    verbose_name = "djatlas runtime exporter"
