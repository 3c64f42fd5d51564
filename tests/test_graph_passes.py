"""The graph's one-pass readings give the answers of the plain formulations they replace:
Django's field order (a stable sort by bucket), a field class's Django type and relation kind
(first matches along its MRO paths)."""

from __future__ import annotations

import itertools

from djatlas.graph.build import _django_order
from djatlas.graph.classify import _KNOWN_RELATIONS, _RELATION_NAMES, _django_kinds
from djatlas.graph.types import Field, Relation
from djatlas.resolve.builtin import FIELD_ROOTS

KINDS = [
    None,
    "ForeignKey",
    "OneToOneField",
    "ManyToManyField",
    "RelatedField",
    "GenericForeignKey",
    "GenericRelation",
    "private",  # no relation, column or Django type: a class registered as a private field
]


def _field(name: str, kind: str | None) -> Field:
    relation = Relation(kind, None, None) if kind and kind != "private" else None
    column = None if kind == "private" else name
    return Field(
        name, "T", None, None, None, "declared", None, {}, column, False, False, False, None,
        relation,
    )  # fmt: skip


def _bucket(f: Field) -> int:
    if f.relation and f.relation.kind in ("ManyToManyField", "RelatedField"):
        return 1
    if f.relation and f.relation.kind in ("GenericForeignKey", "GenericRelation"):
        return 2
    return 2 if f.relation is None and f.column is None else 0


def test_django_order_is_a_stable_sort_by_bucket():
    for kinds in itertools.product(KINDS, repeat=3):
        fields = [_field(f"f{i}", k) for i, k in enumerate(kinds + tuple(reversed(kinds)))]
        assert _django_order(fields) == sorted(fields, key=_bucket)


def _plain_kinds(paths: list[str]) -> tuple[str | None, str | None]:
    django_type = next(
        (
            p.rsplit(".", 1)[-1]
            for p in paths
            if p.startswith("django.")
            and p not in FIELD_ROOTS
            and not p.rsplit(".", 1)[-1].endswith("Mixin")
            and p.rsplit(".", 1)[-1] != "RelatedField"
            and p.rsplit(".", 1)[-1] != "ForeignObject"
        ),
        None,
    )
    relation = next((_KNOWN_RELATIONS[p] for p in paths if p in _KNOWN_RELATIONS), None)
    if relation is None:
        relation = next(
            (
                p.rsplit(".", 1)[-1]
                for p in paths
                if p.startswith("django.") and p.rsplit(".", 1)[-1] in _RELATION_NAMES
            ),
            None,
        )
    return django_type, relation


PATHS = [
    "app.fields.MyField",
    "mptt.fields.TreeForeignKey",
    "django.db.models.fields.mixins.FieldCacheMixin",
    "django.db.models.fields.related.RelatedField",
    "django.db.models.fields.related.ForeignObject",
    "django.db.models.ForeignKey",
    "django.db.models.fields.related.ManyToManyField",
    "django.db.models.CharField",
    "django.db.models.Field",
    "django.db.models.fields.Field",
    "taggit.managers.TaggableManager",
    "builtins.object",
]


def test_django_kinds_read_the_first_matches_along_the_paths():
    for n in range(4):
        for paths in itertools.permutations(PATHS, n):
            assert _django_kinds(list(paths)) == _plain_kinds(list(paths)), paths
