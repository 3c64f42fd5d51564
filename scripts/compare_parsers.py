"""Summarize every .py file of a tree with the old stdlib-``ast`` parser and the tree-sitter one.

    python scripts/compare_parsers.py TREE [TREE ...] [--needed] [--time RUNS] [--show N]

Reports, per tree: files the old parser read, files where the two ModuleSummaries differ (with
the first differing path of each), files only the new parser reads, and files with recovered
syntax errors. ``--needed`` compares only the files a scan parses; ``--time RUNS`` also times
parse+summarize of those files with both parsers (medians of RUNS, same process).
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import ast_reader  # noqa: E402  (the pre-tree-sitter parse stage, kept for this comparison)
import ast_visitor  # noqa: E402

from djatlas.parse import reader, visitor  # noqa: E402


def _module(rel: str) -> tuple[str, bool]:
    parts = rel[:-3].split("/")
    is_pkg = parts[-1] == "__init__"
    if is_pkg:
        parts = parts[:-1]
    return ".".join(parts) or "__init__", is_pkg


def _old(data: bytes, rel: str) -> dict[str, Any] | str:
    module, is_pkg = _module(rel)
    try:
        parsed = ast_reader.parse(data, rel)
        return ast_visitor.summarize(parsed.tree, parsed.text, module, rel, is_pkg).to_dict()
    except ast_reader.ReadError as exc:
        return f"failed: {exc.reason} (line {exc.line})"
    except RecursionError:
        return "failed: too deeply nested to analyse"


def _new(data: bytes, rel: str) -> dict[str, Any] | str:
    module, is_pkg = _module(rel)
    try:
        parsed = reader.parse(data, rel)
        return visitor.summarize(parsed.tree, parsed.text, module, rel, is_pkg).to_dict()
    except reader.ReadError as exc:
        return f"failed: {exc.reason} (line {exc.line})"
    except RecursionError:
        return "failed: too deeply nested to analyse"


def first_difference(a: Any, b: Any, path: str = "") -> str | None:
    """The path of the first place where ``a`` and ``b`` differ, with both values."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in list(a) + [k for k in b if k not in a]:
            if key not in a or key not in b:
                return f"{path}.{key}: {a.get(key, '<missing>')!r} != {b.get(key, '<missing>')!r}"
            found = first_difference(a[key], b[key], f"{path}.{key}")
            if found:
                return found
        if list(a) != list(b):
            return f"{path}: key order {list(a)} != {list(b)}"
        return None
    if isinstance(a, list) and isinstance(b, list):
        for i, (x, y) in enumerate(zip(a, b)):
            found = first_difference(x, y, f"{path}[{i}]")
            if found:
                return found
        if len(a) != len(b):
            return f"{path}: {len(a)} items != {len(b)} items"
        return None
    if a != b or type(a) is not type(b):
        return f"{path}: {a!r} != {b!r}"
    return None


def _python_files(root: str) -> list[str]:
    out = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.endswith(".py"):
                out.append(os.path.relpath(os.path.join(folder, name), root).replace(os.sep, "/"))
    return out


def _needed(root: str) -> list[str]:
    from djatlas.scan import scan_path

    doc = scan_path(root, timing=False, use_cache=False)
    return sorted(f["path"] for f in doc["files"] if f["status"] == "parsed")


def compare(root: str, files: list[str], show: int) -> dict[str, int]:
    counts = {"files": 0, "old_read": 0, "same": 0, "different": 0, "only_new": 0, "both_fail": 0}
    shown = 0
    for rel in files:
        try:
            with open(os.path.join(root, rel), "rb") as fh:
                data = fh.read()
        except OSError:
            continue
        counts["files"] += 1
        old, new = _old(data, rel), _new(data, rel)
        if isinstance(old, str):
            counts["only_new" if isinstance(new, dict) else "both_fail"] += 1
            if isinstance(new, dict) and shown < show:
                shown += 1
                print(f"  only new: {rel}: old {old}")
            continue
        counts["old_read"] += 1
        diff = first_difference(old, new) if isinstance(new, dict) else f"new {new}"
        if diff is None:
            counts["same"] += 1
            continue
        counts["different"] += 1
        if shown < show:
            shown += 1
            print(f"  DIFF {rel}: {diff[:400]}")
    return counts


def _time(root: str, files: list[str], runs: int) -> tuple[float, float]:
    blobs = []  # only the files both parsers read: a file the old one rejects costs it less
    for rel in files:
        with open(os.path.join(root, rel), "rb") as fh:
            data = fh.read()
        if isinstance(_old(data, rel), dict):
            blobs.append((rel, data))
    _new(b"x = 1\n", "warm.py")  # load the grammar outside the timing
    old_times, new_times = [], []
    gc.disable()
    for _ in range(runs):
        for fn, out in ((_old, old_times), (_new, new_times)):
            start = time.process_time()
            for rel, data in blobs:
                fn(data, rel)
            out.append(time.process_time() - start)
    gc.enable()
    return statistics.median(old_times), statistics.median(new_times)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("trees", nargs="+")
    ap.add_argument("--needed", action="store_true", help="only the files a scan parses")
    ap.add_argument("--time", type=int, default=0, metavar="RUNS")
    ap.add_argument("--show", type=int, default=20, help="differences shown per tree")
    args = ap.parse_args(argv)
    different = 0
    for root in args.trees:
        files = _needed(root) if args.needed else _python_files(root)
        print(f"{root}: {len(files)} files")
        counts = compare(root, files, args.show)
        different += counts["different"]
        print("  " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        if args.time:
            old, new = _time(root, files, args.time)
            print(
                f"  parse+summarize (CPU time), median of {args.time}: ast {old * 1000:.1f} ms, "
                f"tree-sitter {new * 1000:.1f} ms ({new / old:.2f}x)"
            )
    return 1 if different else 0


if __name__ == "__main__":
    sys.exit(main())
