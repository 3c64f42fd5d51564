"""Which modules ``django.setup()`` imports, hence which models it registers: the installed apps'
packages, ``apps`` and ``models`` modules, what their module-level code imports (in ``try`` and
``if`` blocks and class bodies too), and what each AppConfig's ``ready`` imports (the admin's:
every app's ``admin`` module); not what a function imports when called, nor what ``if
TYPE_CHECKING:`` imports. Values as real Django 5.2
reports them: rerun ``python tests/semantics_oracle.py tests/test_semantics_closure.py`` (with
``semantics_oracle.PYTHON`` an interpreter that has Django) to see its answer. The tests
themselves do not need Django.
"""

from __future__ import annotations

from djatlas.pipeline.scope import OUTSIDE

ORACLE_SETTINGS = {"FX_ADMIN": "proj.settings", "FX_SIMPLE_ADMIN": "proj.settings"}

MODEL = """
    from django.db import models

    class {name}(models.Model):
        pass
"""

FX_CLOSURE = {
    "manage.py": 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")\n',
    "proj/__init__.py": "",
    "proj/settings.py": """
        INSTALLED_APPS = ["django.contrib.contenttypes", "shop.apps.ShopConfig"]
    """,
    "shop/__init__.py": "",
    "shop/apps.py": """
        from django.apps import AppConfig


        class ShopConfig(AppConfig):
            name = "shop"

            def ready(self):
                from . import signals  # noqa: F401
                self.connect()

            def connect(self):
                from . import extra  # noqa: F401  (an AppConfig's helper, called by ready)
    """,
    "shop/models.py": """
        from typing import TYPE_CHECKING

        from django.db import models

        try:
            from . import eager  # noqa: F401
        except ImportError:
            pass
        if TYPE_CHECKING:
            from . import typing_only  # noqa: F401
        else:
            from . import not_typing  # noqa: F401


        def load(
            name: str,
        ) -> None:
            from . import lazy  # noqa: F401


        class Product(models.Model):
            from . import in_class  # noqa: F401

            def describe(self):
                if self.pk:
                    from . import lazy_method  # noqa: F401


        async def later():
            from . import lazy_async  # noqa: F401
    """,
    **{
        f"shop/{module}.py": MODEL.format(name=name)
        for module, name in [
            ("signals", "Signalled"),
            ("extra", "Extra"),
            ("eager", "Eager"),
            ("typing_only", "TypingOnly"),
            ("not_typing", "NotTyping"),
            ("lazy", "Lazy"),
            ("in_class", "InClass"),
            ("lazy_method", "LazyMethod"),
            ("lazy_async", "LazyAsync"),
        ]
    },
}


def test_the_models_django_setup_registers(project) -> None:
    s = project(FX_CLOSURE, use_cache=False)
    # Django 5.2, apps.get_models() of the fixture (contenttypes is outside the tree)
    assert sorted(m["label"] for m in s.models if not m.get("external")) == [
        "shop.Eager",
        "shop.Extra",
        "shop.InClass",
        "shop.NotTyping",
        "shop.Product",
        "shop.Signalled",
    ]
    reasons = {f["path"]: f["reason"] for f in s.doc["files"]}
    for module in ("typing_only", "lazy", "lazy_method", "lazy_async"):
        assert reasons[f"shop/{module}.py"] == OUTSIDE, module


def test_every_module_with_all_files(project) -> None:
    """``--all-files`` still reads (and reports the models of) every file."""
    s = project(FX_CLOSURE, use_cache=False, all_files=True)
    assert {"Lazy", "LazyMethod", "LazyAsync", "TypingOnly"} <= s.names()


CONTRIB = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
]
APPS = ["shop", "blog.apps.BlogConfig"]
SIMPLE = "django.contrib.admin.apps.SimpleAdminConfig"
FX_ADMIN = {
    "manage.py": FX_CLOSURE["manage.py"],
    "proj/__init__.py": "",
    "proj/settings.py": f"INSTALLED_APPS = {['django.contrib.admin', *CONTRIB, *APPS]!r}\n",
    "shop/__init__.py": "",
    "shop/models.py": MODEL.format(name="Product"),
    "shop/admin.py": """
        from django.contrib import admin

        from . import helpers  # noqa: F401
        from .models import Product


        class ProductProxy(Product):
            class Meta:
                proxy = True


        admin.site.register(ProductProxy)
    """,
    "shop/helpers.py": MODEL.format(name="Helper"),
    "blog/__init__.py": "",
    "blog/apps.py": """
        from django.apps import AppConfig


        class BlogConfig(AppConfig):
            name = "blog"
    """,
    "blog/models.py": MODEL.format(name="Post"),
    "blog/admin/__init__.py": MODEL.format(name="BlogNote"),
}
FX_SIMPLE_ADMIN = {
    **FX_ADMIN,
    "proj/settings.py": f"INSTALLED_APPS = {[SIMPLE, *CONTRIB, *APPS]!r}\n",
}


def labels(s) -> list[str]:
    """The labels of the fixture's own apps' models (shop's and blog's), sorted."""
    return sorted(m["label"] for m in s.models if m["app_label"] in ("shop", "blog"))


def test_the_admin_imports_every_apps_admin_module(project) -> None:
    s = project(FX_ADMIN, use_cache=False)
    # Django 5.2, apps.get_models() of the fixture's apps (contrib's are outside the tree)
    assert labels(s) == [
        "blog.BlogNote",
        "blog.Post",
        "shop.Helper",
        "shop.Product",
        "shop.ProductProxy",
    ]
    assert s.model("ProductProxy")["proxy"]


def test_the_simple_admin_imports_none(project) -> None:
    s = project(FX_SIMPLE_ADMIN, use_cache=False)
    assert labels(s) == [
        "blog.Post",
        "shop.Product",
    ]
    reasons = {f["path"]: f["reason"] for f in s.doc["files"]}
    assert reasons["shop/admin.py"] == reasons["shop/helpers.py"] == OUTSIDE


FX_AUTODISCOVER = {
    "manage.py": FX_CLOSURE["manage.py"],
    "proj/__init__.py": "",
    "proj/settings.py": "INSTALLED_APPS = "
    + repr(["django.contrib.contenttypes", "shop.apps.ShopConfig", "blog.apps.BlogConfig"])
    + "\n",
    "shop/__init__.py": "",
    "shop/apps.py": """
        from django.apps import AppConfig
        from django.utils.module_loading import autodiscover_modules


        class ShopConfig(AppConfig):
            name = "shop"

            def ready(self):
                autodiscover_modules("signals", "hooks")
    """,
    "shop/models.py": """
        from django.db import models
        from django.utils import module_loading


        module_loading.autodiscover_modules("receivers")


        class Product(models.Model):
            pass


        def later():
            module_loading.autodiscover_modules("lazy")
    """,
    "shop/signals.py": MODEL.format(name="ShopSignal"),
    "blog/__init__.py": "",
    "blog/apps.py": FX_ADMIN["blog/apps.py"],
    "blog/models.py": MODEL.format(name="Post"),
    "blog/signals.py": MODEL.format(name="BlogSignal"),
    "blog/hooks/__init__.py": MODEL.format(name="BlogHook"),
    "blog/receivers.py": """
        from django.utils.module_loading import autodiscover_modules

        from .models import Post

        autodiscover_modules("extra")


        class BlogReceiver(Post):
            class Meta:
                proxy = True
    """,
    "blog/extra.py": MODEL.format(name="BlogExtra"),
    "blog/lazy.py": MODEL.format(name="BlogLazy"),
}


def test_the_modules_autodiscover_modules_imports(project) -> None:
    """``autodiscover_modules(...)`` in an AppConfig's ``ready`` or at a module's top level
    imports that submodule of every installed app (not one in a function nobody calls)."""
    s = project(FX_AUTODISCOVER, use_cache=False)
    # Django 5.2, apps.get_models() of the fixture's apps: blog's signals, hooks and receivers
    # modules, and the extra module receivers' own call imports; not the lazy one
    found = [f"blog.Blog{name}" for name in ("Extra", "Hook", "Receiver", "Signal")]
    assert labels(s) == [*found, "blog.Post", "shop.Product", "shop.ShopSignal"]
    reasons = {f["path"]: f["reason"] for f in s.doc["files"]}
    assert reasons["blog/lazy.py"] == OUTSIDE
