"""Where a cold ``djatlas scan --format json`` spends its time, stage by stage, without a
profiler's overhead.

Runs the scan in-process ``--runs`` times (no cache) with wall-clock timers wrapped around the
pipeline's stage functions, and prints each stage's median CPU time of this process
(milliseconds, ``time.process_time``: steadier than wall time on a shared machine; inclusive
of what it calls; the parse of a module loaded on demand counts in the stage that asked for
it). The import time of what a cold scan loads is measured in a fresh interpreter (``import``
of every djatlas module a scan imported, against a bare start). Timers live here, never in
the code or the tests.

    .venv/bin/python benchmarks/stages.py /work/corpora/blueking-paas --runs 5
"""

from __future__ import annotations

import argparse
import functools
import importlib
import statistics
import subprocess
import sys
import time
from collections import defaultdict

#: (module, function): the stages in pipeline order; nested calls are counted in both.
STAGES = [
    ("djatlas.scan", "_prepare"),  # discovery (walk)
    ("djatlas.discover.finder", "_Arriving._arrive"),  # the walk ahead's answer, when used
    ("djatlas.pipeline.graphing", "settings_hints"),
    ("djatlas.pipeline.scope", "in_project"),  # the settings' import closure
    ("djatlas.pipeline.reading", "read_tree"),
    ("djatlas.pipeline.reading", "prefilter"),
    ("djatlas.pipeline.parsing", "parse_ahead"),
    ("djatlas.pipeline.resolving", "resolve_modules"),
    ("djatlas.pipeline.graphing", "build_graph"),
    ("djatlas.pipeline.reporting", "assemble_report"),
    ("djatlas.graph.types", "Report.to_dict"),
    ("djatlas.render.jsonout", "render"),
    ("djatlas.parse.reader", "parse"),  # every tree-sitter parse, wherever it happens
    ("djatlas.parse.visitor", "summarize"),  # every summary, wherever it happens
]


def _wrap(totals: dict[str, float], name: str, fn):
    depth = [0]

    @functools.wraps(fn)
    def timed(*args, **kwargs):
        depth[0] += 1
        t = time.process_time()
        try:
            return fn(*args, **kwargs)
        finally:
            depth[0] -= 1
            if depth[0] == 0:  # recursive calls count once
                totals[name] += time.process_time() - t

    return timed


def _install(totals: dict[str, float]) -> None:
    for module_name, attr in STAGES:
        module = importlib.import_module(module_name)
        owner, _, name = attr.rpartition(".")
        target = getattr(module, owner) if owner else module
        fn = getattr(target, name)
        setattr(target, name, _wrap(totals, f"{module_name.split('.')[-1]}.{attr}", fn))
        if not owner:  # also where other modules imported it by name
            for other in list(sys.modules.values()):
                if other is not module and getattr(other, name, None) is fn:
                    setattr(other, name, getattr(module, name))


def _import_ms(modules: list[str], repeat: int) -> float:
    code = "import time; t = time.process_time()\n"
    code += "".join(f"import {m}\n" for m in modules)
    code += "print((time.process_time() - t) * 1000)"
    runs = [
        float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout)
        for _ in range(repeat)
    ]
    return statistics.median(runs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    before = set(sys.modules)
    from djatlas.cli import main as cli_main

    argv = ["scan", args.path, "--format", "json", "--no-cache", "-q", "-o", "/dev/null"]
    cli_main(argv)  # imports everything once
    loaded = sorted(m for m in set(sys.modules) - before if m.startswith("djatlas"))
    totals: dict[str, float] = defaultdict(float)
    _install(totals)
    samples: dict[str, list[float]] = defaultdict(list)
    for _ in range(args.runs):
        totals.clear()
        t = time.process_time()
        cli_main(argv)
        totals["(whole scan, in-process)"] = time.process_time() - t
        for k, v in totals.items():
            samples[k].append(v * 1000)
    for k, values in sorted(samples.items(), key=lambda kv: -statistics.median(kv[1])):
        print(f"{statistics.median(values):8.1f} ms  {k}")
    bare = _import_ms([], args.runs)
    print(f"{_import_ms(loaded, args.runs) - bare:8.1f} ms  imports of a cold scan (fresh process)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
