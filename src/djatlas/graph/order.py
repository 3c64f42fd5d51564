"""The order Python runs a project's modules in when ``django.setup()`` imports them.

Django orders a model's fields by creation counter, i.e. by when the class bodies that made
them ran, and an abstract parent's fields keep their own counter. So a model whose bases come
from several modules lists their fields in the order those modules ran. That order is
simulated once, for the tree's modules and the loaded ones outside it (Django's, installed
packages') alike, as ``django.setup()`` runs them:

- the settings module (and what it imports);
- ``apps.populate`` phase 1: every ``INSTALLED_APPS`` entry's package, then its ``apps``
  module (a dotted AppConfig path imports its module), in order;
- phase 2: every app's ``models`` module, in order;
- each module after its parent packages and after what it imports, depth first, star imports
  where they are written (``imported_in_order``); a module another already ran is not run
  again.

The tree's modules no chain reaches come after, by name. A module outside the tree that the
run did not reach (loaded later: an external model's) ran right after the latest-run module
it imports, before the tree when there is none; such modules keep the order of their own
imports (``_outside_rank``).
"""

from __future__ import annotations

from djatlas.graph.apps import AppRegistry, Settings
from djatlas.resolve.builtin import MODEL_ROOTS
from djatlas.resolve.index import LoadedModule, ProjectIndex
from djatlas.resolve.values import ORIGIN_TREE, ClassValue

TYPE_CHECKING = False  # typing is not imported at run time (start-up)
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

#: The rank of a module outside the tree that no chain of loaded modules reaches: below all.
_UNREACHED = -1_000_000


class ImportOrder:
    """Execution ranks of the modules a project's model classes come from."""

    def __init__(self, index: ProjectIndex, registry: AppRegistry) -> None:
        self.index = index
        self.registry = registry
        #: Execution rank of a class's file (module outside the tree), by ``file or module``.
        self.ranks: dict[str, tuple[int, int]] = {}
        #: Tree files (relpath) and outside modules (name), by position in the simulated run.
        self._order: tuple[dict[str, int], dict[str, int]] | None = None
        #: Positions given to modules outside the run (``_position``).
        self._late: dict[str, int] = {}
        self._outside_ranks: dict[str, int] = {}
        self._outside_next = 0

    def rank_files(self, mro: list[object]) -> None:
        """Rank the files of a class's ancestors (once per file) in ``ranks``: (position in
        the run, 0), or for a module outside it, loaded after the run was made, (the latest
        position of what it imports, its order among such modules)."""
        for anc in mro:
            if isinstance(anc, ClassValue) and anc.path not in MODEL_ROOTS:  # (no fields)
                self.rank_module(anc.file if anc.origin == ORIGIN_TREE else None, anc.module)

    def rank_module(self, relpath: str | None, name: str) -> tuple[int, int]:
        """The execution rank of one module (a tree file by ``relpath``, else by ``name``), kept
        in ``ranks`` under its relpath or name (a class's ``file or module``)."""
        key = relpath or name
        if key not in self.ranks:
            tree, _ = self._run()
            if relpath:
                self.ranks[key] = (tree.get(relpath, -1), 0)
            else:
                self.ranks[key] = (self._position(name), self._outside_rank(name))
        return self.ranks[key]

    # -- the simulated run ----------------------------------------------------------------
    def _run(self) -> tuple[dict[str, int], dict[str, int]]:
        """(tree relpath -> position, outside module -> position), made once."""
        if self._order is None:
            self._order = _Run(self._loaded(), self._outside_module).through(self.registry.settings)
        return self._order

    def _loaded(self) -> dict[str, LoadedModule]:
        """The loaded modules by name: the tree's, then those outside it."""
        loaded = {m.name: m for m in self.index.by_path.values() if m is not None}
        for name, mod in self.index.modules.items():
            if mod is not None and mod.origin != ORIGIN_TREE and "@" not in name:
                loaded.setdefault(name, mod)
        return loaded

    def _outside_module(self, name: str) -> LoadedModule | None:
        """Module ``name`` loaded now if it is one outside the tree."""
        found = self.index.module(name)
        return found if found is not None and found.origin != ORIGIN_TREE else None

    # -- outside modules the run did not reach --------------------------------------------
    def _position(self, name: str) -> int:
        """``name``'s position in the run, else that of the latest-run module it imports
        (through others the run did not reach; not its parent packages, whose ``__init__``
        may import it), else ``_UNREACHED``."""
        outside = self._run()[1]
        late = self._late
        if name in outside:
            return outside[name]
        if name in late:
            return late[name]
        late[name] = _UNREACHED  # in progress (an import cycle adds nothing)
        deps = [d for d in self._outside_deps(name) if not name.startswith(d + ".")]
        late[name] = max([self._position(d) for d in deps], default=_UNREACHED)
        return late[name]

    def _outside_rank(self, name: str) -> int:
        """Import order of modules outside the tree (each after the loaded modules it
        imports), numbered as first asked."""
        ranks = self._outside_ranks
        if name in ranks:
            return ranks[name]
        stack = [(name, iter(self._outside_deps(name)))]
        ranks[name] = -1  # in progress
        while stack:
            current, pending = stack[-1]
            for dep in pending:
                if dep not in ranks:
                    ranks[dep] = -1
                    stack.append((dep, iter(self._outside_deps(dep))))
                    break
            else:
                stack.pop()
                ranks[current] = self._outside_next
                self._outside_next += 1
        return ranks[name]

    def _outside_deps(self, name: str) -> list[str]:
        """What runs before the class bodies of module ``name`` (outside the tree): its parent
        packages (importing ``a.b.c`` runs ``a`` and ``a.b`` first, and what they import
        before it), then its own imports, in order."""
        mod = self.index.modules.get(name)
        if mod is None or mod.origin == ORIGIN_TREE:
            return []
        parts = name.split(".")
        found = [".".join(parts[:i]) for i in range(1, len(parts))]
        found += imported_in_order(mod.summary, None)
        package = name if mod.summary.is_package else name.rpartition(".")[0]
        parents = set(found[: len(parts) - 1])
        ask = self._outside_loaded  # (once per module named, in the order first named)
        return [d for d in dict.fromkeys(found) if d != name and ask(d, package, d in parents)]

    def _outside_loaded(self, name: str, package: str, parent: bool) -> bool:
        """Whether module ``name`` is loaded; a parent package, or a submodule of ``package``,
        is loaded now if need be (a package's ``__init__`` importing its submodules in order
        decides the order of their classes' fields, whether or not a name of them was asked
        for yet)."""
        if self.index.modules.get(name) is not None:
            return True
        if not parent and name.rpartition(".")[0] != package:
            return False
        found = self.index.module(name)
        return found is not None and found.origin != ORIGIN_TREE


class _Run:
    """One depth-first run of the loaded modules, numbering each as its body ends."""

    def __init__(
        self, loaded: dict[str, LoadedModule], load: Callable[[str], LoadedModule | None]
    ) -> None:
        self.loaded = loaded
        #: Loads a parent package of a module outside the tree (its ``__init__`` runs first
        #: and may import the package's modules in another order).
        self.load = load
        self.tried: set[str] = set()
        self.tree: dict[str, int] = {}
        self.outside: dict[str, int] = {}
        self.seen: set[str] = set()
        # ``from m import name`` is the loaded submodule ``m.name`` only when ``m`` holds one:
        # the name is not joined for the other imports (most: ``from django.db import
        # models``), which ``visit`` would skip as not loaded (blueking-paas: ~1,400 imports).
        self.parents = {name.rpartition(".")[0] for name in loaded}

    def through(self, settings: Settings) -> tuple[dict[str, int], dict[str, int]]:
        """Run what ``django.setup()`` imports with ``settings`` (and the other roots'), then
        the tree modules left, by name."""
        every = [settings, *settings.by_root.values()]
        apps: list[str] = []
        for s in every:
            if s.module:
                self.visit(s.module)
            apps += [a for a in s.installed_apps if a not in apps]
        packages = []
        for app in apps:  # phase 1: the app modules (AppConfig.create)
            module, _, last = app.rpartition(".")
            if last[:1].isupper():  # a dotted AppConfig path: its module, the config's app
                self.visit(module)
                packages.append(app.rsplit(".apps.", 1)[0] if ".apps." in app else module)
            else:
                packages.append(app)
                self.visit(app)
                self.visit(f"{app}.apps")
        for pkg in packages:  # phase 2: the models modules (AppConfig.import_models)
            self.visit(f"{pkg}.models")
        for name in sorted(self.loaded):
            if self.loaded[name].origin == ORIGIN_TREE:
                self.visit(name)
        return self.tree, self.outside

    def deps(self, name: str) -> list[str]:
        parts = name.split(".")
        out = [".".join(parts[:i]) for i in range(1, len(parts))]
        return out + imported_in_order(self.loaded[name].summary, self.parents)

    def first(self, name: str) -> str:
        """What importing ``name`` runs first: its first parent package not run yet, else
        itself (a package's ``__init__`` importing the module runs it then, whole)."""
        parts = name.split(".")
        outside = self.loaded[name].origin != ORIGIN_TREE
        for i in range(1, len(parts)):
            parent = ".".join(parts[:i])
            if parent not in self.seen and (parent in self.loaded or outside and self._add(parent)):
                return parent
        return name

    def _add(self, parent: str) -> bool:
        """Load a parent package outside the tree (once)."""
        if parent in self.tried:
            return False
        self.tried.add(parent)
        found = self.load(parent)
        if found is not None:
            self.loaded[parent] = found
        return found is not None

    def visit(self, root: str) -> None:
        loaded, seen = self.loaded, self.seen
        while root in loaded and root not in seen:
            start = self.first(root)
            seen.add(start)
            stack = [[start, self.deps(start), 0]]
            while stack:
                top = stack[-1]
                name, pending, i = top
                while i < len(pending) and (pending[i] in seen or pending[i] not in loaded):
                    i += 1
                top[2] = i
                if i == len(pending):
                    stack.pop()
                    self.done(name)
                    continue
                dep = self.first(pending[i])  # (``pending[i]`` itself once its parents ran)
                seen.add(dep)
                stack.append([dep, self.deps(dep), 0])

    def done(self, name: str) -> None:
        mod = self.loaded[name]
        position = len(self.tree) + len(self.outside)
        if mod.origin == ORIGIN_TREE:
            self.tree[mod.relpath or name] = position
        else:
            self.outside[name] = position


def imported_in_order(summary: Any, packages: set[str] | None) -> list[str]:
    """The modules a module's imports run, in statement order: each imported module, then the
    submodule a ``from m import name`` may name (only when ``m`` is one of ``packages``, if
    given), and the star imports where they were written (``ModuleSummary.star_at``)."""
    stars, at = summary.star_imports, summary.star_at
    out: list[str] = []
    done = 0
    for i, ref in enumerate(summary.imports.values()):
        while done < len(stars) and done < len(at) and at[done] <= i:
            out.append(stars[done])
            done += 1
        module = ref.module
        out.append(module)
        if ref.name and (packages is None or module in packages):
            out.append(f"{module}.{ref.name}")
    return out + stars[done:]
