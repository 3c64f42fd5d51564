"""Functions that return a setting's model label resolve through the setting (wagtail's
``get_image_model_string()``, read from the environment or the bundled knowledge)."""

from __future__ import annotations

from treeutil import write_tree

from djatlas.scan import scan_path

LIBRARY = {
    "imagelib/__init__.py": """
        from django.conf import settings

        DEFAULT = "gallery.Image"

        def get_image_model_string():
            return getattr(settings, "IMAGELIB_IMAGE_MODEL", DEFAULT_LABEL)

        def get_default_string():
            return DEFAULT

        DEFAULT_LABEL = "gallery.Image"
    """,
}


def scan(tmp_path, settings: str) -> dict:
    env = tmp_path / "env"
    site = env / "lib" / "python3.11" / "site-packages"
    site.mkdir(parents=True)
    (env / "pyvenv.cfg").write_text("home = /usr/bin\nversion = 3.11.9\n", encoding="utf-8")
    write_tree(site, LIBRARY)
    write_tree(
        tmp_path / "proj",
        {
            "settings.py": settings,
            "gallery/__init__.py": "",
            "gallery/models.py": """
                from django.db import models

                class Image(models.Model):
                    title = models.CharField(max_length=20)
            """,
            "app/__init__.py": "",
            "app/models.py": """
                from django.db import models
                from imagelib import get_default_string, get_image_model_string

                class Photo(models.Model):
                    title = models.CharField(max_length=20)

                class Page(models.Model):
                    cover = models.ForeignKey(get_image_model_string(), models.CASCADE)
                    backup = models.ForeignKey(get_default_string(), models.CASCADE, "+")
            """,
        },
    )
    doc = scan_path(str(tmp_path / "proj"), timing=False, use_cache=False, python=str(env))
    page = next(m for m in doc["models"] if m["name"] == "Page")
    return {f["name"]: (f["relation"] or {}).get("target") for f in page["fields"]}


def test_function_returning_a_setting_with_its_default(tmp_path):
    targets = scan(tmp_path, 'INSTALLED_APPS = ["app", "gallery"]\n')
    assert targets["cover"] == "gallery.Image"
    assert targets["backup"] == "gallery.Image"


def test_function_returning_a_setting_that_is_set(tmp_path):
    settings = 'INSTALLED_APPS = ["app", "gallery"]\nIMAGELIB_IMAGE_MODEL = "app.Photo"\n'
    assert scan(tmp_path, settings)["cover"] == "app.Photo"
