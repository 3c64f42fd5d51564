"""Real-tree check of ``djatlas migrations --check``: for each app, exclude its newest migration
and compare what the check reports with the operations that migration held (model and field
operations; RunPython/RunSQL/extension operations change no state and are not expected).

    python scripts/migrations_leaf_check.py /work/corpora/saleor [--apps 10]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys

from djatlas.cli import main
from djatlas.migrations.operations import NO_STATE
from djatlas.migrations.project import analyse
from djatlas.scan import scan_path

_FIELD_OPS = {"AddField", "RemoveField", "AlterField"}


def expected(project, key) -> list[tuple[str, str, str | None]]:
    out = []
    for op in project.operations.get(key, []):
        inner = op.state if op.op in ("SeparateDatabaseAndState", "RunSQL") else [op]
        for o in inner:
            if o.op in NO_STATE or o.op in ("RunSQL",):
                continue
            field = o.args.get("name") if o.op in _FIELD_OPS else None
            op = {"AddIndexConcurrently": "AddIndex", "RemoveIndexConcurrently": "RemoveIndex",
                  "AddConstraintNotValid": "AddConstraint"}.get(o.op, o.op)  # fmt: skip
            out.append((op, o.model or "", field))
    return sorted(out)


def reported(root: str, exclude: str) -> list[tuple[str, str, str | None]]:
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        main(["migrations", root, "--check", "-q", "-f", "json", "--exclude", exclude])
    doc = json.loads(buf.getvalue())
    return sorted(
        (o["op"], o["model"], o["field"]) for g in doc["changes"] for o in g["operations"]
    )


def run(root: str, limit: int) -> int:
    doc = scan_path(root, timing=False)
    agree = total = 0
    for project, app in [(p, a) for p in analyse(root, doc) for a in p.tree_apps][:limit]:
        leaves = project.graph.leaf_nodes(app)
        if len(leaves) != 1:
            continue
        key = leaves[0]
        exp = expected(project, key)
        if not exp:
            continue
        got = reported(root, project.graph.nodes[key].path)
        total += 1
        ok = got == exp
        agree += ok
        print(f"{'ok  ' if ok else 'DIFF'} {app}.{key[1]}: expected {exp} got {got}")
    print(f"{agree}/{total} newest migrations reported exactly")
    return 0 if agree == total else 1


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("root")
    p.add_argument("--apps", type=int, default=1000)
    a = p.parse_args()
    sys.exit(run(a.root, a.apps))
