"""Run inside a booted Django (``python deletion_oracle.py OUT.json``, DJANGO_SETTINGS_MODULE
set): for every concrete installed model, what ``Collector.collect`` reaches when one row is
deleted, found by walking ``get_candidate_relations_to_delete`` exactly as ``collect`` does
(parents collected without their relations, CASCADE recursing, RESTRICT lifted for collected
models, GenericRelations through ``bulk_related_objects``); and for each lookup of
``PATHS.json`` (argv[2], optional) whether ``filter(**{lookup + "__isnull": True})`` compiles
and which model it ends on.
"""

import json
import sys

import django

django.setup()

from django.apps import apps  # noqa: E402
from django.db import models  # noqa: E402
from django.db.models.deletion import get_candidate_relations_to_delete  # noqa: E402

ACTIONS = {
    models.PROTECT: "protect",
    models.RESTRICT: "restrict",
    models.SET_NULL: "set_null",
    models.SET_DEFAULT: "set_default",
    models.DO_NOTHING: "do_nothing",
}


def qualified(field):
    return f"{field.model._meta.label}.{field.name}"


def impact(model):
    root = model._meta.concrete_model
    collected = {root}
    expanded = set()
    recollected = False
    found = {
        c: set() for c in ("protect", "restrict", "set_null", "set_default", "set", "do_nothing")
    }
    queue = [(root, True)]
    while queue:
        current, related = queue.pop(0)
        for ptr in current._meta.concrete_model._meta.parents.values():
            if ptr is not None:
                parent = ptr.remote_field.model._meta.concrete_model
                if parent not in collected:
                    collected.add(parent)
                    queue.append((parent, False))
        if not related or current in expanded:
            continue
        expanded.add(current)
        targets = []
        for rel in get_candidate_relations_to_delete(current._meta):
            on_delete = rel.field.remote_field.on_delete
            on_delete = getattr(on_delete, "action", on_delete)  # django-polymorphic's guard
            if on_delete is models.CASCADE:
                targets.append(rel.related_model)
            elif on_delete in ACTIONS:
                found[ACTIONS[on_delete]].add(qualified(rel.field))
            elif getattr(on_delete, "deconstruct", None):  # SET(value)
                found["set"].add(qualified(rel.field))
        for field in current._meta.private_fields:
            if hasattr(field, "bulk_related_objects"):
                targets.append(field.related_model)
        for target in targets:
            recollected |= target is root
            if target not in collected:
                collected.add(target)
            if target not in expanded:
                queue.append((target, True))
    found["restrict"] = {
        entry
        for entry in found["restrict"]
        if not any(
            entry.startswith(m._meta.label + ".") for m in collected if m is not root or recollected
        )
    }
    result = {c: sorted(v) for c, v in found.items()}
    result["cascade"] = sorted(m._meta.label for m in collected if m is not root)
    return result


def lookup_end(model, lookup):
    """The model ``lookup`` ends on, after compiling the filter; an error message if not."""
    try:
        str(model._base_manager.filter(**{lookup + "__isnull": True}).query)
        query = model._base_manager.all().query
        path, _, _, _ = query.names_to_path(lookup.split("__"), model._meta)
        return path[-1].to_opts.concrete_model._meta.label
    except Exception as exc:  # noqa: BLE001 - reported to the test
        return f"error: {type(exc).__name__}: {exc}"


def collect_shop_rows():
    """A real Collector on rows of examples/shop (rolled back): the models whose rows it
    collects and the fields it updates, when a user, and when a product, is deleted."""
    from django.db import transaction
    from django.db.models.deletion import Collector

    get = apps.get_model
    found = {}
    with transaction.atomic():
        user = get("accounts.User").objects.create(username="a", email="a@example.com")
        other = get("accounts.User").objects.create(
            username="b", email="b@example.com", referred_by=user
        )
        address = get("accounts.Address").objects.create(
            user=user, line1="x", city="y", postcode="1"
        )
        get("accounts.Profile").objects.create(user=user)
        user.groups.add(get("auth.Group").objects.create(name="g"))
        get("orders.Order").objects.create(
            number="1", customer=other, total=1, shipping_address=address
        )
        get("core.Comment").objects.create(
            author=user,
            body="b",
            object_id=1,
            content_type=get("contenttypes.ContentType").objects.get_for_model(get("auth.Group")),
        )
        category = get("shop_catalog.Category").objects.create(name="c", slug="c")
        product = get("shop_catalog.DigitalProduct").objects.create(
            name="p", slug="p", sku="p", price=1, category=category, download_url="http://x"
        )
        tag = get("shop_catalog.Tag").objects.create(name="t")
        get("shop_catalog.ProductTag").objects.create(product=product, tag=tag)
        get("core.Comment").objects.create(
            body="c",
            object_id=product.pk,
            content_type=get("contenttypes.ContentType").objects.get_for_model(
                get("shop_catalog.Product")
            ),
        )
        for label, obj in (
            ("accounts.User", user),
            ("shop_catalog.Product", get("shop_catalog.Product").objects.get()),
        ):
            collector = Collector(using="default")
            collector.collect([obj])
            found[label] = {
                "data": sorted(
                    {m._meta.label for m in collector.data}
                    | {qs.model._meta.label for qs in collector.fast_deletes}
                ),
                "updates": sorted(qualified(f) for f, _ in collector.field_updates),
            }
        transaction.set_rollback(True)
    return found


def main():
    out = {"impact": {}, "paths": {}}
    for model in apps.get_models():
        if not model._meta.proxy:
            out["impact"][model._meta.label] = impact(model)
    if len(sys.argv) > 2:
        with open(sys.argv[2], encoding="utf-8") as fh:
            asked = json.load(fh)
        for item in asked:
            model = apps.get_model(item["source"])
            out["paths"][f"{item['source']} {item['lookup']}"] = lookup_end(model, item["lookup"])
    if len(sys.argv) > 3 and sys.argv[3] == "shop-rows":
        out["collector"] = collect_shop_rows()
    with open(sys.argv[1], "w", encoding="utf-8") as fh:
        json.dump(out, fh, indent=1, sort_keys=True)


main()
