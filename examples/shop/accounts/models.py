"""The custom user model and what hangs off it."""
from django.contrib.auth.models import AbstractUser
from django.db import models

from core.fields import LowercaseEmailField
from core.models import TimeStampedModel


class User(AbstractUser):
    """A customer or a member of staff."""

    email = LowercaseEmailField("email address", unique=True)
    display_name = models.CharField(max_length=120, blank=True)
    referred_by = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="referrals"
    )

    class Meta(AbstractUser.Meta):
        db_table = "shop_user"

    def __str__(self) -> str:
        return self.display_name or self.username


class Profile(TimeStampedModel):
    """One per user: preferences that are not needed to log in."""

    user = models.OneToOneField("accounts.User", on_delete=models.CASCADE, related_name="profile")
    birth_date = models.DateField(null=True, blank=True)
    newsletter = models.BooleanField(default=False)
    locale = models.CharField(max_length=10, default="en")


class Address(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="addresses")
    line1 = models.CharField("address line 1", max_length=200)
    line2 = models.CharField("address line 2", max_length=200, blank=True)
    city = models.CharField(max_length=100)
    postcode = models.CharField(max_length=20, db_column="zip")
    country = models.CharField(max_length=2, default="FR")
    is_default = models.BooleanField(default=False)

    class Meta:
        verbose_name_plural = "addresses"
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(is_default=True),
                name="one_default_address_per_user",
            )
        ]

    def __str__(self) -> str:
        return f"{self.line1}, {self.city}"
