"""The migration graph, built as Django's ``MigrationLoader.build_graph`` builds it for an empty
database: nodes, dependencies (``__first__``/``__latest__``, swappable settings), ``run_before``,
squashed migrations (``replaces``: used, and the replaced nodes removed, when none of them is
applied), leaves, conflicts, missing dependencies and cycles."""

from __future__ import annotations

from typing import Any

from djatlas.migrations.loader import MigrationFile
from djatlas.records import dataclass, field

Key = tuple[str, str]


@dataclass
class Problem:
    """Something wrong with the graph, in one migration file (or app)."""

    code: str
    message: str
    app_label: str
    file: str | None = None
    line: int | None = None


@dataclass
class MigrationGraph:
    nodes: dict[Key, MigrationFile] = field(default_factory=dict)
    parents: dict[Key, set[Key]] = field(default_factory=dict)
    children: dict[Key, set[Key]] = field(default_factory=dict)
    #: squashed migration -> the replaced keys it stands for (when it is used).
    replacements: dict[Key, list[Key]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def app_nodes(self, app_label: str) -> list[Key]:
        return sorted(k for k in self.nodes if k[0] == app_label)

    def leaf_nodes(self, app_label: str | None = None) -> list[Key]:
        return sorted(
            k
            for k in (self.nodes if app_label is None else self.app_nodes(app_label))
            if not any(c[0] == k[0] for c in self.children.get(k, ()))
        )

    def root_nodes(self, app_label: str | None = None) -> list[Key]:
        return sorted(
            k
            for k in (self.nodes if app_label is None else self.app_nodes(app_label))
            if not any(p[0] == k[0] for p in self.parents.get(k, ()))
        )

    def forwards_plan(self, target: Key) -> list[Key]:
        """Django's iterative DFS over parents (sorted), parents first."""
        visited: list[Key] = []
        self._walk(target, set(), visited)
        return visited

    def full_plan(self) -> list[Key]:
        """What ``loader.project_state()`` applies: the forwards plans of every leaf, in order,
        each migration once (one DFS with a shared visited set gives the same order)."""
        plan: list[Key] = []
        done: set[Key] = set()
        for leaf in self.leaf_nodes():
            self._walk(leaf, done, plan)
        return plan

    def _walk(self, start: Key, done: set[Key], out: list[Key]) -> None:
        """Append to ``out`` the nodes ``start`` needs, parents first, skipping ``done``."""
        stack: list[tuple[Key, bool]] = [(start, False)]
        while stack:
            node, processed = stack.pop()
            if node in done:
                continue
            if processed:
                done.add(node)
                out.append(node)
            else:
                stack.append((node, True))
                stack += [(n, False) for n in sorted(self.parents.get(node, ())) if n not in done]

    def add_edge(self, child: Key, parent: Key) -> None:
        self.parents.setdefault(child, set()).add(parent)
        self.children.setdefault(parent, set()).add(child)

    def remove_node(self, key: Key) -> None:
        self.nodes.pop(key, None)
        for p in self.parents.pop(key, set()):
            self.children.get(p, set()).discard(key)
        for c in self.children.pop(key, set()):
            self.parents.get(c, set()).discard(key)


def key_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def parse_dependency(item: Any, auth_user_model: str) -> tuple[Key | None, str | None]:
    """(app_label, name) of one ``dependencies`` entry, or (None, why not)."""
    if isinstance(item, list) and len(item) == 2 and all(isinstance(x, str) for x in item):
        return (item[0], item[1]), None
    if isinstance(item, dict) and str(item.get("$call", "")).endswith("swappable_dependency"):
        args = item.get("args") or [item.get("kwargs", {}).get("value")]
        arg = args[0] if args else None
        if isinstance(arg, dict) and str(arg.get("$ref", "")).endswith("settings.AUTH_USER_MODEL"):
            return (auth_user_model.split(".", 1)[0], "__first__"), None
        if isinstance(arg, str) and "." in arg:
            return (arg.split(".", 1)[0], "__first__"), None
        return None, f"swappable dependency on {_text(arg)} (setting value not known statically)"
    return None, f"dependency {_text(item)} not readable statically"


def _text(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("$ref") or value.get("$expr") or value.get("$call") or value)
    return repr(value)


def dependency_apps(files: list[MigrationFile], doc: dict[str, Any]) -> set[str]:
    """App labels the given migrations depend on (or run before)."""
    auth = (doc.get("metadata") or {}).get("auth_user_model") or "auth.User"
    out = set()
    for mf in files:
        for attr in ("dependencies", "run_before"):
            for item in key_list(mf.attrs.get(attr)):
                key, _ = parse_dependency(item, auth)
                if key:
                    out.add(key[0])
    return out


def build_graph(files: list[MigrationFile], auth_user_model: str) -> MigrationGraph:
    graph = MigrationGraph()
    for mf in files:
        if mf.error is None:
            graph.nodes[mf.key] = mf
            if mf.partial and mf.in_tree:
                graph.notes.append(f"{mf.path}: {mf.partial}")
        else:
            graph.problems.append(
                Problem("unreadable", mf.error, mf.app_label, mf.path, mf.error_line)
            )
    migrated = {k[0] for k in graph.nodes}
    pending: list[tuple[Key, Key, str]] = []  # (child, parent, attr) to add after __first__ etc.
    for key, mf in sorted(graph.nodes.items()):
        for attr in ("dependencies", "run_before"):
            for item in key_list(mf.attrs.get(attr)):
                dep, why = parse_dependency(item, auth_user_model)
                if dep is None:
                    graph.notes.append(f"{mf.path}: {why}")
                    continue
                pending.append((key, dep, attr) if attr == "dependencies" else (dep, key, attr))
    # Internal dependencies first (Django adds them before resolving __first__/__latest__).
    dummies: dict[Key, list[Key]] = {}
    for child, parent, _attr in pending:
        if parent[0] == child[0] and parent[1] not in ("__first__", "__latest__"):
            _link(graph, child, parent, dummies)
    for child, parent, attr in pending:
        if parent[0] == child[0] and parent[1] not in ("__first__", "__latest__"):
            continue
        if attr == "run_before" and child[0] != parent[0] and child not in graph.nodes:
            if child[0] in migrated:
                dummies.setdefault(child, []).append(parent)
            continue
        resolved = _resolve_key(graph, parent, child[0], migrated)
        if resolved is not None and resolved[0] not in migrated and resolved[0] != child[0]:
            resolved = None  # an app whose migrations are not read: not a missing dependency
        if resolved is None:
            if parent[0] not in migrated and parent[0] != child[0]:
                graph.notes.append(
                    f"{graph.nodes[child].path}: depends on {parent[0]}.{parent[1]}, whose "
                    "migrations are not in the tree or the environment (not checked)"
                )
            continue
        _link(graph, child, resolved, dummies)
    _replace_squashed(graph, dummies)
    for missing, dependents in sorted(dummies.items()):
        for child in sorted(set(dependents)):
            mf = graph.nodes.get(child)
            if mf is None:
                continue
            graph.problems.append(
                Problem(
                    "missing-dependency",
                    f"{child[0]}.{child[1]} depends on {missing[0]}.{missing[1]}, which does "
                    "not exist",
                    child[0],
                    mf.path,
                    mf.lines.get("dependencies"),
                )
            )
    _check_cycles(graph)
    _conflicts(graph)
    return graph


def _link(graph: MigrationGraph, child: Key, parent: Key, dummies: dict[Key, list[Key]]) -> None:
    if parent in graph.nodes:
        graph.add_edge(child, parent)
    else:
        dummies.setdefault(parent, []).append(child)


def _resolve_key(graph: MigrationGraph, key: Key, current: str, migrated: set[str]) -> Key | None:
    """Django's ``check_key``: ``__first__``/``__latest__`` to a real node."""
    if key[1] not in ("__first__", "__latest__") or key in graph.nodes:
        return key
    if key[0] == current or key[0] not in migrated:
        return None
    nodes = graph.root_nodes(key[0]) if key[1] == "__first__" else graph.leaf_nodes(key[0])
    return nodes[0] if nodes else None


def _replace_squashed(graph: MigrationGraph, dummies: dict[Key, list[Key]]) -> None:
    """Nothing is applied in a static view: every squashed migration is used and the nodes it
    replaces are removed, their dependents and dependencies moved onto it (Django's
    ``remove_replaced_nodes``)."""
    for key in sorted(graph.nodes):
        mf = graph.nodes.get(key)
        if mf is None:
            continue
        replaced = [tuple(r) for r in key_list(mf.attrs.get("replaces")) if _is_key(r)]
        if not replaced:
            continue
        graph.replacements[key] = replaced  # type: ignore[assignment]
        rset = set(replaced)
        for old in replaced:
            for child in list(graph.children.get(old, ())):
                if child not in rset:
                    graph.add_edge(child, key)
            for parent in list(graph.parents.get(old, ())):
                if parent not in rset and parent != key:
                    graph.add_edge(key, parent)
            for child in dummies.pop(old, []):  # dependencies on replaced, deleted files
                if child not in rset and child in graph.nodes:
                    graph.add_edge(child, key)
            graph.remove_node(old)  # type: ignore[arg-type]


def _is_key(value: Any) -> bool:
    return isinstance(value, list) and len(value) == 2 and all(isinstance(x, str) for x in value)


def _check_cycles(graph: MigrationGraph) -> None:
    state: dict[Key, int] = {}
    for start in sorted(graph.nodes):
        if start in state:
            continue
        stack: list[tuple[Key, list[Key]]] = [(start, sorted(graph.parents.get(start, ())))]
        state[start] = 1
        while stack:
            node, todo = stack[-1]
            if not todo:
                state[node] = 2
                stack.pop()
                continue
            nxt = todo.pop()
            if state.get(nxt) == 1:
                mf = graph.nodes[node]
                graph.problems.append(
                    Problem(
                        "cycle",
                        f"circular dependency: {node[0]}.{node[1]} -> {nxt[0]}.{nxt[1]}",
                        node[0],
                        mf.path,
                        mf.lines.get("dependencies"),
                    )
                )
                graph.remove_node(nxt)  # break it so plans terminate
                todo.clear()
            elif nxt not in state:
                state[nxt] = 1
                stack.append((nxt, sorted(graph.parents.get(nxt, ()))))


def _conflicts(graph: MigrationGraph) -> None:
    for app in sorted({k[0] for k in graph.nodes if graph.nodes[k].in_tree}):
        leaves = graph.leaf_nodes(app)
        if len(leaves) > 1:
            mf = graph.nodes[leaves[-1]]
            graph.problems.append(
                Problem(
                    "conflict",
                    f"conflicting migrations in {app}: {', '.join(n for _, n in leaves)} "
                    "(several leaves; run makemigrations --merge)",
                    app,
                    mf.path,
                    mf.line,
                )
            )
