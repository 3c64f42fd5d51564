"""Project-specific model fields."""
from decimal import Decimal

from django.db import models


class MoneyField(models.DecimalField):
    """A decimal amount of money: 12 digits, 2 decimals, defaulting to zero."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 12)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("default", Decimal("0.00"))
        super().__init__(*args, **kwargs)


class LowercaseEmailField(models.EmailField):
    """An e-mail address stored in lower case."""

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return value.lower() if isinstance(value, str) else value


def slug_field(**kwargs) -> models.SlugField:
    """Field factory: a unique slug of at most 80 characters."""
    kwargs.setdefault("max_length", 80)
    kwargs.setdefault("unique", True)
    return models.SlugField(**kwargs)
