"""Resolving stage: load the wanted files into the project index and resolve every class's
bases, which may load more modules (tree files on demand, the environment, the knowledge)."""

from __future__ import annotations

TYPE_CHECKING = False  # typing is not imported at run time (start-up)
if TYPE_CHECKING:
    from djatlas.progress import Progress
    from djatlas.resolve.index import LoadedModule, ProjectIndex


def resolve_modules(
    index: ProjectIndex, wanted: set[str], progress: Progress
) -> list[LoadedModule]:
    """Every tree module loaded, in a stable order: the wanted ones, then what resolving their
    classes' bases brought in, until nothing new appears."""
    progress.phase("parsing", len(wanted))
    for rel in sorted(wanted):
        progress.step()
        index.load_path(rel)
    progress.phase("resolving", 0)
    seen: set[str] = set()
    modules: list[LoadedModule] = []
    while True:
        new = sorted(
            (m for rel, m in index.by_path.items() if m is not None and rel not in seen),
            key=lambda m: m.relpath or "",
        )
        if not new:
            return modules
        for m in new:
            seen.add(m.relpath or "")
            modules.append(m)
        for m in new:
            for name in m.summary.classes:
                index.mro(index.class_in(m, name))
