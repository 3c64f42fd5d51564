"""Modèles du catalogue, réexportés depuis leurs sous-modules."""
from .category import Category
from .product import DigitalProduct, FeaturedProduct, Product, ProductTag, Tag

__all__ = ["Category", "DigitalProduct", "FeaturedProduct", "Product", "ProductTag", "Tag"]
