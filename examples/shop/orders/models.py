"""Carts, orders, payments and shipments."""
from django.conf import settings
from django.db import models

from core.fields import MoneyField
from core.models import OwnedModel, TimeStampedModel


class Coupon(models.Model):
    code = models.CharField(max_length=32, primary_key=True)
    percent = models.PositiveSmallIntegerField()
    valid_until = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return self.code


class Order(TimeStampedModel):
    """A customer's order."""

    class Status(models.TextChoices):
        NEW = "new", "New"
        PAID = "paid", "Paid"
        SHIPPED = "shipped", "Shipped"

    number = models.CharField(max_length=20, unique=True)
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    total = MoneyField()
    shipping_address = models.ForeignKey(
        "accounts.Address", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    coupons = models.ManyToManyField(Coupon, blank=True)
    products = models.ManyToManyField(
        "shop_catalog.Product", through="OrderLine", related_name="orders"
    )

    class Meta(TimeStampedModel.Meta):
        verbose_name = "order"
        indexes = [models.Index(fields=["status", "-created_at"], name="order_status_idx")]
        constraints = [models.UniqueConstraint(fields=["customer", "number"], name="uniq_cust_no")]

    def __str__(self) -> str:
        return self.number


class LineBase(models.Model):
    """A product line: what, how many, at which price."""

    product = models.ForeignKey(
        "shop_catalog.Product", on_delete=models.PROTECT, related_name="%(class)s_lines"
    )
    quantity = models.PositiveIntegerField(default=1)
    unit_price = MoneyField()

    class Meta:
        abstract = True


class OrderLine(LineBase):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")

    class Meta:
        unique_together = [("order", "product")]


class Cart(OwnedModel):
    session_key = models.CharField(max_length=40, db_index=True)


class CartLine(LineBase):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")


class Payment(models.Model):
    order = models.OneToOneField(Order, on_delete=models.CASCADE, primary_key=True)
    amount = MoneyField()
    reference = models.CharField(max_length=64, null=True, unique=True)
    paid_at = models.DateTimeField(null=True)


class Shipment(TimeStampedModel):
    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, to_field="number", db_column="order_number"
    )
    carrier = models.CharField(max_length=50)
    tracking = models.CharField(max_length=100, blank=True)

    class Meta:
        db_table = "shipping"
