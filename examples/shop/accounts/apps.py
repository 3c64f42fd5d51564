from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Users and their profiles; keeps 32-bit primary keys."""

    name = "accounts"
    default_auto_field = "django.db.models.AutoField"
