"""Generate djatlas's bundled knowledge from the real sources of installed packages.

    python3.11 -m venv /work/knowledge-venv
    /work/knowledge-venv/bin/pip install django django-taggit ...   # see PACKAGES
    .venv/bin/python scripts/gen_knowledge.py --python /work/knowledge-venv

Run it over all packages at once: kept code of one package may read a module of another
(wagtail.search.utils re-exports modelsearch.utils), which is then kept in the other's file.
Field classes whose keyword values the sources compute where no summary follows are probed at
run time in that environment (``probe_fields.py``) into ``computed.json``.

For each package in PACKAGES, every module of the installed package (tests, migrations,
management commands, template tags left out) is read by djatlas's own parser and resolved by its
own index against that environment alone. A module is kept when it defines a model, field or
AppConfig class (or a base of one), when it re-exports something kept, or when kept code imports
a constant from it. A kept module is written back as pruned source: its imports, ``__all__``,
classes (bases, fields and other members, ``Meta``, what ``__init__`` does with its keyword
arguments, method names), functions (parameters, local assignments, returns) and short module
constants, each statement copied verbatim from the original. The script checks that djatlas's
summary of every pruned module equals the summary of the original (line numbers and docstrings
aside) and writes ``src/djatlas/knowledge/<package>.json`` plus ``index.json`` (distribution
name and version per package), and the summaries of the package's modules
(``<package>.summaries.gz``: what a scan reads instead of parsing the sources). Deterministic:
the same environment gives the same bytes.

When djatlas's summaries change (``parse/``), remake the summaries from the bundled sources
alone (no environment needed; ``tests/test_knowledge.py`` fails until then):

    .venv/bin/python scripts/gen_knowledge.py --summaries
"""

from __future__ import annotations

import argparse
import ast
import gzip
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "src"))

from djatlas.parse.reader import parse  # noqa: E402
from djatlas.parse.visitor import summarize  # noqa: E402
from djatlas.resolve.builtin import APPCONFIG_ROOTS, FIELD_ROOTS, MODEL_ROOTS  # noqa: E402
from djatlas.resolve.environment import from_option  # noqa: E402
from djatlas.resolve.index import LoadedModule, ProjectIndex  # noqa: E402
from djatlas.resolve.knowledge import COMPUTED, SUMMARIES, summaries_text  # noqa: E402
from djatlas.resolve.layout import Layout  # noqa: E402
from djatlas.resolve.values import ClassValue, FunctionValue, ModuleValue  # noqa: E402

#: Top-level package -> module prefixes to read (None: the whole package).
PACKAGES: dict[str, tuple[str, ...] | None] = {
    "django": (
        "django.db",
        "django.apps",
        "django.contrib",
    ),
    "django_extensions": ("django_extensions.db",),
    "model_utils": None,
    "taggit": None,
    "mptt": None,
    "treebeard": None,
    "modelcluster": None,
    "polymorphic": None,
    "django_countries": None,
    "phonenumber_field": None,
    "timezone_field": None,
    "jsonfield": None,
    "djmoney": None,
    "guardian": None,
    "simple_history": None,
    "reversion": None,
    "ordered_model": None,
    "filer": None,
    "easy_thumbnails": None,
    "rest_framework": ("rest_framework.authtoken",),
    "django_celery_beat": None,
    "django_celery_results": None,
    "allauth": None,
    "oauth2_provider": None,
    # wagtail pins django-treebeard<6: the treebeard bundled is the one wagtail installs.
    "wagtail": None,
    "modelsearch": None,
    # django-oscar pins django-phonenumber-field<9: installed with --no-deps beside 9.0.
    "oscar": None,
    # Popular packages of user projects (seen in real checkouts: bookwyrm, paperless-ngx,
    # Tandoor recipes, Kiwi TCMS, taiga, saleor, readthedocs.org, djangoproject.com, ralph);
    # django-two-factor-auth pins django-phonenumber-field<9: reinstalled with --no-deps.
    "actstream": ("actstream.models", "actstream.apps", "actstream.registry"),
    "annoying": ("annoying.fields",),
    "auditlog": None,
    "autoslug": None,
    "axes": None,
    "ckeditor": ("ckeditor.fields",),
    "colorfield": None,
    "constance": None,
    "django_cryptography": None,
    "django_lifecycle": None,
    "django_measurement": None,
    "django_otp": None,
    "django_prometheus": ("django_prometheus.models",),
    "django_q": None,
    "django_softdelete": None,
    "djstripe": None,
    "encrypted_model_fields": None,
    "enumfields": None,
    "imagekit": None,
    "invitations": None,
    "knox": None,
    "markdownx": None,
    "multiselectfield": None,
    "notifications": None,
    "picklefield": None,
    "post_office": None,
    "recurrence": None,
    "rest_framework_api_key": None,
    "rest_framework_simplejwt": ("rest_framework_simplejwt.token_blacklist",),
    "safedelete": None,
    "social_django": None,
    "solo": None,
    "sorl": ("sorl.thumbnail",),
    "sortedm2m": None,
    "tinymce": ("tinymce.models",),
    "tree_queries": None,
    "treenode": None,
    "two_factor": None,
    "versatileimagefield": None,
    "waffle": None,
}
#: Folders never read (not imported by a project's models).
SKIP_FOLDERS = frozenset(
    {
        "tests",
        "test",
        "testing",
        "testapp",
        "migrations",
        "south_migrations",
        "management",
        "templatetags",
        "locale",
        "static",
        "templates",
        "jinja2",
    }
)
#: Modules never read.
SKIP_MODULES = SKIP_FOLDERS | {
    "views",
    "urls",
    "admin",
    "forms",
    "widgets",
    "serializers",
    "checks",
}
#: Module-level values longer than this are written as ``...`` (unknown, as before).
MAX_VALUE = 300
#: Keyword arguments of a field class's ``__init__`` whose computed value is probed at run time.
PROBED_KEYS = ("max_length", "to", "null", "blank", "unique", "db_index", "editable")
#: INSTALLED_APPS the probe needs besides the package itself.
PROBE_APPS: dict[str, tuple[str, ...]] = {
    "filer": ("easy_thumbnails",),
    "wagtail": ("taggit", "modelcluster", "modelsearch", "wagtail.images", "wagtail.documents"),
}
#: Modules whose upper-case names are the default settings a package's probe needs.
PROBE_DEFAULTS: dict[str, str] = {"oscar": "oscar.defaults"}


# -- discovery ------------------------------------------------------------------------------
def package_modules(env, top: str, prefixes: tuple[str, ...] | None) -> dict[str, tuple[str, bool]]:
    """Module name -> (file, is_package) of the installed package ``top``."""
    found = env.module_file(top)
    if found is None:
        raise SystemExit(f"not installed: {top}")
    root = os.path.dirname(found[0]) if found[1] else None
    out = {top: found}
    if root is None:
        return out
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_FOLDERS and d.isidentifier())
        rel = os.path.relpath(folder, os.path.dirname(root)).replace(os.sep, ".")
        if "__init__.py" not in files:
            dirs[:] = []
            continue
        for f in sorted(files):
            if not f.endswith(".py") or f[:-3] in SKIP_MODULES or not f[:-3].isidentifier():
                continue
            name = rel if f == "__init__.py" else f"{rel}.{f[:-3]}"
            if prefixes is None or any(
                name == p or name.startswith(p + ".") or p.startswith(name + ".") for p in prefixes
            ):
                out[name] = (os.path.join(folder, f), f == "__init__.py")
    return out


# -- relevance --------------------------------------------------------------------------------
ROOTS = MODEL_ROOTS | FIELD_ROOTS | APPCONFIG_ROOTS


def relevant_classes(index: ProjectIndex, mods: dict[str, LoadedModule]) -> set[str]:
    """Paths of model, field and AppConfig classes, and of every class in their MROs."""
    keep: set[str] = set()
    for name in sorted(mods):
        mod = mods[name]
        for cname, summary in mod.summary.classes.items():
            cls = ClassValue(f"{name}.{cname}", mod.origin, name, summary)
            mro = [c for c in index.mro(cls) if isinstance(c, ClassValue)]
            # GenericForeignKey is no Field subclass before Django 5.1.
            if (
                cls.path in ROOTS
                or cname == "GenericForeignKey"
                or any(c.path in ROOTS for c in mro)
            ):
                keep.update(c.path for c in mro)
    return keep


def kept_modules(
    index: ProjectIndex, mods: dict[str, LoadedModule], classes: set[str], extra: set[str]
) -> set[str]:
    """Modules defining kept classes, packages re-exporting kept things, modules kept code
    reads constants, functions or submodules from, and ``extra`` (what other packages' kept
    code reads from this one)."""
    keep = ({c.rsplit(".", 1)[0] for c in classes} | extra | _class_factories(mods)) & set(mods)
    changed = True
    while changed:
        changed = False
        for name in sorted(mods):
            mod = mods[name]
            if name in keep:
                for dep in _dependencies(mod, mods, classes):
                    if dep not in keep:
                        keep.add(dep)
                        changed = True
            elif _reexports(index, mod, keep, classes):
                keep.add(name)
                changed = True
    # Parent packages, so that ``import a.b.c`` and relative imports find their way.
    for name in list(keep):
        parts = name.split(".")
        keep.update(p for p in (".".join(parts[:i]) for i in range(1, len(parts))) if p in mods)
    return keep


def _class_factories(mods: dict[str, LoadedModule]) -> set[str]:
    """Modules with a function returning a class it defines: a mixin factory a model's bases
    may call (django-prometheus's ``ExportModelOperationsMixin("name")``)."""
    out = set()
    for name, mod in mods.items():
        for fn in mod.summary.functions.values():
            if any(r.kind == "ref" and r.ref in fn.classes for r in fn.returns):
                out.add(name)
    return out


def _reexports(index: ProjectIndex, mod: LoadedModule, keep: set[str], classes: set[str]) -> bool:
    """A package (or a module's ``__all__``) that re-exports a kept class, function or module."""
    s = mod.summary
    if s.is_package and any(star in keep for star in s.star_imports):
        return True
    names = s.imports if s.is_package else [n for n in s.all_names or [] if n in s.imports]
    for alias in names:
        value = index.lookup(mod, alias)
        if isinstance(value, ClassValue) and value.path in classes:
            return True
        if isinstance(value, ModuleValue) and value.name in keep and value.name != mod.name:
            return True
        if isinstance(value, FunctionValue) and value.module in keep:
            return True
    return False


def _dependencies(mod: LoadedModule, mods: dict, classes: set[str]) -> list[str]:
    """Modules of the package whose constants, functions or submodules kept code refers to
    (class bases, fields and Meta of kept classes, module constants)."""
    heads = _referenced(mod, classes)
    out = []
    for alias, ref in mod.summary.imports.items():
        if alias not in heads:
            continue
        if ref.name is not None and f"{ref.module}.{ref.name}" in mods:
            out.append(f"{ref.module}.{ref.name}")
            continue
        target = mods.get(ref.module)
        if target is None:
            continue
        s = target.summary
        if ref.name is None or ref.name in s.assigns or ref.name in s.functions:
            out.append(ref.module)
        elif ref.name not in s.classes and s.star_imports:
            # Re-exported (``from modelsearch.utils import *``): the module and what it stars.
            out.append(ref.module)
            out.extend(star for star in s.star_imports if star in mods)
    return out


def outside_needs(mods: dict[str, LoadedModule], keep: set[str], classes: set[str]) -> set[str]:
    """Modules of other packages that kept modules read constants from or re-export."""
    out: set[str] = set()
    for name in sorted(keep):
        mod = mods[name]
        out.update(star for star in mod.summary.star_imports if star not in mods)
        heads = _referenced(mod, classes)
        for alias, ref in mod.summary.imports.items():
            if alias in heads and ref.module not in mods and ref.name is not None:
                out.add(ref.module)
    return out


def _referenced(mod: LoadedModule, classes: set[str]) -> set[str]:
    """First parts of the dotted names the kept parts of a module use."""
    out: set[str] = set()

    def expr(e) -> None:
        if e is None:
            return
        if e.ref:
            out.add(e.ref.split(".", 1)[0])
        if e.call is not None:
            out.add(e.call.func.split(".", 1)[0])
            for a in list(e.call.args) + list(e.call.kwargs.values()):
                for name in (a.ref, a.call):
                    if name:
                        out.add(name.split(".", 1)[0])
        for item in e.items or []:
            expr(item)

    s = mod.summary
    for cname, cls in s.classes.items():
        if f"{mod.name}.{cname}" not in classes:
            continue
        for b in cls.bases:
            expr(b)
        for m in cls.members:
            expr(m.value)
        for a in list(cls.init_sets.values()) + list(cls.init_defaults.values()):
            for name in (a.ref, a.call):
                if name:
                    out.add(name.split(".", 1)[0])
        if cls.meta is not None:
            out.update(r.split(".", 1)[0] for r in cls.meta.refs.values())
    for value in s.assigns.values():
        expr(value)
    return out


# -- pruning ----------------------------------------------------------------------------------
class Pruner:
    """Writes the parts of a module djatlas's summary reads, copied verbatim."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.out: list[str] = []
        self.lines = 0

    def seg(self, node: ast.AST) -> str:
        return ast.get_source_segment(self.text, node) or ""

    def emit(self, indent: int, source: str, at: ast.AST | None = None) -> None:
        """Write one statement; at the line of ``at`` in the original when the output has not
        passed it yet (so classes, fields and Meta keep their real line numbers)."""
        line = getattr(at, "lineno", None)
        if line is not None and self.lines < line - 1:
            self.out.append("\n" * (line - 2 - self.lines))
            self.lines = line - 1
        self.out.append(" " * indent + source)
        self.lines += source.count("\n") + 1

    def block(self, indent: int, body: list[ast.stmt], fn) -> None:
        before = len(self.out)
        for stmt in body:
            fn(stmt, indent)
        if len(self.out) == before:
            self.emit(indent, "pass")

    # module level
    def module(self, tree: ast.Module) -> str:
        for stmt in tree.body:
            self.module_stmt(stmt, 0)
        return "\n".join(self.out) + "\n"

    def module_stmt(self, stmt: ast.stmt, indent: int) -> None:
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            self.emit(indent, self.seg(stmt), stmt)
        elif isinstance(stmt, ast.ClassDef):
            self.klass(stmt, indent)
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self.function(stmt, indent)
        elif isinstance(stmt, (ast.Assign, ast.AnnAssign)):
            self.assign(stmt, indent)
        elif _adds_to_class(stmt):
            self.emit(indent, self.seg(stmt), stmt)
        elif isinstance(stmt, (ast.If, ast.With, ast.AsyncWith)):
            self.emit(indent, "if 1:", stmt)
            self.block(indent + 4, stmt.body, self.module_stmt)
            orelse = getattr(stmt, "orelse", None)
            if orelse and len(orelse) == 1 and isinstance(orelse[0], ast.If):  # elif
                self.module_stmt(orelse[0], indent)
            elif orelse:
                self.emit(indent, "if 1:")
                self.block(indent + 4, orelse, self.module_stmt)
        elif isinstance(stmt, ast.Try) or type(stmt).__name__ == "TryStar":
            self.emit(indent, "try:", stmt)
            self.block(indent + 4, stmt.body + stmt.orelse + stmt.finalbody, self.module_stmt)
            for handler in stmt.handlers:
                self.emit(indent, "except Exception:", handler)
                self.block(indent + 4, handler.body, self.module_stmt)

    def assign(self, stmt: ast.Assign | ast.AnnAssign, indent: int) -> None:
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        names = [t.id for t in targets if isinstance(t, ast.Name)]
        if not names or stmt.value is None:
            return
        source = self.seg(stmt)
        if len(source) > MAX_VALUE and "__all__" not in names:
            for n in names:
                self.emit(indent, f"{n} = ...", stmt)
        else:
            self.emit(indent, source)

    # classes
    def klass(self, node: ast.ClassDef, indent: int) -> None:
        parts = [self.seg(b) for b in node.bases] + [self.seg(k) for k in node.keywords]
        header = f"class {node.name}({', '.join(parts)}):" if parts else f"class {node.name}:"
        self.emit(indent, header, node)
        self.block(indent + 4, node.body, self.class_stmt)

    def class_stmt(self, stmt: ast.stmt, indent: int) -> None:
        if isinstance(stmt, ast.Assign) or (
            isinstance(stmt, ast.AnnAssign) and stmt.value is not None
        ):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            if any(isinstance(t, ast.Name) for t in targets):
                self.emit(indent, self.seg(stmt), stmt)
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if stmt.name == "__init__":
                self.emit(indent, f"def __init__({ast.unparse(stmt.args)}):", stmt)
                kept = [
                    s
                    for s in stmt.body
                    if (isinstance(s, ast.Assign) and isinstance(s.targets[0], ast.Subscript))
                    or (isinstance(s, ast.Expr) and isinstance(s.value, ast.Call))
                    # a local dict given to the base class's ``__init__`` as ``**name``
                    or (
                        isinstance(s, ast.Assign)
                        and isinstance(s.targets[0], ast.Name)
                        and isinstance(s.value, ast.Dict)
                    )
                ]
                self.block(indent + 4, kept, lambda s, i: self.emit(i, self.seg(s), s))
            else:
                self.emit(indent, f"def {stmt.name}(): ...", stmt)
        elif isinstance(stmt, ast.ClassDef):
            if stmt.name == "Meta":
                bases = ", ".join(self.seg(b) for b in stmt.bases)
                self.emit(indent, f"class Meta({bases}):" if bases else "class Meta:", stmt)
                options = [s for s in stmt.body if isinstance(s, (ast.Assign, ast.AnnAssign))]
                self.block(indent + 4, options, lambda s, i: self.emit(i, self.seg(s), s))
            else:
                self.klass(stmt, indent)
        elif isinstance(stmt, ast.If) and "TYPE_CHECKING" in self.seg(stmt.test):
            # Kept as written: the summary leaves out what runs only under type checkers.
            self.emit(indent, f"if {self.seg(stmt.test)}:", stmt)
            self.block(indent + 4, stmt.body, self.class_stmt)
            if stmt.orelse:
                self.emit(indent, "else:")
                self.block(indent + 4, stmt.orelse, self.class_stmt)
        elif isinstance(stmt, ast.If):
            self.emit(indent, "if 1:", stmt)
            self.block(indent + 4, stmt.body, self.class_stmt)
            if len(stmt.orelse) == 1 and isinstance(stmt.orelse[0], ast.If):  # elif
                self.class_stmt(stmt.orelse[0], indent)
            elif stmt.orelse:
                self.emit(indent, "if 1:")
                self.block(indent + 4, stmt.orelse, self.class_stmt)
        elif isinstance(stmt, ast.Try):
            self.emit(indent, "if 1:", stmt)
            self.block(indent + 4, stmt.body, self.class_stmt)

    # functions
    def function(self, node: ast.FunctionDef | ast.AsyncFunctionDef, indent: int) -> None:
        ret = f" -> {self.seg(node.returns)}" if node.returns is not None else ""
        self.emit(indent, f"def {node.name}({ast.unparse(node.args)}){ret}:", node)
        self.block(indent + 4, _flat(node.body), self.function_stmt)

    def function_stmt(self, stmt: ast.stmt, indent: int) -> None:
        if isinstance(stmt, ast.Return) and stmt.value is not None:
            self.emit(indent, self.seg(stmt), stmt)
        elif isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            if isinstance(stmt.targets[0], (ast.Name, ast.Subscript)):
                self.emit(indent, self.seg(stmt), stmt)
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            if isinstance(stmt.target, ast.Name):
                self.emit(indent, self.seg(stmt), stmt)
        elif (
            isinstance(stmt, ast.Expr)
            and isinstance(stmt.value, ast.Call)
            and isinstance(stmt.value.func, ast.Attribute)
            and stmt.value.func.attr == "setdefault"
        ):
            self.emit(indent, self.seg(stmt), stmt)
        elif isinstance(stmt, ast.ClassDef):
            self.klass(stmt, indent)


def _adds_to_class(stmt: ast.stmt) -> bool:
    """``Model.add_to_class(name, field)``: a field given to a model after its body ran."""
    return (
        isinstance(stmt, ast.Expr)
        and isinstance(stmt.value, ast.Call)
        and isinstance(stmt.value.func, ast.Attribute)
        and stmt.value.func.attr == "add_to_class"
    )


def _flat(body: list[ast.stmt]) -> list[ast.stmt]:
    """A function body with its blocks flattened, in order (the summary reads them so)."""
    out: list[ast.stmt] = []
    for stmt in body:
        if isinstance(stmt, (ast.If, ast.For, ast.While, ast.With, ast.AsyncWith)):
            out.extend(_flat(stmt.body))
            out.extend(_flat(getattr(stmt, "orelse", [])))
        elif isinstance(stmt, ast.Try):
            for block in (stmt.body, stmt.orelse, stmt.finalbody):
                out.extend(_flat(block))
            for handler in stmt.handlers:
                out.extend(_flat(handler.body))
        else:
            out.append(stmt)
    return out


# -- computed values ---------------------------------------------------------------------------
def probe_candidates(
    index: ProjectIndex, mods: dict[str, LoadedModule], classes: set[str], files: dict
) -> list[dict]:
    """Field classes whose ``__init__`` (theirs or a package base's) computes a keyword in code
    the summary cannot evaluate (``kwargs["max_length"] = max(...)``, or set in a branch), or
    that add to the model in ``contribute_to_class``."""
    own: dict[str, tuple[set[str], list[str], bool]] = {}
    for path in sorted(classes):
        module, _, name = path.rpartition(".")
        mod = mods.get(module)
        summary = mod.summary.classes.get(name) if mod else None
        if summary is not None:
            given = {**summary.init_defaults, **summary.init_sets}
            keys, flags = _init_keywords(files[module][0], name)
            keys |= {k for k, a in given.items() if _computed(a.value)}
            adds = "contribute_to_class" in summary.methods
            own[path] = ({k for k in keys if k in PROBED_KEYS}, flags, adds)
    out = []
    for path in sorted(own):
        module, _, name = path.rpartition(".")
        mod = mods[module]
        cls = ClassValue(path, mod.origin, module, mod.summary.classes[name])
        mro = [getattr(c, "path", None) for c in index.mro(cls)]
        if not any(p in FIELD_ROOTS for p in mro):
            continue
        keys, flags, adds = set(), set(), False
        for p in mro:
            if p in own:
                keys |= own[p][0]
                flags.update(own[p][1])
                adds = adds or own[p][2]
        if keys or adds:
            out.append({"path": path, "keys": sorted(keys), "flags": sorted(flags), "adds": adds})
    return out


def _computed(value: object) -> bool:
    return isinstance(value, dict) and set(value) == {"$expr"}


def _init_keywords(path: str, cls_name: str) -> tuple[set[str], list[str]]:
    """Keywords the class's ``__init__`` sets where the summary does not follow (in a branch,
    ``if ...: kwargs["max_length"] = ...``, or chained), and those it pops with a false default
    (``kwargs.pop("multiple", None)``): each flag may switch a computed value."""
    with open(path, "rb") as fh:
        tree = ast.parse(fh.read(), path)
    keys: set[str] = set()
    flags: set[str] = set()
    for node in ast.walk(tree):
        if not (isinstance(node, ast.ClassDef) and node.name == cls_name):
            continue
        for init in node.body:
            if not (isinstance(init, ast.FunctionDef) and init.name == "__init__"):
                continue
            for stmt in init.body:
                # In a branch, or a chained ``kwargs["null"] = kwargs["blank"] = True``.
                if isinstance(stmt, (ast.If, ast.Try, ast.For, ast.With)) or (
                    isinstance(stmt, ast.Assign) and len(stmt.targets) > 1
                ):
                    keys |= _subscript_keys(stmt)
            for call in ast.walk(init):
                if (
                    isinstance(call, ast.Call)
                    and isinstance(call.func, ast.Attribute)
                    and call.func.attr == "pop"
                    and call.args
                    and isinstance(call.args[0], ast.Constant)
                    and isinstance(call.args[0].value, str)
                    and (
                        len(call.args) == 1
                        or (isinstance(call.args[1], ast.Constant) and not call.args[1].value)
                    )
                ):
                    flags.add(call.args[0].value)
    return keys, sorted(flags)


def _subscript_keys(block: ast.AST) -> set[str]:
    """``kwargs["key"] = ...`` and ``kwargs.setdefault("key", ...)`` anywhere in ``block``."""
    out = set()
    for node in ast.walk(block):
        if isinstance(node, ast.Assign):
            for t in node.targets:
                if isinstance(t, ast.Subscript) and isinstance(t.slice, ast.Constant):
                    out.add(t.slice.value)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "setdefault"
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            out.add(node.args[0].value)
    return {k for k in out if isinstance(k, str)}


def probe(python: str, top: str, candidates: list[dict]) -> dict:
    """Run ``probe_fields.py`` in the packages' environment (see its docstring)."""
    request = {
        "apps": [*PROBE_APPS.get(top, ()), top],
        "defaults": PROBE_DEFAULTS.get(top),
        "classes": candidates,
    }
    done = subprocess.run(
        [python, os.path.join(HERE, "probe_fields.py")],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0 or done.stderr.strip():
        print(f"{top}: probe: {done.stderr.strip().splitlines()[-3:]}", file=sys.stderr)
    if done.returncode != 0:
        return {}
    return json.loads(done.stdout)


# -- checking ---------------------------------------------------------------------------------
#: What a summary reads of method bodies, which pruning drops (computed facts say what a
#: bundled field class's ``contribute_to_class`` adds).
_BODY_KEYS = frozenset(
    ("docstring", "path", "settings", "ready_calls", "ready_imports", "super_calls", "adds_fields")
)


def _normal(data: object) -> object:
    """A summary dict without what pruning may change: lines, docstrings, paths, long values."""
    if isinstance(data, dict):
        out = {}
        for k, v in data.items():
            # (method bodies are pruned: what a summary reads of them is left out too)
            if k in _BODY_KEYS:
                continue
            out[k] = _normal(v)
        if out.get("kind") == "other":
            out["source"] = ""
        return out
    if isinstance(data, list):
        return [_normal(v) for v in data]
    return data


def check(name: str, original, pruned) -> None:
    a, b = original.to_dict(), pruned.to_dict()
    problems = []
    for key in ("imports", "star_imports", "all_names", "classes", "functions", "registrations"):
        if _normal(a[key]) != _normal(b[key]):
            problems.append(key)
    for k, v in b["assigns"].items():
        if _normal(v) != _normal(a["assigns"].get(k)) and v.get("kind") != "other":
            problems.append(f"assign {k}")
    if problems:
        raise SystemExit(f"{name}: pruned summary differs in {', '.join(problems)}")


# -- main -------------------------------------------------------------------------------------
def generate(
    env, top: str, prefixes: tuple[str, ...] | None, extra: set[str]
) -> tuple[dict, dict, list[dict], set[str]]:
    """(index entry, package file, probe candidates, modules needed from other packages)."""
    files = package_modules(env, top, prefixes)
    index = ProjectIndex(Layout(None, [], set()), lambda p: b"", {}, environment=env)
    mods = {}
    for name in sorted(files):
        mod = index.module(name)
        if mod is not None:
            mods[name] = mod
    classes = relevant_classes(index, mods)
    keep = kept_modules(index, mods, classes, extra)
    modules = {}
    for name in sorted(keep):
        path, is_pkg = files[name]
        with open(path, "rb") as fh:
            parsed = parse(fh.read(), path)
        # Pruned with the standard library's ast (positions, unparse); checked with djatlas's own
        # parser: the pruned module must summarise exactly as the original.
        source = Pruner(parsed.text).module(ast.parse(parsed.text, path))
        pruned = parse(source.encode(), f"<pruned {name}>")
        check(
            name,
            summarize(parsed.tree, parsed.text, name, path, is_pkg),
            summarize(pruned.tree, pruned.text, name, path, is_pkg),
        )
        modules[name] = {"package": is_pkg, "source": source}
    dist = env.distribution(top)
    if dist is None:
        raise SystemExit(f"no distribution metadata for {top}")
    info = {"distribution": dist[0], "version": dist[1]}
    candidates = [] if top == "django" else probe_candidates(index, mods, classes, files)
    needs = outside_needs(mods, keep, classes)
    return info, {**info, "package": top, "modules": modules}, candidates, needs


def write_summaries(out: str, top: str, modules: dict[str, dict]) -> None:
    """``<top>.summaries.gz`` for a package file's modules (gzip without a timestamp)."""
    data = gzip.compress(summaries_text(modules).encode("utf-8"), compresslevel=9, mtime=0)
    with open(os.path.join(out, SUMMARIES.format(top=top)), "wb") as fh:
        fh.write(data)


def remake_summaries(out: str, packages: list[str]) -> int:
    """The summaries of the bundled packages (all, or ``packages``), from their sources."""
    with open(os.path.join(out, "index.json"), encoding="utf-8") as fh:
        index = json.load(fh)
    for top in sorted(index):
        if packages and top not in packages:
            continue
        with open(os.path.join(out, f"{top}.json"), encoding="utf-8") as fh:
            modules = json.load(fh)["modules"]
        write_summaries(out, top, modules)
        print(f"{top}: {len(modules)} summaries")
    return 0


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    p.add_argument("--python", help="the environment holding the packages")
    p.add_argument(
        "--summaries",
        action="store_true",
        help="only remake the summaries of the bundled sources (after a change to parse/)",
    )
    p.add_argument("--out", default=os.path.join(HERE, "..", "src", "djatlas", "knowledge"))
    p.add_argument("packages", nargs="*", help="only these top-level packages")
    args = p.parse_args()
    if args.summaries:
        return remake_summaries(args.out, args.packages)
    if not args.python:
        p.error("--python is required (or --summaries)")
    env = from_option(args.python)
    os.makedirs(args.out, exist_ok=True)
    index_path = os.path.join(args.out, "index.json")
    try:
        with open(index_path, encoding="utf-8") as fh:
            index = json.load(fh)
    except OSError:
        index = {}
    computed_path = os.path.join(args.out, COMPUTED)
    try:
        with open(computed_path, encoding="utf-8") as fh:
            computed = json.load(fh)
    except OSError:
        computed = {}
    selected = [t for t in PACKAGES if not args.packages or t in args.packages]
    results = {top: generate(env, top, PACKAGES[top], set()) for top in selected}
    # What one package's kept code reads from another (wagtail.search.utils re-exports
    # modelsearch.utils): kept there too.
    needs: dict[str, set[str]] = {}
    for result in results.values():
        for module in result[3]:
            needs.setdefault(module.split(".", 1)[0], set()).add(module)
    for top in selected:
        missing = needs.get(top, set()) - set(results[top][1]["modules"])
        if missing:
            results[top] = generate(env, top, PACKAGES[top], needs[top])
    for top in selected:
        info, data, candidates, _ = results[top]
        index[top] = info
        fields = probe(env.python or sys.executable, top, candidates) if candidates else {}
        if fields:
            computed[top] = {"version": info["version"], "fields": fields}
        else:
            computed.pop(top, None)
        with open(os.path.join(args.out, f"{top}.json"), "w", encoding="utf-8") as fh:
            json.dump(data, fh, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
            fh.write("\n")
        write_summaries(args.out, top, data["modules"])
        size = os.path.getsize(os.path.join(args.out, f"{top}.json"))
        print(f"{top} {info['version']}: {len(data['modules'])} modules, {size} bytes")
    with open(index_path, "w", encoding="utf-8") as fh:
        json.dump(dict(sorted(index.items())), fh, sort_keys=True, indent=1)
        fh.write("\n")
    with open(computed_path, "w", encoding="utf-8") as fh:
        json.dump(computed, fh, sort_keys=True, indent=1)
        fh.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
