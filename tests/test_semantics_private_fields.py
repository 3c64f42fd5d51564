"""Fields that are not Django ``Field``s but register themselves as private fields of the model
(``cls._meta.add_field(self, private=True)`` in their ``contribute_to_class``: saleor's
``MoneyField`` and ``TaxedMoneyField``), as real Django 5.2 lists them in
``_meta.get_fields()``: rerun ``python tests/semantics_oracle.py
tests/test_semantics_private_fields.py``. The tests themselves do not need Django.
"""

from __future__ import annotations

FX_PRIVATE = {
    "proj/__init__.py": "",
    "proj/settings.py": """
        INSTALLED_APPS = ["django.contrib.contenttypes", "orders"]
        DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
    """,
    "core/__init__.py": "",
    "core/fields.py": """
        from django.db.models import Field


        class NonDatabaseFieldBase:
            concrete = False
            editable = False
            is_relation = False
            remote_field = None

            def __init__(self):
                self.column = None
                self.primary_key = False
                self.creation_counter = Field.creation_counter
                Field.creation_counter += 1

            def __lt__(self, other):
                return self.creation_counter < other.creation_counter

            def __hash__(self):
                return hash(self.creation_counter)

            def contribute_to_class(self, cls, name, **kwargs):
                self.attname = self.name = name
                self.model = cls
                cls._meta.add_field(self, private=True)
                setattr(cls, name, self)


        class MoneyField(NonDatabaseFieldBase):
            def __init__(self, amount_field="price_amount", currency_field="currency", **kwargs):
                super().__init__(**kwargs)
                self.amount_field = amount_field
                self.currency_field = currency_field


        class Plain:
            def contribute_to_class(self, cls, name, **kwargs):
                setattr(cls, name, self)
    """,
    "orders/__init__.py": "",
    "orders/models.py": """
        from django.db import models

        from core.fields import MoneyField, Plain


        class Priced(models.Model):
            currency = models.CharField(max_length=3)
            price_amount = models.DecimalField(max_digits=12, decimal_places=3)
            price = MoneyField()

            class Meta:
                abstract = True


        class Order(Priced):
            total_amount = models.DecimalField(max_digits=12, decimal_places=3)
            total = MoneyField(amount_field="total_amount")
            helper = Plain()
            number = models.CharField(max_length=20)


        class Special(Order):
            note = models.TextField()
    """,
}


def test_a_class_registered_as_a_private_field_is_a_field(project) -> None:
    s = project(FX_PRIVATE, use_cache=False)
    # Django 5.2: Order._meta.get_fields(): the private fields last, the body's own first
    assert s.field_names("Order") == [
        "id", "currency", "price_amount", "total_amount", "number", "total", "price",
    ]  # fmt: skip
    total = s.field("Order", "total")
    assert (total["column"], total["relation"], total["django_type"]) == (None, None, None)
    assert total["resolved_type"] == "core.fields.MoneyField"
    assert total["params"] == {"amount_field": "total_amount"}
    # a multi-table child lists its parent's, after its own fields (Django's private copies)
    assert s.field_names("Special")[-3:] == ["note", "total", "price"]


#: What ``makemigrations`` writes for ``orders``: no private field.
ORDERS_MIGRATION = """
    import django.db.models.deletion
    from django.db import migrations, models


    class Migration(migrations.Migration):

        initial = True

        dependencies = [
        ]

        operations = [
            migrations.CreateModel(
                name='Order',
                fields=[
                    ('id', models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('currency', models.CharField(max_length=3)),
                    ('price_amount', models.DecimalField(decimal_places=3, max_digits=12)),
                    ('total_amount', models.DecimalField(decimal_places=3, max_digits=12)),
                    ('number', models.CharField(max_length=20)),
                ],
                options={'abstract': False},
            ),
            migrations.CreateModel(
                name='Special',
                fields=[
                    ('order_ptr', models.OneToOneField(auto_created=True, on_delete=django.db.models.deletion.CASCADE, parent_link=True, primary_key=True, serialize=False, to='orders.order')),
                    ('note', models.TextField()),
                ],
                options={'abstract': False},
                bases=('orders.order',),
            ),
        ]
"""  # noqa: E501


def test_it_has_no_column_and_is_no_migration_field(tmp_path, capsys) -> None:
    from treeutil import write_tree

    from djatlas.cli import main

    files = {**FX_PRIVATE, "orders/migrations/__init__.py": "",
             "orders/migrations/0001_initial.py": ORDERS_MIGRATION}  # fmt: skip
    root = write_tree(tmp_path / "t", files)
    assert main(["migrations", "--check", str(root), "--no-cache", "-q"]) == 0
    assert "No changes detected" in capsys.readouterr().out
