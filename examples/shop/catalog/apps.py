from django.apps import AppConfig


class CatalogConfig(AppConfig):
    """Le catalogue : catégories, produits, étiquettes."""

    name = "catalog"
    label = "shop_catalog"
    verbose_name = "Catalogue"
