#!/usr/bin/env python3
"""Warm answers of the query commands and the MCP server on one tree.

After one untimed scan that fills a private cache folder, measures (medians of ``--runs``):

* ``show`` / ``impact`` / ``path`` as command-line runs (``djatlas show M --path TREE``: wall
  time of the whole process, interpreter start-up included);
* every MCP tool called through the SDK's in-process ``Client`` on a server already started
  (what an agent waits for per call: revalidating the tree by stat, then answering).

The model asked about is the one most pointed at (``--model`` to choose); ``path`` goes from
the model with the most relation fields to it. Not a pytest test; needs ``djatlas[mcp]``.

    python benchmarks/query_bench.py /work/corpora/blueking-paas --runs 9
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def pick(doc: dict) -> tuple[str, str]:
    """(most referenced concrete model, the model with most relation fields)."""
    from djatlas.query.atlas import Atlas

    atlas = Atlas(doc)
    concrete = [m["label"] for m in doc["models"] if not m["abstract"] and not m["proxy"]]
    target = max(concrete, key=lambda label: (len(atlas.incoming.get(label, [])), label))
    source = max(concrete, key=lambda label: (len(atlas.outgoing(label)), label))
    return target, source


def cli_times(tree: str, cache: str, argv: list[str], runs: int) -> float:
    times = []
    cmd = [sys.executable, "-m", "djatlas", *argv, "--path", tree, "--cache-dir", cache, "-q"]
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def mcp_times(tree: str, cache: str, calls: dict[str, dict], runs: int) -> dict[str, float]:
    import anyio
    from mcp import Client

    from djatlas.query.server import Session, build_server

    server = build_server(Session(tree, argparse.Namespace(quiet=True, cache_dir=cache)))
    result: dict[str, float] = {}

    async def main() -> None:
        async with Client(server) as client:
            for name, arguments in calls.items():
                await client.call_tool(name, arguments)  # untimed first call
                times = []
                for _ in range(runs):
                    start = time.perf_counter()
                    answer = await client.call_tool(name, arguments)
                    times.append(time.perf_counter() - start)
                    assert not answer.is_error, (name, answer.content)
                result[name] = statistics.median(times)

    anyio.run(main)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tree")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--model", help="model to ask about (default: the most referenced)")
    args = parser.parse_args()
    tree = str(Path(args.tree).resolve())
    with tempfile.TemporaryDirectory() as cache:
        scan = [sys.executable, "-m", "djatlas", "scan", tree, "--format", "json", "-q"]
        scan += ["--cache-dir", cache]
        out = subprocess.run(
            scan,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        doc = json.loads(out)
        target, source = pick(doc)
        target = args.model or target
        print(f"{tree}: {len(doc['models'])} models; asking about {target} (path from {source})")
        times = []
        for _ in range(args.runs):  # the baseline: a warm scan, same load
            start = time.perf_counter()
            subprocess.run(scan, check=True, stdout=subprocess.DEVNULL)
            times.append(time.perf_counter() - start)
        print(f"  cli scan     {statistics.median(times) * 1000:8.1f} ms (warm, --format json)")
        for argv in (["show", target], ["impact", target], ["path", source, target]):
            seconds = cli_times(tree, cache, argv, args.runs)
            print(f"  cli {argv[0]:<8} {seconds * 1000:8.1f} ms")
        calls = {
            "list_apps": {},
            "list_models": {},
            "show_model": {"model": target},
            "find": {"pattern": "*status*"},
            "impact": {"model": target},
            "path": {"source": source, "target": target},
            "diagram": {"model": target},
            "summary": {},
        }
        for name, seconds in mcp_times(tree, cache, calls, args.runs).items():
            print(f"  mcp {name:<12} {seconds * 1000:8.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
