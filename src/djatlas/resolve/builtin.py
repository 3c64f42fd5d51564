"""What djatlas knows of Django by name: the roots of models, fields and app configs.

Django's classes themselves come from the selected environment or from the bundled knowledge
(``djatlas/knowledge/django.json``, generated from Django's source by
``scripts/gen_knowledge.py``).
"""

from __future__ import annotations

#: The roots of model and field classes, whatever the path they were reached by.
MODEL_ROOTS = frozenset({"django.db.models.Model", "django.db.models.base.Model"})
FIELD_ROOTS = frozenset({"django.db.models.Field", "django.db.models.fields.Field"})
APPCONFIG_ROOTS = frozenset({"django.apps.AppConfig", "django.apps.config.AppConfig"})
#: Relation kinds: canonical class -> kind.
RELATION_KINDS = {
    "django.db.models.ForeignKey": "ForeignKey",
    "django.db.models.OneToOneField": "OneToOneField",
    "django.db.models.ManyToManyField": "ManyToManyField",
    "django.contrib.contenttypes.fields.GenericForeignKey": "GenericForeignKey",
    "django.contrib.contenttypes.fields.GenericRelation": "GenericRelation",
}
#: Default max_length of built-in fields that set one.
DEFAULT_MAX_LENGTH = {
    "SlugField": 50,
    "EmailField": 254,
    "URLField": 200,
    "FileField": 100,
    "ImageField": 100,
    "FilePathField": 100,
    "GenericIPAddressField": 39,
    "IPAddressField": 15,
    "UUIDField": 32,
}
