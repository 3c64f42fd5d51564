from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.fields import MoneyField, slug_field
from core.models import OwnedModel, TimeStampedModel


class Tag(models.Model):
    """Étiquette libre (« bio », « été »…)."""

    name = models.CharField(_("libellé"), max_length=50, unique=True)

    def __str__(self) -> str:
        return self.name


class Product(TimeStampedModel, OwnedModel):
    """Un article vendu dans la boutique."""

    name = models.CharField(_("désignation"), max_length=200)
    slug = slug_field()
    sku = models.CharField("référence", max_length=32, unique=True)
    category = models.ForeignKey("Category", on_delete=models.PROTECT, related_name="products")
    price = MoneyField(_("prix"))
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True, db_index=True)
    tags = models.ManyToManyField(Tag, through="ProductTag", related_name="products", blank=True)
    related = models.ManyToManyField("self", blank=True)
    comments = GenericRelation("core.Comment", related_query_name="product")

    class Meta:
        ordering = ["name"]
        verbose_name = _("produit")
        unique_together = [("category", "name")]
        indexes = [models.Index(fields=["category", "is_active"], name="product_cat_active_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_digital(self) -> bool:
        return hasattr(self, "digitalproduct")


class ProductTag(models.Model):
    """Lien produit ↔ étiquette, avec sa date."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE)
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        unique_together = ("product", "tag")


class DigitalProduct(Product):
    """Produit téléchargeable : héritage multi-tables."""

    download_url = models.URLField("lien de téléchargement")
    file_size = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("produit numérique")


class FeaturedProduct(Product):
    """Produit mis en avant (modèle mandataire)."""

    class Meta:
        proxy = True
        ordering = ["-price"]
        verbose_name = _("produit à la une")

    def badge(self) -> str:
        return "★"
