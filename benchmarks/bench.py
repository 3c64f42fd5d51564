#!/usr/bin/env python3
"""Benchmark ``djatlas scan`` against two peer tools on one source tree.

Runs, round-robin (A B C D A B C D ...), each selected tool N times on the tree given as argument
and reports wall time and peak RSS of every child process:

* ``djatlas-cold``: ``djatlas scan PATH --format json --no-cache``
* ``djatlas-warm``: ``djatlas scan PATH --format json --cache-dir TMP``, after one untimed run
  that fills TMP
* ``djatlas-warm-md``, ``djatlas-warm-html``, ``djatlas-warm-check``: the warm run of
  ``djatlas scan PATH`` (Markdown), ``djatlas scan PATH --format html`` and ``djatlas check PATH
  --exit-zero``, each after one untimed run that fills the same TMP (alias ``views``)
* ``upcast``: ``upcast scan-django-models PATH`` (upcast 1.3.1, own venv)
* ``lens``: ``django-orm-lens scan -p PATH`` (django-orm-lens 1.13.5, own venv)

Output of every tool goes to /dev/null. Wall time is measured around ``subprocess.Popen`` +
``os.wait4``; peak RSS is ``ru_maxrss`` from ``os.wait4`` (KiB on Linux); the CPU time of the
tool's own process, without its helpers, is read before it is reaped (``main_cpu_after_exit``,
Linux). The peers are installed
into venvs under ``--peers-dir`` when missing. Stdlib only; not a pytest test.

    python benchmarks/bench.py /path/to/tree --runs 5
    python benchmarks/bench.py /path/to/tree --tools upcast,lens --upcast-runs 2
    python benchmarks/bench.py /path/to/tree --djatlas-cmd "python -m djatlas" --cold-args ""
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

#: Warm runs of other views than ``scan --format json``: djatlas arguments before the warm args.
WARM_VIEWS = {
    "djatlas-warm-md": "scan {path}",
    "djatlas-warm-html": "scan {path} --format html",
    "djatlas-warm-check": "check {path} --exit-zero",
}
ALL_TOOLS = ("djatlas-cold", "djatlas-warm", *WARM_VIEWS, "upcast", "lens")
TOOL_ALIASES = {
    "djatlas": ("djatlas-cold", "djatlas-warm"),
    "cold": ("djatlas-cold",),
    "warm": ("djatlas-warm",),
    "views": tuple(WARM_VIEWS),
    "django-orm-lens": ("lens",),
    "peers": ("upcast", "lens"),
    "all": ALL_TOOLS,
}
PEERS = {
    # name: (pip distribution, console script)
    "upcast": ("upcast", "upcast"),
    "lens": ("django-orm-lens", "django-orm-lens"),
}


@dataclass
class Run:
    round: int
    wall_s: float
    maxrss_kib: int
    exit_code: int
    cpu_s: float = 0.0
    stderr_tail: str = ""
    #: Minor page faults of the child and the children it reaped (``ru_minflt``).
    minflt: int = 0
    #: CPU time of the child's own process, its helpers not counted (``main_cpu_after_exit``).
    main_cpu_s: float | None = None


@dataclass
class Tool:
    name: str
    argv: list[str]
    runs_wanted: int
    warmup_runs: int = 0
    version: str | None = None
    runs: list[Run] = field(default_factory=list)
    warmup: list[Run] = field(default_factory=list)
    setup_error: str | None = None

    @property
    def ok_runs(self) -> list[Run]:
        return [r for r in self.runs if r.exit_code == 0]


# --------------------------------------------------------------------------- measuring


def run_once(argv: list[str], cwd: str, timeout: float, round_no: int) -> Run:
    """Run argv once, stdout to /dev/null; wall time and peak RSS via os.wait4, the child's own
    CPU time before that (``main_cpu_after_exit``)."""
    with (
        open(os.devnull, "wb") as devnull,
        tempfile.TemporaryFile() as err,
    ):
        start = time.perf_counter()
        try:
            proc = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=devnull, stderr=err, cwd=cwd
            )
        except OSError as exc:
            return Run(round_no, 0.0, 0, 127, stderr_tail=f"cannot start: {exc}")
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        try:
            main_cpu = main_cpu_after_exit(proc.pid)
            _, status, rusage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        wall = time.perf_counter() - start
        code = os.waitstatus_to_exitcode(status)
        proc.returncode = code  # reaped by wait4; keep Popen from waiting again
        tail = ""
        if code != 0:
            err.seek(0)
            lines = err.read().decode("utf-8", "replace").strip().splitlines()
            tail = "\n".join(lines[-5:])
            if code == -9 and wall >= timeout:
                tail = f"killed after timeout ({timeout:g} s)\n" + tail
        cpu = rusage.ru_utime + rusage.ru_stime
        return Run(
            round_no,
            wall,
            rusage.ru_maxrss,
            code,
            cpu_s=cpu,
            stderr_tail=tail,
            minflt=rusage.ru_minflt,
            main_cpu_s=main_cpu,
        )


def main_cpu_after_exit(pid: int) -> float | None:
    """Wait for ``pid`` to exit without reaping it, and return the CPU time of that process
    alone (``/proc/PID/schedstat``, nanoseconds, readable until it is reaped; Linux only, else
    None). ``os.wait4`` gives it with its reaped children's: djatlas's helper processes run
    beside it on the other cores, so its wall time cannot drop below this one process's
    CPU time, whatever they take over."""
    waitid = getattr(os, "waitid", None)
    if waitid is None or not hasattr(os, "WNOWAIT"):
        return None
    try:
        waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)
        with open(f"/proc/{pid}/schedstat", "rb") as fh:
            return int(fh.read().split()[0]) / 1e9
    except (OSError, ValueError, IndexError):
        return None


# --------------------------------------------------------------------------- setup


def default_peers_dir() -> Path:
    if Path("/work/peers").is_dir():
        return Path("/work/peers")
    return Path.home() / ".cache" / "djatlas-bench"


def default_djatlas_cmd() -> str:
    """The djatlas next to the running interpreter (a venv's bin/), else the one on PATH."""
    beside = Path(sys.executable).parent / "djatlas"
    if beside.exists():
        return str(beside)
    return shutil.which("djatlas") or "djatlas"


def snapshot_djatlas(rev: str, dest: Path) -> tuple[list[str], str]:
    """Extract src/ of revision rev of the checkout holding bench.py.

    Returns the command that runs it and the revision's short hash.
    """
    repo = Path(__file__).resolve().parent.parent
    parsed = subprocess.run(
        ["git", "-C", str(repo), "rev-parse", "--short", f"{rev}^{{commit}}"],
        capture_output=True,
        text=True,
        check=False,
    )
    if parsed.returncode != 0:
        raise SystemExit(f"unknown revision {rev!r}: {parsed.stderr.strip()}")
    sha = parsed.stdout.strip()
    dest.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "-C", str(repo), "archive", "--format=tar", sha, "src"],
        capture_output=True,
        check=False,
    )
    if archive.returncode != 0:
        msg = archive.stderr.decode("utf-8", "replace").strip()
        raise SystemExit(f"git archive {rev} failed: {msg}")
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive.stdout, check=True)
    # Like an installed package: byte-compiled once (pip does this at install time; the peers'
    # venvs have their .pyc files, and PYTHONDONTWRITEBYTECODE=1 would otherwise make every run
    # compile djatlas from source, ~20 ms), started by a console-script-like launcher.
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(dest / "src")],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    launcher = dest / "djatlas"
    launcher.write_text(
        f"#!{sys.executable}\n"
        "import sys\n"
        f"sys.path.insert(0, {str(dest / 'src')!r})\n"
        "from djatlas.cli import main\n"
        "sys.exit(main())\n",
        encoding="utf-8",
    )
    launcher.chmod(0o755)
    return [str(launcher)], sha


def ensure_peer(name: str, version: str, peers_dir: Path, python: str) -> Path:
    """Return the peer's console script, creating its venv and installing it when missing."""
    dist, script = PEERS[name]
    venv = peers_dir / name
    exe = venv / "bin" / script
    if exe.exists():
        return exe
    print(f"[setup] installing {dist}=={version} into {venv}", file=sys.stderr)
    venv.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([python, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "pip"), "install", "-q", f"{dist}=={version}"], check=True)
    if not exe.exists():
        raise RuntimeError(f"{exe} missing after installing {dist}")
    return exe


def dist_version(venv_python: Path, dist: str) -> str | None:
    code = f"import importlib.metadata as m; print(m.version({dist!r}))"
    try:
        out = subprocess.run(
            [str(venv_python), "-c", code], capture_output=True, text=True, timeout=60
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() or None


def command_version(argv: list[str]) -> str | None:
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    text = (out.stdout or out.stderr).strip()
    return text.splitlines()[0] if out.returncode == 0 and text else None


def expand(template: str, **values: str) -> list[str]:
    return [part.format(**values) for part in shlex.split(template)]


def parse_tools(spec: str) -> list[str]:
    chosen: list[str] = []
    for raw in spec.split(","):
        name = raw.strip()
        if not name:
            continue
        names = TOOL_ALIASES.get(name, (name,))
        for n in names:
            if n not in ALL_TOOLS:
                raise SystemExit(
                    f"unknown tool {name!r}; choose from "
                    f"{', '.join(ALL_TOOLS + tuple(TOOL_ALIASES))}"
                )
            if n not in chosen:
                chosen.append(n)
    return [t for t in ALL_TOOLS if t in chosen]  # fixed round-robin order


# --------------------------------------------------------------------------- machine info


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine_info() -> dict[str, object]:
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    mem_kib = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kib = int(line.split()[1])
    except OSError:
        pass
    return {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "nproc": usable,
        "cpu_count": os.cpu_count(),
        "cpu_model": cpu_model(),
        "mem_gib": round(mem_kib / 1024 / 1024, 1) if mem_kib else None,
        "platform": platform.platform(),
        "bench_python": platform.python_version(),
        "bench_python_exe": sys.executable,
        "loadavg_start": loadavg(),
        "djatlas_checkout": checkout_state(Path(__file__).resolve().parent.parent),
    }


def checkout_state(repo: Path) -> str | None:
    """HEAD of the checkout bench.py lives in, '+dirty' when its work tree has changes."""
    try:
        head = subprocess.run(
            ["git", "-C", str(repo), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=30,
        )
        if head.returncode != 0:
            return None
        dirty = subprocess.run(
            ["git", "-C", str(repo), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return head.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")


def loadavg() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def tree_info(path: Path) -> dict[str, object]:
    n_py = 0
    for _root, dirs, files in os.walk(path):
        dirs[:] = [d for d in dirs if d != ".git"]
        n_py += sum(1 for f in files if f.endswith(".py"))
    commit = None
    try:
        out = subprocess.run(
            ["git", "-C", str(path), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=30,
        )
        if out.returncode == 0:
            commit = out.stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        pass
    return {"path": str(path), "py_files": n_py, "git_commit": commit}


# --------------------------------------------------------------------------- report


def summarize(tool: Tool, lens: Tool | None = None) -> dict[str, object]:
    """The tool's medians, and ``paired_vs_lens`` (``paired_ratio``) given the lens runs."""
    ok = tool.ok_runs
    failed = [r for r in tool.runs if r.exit_code != 0]
    s: dict[str, object] = {
        "runs": len(tool.runs),
        "ok": len(ok),
        "failed_exit_codes": sorted({r.exit_code for r in failed}),
    }
    if ok:
        walls = [r.wall_s for r in ok]
        s.update(
            median_s=statistics.median(walls),
            min_s=min(walls),
            max_s=max(walls),
            median_peak_mb=statistics.median(r.maxrss_kib for r in ok) / 1024,
            median_cpu_s=statistics.median(r.cpu_s for r in ok),
            median_faults=statistics.median(r.minflt for r in ok),
            median_main_cpu_s=_median_or_none([r.main_cpu_s for r in ok]),
            paired_vs_lens=paired_ratio(tool, lens),
        )
    return s


def _median_or_none(values: list[float | None]) -> float | None:
    """The median of ``values``, None when one is missing (not measured on this platform)."""
    known = [v for v in values if v is not None]
    return statistics.median(known) if known and len(known) == len(values) else None


def lens_of(tools: list[Tool]) -> Tool | None:
    """The lens runs among ``tools``, if any."""
    return next((t for t in tools if t.name == "lens"), None)


def paired_ratio(tool: Tool, base: Tool | None) -> float | None:
    """The median, over the rounds both ran, of ``tool``'s wall time / ``base``'s in the same
    round. The machine's speed drifts from minute to minute (measured here: lens 0.19-0.35 s
    on one tree within one series), which moves both medians; the two runs of a round share
    its speed, so their ratio moves less."""
    if base is None or base is tool:
        return None
    walls = {r.round: r.wall_s for r in base.ok_runs}
    ratios = [r.wall_s / walls[r.round] for r in tool.ok_runs if walls.get(r.round, 0) > 0]
    return statistics.median(ratios) if ratios else None


def _seconds(value: object) -> str:
    return f"{value:.3f}" if isinstance(value, float) else "-"


def fmt_ratio(a: object, b: object) -> str:
    if not isinstance(a, float) or not isinstance(b, float) or b <= 0:
        return "-"
    return f"{a / b:.3g}x"


def print_report(
    tools: list[Tool], machine: dict[str, object], tree: dict[str, object], out=sys.stdout
) -> None:
    lens = lens_of(tools)
    summaries = {t.name: summarize(t, lens) for t in tools}
    lens_med = summaries.get("lens", {}).get("median_s")
    up_med = summaries.get("upcast", {}).get("median_s")
    print(file=out)
    print(
        f"tree: {tree['path']}  ({tree['py_files']} .py files"
        + (f", git {tree['git_commit']}" if tree["git_commit"] else "")
        + ")",
        file=out,
    )
    print(
        f"machine: {machine['nproc']} cores usable ({machine['cpu_model']}), "
        f"{machine['mem_gib']} GiB, {machine['platform']}",
        file=out,
    )
    print(
        f"bench python {machine['bench_python']}; date {machine['date']}; load average "
        f"{machine.get('loadavg_start')} before, {machine.get('loadavg_end')} after",
        file=out,
    )
    print(f"djatlas checkout (of bench.py): {machine.get('djatlas_checkout')}", file=out)
    for t in tools:
        print(f"  {t.name:<13} {t.version or '?':<24} {shlex.join(t.argv)}", file=out)
    print(file=out)
    head = (
        f"{'tool':<13} {'runs':>5} {'median s':>9} {'min s':>8} {'max s':>8} {'cpu s':>8} "
        f"{'main s':>7} {'peak MB':>8} {'faults k':>8} {'vs lens':>8} {'paired':>7} "
        f"{'vs upcast':>9}  status"
    )
    print(head, file=out)
    print("-" * len(head), file=out)
    for t in tools:
        s = summaries[t.name]
        if t.setup_error:
            status = f"setup failed: {t.setup_error}"
        elif s["failed_exit_codes"]:
            status = (
                f"{s['runs'] - s['ok']} failed (exit {','.join(map(str, s['failed_exit_codes']))})"
            )
        else:
            status = "ok"
        runs = f"{s['ok']}/{s['runs']}"
        if "median_s" in s:
            med = s["median_s"]
            print(
                f"{t.name:<13} {runs:>5} {med:>9.3f} {s['min_s']:>8.3f} {s['max_s']:>8.3f} "
                f"{s['median_cpu_s']:>8.3f} {_seconds(s['median_main_cpu_s']):>7} "
                f"{s['median_peak_mb']:>8.1f} "
                f"{s['median_faults'] / 1000:>8.1f} {fmt_ratio(med, lens_med):>8} "
                f"{fmt_ratio(s['paired_vs_lens'], 1.0):>7} "
                f"{fmt_ratio(med, up_med):>9}  {status}",
                file=out,
            )
        else:
            print(
                f"{t.name:<13} {runs:>5} {'-':>9} {'-':>8} {'-':>8} {'-':>8} {'-':>7} {'-':>8} "
                f"{'-':>8} "
                f"{'-':>8} {'-':>7} "
                f"{'-':>9}  {status}",
                file=out,
            )
    print(
        "\ncpu s = median user+sys CPU time of the child (from os.wait4), less sensitive to\n"
        "other load on the machine than wall time; main s = the median CPU time of the tool's\n"
        "own process alone (/proc/PID/schedstat, Linux; '-' elsewhere): helper processes on the\n"
        "other cores can shorten the wall time down to it, not below; peak MB = median\n"
        "ru_maxrss / 1024;\n"
        "faults k = median minor page faults (ru_minflt, thousands; the same from run to run,\n"
        "and each costs the kernel a few microseconds: a fork's copy-on-write shows here)\n"
        "vs X = this tool's median wall time / X's median wall time (<1 = faster than X);\n"
        "paired = the median over rounds of this tool's wall time / lens's in the same round\n"
        "(the machine's speed drifts between rounds; a round's two runs share it)",
        file=out,
    )
    for t in tools:
        bad = [r for r in t.runs + t.warmup if r.exit_code != 0]
        if bad:
            r = bad[0]
            print(f"\n{t.name}: first failure (exit {r.exit_code}), stderr tail:", file=out)
            print("    " + (r.stderr_tail or "(empty)").replace("\n", "\n    "), file=out)


# --------------------------------------------------------------------------- main


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        description="Benchmark djatlas scan (cold and warm cache) against upcast and "
        "django-orm-lens on one tree.",
        epilog="Command templates are split with shlex; {path}, {cache_dir} and {tmp} are "
        "substituted.",
    )
    p.add_argument("tree", type=Path, help="source tree to scan")
    p.add_argument("--runs", type=int, default=5, help="timed runs per tool (default 5)")
    p.add_argument(
        "--upcast-runs",
        type=int,
        default=None,
        help="timed runs for upcast (default: --runs); it is slow",
    )
    p.add_argument(
        "--warmup",
        type=int,
        default=1,
        help="untimed runs per tool before timing (default 1); djatlas-warm always "
        "gets at least one, which fills its cache",
    )
    p.add_argument(
        "--tools",
        default=",".join(ALL_TOOLS),
        help="comma-separated subset of "
        + ", ".join(ALL_TOOLS)
        + "; aliases: djatlas (cold+warm), peers (upcast+lens), all",
    )
    p.add_argument("--skip-upcast", action="store_true", help="leave upcast out")
    p.add_argument(
        "--djatlas-cmd",
        default=default_djatlas_cmd(),
        help="how to start djatlas (default: %(default)s); e.g. 'python -m djatlas'",
    )
    p.add_argument(
        "--djatlas-rev",
        metavar="REV",
        help="run djatlas from a snapshot of git revision REV of this checkout's src/ "
        "(git archive into a temp dir, byte-compiled, started by a console-script-like "
        "launcher on the running interpreter): a fixed djatlas while others edit the work "
        "tree, or to compare revisions; overrides --djatlas-cmd",
    )
    p.add_argument(
        "--baseline-rev",
        metavar="REV",
        help="also time a cold scan by a snapshot of revision REV (made like --djatlas-rev) "
        "as tool 'baseline-cold', in the same round-robin: before/after in one run",
    )
    p.add_argument(
        "--scan-args",
        default="scan {path} --format json",
        help="djatlas arguments for both runs (default: %(default)r)",
    )
    p.add_argument(
        "--cold-args",
        default="--no-cache",
        help="extra djatlas arguments for the cold run (default: %(default)r)",
    )
    p.add_argument(
        "--warm-args",
        default="--cache-dir {cache_dir}",
        help="extra djatlas arguments for the warm run (default: %(default)r)",
    )
    p.add_argument(
        "--upcast-cmd",
        default="{exe} scan-django-models {path}",
        help="upcast command template (default: %(default)r)",
    )
    p.add_argument(
        "--lens-cmd",
        default="{exe} scan -p {path}",
        help="django-orm-lens command template (default: %(default)r)",
    )
    p.add_argument(
        "--peers-dir",
        type=Path,
        default=default_peers_dir(),
        help="where the peer venvs live / are created (default: %(default)s)",
    )
    p.add_argument(
        "--peer-python",
        default=sys.executable,
        help="interpreter that creates missing peer venvs (default: %(default)s)",
    )
    p.add_argument("--upcast-version", default="1.3.1")
    p.add_argument("--lens-version", default="1.13.5")
    p.add_argument(
        "--timeout",
        type=float,
        default=900.0,
        help="kill a run after this many seconds (default 900)",
    )
    p.add_argument(
        "--json",
        metavar="FILE",
        help="write raw numbers (every run) as JSON to FILE ('-' for stdout)",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="no per-run progress lines")
    return p


def baseline_tool(args: argparse.Namespace, workdir: Path, values: dict[str, str]) -> Tool:
    """The cold scan of ``--baseline-rev``'s snapshot, timed beside the others."""
    djatlas, sha = snapshot_djatlas(args.baseline_rev, workdir / "baseline-src")
    argv_ = djatlas + expand(args.scan_args, **values) + expand(args.cold_args, **values)
    tool = Tool("baseline-cold", argv_, args.runs, args.warmup)
    version = command_version(djatlas + ["--version"])
    tool.version = f"{version} @{sha}" if version else None
    return tool


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    tree = args.tree.resolve()
    if not tree.is_dir():
        print(f"not a directory: {tree}", file=sys.stderr)
        return 2
    names = parse_tools(args.tools)
    if args.skip_upcast:
        names = [n for n in names if n != "upcast"]
    if not names:
        print("no tools selected", file=sys.stderr)
        return 2

    workdir = Path(tempfile.mkdtemp(prefix="djatlas-bench-"))
    cache_dir = workdir / "djatlas-cache"
    cache_dir.mkdir()
    values = {"path": str(tree), "cache_dir": str(cache_dir), "tmp": str(workdir)}

    tools: list[Tool] = []
    try:
        djatlas = shlex.split(args.djatlas_cmd)
        if args.djatlas_rev:
            djatlas, djatlas_sha = snapshot_djatlas(args.djatlas_rev, workdir / "djatlas-src")
        for name in names:
            runs = args.runs
            warmup = args.warmup
            if name.startswith("djatlas"):
                extra = args.cold_args if name == "djatlas-cold" else args.warm_args
                command = WARM_VIEWS.get(name, args.scan_args)
                argv_ = djatlas + expand(command, **values) + expand(extra, **values)
                if name != "djatlas-cold":
                    warmup = max(warmup, 1)
                tool = Tool(name, argv_, runs, warmup)
                tool.version = command_version(djatlas + ["--version"])
                if args.djatlas_rev and tool.version:
                    tool.version += f" @{djatlas_sha}"
            else:
                if name == "upcast" and args.upcast_runs is not None:
                    runs = args.upcast_runs
                version = args.upcast_version if name == "upcast" else args.lens_version
                template = args.upcast_cmd if name == "upcast" else args.lens_cmd
                tool = Tool(name, [], runs, warmup)
                try:
                    exe = ensure_peer(name, version, args.peers_dir, args.peer_python)
                except (subprocess.CalledProcessError, RuntimeError, OSError) as exc:
                    tool.setup_error = str(exc)
                else:
                    tool.argv = expand(template, exe=str(exe), **values)
                    tool.version = dist_version(exe.parent / "python", PEERS[name][0])
            tools.append(tool)
        if args.baseline_rev:
            tools.insert(0, baseline_tool(args, workdir, values))

        machine = machine_info()
        tinfo = tree_info(tree)
        runnable = [t for t in tools if not t.setup_error]

        def progress(msg: str) -> None:
            if not args.quiet:
                print(msg, file=sys.stderr, flush=True)

        # Warm-up (untimed), then timed rounds in fixed round-robin order.
        for rnd in range(max((t.warmup_runs for t in runnable), default=0)):
            for t in runnable:
                if rnd < t.warmup_runs:
                    r = run_once(t.argv, str(workdir), args.timeout, -1 - rnd)
                    t.warmup.append(r)
                    progress(
                        f"[warmup {rnd + 1}] {t.name:<13} {r.wall_s:8.3f} s "
                        f"{r.maxrss_kib / 1024:8.1f} MB exit {r.exit_code}"
                    )
        for rnd in range(max((t.runs_wanted for t in runnable), default=0)):
            for t in runnable:
                if rnd < t.runs_wanted:
                    r = run_once(t.argv, str(workdir), args.timeout, rnd)
                    t.runs.append(r)
                    progress(
                        f"[round {rnd + 1}] {t.name:<13} {r.wall_s:8.3f} s "
                        f"{r.maxrss_kib / 1024:8.1f} MB exit {r.exit_code}"
                    )
    except KeyboardInterrupt:
        print("\ninterrupted; reporting what was measured", file=sys.stderr)
        machine = machine_info()
        tinfo = tree_info(tree)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    machine["loadavg_end"] = loadavg()

    print_report(tools, machine, tinfo)
    if args.json:
        doc = {
            "machine": machine,
            "tree": tinfo,
            "settings": {
                "runs": args.runs,
                "upcast_runs": args.upcast_runs,
                "warmup": args.warmup,
                "timeout": args.timeout,
            },
            "tools": [
                {
                    "name": t.name,
                    "argv": t.argv,
                    "version": t.version,
                    "setup_error": t.setup_error,
                    "summary": summarize(t, lens_of(tools)),
                    "warmup": [asdict(r) for r in t.warmup],
                    "runs": [asdict(r) for r in t.runs],
                }
                for t in tools
            ],
        }
        text = json.dumps(doc, indent=2)
        if args.json == "-":
            print(text)
        else:
            Path(args.json).write_text(text + "\n")
    failed = any(t.setup_error or len(t.ok_runs) < len(t.runs) or not t.runs for t in tools)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
