from django.db import models
from django.utils.translation import gettext_lazy as _

from core.fields import slug_field
from core.models import TimeStampedModel


class Category(TimeStampedModel):
    """Une catégorie de produits ; les catégories forment une arborescence."""

    name = models.CharField(_("nom"), max_length=100)
    slug = slug_field()
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("catégorie")
        verbose_name_plural = _("catégories")

    def __str__(self) -> str:
        return self.name
