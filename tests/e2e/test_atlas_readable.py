"""The atlas stays readable on big projects (issue 14), in Chromium at 1,400×900 and
1,920×1,080: a big model's field table fits the page without horizontal scrolling and no row
is taller than 100 px; an app diagram shows the app's own models, a model's neighbourhood at
depth 1 stays within 40 boxes, each view says how many models it shows; layout choices work;
every model is reachable from the sidebar. The trees are generated here (netbox-like: one
90-model app around a 60-field Device; blueking-paas-like: abstract bases in other files,
custom field types, long Chinese help texts)."""

from __future__ import annotations

import os
from typing import Any

import pytest
from support import ROOT
from treeutil import write_tree

from djatlas.render import RenderOptions
from djatlas.render.html import render
from djatlas.scan import scan_path

SIZES = [(1400, 900), (1920, 1080)]
#: Screenshots go to artifacts/; DJATLAS_UPDATE_SCREENSHOTS=1 writes them to docs/images/.
IMAGES = ROOT / ("docs/images" if os.environ.get("DJATLAS_UPDATE_SCREENSHOTS") else "artifacts")


def netbox_like() -> dict[str, str]:
    """dcim: 90 models, Device with 60 fields (long help texts, choices) and 30 relations;
    every neighbour of Device is itself linked to six other models."""
    files = {"settings.py": 'INSTALLED_APPS = ["dcim", "tenancy", "extras", "ipam"]\n'}
    long_help = "The " + "very " * 30 + "long help text, as NetBox writes them for its forms."
    dcim = ["from django.db import models", "", ""]
    for i in range(89):
        dcim += [f"class Part{i:02d}(models.Model):", "    name = models.CharField(max_length=64)"]
        for k in range(1, 7):
            dcim.append(
                f"    link{k} = models.ForeignKey('Part{(i + k * 7) % 89:02d}', "
                f"on_delete=models.{'CASCADE' if k % 2 else 'PROTECT'}, related_name='+')"
            )
        dcim += ["", ""]
    dcim += ["class Device(models.Model):"]
    for k in range(30):
        dcim.append(
            f"    field_with_a_long_name_{k:02d} = models.CharField(max_length=100, blank=True, "
            f"choices=[('a', 'A'), ('b', 'B')], help_text={long_help!r}, "
            f"verbose_name='verbose name of field {k}')"
        )
    for k in range(30):
        target = f"Part{k * 3:02d}" if k < 27 else f"tenancy.Tenant{k}"
        dcim.append(
            f"    relation_{k:02d} = models.ForeignKey('{target}', "
            f"on_delete=models.SET_NULL, null=True, blank=True, related_name='devices_{k}', "
            f"help_text={long_help!r})"
        )
    files["dcim/__init__.py"] = ""
    files["dcim/models.py"] = "\n".join(dcim) + "\n"
    files["tenancy/__init__.py"] = ""
    files["tenancy/models.py"] = "from django.db import models\n\n" + "".join(
        f"class Tenant{k}(models.Model):\n    name = models.CharField(max_length=10)\n\n"
        for k in range(27, 30)
    )
    return files


def blueking_like() -> dict[str, str]:
    return {
        "settings.py": 'INSTALLED_APPS = ["api", "engine"]\n',
        "utils/__init__.py": "",
        "utils/models.py": """
            from django.db import models

            class AuditedModel(models.Model):
                created = models.DateTimeField(auto_now_add=True)
                updated = models.DateTimeField(auto_now=True)

                class Meta:
                    abstract = True

            class NullableCharField(models.CharField):
                pass
        """,
        "api/__init__.py": "",
        "api/models.py": "from django.db import models\nfrom utils.models import AuditedModel, "
        "NullableCharField\n\n"
        + "".join(
            f"class App{k}(AuditedModel):\n"
            f"    name = NullableCharField('应用名称{k}', max_length=64, help_text='"
            + "应用的唯一名称，创建后不可修改。"
            * 6
            + "')\n"
            f"    owner = models.CharField(max_length=64)\n"
            f"    peer = models.ForeignKey('App{(k + 1) % 12}', on_delete=models.CASCADE, "
            f"null=True, related_name='+')\n\n"
            for k in range(12)
        ),
        "engine/__init__.py": "",
        "engine/models.py": "from django.db import models\n\n"
        + "".join(
            f"class Deployment{k}(models.Model):\n"
            f"    app = models.ForeignKey('api.App{k}', on_delete=models.CASCADE)\n\n"
            for k in range(12)
        ),
    }


TREES = {
    "netbox": (netbox_like, "dcim.Device", "dcim"),
    "blueking": (blueking_like, "api.App0", "api"),
}


@pytest.fixture(scope="module", params=sorted(TREES))
def atlas(request: Any, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict, str, str]:
    make, model, app = TREES[request.param]
    root = write_tree(tmp_path_factory.mktemp(request.param), make())
    doc = scan_path(str(root), timing=False, use_cache=False)
    out = root / "atlas.html"
    out.write_text(render(doc, RenderOptions()), encoding="utf-8")
    return out.as_uri(), doc, model, app, request.param


def _page(browser: Any, size: tuple[int, int]) -> Any:
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    page.set_default_timeout(60_000)
    return page


def _model_id(doc: dict, label: str) -> str:
    return next(m["id"] for m in doc["models"] if m["label"] == label)


def _diagram(page: Any) -> int:
    page.wait_for_selector("body[data-diagram=ready]", timeout=90_000)
    return page.evaluate("window.djatlas.cy.nodes().length")


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_big_model_page_fits(browser: Any, atlas: tuple, size: tuple[int, int]) -> None:
    url, doc, label, _app, name = atlas
    page = _page(browser, size)
    page.goto(url + "#/model/" + _model_id(doc, label))
    page.wait_for_selector("#fields tr[data-field]")
    tables = page.evaluate("""() => [...document.querySelectorAll('main table')].map(t => [
        t.getBoundingClientRect().right, t.scrollWidth, t.clientWidth])""")
    main = page.evaluate("""() => { const m = document.querySelector('main');
        return [m.getBoundingClientRect().right, m.scrollWidth, m.clientWidth]; }""")
    assert main[1] <= main[2], f"main scrolls horizontally: {main}"
    for right, scroll, client in tables:
        assert right <= size[0] and scroll <= client + 1
    heights = page.evaluate(
        "() => [...document.querySelectorAll('#fields tr')]"
        ".map(r => r.getBoundingClientRect().height)"
    )
    assert len(heights) >= 5 and max(heights) <= 100, max(heights)
    IMAGES.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(IMAGES / f"atlas-{name}-model-{size[0]}.png"))
    page.context.close()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_diagram_defaults_and_choices(browser: Any, atlas: tuple, size: tuple[int, int]) -> None:
    url, doc, label, app, name = atlas
    page = _page(browser, size)
    own = sum(1 for m in doc["models"] if m["app_label"] == app)
    page.goto(url + "#/diagram/app/" + app)
    assert _diagram(page) == own  # the app's own models only
    assert page.locator("#diagram-info").inner_text().startswith(f"{own} models")
    IMAGES.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(IMAGES / f"atlas-{name}-app-{size[0]}.png"))

    page.goto(url + "#/diagram/model/" + _model_id(doc, label) + "/1")
    near = _diagram(page)
    assert 2 <= near <= 40
    assert page.locator("#diagram-info").inner_text().startswith(f"{near} models")
    page.check("#show-external")  # related models of other scopes: the reader's choice
    assert _diagram(page) > near
    page.uncheck("#show-external")
    assert _diagram(page) == near

    page.select_option("#layout-dir", "TB")
    _diagram(page)
    spread = page.evaluate("""() => {
        const ys = window.djatlas.cy.nodes().map(n => n.position('y'));
        return Math.max(...ys) - Math.min(...ys); }""")
    assert spread > 0
    page.uncheck("#edge-labels")
    _diagram(page)
    assert page.evaluate("window.djatlas.cy.edges().every(e => !e.data('label'))")
    page.check("#colour-on-delete")
    _diagram(page)
    coloured = page.evaluate("window.djatlas.cy.edges().filter(e => e.classes().length).length")
    assert coloured > 0
    page.context.close()


def test_every_model_reachable(browser: Any, atlas: tuple) -> None:
    url, doc, _label, _app, _name = atlas
    page = _page(browser, SIZES[0])
    page.goto(url)
    page.wait_for_selector("body[data-ready=true]")
    for button in page.locator("aside .app > button").all():
        button.click()
    links = page.evaluate(
        "() => new Set([...document.querySelectorAll('aside li a')]"
        ".map(a => a.getAttribute('href')).filter(h => h.startsWith('#/model/'))).size"
    )
    assert links == len(doc["models"])
    page.context.close()
