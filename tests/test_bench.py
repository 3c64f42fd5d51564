"""benchmarks/bench.py records each run's minor page faults and reports their median."""

from __future__ import annotations

import io
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
try:
    import bench
finally:
    sys.path.pop(0)

MACHINE = {"nproc": 2, "cpu_model": "x", "mem_gib": 1, "platform": "p", "bench_python": "3"}


def test_a_run_records_its_page_faults_and_the_report_their_median() -> None:
    tool = bench.Tool("probe", [sys.executable, "-c", "bytearray(1 << 22)"], runs_wanted=2)
    tool.runs = [bench.run_once(tool.argv, ".", 60, n) for n in (1, 2)]
    assert all(r.exit_code == 0 and r.minflt > 0 for r in tool.runs)
    summary = bench.summarize(tool)
    assert summary["median_faults"] == statistics.median(r.minflt for r in tool.runs)
    out = io.StringIO()
    tree = {"path": ".", "py_files": 0, "git_commit": None}
    bench.print_report([tool], {**MACHINE, "date": "today"}, tree, out=out)
    row = next(line for line in out.getvalue().splitlines() if line.startswith("probe"))
    assert f"{summary['median_faults'] / 1000:.1f}" in row.split()


def test_the_paired_ratio_is_the_median_of_each_rounds_ratio() -> None:
    """Rounds on a machine whose speed drifts: the paired ratio compares each round's runs."""
    ours, lens = bench.Tool("djatlas-cold", [], 3), bench.Tool("lens", [], 3)
    walls = [(0.20, 0.10), (0.40, 0.40), (0.60, 0.50), (0.30, None)]  # the last: lens failed
    for n, (a, b) in enumerate(walls):
        ours.runs.append(bench.Run(n, a, 1, 0, 0.1, "", 1))
        if b is not None:
            lens.runs.append(bench.Run(n, b, 1, 0, 0.1, "", 1))
    assert bench.paired_ratio(ours, lens) == statistics.median([2.0, 1.0, 1.2])
    assert bench.paired_ratio(lens, lens) is None and bench.paired_ratio(ours, None) is None
    out = io.StringIO()
    tree = {"path": ".", "py_files": 0, "git_commit": None}
    bench.print_report([ours, lens], {**MACHINE, "date": "today"}, tree, out=out)
    row = next(line for line in out.getvalue().splitlines() if line.startswith("djatlas-cold"))
    assert "1.2x" in row.split()


def test_main_cpu_is_the_tools_own_process_without_its_helpers() -> None:
    """A tool whose forked helper does the work: ``cpu s`` counts the helper (reaped), ``main s``
    only the tool's own process (Linux: ``/proc/PID/schedstat`` before it is reaped)."""
    spin = "import os\nif os.fork() == 0:\n    sum(range(3_000_000)); os._exit(0)\nos.wait()\n"
    tool = bench.Tool("probe", [sys.executable, "-c", spin], runs_wanted=1)
    tool.runs = [bench.run_once(tool.argv, ".", 60, 1)]
    run = tool.runs[0]
    assert run.exit_code == 0
    if not Path("/proc/self/schedstat").exists():
        assert run.main_cpu_s is None
        return
    assert run.main_cpu_s is not None and 0 < run.main_cpu_s < run.cpu_s / 2
    summary = bench.summarize(tool)
    assert summary["median_main_cpu_s"] == run.main_cpu_s
    out = io.StringIO()
    tree = {"path": ".", "py_files": 0, "git_commit": None}
    bench.print_report([tool], {**MACHINE, "date": "today"}, tree, out=out)
    row = next(line for line in out.getvalue().splitlines() if line.startswith("probe"))
    assert f"{run.main_cpu_s:.3f}" in row.split()
