"""Parallel parsing (same output with 1 and N jobs), the job count choice, the progress display."""

from __future__ import annotations

import io
import json
import os
import pickle
import subprocess
import sys
import time
from pathlib import Path

import pytest
from treeutil import corpus, write_tree

from djatlas import parallel
from djatlas.progress import Progress
from djatlas.render.jsonout import dumps
from djatlas.scan import ScanOptions, scan_rendered

CORPORA = ["blueking-paas", "saleor"]


def _tree(root: Path, n: int = 40) -> Path:
    files = {
        "core/__init__.py": "",
        "core/base.py": """
        from django.db import models

        class Base(models.Model):
            created = models.DateTimeField(auto_now_add=True)

            class Meta:
                abstract = True
    """,
        "broken/models.py": "class Bad(models.Model):\n    x = (\n",
    }
    for i in range(n):
        files[f"app{i}/__init__.py"] = ""
        files[f"app{i}/models.py"] = f"""
            from django.db import models

            from core.base import Base

            class Thing{i}(Base):
                name = models.CharField(max_length={i + 1})
                other = models.ForeignKey("app{(i + 1) % n}.Thing{(i + 1) % n}",
                                          on_delete=models.CASCADE)
        """
    return write_tree(root, files)


def _json(root: Path, **kw) -> str:
    return scan_rendered(
        str(root), ScanOptions(timing=False, use_cache=False, **kw), "json", dumps
    )[1].decode("utf-8")


def test_jobs_1_and_2_give_the_same_output(tmp_path: Path) -> None:
    root = _tree(tmp_path / "proj")
    one = _json(root, jobs=1)
    assert '"Thing39"' in one and "broken/models.py" in one
    assert _json(root, jobs=2) == one
    assert _json(root, jobs=3) == one
    assert _json(root) == one


def test_jobs_with_the_cache(tmp_path: Path) -> None:
    root = _tree(tmp_path / "proj", 12)
    cold = _json(root, jobs=1)
    opts = ScanOptions(timing=False, jobs=2, cache_dir=str(tmp_path / "cache"))
    assert scan_rendered(str(root), opts, "json", dumps)[1].decode("utf-8") == cold
    assert scan_rendered(str(root), opts, "json", dumps)[1].decode("utf-8") == cold


@pytest.mark.parametrize("name", CORPORA)
def test_jobs_on_a_corpus(name: str) -> None:
    root = corpus(name)
    if root is None:
        pytest.skip(f"{name} not under $DJATLAS_CORPORA")
    assert _json(root, jobs=2) == _json(root, jobs=1)


def test_cli_jobs_and_cache_equal(tmp_path: Path) -> None:
    root = _tree(tmp_path / "proj", 8)
    base = [sys.executable, "-m", "djatlas", "scan", str(root), "-f", "json", "--no-timing"]
    outs = [
        subprocess.run(base + extra, capture_output=True, check=True).stdout
        for extra in (
            ["--no-cache", "--jobs", "1"],
            ["--no-cache", "--jobs", "2"],
            ["--cache-dir", str(tmp_path / "c"), "-j", "2"],
            ["--cache-dir", str(tmp_path / "c")],
        )
    ]
    assert all(o == outs[0] for o in outs)
    bad = subprocess.run(base + ["--jobs", "0"], capture_output=True, text=True)
    assert bad.returncode == 2 and "jobs" in bad.stderr


def test_choose_jobs(monkeypatch) -> None:
    assert parallel.choose_jobs(1, [10**9]) == 1
    assert parallel.choose_jobs(3, [1]) == 3
    monkeypatch.setattr(parallel, "_can_fork", lambda: True)
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: set(range(2)), raising=False)
    big = [parallel.AUTO_BYTES_PER_JOB] * parallel.AUTO_MIN_FILES
    assert parallel.choose_jobs(None, big) == 2
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: set(range(16)), raising=False)
    assert parallel.choose_jobs(None, big) == 8
    assert parallel.choose_jobs(None, [100] * 50) == 1  # too little source
    assert parallel.choose_jobs(None, [10**6] * 5) == 1  # too few files
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0}, raising=False)
    assert parallel.choose_jobs(None, big) == 1
    monkeypatch.setattr(parallel, "_can_fork", lambda: False)
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: set(range(16)), raising=False)
    assert parallel.choose_jobs(None, big) == 1


def test_a_worker_that_dies_leaves_its_share_to_the_caller(tmp_path: Path, monkeypatch) -> None:
    if not hasattr(os, "fork"):
        pytest.skip("no fork")
    items = [(f"m{i}.py", b"X = %d\n" % i, f"m{i}", False) for i in range(4)]
    monkeypatch.setattr(pickle, "dumps", lambda *a, **k: 1 / 0)  # the worker fails
    got = dict(parallel.parse_many(items, None, 2))
    assert sorted(got) == [f"m{i}.py" for i in range(4)]
    share = [rel for rel, result in got.items() if result is None]
    assert len(share) == 2  # the worker's share: parsed in-process later
    assert all(got[rel].assigns for rel in got if rel not in share)


class _Stream(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


def test_progress_after_the_delay_only() -> None:
    out = _Stream(True)
    p = Progress(stream=out, delay=0.0)
    p.phase("reading", 3)
    p.step()
    p.done()
    text = out.getvalue()
    assert "djatlas: reading" in text and "/3 files" in text and text.endswith("\r\x1b[K")

    quiet = _Stream(True)
    p = Progress(stream=quiet, delay=60.0)
    p.phase("reading", 3)
    p.step()
    p.done()
    assert quiet.getvalue() == ""

    off = _Stream(True)
    p = Progress(enabled=False, stream=off, delay=0.0)
    p.phase("reading", 3)
    p.done()
    assert off.getvalue() == ""


def test_progress_silent_when_not_a_terminal(monkeypatch) -> None:
    err = _Stream(False)
    monkeypatch.setattr(sys, "stderr", err)
    p = Progress(delay=0.0)
    p.phase("parsing", 5)
    p.step(5)
    p.done()
    assert err.getvalue() == ""


def test_cli_stderr_is_silent_when_piped(tmp_path: Path) -> None:
    root = _tree(tmp_path / "proj", 3)
    res = subprocess.run(
        [sys.executable, "-m", "djatlas", "scan", str(root), "-f", "json", "--no-cache"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "\r" not in res.stderr and "files" not in res.stderr  # only the failed-file note


def test_workers_are_ended_when_the_caller_stops_early() -> None:
    if not hasattr(os, "fork"):
        pytest.skip("no fork")
    items = [(f"m{i}.py", b"X = %d\n" % i, f"m{i}", False) for i in range(4)]
    before = _children()
    results = parallel.parse_many(items, None, 3)
    next(results)
    children = _children() - before
    assert len(children) == 2
    results.close()  # the scan stopped before taking the workers' answers
    assert not children & _children()


def _children() -> set[int]:
    path = f"/proc/{os.getpid()}/task/{os.getpid()}/children"
    if not os.path.exists(path):
        pytest.skip("no /proc children list")
    with open(path) as fh:
        return {int(p) for p in fh.read().split()}


def _guess_tree(root: Path, n: int = 30) -> Path:
    files = {"core/__init__.py": "", "core/choices.py": "class Color:\n    RED = 'r'\n"}
    for i in range(n):
        files[f"app{i}/__init__.py"] = ""
        files[f"app{i}/constants.py"] = f"""
            from django.db import models

            class Size{i}(models.TextChoices):
                SMALL = "s", "Small"
                LARGE = "l", "Large"

            LENGTH = {i + 10}
        """
        files[f"app{i}/models.py"] = f"""
            from django.db import models

            from .constants import LENGTH, Size{i}
            from core import choices

            class Item{i}(models.Model):
                size = models.CharField(max_length=LENGTH, choices=Size{i}.choices)
                color = models.CharField(max_length=2, default=choices.Color.RED)
        """
    return write_tree(root, files)


def _guessing(root: Path) -> tuple[list[list[str]], str]:
    """``(parsing.likely_parts's answers, joined, the JSON)`` of a scan of ``root`` with two
    processes (the examining child makes the list: each answer is written to a file beside
    ``root``)."""
    from djatlas.pipeline import parsing

    log = root.parent / "guessed.jsonl"
    original = parsing.likely_parts

    def spy(layout, wanted, named):
        bases, rest = original(layout, wanted, named)
        with open(log, "a") as fh:
            fh.write(json.dumps(bases + rest) + "\n")
        return bases, rest

    parsing.likely_parts = spy
    try:
        two = _json(root, jobs=2)
    finally:
        parsing.likely_parts = original
    guessed = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    return guessed, two


def test_files_loaded_on_demand_are_guessed_and_give_the_same_output(tmp_path: Path) -> None:
    root = _guess_tree(tmp_path / "proj")
    guessed, two = _guessing(root)
    assert "core/choices.py" in guessed[-1] and "app7/constants.py" in guessed[-1]
    assert not any(rel.endswith("models.py") for rel in guessed[-1])  # wanted: parsed already
    one = _json(root, jobs=1)
    assert '"max_length": 17' in one and two == one


def _settings_tree(root: Path, n: int = 30) -> Path:
    apps = ", ".join(f'"app{i}"' for i in range(n))
    files = {
        "manage.py": "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'proj.settings')\n",
        "proj/__init__.py": "",
        "proj/langs.py": "LANGS = [('en', 'English'), ('fr', 'French')]\n",
        "proj/sizes.py": "WIDE = 40\n",
        "proj/settings.py": f"""
            from .langs import LANGS as CORE
            from .sizes import WIDE

            INSTALLED_APPS = [{apps}]
            LANGUAGES = CORE
        """,
    }
    for i in range(n):
        files[f"app{i}/__init__.py"] = ""
        files[f"app{i}/models.py"] = f"""
            from django.conf import settings
            from django.db import models

            class Page{i}(models.Model):
                language = models.CharField(max_length=settings.WIDE, choices=settings.LANGUAGES)
        """
    return write_tree(root, files)


def test_modules_the_settings_take_named_settings_from_are_guessed(tmp_path: Path) -> None:
    root = _settings_tree(tmp_path / "proj")
    guessed, two = _guessing(root)
    assert guessed and sorted(guessed[-1]) == ["proj/langs.py", "proj/sizes.py"]
    one = _json(root, jobs=1)
    assert '"max_length": 40' in one and two == one


def test_guessed_files_are_answered_once_by_either_process() -> None:
    if not hasattr(os, "fork"):
        pytest.skip("no fork")
    items = [(f"m{i}.py", b"X = %d\n" % i, f"m{i}", False) for i in range(4)]
    guesses = [(f"g{i}.py", b"Y = %d\n" % i, f"g{i}", False) for i in range(40)]
    before = _children()
    pool = parallel.Pool(items, None, 2, len(guesses))
    try:
        assert sorted(rel for rel, _ in pool.results()) == [f"m{i}.py" for i in range(4)]
        assert pool.guess(guesses)
        for _ in range(1000):  # the worker claims from the front: wait until it has begun
            if pool.flags[0]:
                break
            time.sleep(0.01)
        assert not pool.claim(0)  # the worker's: waited for
        for position in reversed(range(len(guesses))):
            if position == 0 or not pool.claim(position):
                summary = pool.wait(position)
                assert summary.module == f"g{position}" and "Y" in summary.assigns
    finally:
        pool.close()
    assert not _children() - before  # ended and reaped


def test_answers_read_early_are_loaded_while_the_worker_is_awaited() -> None:
    """While no frame has come, the first answer read early is loaded (kept in a 1-tuple,
    even a broken one's None); with a frame there, it is read first."""
    r, w = os.pipe()
    with os.fdopen(r, "rb") as answers, os.fdopen(w, "wb") as out:
        early = {4: parallel.pickled(["a"]), 2: b"broken", 7: parallel.pickled(["c"])}
        assert parallel._load_while_waiting(answers, early)
        assert parallel._load_while_waiting(answers, early)
        assert early == {4: (["a"],), 2: (None,), 7: early[7]}
        parallel.write_frame(out, 9, parallel.pickled(["d"]))
        assert not parallel._load_while_waiting(answers, early)
        assert parallel.answer_for(2, answers, early) is None  # loaded, no frame read for it
        assert parallel.answer_for(4, answers, early) == ["a"]
        assert parallel.answer_for(9, answers, early) == ["d"]
        assert parallel.answer_for(7, answers, early) == ["c"]
        assert early == {}


def test_spare_core_follows_jobs_and_cores(monkeypatch) -> None:
    """Forked helpers (walk, examiner, JSON half): never with --jobs 1 or without fork; by
    default only with a second core."""
    monkeypatch.setattr(parallel, "_can_fork", lambda: True)
    assert parallel.spare_core(1) is False
    assert parallel.spare_core(2) is True
    monkeypatch.setattr(parallel.os, "sched_getaffinity", lambda pid: {0}, raising=False)
    assert parallel.spare_core(None) is False
    monkeypatch.setattr(parallel.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    assert parallel.spare_core(None) is True
    monkeypatch.setattr(parallel, "_can_fork", lambda: False)
    assert parallel.spare_core(None) is False and parallel.spare_core(4) is False


def test_fork_or_close_closes_the_pipe_ends_when_fork_fails(monkeypatch) -> None:
    def fail() -> int:
        raise OSError("no more processes")

    monkeypatch.setattr(os, "fork", fail)
    read, write = os.pipe()
    assert parallel.fork_or_close(read, write, -1) is None
    for fd in (read, write):
        with pytest.raises(OSError):
            os.fstat(fd)


def test_a_scan_where_every_fork_fails_runs_in_process(tmp_path: Path, monkeypatch) -> None:
    """The walk ahead, the examining child, the parse workers and the JSON writer all fall
    back to this process, with the same report."""
    root = _tree(tmp_path / "proj", 45)
    (root / "manage.py").write_text(
        'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "cfg")\n'
    )
    (root / "cfg.py").write_text(
        "INSTALLED_APPS = ['core', 'broken'] + [f'app{i}' for i in range(45)]\n"
    )
    one = _json(root, jobs=1)
    forks: list[int] = []

    def fail() -> int:
        forks.append(1)
        raise OSError("no more processes")

    monkeypatch.setattr(parallel, "_can_fork", lambda: True)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    monkeypatch.setattr(os, "fork", fail)
    assert _json(root, jobs=2) == one
    assert forks
