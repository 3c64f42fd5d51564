"""The reading stage's checks and the early parses in a forked child (``pipeline.examining``):
the same report as in-process, with or without a settings closure, and when the child fails."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest
from treeutil import write_tree

from djatlas import parallel
from djatlas.discover.finder import is_models_module
from djatlas.parse.summary import ModuleSummary
from djatlas.pipeline import examining, reading
from djatlas.pipeline.scope import OUTSIDE
from djatlas.scan import scan_path


@pytest.fixture(autouse=True)
def _forking(monkeypatch: pytest.MonkeyPatch) -> None:
    """``fork`` wherever the platform has it (a scan does not fork beside other threads, which
    earlier tests may have left idle in this process)."""
    if not hasattr(os, "fork") or not sys.platform.startswith("linux"):
        pytest.skip("no fork here")
    monkeypatch.setattr(parallel, "_can_fork", lambda: True)


TREE = {
    "manage.py": 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "cfg.settings")\n',
    "cfg/__init__.py": "",
    "cfg/settings.py": "from .base import *\nINSTALLED_APPS = ['shop', 'blog']\n",
    "cfg/base.py": "DEBUG = True\n",
    "shop/__init__.py": "",
    "shop/models.py": """
        from django.db import models
        from shop.base import Stamped
        import shop.broken

        class Product(Stamped):
            name = models.CharField(max_length=10)
    """,
    "shop/base.py": """
        from django.db import models

        class Stamped(models.Model):
            class Meta:
                abstract = True
    """,
    "shop/broken.py": "x = 1\x00\n",
    "blog/__init__.py": "",
    "blog/models.py": "from django.db import models\n\nclass Post(models.Model):\n    pass\n",
    "legacy/models.py": "from django.db import models\n\nclass Old(models.Model):\n    pass\n",
    "legacy/bad/models.py": "x = 1\n",  # made undecodable by the tests
    **{f"extra/m{i}.py": f"class M{i}(models.Model):\n    pass\n" for i in range(6)},
}


def _doc(root: Path, **options) -> dict:
    doc = scan_path(str(root), use_cache=False, timing=False, **options)
    doc["metadata"].pop("scanned_at", None)
    return doc


@pytest.fixture(autouse=True)
def _any_size(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(examining, "MIN_FILES", 0)
    monkeypatch.setattr(examining, "_BATCH", 2)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)


def _spy(monkeypatch: pytest.MonkeyPatch, owner: object, name: str, note) -> list:
    """``owner.name`` made to record ``note(its first argument, its result)`` at each call."""
    noted: list = []
    real = getattr(owner, name)

    def spy(first, *args):
        result = real(first, *args)
        noted.append(note(first, result))
        return result

    monkeypatch.setattr(owner, name, spy)
    return noted


def _answered(monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    """The answers every child gives, as they come."""
    return _spy(monkeypatch, examining.Examiner, "answers", lambda _, answers: answers)


def test_the_child_gives_the_in_process_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_tree(tmp_path / "proj", TREE)
    (root / "legacy" / "bad" / "models.py").write_bytes(b"x = '\xff'\n")
    seen = _answered(monkeypatch)
    for all_files in (False, True):  # the closure's files, or the whole tree split in two
        alone = _doc(root, jobs=1, all_files=all_files)
        assert not seen
        assert _doc(root, all_files=all_files) == alone
        answered = seen.pop()
        assert not seen and answered
        if not all_files:  # every file the closure read
            assert {"shop/broken.py", "shop/base.py", "cfg/settings.py"} <= set(answered)
        by_path = {f["path"]: f for f in alone["files"]}
        assert by_path["shop/broken.py"]["status"] == "failed"
        assert by_path["legacy/bad/models.py"]["status"] == "failed"
        assert {"Product", "Post"} <= {m["name"] for m in alone["models"]}
        assert (by_path["extra/m1.py"]["reason"] == OUTSIDE) == (not all_files)


def _verdicts(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each pre-filter took the child's verdict; the child is always asked for it
    (named every file left, however many)."""
    monkeypatch.setattr(reading, "_FEW", 1)
    return _spy(monkeypatch, reading, "prefilter", lambda found, _: found.verdict is not None)


def test_the_child_gives_the_prefilters_verdict(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_tree(tmp_path / "proj", TREE)
    (root / "legacy" / "bad" / "models.py").write_bytes(b"x = '\xff'\n")
    # A candidate by name (``Stamped`` reaches a model base in shop/base.py), not in its module.
    (root / "shop" / "plain.py").write_text(
        "class Stamped:\n    pass\n\nclass Plain(Stamped):\n    pass\n"
    )
    (root / "shop" / "models.py").write_text(TREE["shop/models.py"] + "import shop.plain\n")
    used = _verdicts(monkeypatch)
    for all_files in (False, True):  # the closure's files, or the whole tree
        alone = _doc(root, jobs=1, all_files=all_files)
        assert used == [False]
        assert _doc(root, all_files=all_files) == alone
        assert used == [False, True]
        used.clear()
        by_path = {f["path"]: f for f in alone["files"]}
        assert by_path["shop/plain.py"]["status"] == "not_needed"
        assert by_path["shop/base.py"]["status"] == "parsed"


def test_a_file_the_child_saw_otherwise_leaves_the_verdict_to_the_caller(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_tree(tmp_path / "proj", TREE)
    alone = _doc(root, jobs=1)
    used = _verdicts(monkeypatch)
    caller = os.getpid()
    real = reading.examine

    def examine(data: bytes):
        size, heads, is_settings, bad = real(data)
        if os.getpid() != caller and data.find(b"class Stamped") >= 0:
            size += 1  # as if shop/base.py had changed between the two reads
        return size, heads, is_settings, bad

    monkeypatch.setattr(reading, "examine", examine)
    assert _doc(root) == alone
    assert used == [False]


def test_a_failing_child_leaves_the_work_to_the_caller(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_tree(tmp_path / "proj", TREE)
    (root / "legacy" / "bad" / "models.py").write_bytes(b"x = '\xff'\n")
    alone = _doc(root, jobs=1)
    started: list = []
    real_start = examining.start

    def start(*args):
        started.append(real_start(*args))
        return started[-1]

    def fail(*args) -> None:
        raise ValueError("the child fails")

    monkeypatch.setattr(examining, "start", start)
    monkeypatch.setattr(examining._Work, "serve", fail)
    seen = _answered(monkeypatch)
    assert _doc(root) == alone
    assert started and started[0] is not None and seen == [{}]


def test_the_walk_ahead_finds_what_the_walk_finds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from djatlas.discover import finder, sharing

    root = write_tree(tmp_path / "proj", {**TREE, ".gitignore": "extra/m1.py\n"})
    (root / "node_modules").mkdir()
    options = finder.DiscoverOptions(exclude=["extra/m2.py"])

    def fields(found: finder.Discovery) -> tuple:
        return (
            [(f.relpath, f.size, f.mtime_ns) for f in found.files],
            [(r.path, r.status, r.reason, r.line, r.module) for r in found.records],
            found.packages,
            found.stats,
        )

    here = fields(finder.discover(str(root), options))
    assert here[1] and here[2] and here[3]
    assert fields(finder.discover_ahead(str(root), options)) == here

    def fail(*args: object) -> None:
        raise ValueError("the child fails")

    monkeypatch.setattr(sharing, "_send_result", fail)  # then the caller walks itself
    assert fields(finder.discover_ahead(str(root), options)) == here


def test_a_walk_never_used_is_ended(tmp_path: Path) -> None:
    from djatlas.discover import finder

    root = write_tree(tmp_path / "proj", TREE)
    found = finder.discover_ahead(str(root), finder.DiscoverOptions())
    pid = found._child[0]
    del found
    with pytest.raises(ChildProcessError):  # reaped already
        os.waitpid(pid, os.WNOHANG)


def _taken(monkeypatch: pytest.MonkeyPatch) -> list:
    """The parse answers the caller took from the child, as it took them."""
    taken: list = []
    real = examining.Examiner.wait

    def wait(self: examining.Examiner, position: int):
        taken.append(real(self, position))
        return taken[-1]

    monkeypatch.setattr(examining.Examiner, "wait", wait)
    return taken


def _parse_first(monkeypatch: pytest.MonkeyPatch, every: bool = True) -> None:
    """The caller ends the list of files to examine only once the child has claimed every
    models module (``every``; else one): it parses them while no file waits to be examined."""
    real = examining.Examiner.finish
    enough = all if every else any

    def finish(self: examining.Examiner, *verdict_without: list[str]) -> None:
        models = [p for rel, p in self.positions.items() if is_models_module(rel)]
        deadline = time.monotonic() + 60
        while self.flags is not None and time.monotonic() < deadline:
            if enough(self.flags[p] != parallel.FREE for p in models):
                break
            time.sleep(0.001)
        real(self, *verdict_without)

    monkeypatch.setattr(examining.Examiner, "finish", finish)


@pytest.mark.parametrize("jobs", [None, 3])
def test_the_child_parses_the_models_modules_ahead(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int | None
) -> None:
    root = write_tree(tmp_path / "proj", TREE)
    (root / "legacy" / "bad" / "models.py").write_bytes(b"x = '\xff'\n")
    alone = _doc(root, jobs=1)
    _parse_first(monkeypatch)
    taken = _taken(monkeypatch)
    assert _doc(root, jobs=jobs) == alone
    summaries = [answer for answer in taken if isinstance(answer, ModuleSummary)]
    assert {"shop/models.py", "blog/models.py", "legacy/models.py"} <= {s.path for s in summaries}
    for summary in summaries:  # the summary the caller would have made
        item = (summary.path, None, summary.module, summary.is_package)
        assert parallel.parse_items([item], str(root)) == [(summary.path, summary)]


def test_a_child_dying_while_it_parses_leaves_the_work_to_the_caller(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_tree(tmp_path / "proj", TREE)
    alone = _doc(root, jobs=1)
    caller = os.getpid()
    real = parallel.parse_items

    def parse_items(batch, root, *limit):
        if os.getpid() != caller:
            os._exit(3)  # the child dies at its first parse, holding its claim
        return real(batch, root, *limit)

    monkeypatch.setattr(parallel, "parse_items", parse_items)
    _parse_first(monkeypatch, every=False)
    taken = _taken(monkeypatch)
    seen = _answered(monkeypatch)
    assert _doc(root) == alone
    assert seen == [{}] and taken and not any(taken)


def test_a_settings_module_the_child_may_parse_first(tmp_path: Path) -> None:
    """The closure loads the settings module while the child may have claimed it (a settings
    module in a ``models`` package is a models module): the caller parses it itself instead of
    waiting for answers held back until the examining ends."""
    tree = {
        **{k: v for k, v in TREE.items() if not k.startswith("cfg/")},
        "manage.py": 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "models.cfg")\n',
        "models/__init__.py": "",
        "models/cfg.py": "INSTALLED_APPS = ['shop', 'blog']\n" + "X = 1\n" * 20000,
    }
    root = write_tree(tmp_path / "proj", tree)
    alone = _doc(root, jobs=1)
    assert "shop.Product" in {m["label"] for m in alone["models"]}
    assert _doc(root) == alone


def test_the_caller_parses_models_modules_while_the_child_answers_late(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the examining answers are awaited, the caller parses the models modules the child
    has not started (the same report; a failing one is left to the parse stage)."""
    root = write_tree(tmp_path / "proj", TREE)
    (root / "legacy" / "bad" / "models.py").write_bytes(b"x = '\xff'\n")
    alone = _doc(root, jobs=1)
    real_serve, real_obey = examining._Work.serve, examining._Work.obey

    def serve(self, orders, answers, first):  # the child parses nothing ahead
        return real_serve(self, orders, answers, [])

    def obey(self, frame, out, todo):  # and answers the end of the list late
        if frame[0] == examining._END:
            time.sleep(0.5)
        return real_obey(self, frame, out, todo)

    monkeypatch.setattr(examining._Work, "serve", serve)
    monkeypatch.setattr(examining._Work, "obey", obey)
    waiting: list[bool] = []
    meanwhile: list[str] = []
    real_answers, real_parse = examining.Examiner.answers, parallel.parse_items

    def answers(self):
        waiting.append(True)
        try:
            return real_answers(self)
        finally:
            waiting.pop()

    def parse_items(batch, where, *limit):
        if waiting:
            meanwhile.extend(rel for rel, *_ in batch)
        return real_parse(batch, where, *limit)

    monkeypatch.setattr(examining.Examiner, "answers", answers)
    monkeypatch.setattr(parallel, "parse_items", parse_items)
    assert _doc(root) == alone
    models = {"shop/models.py", "blog/models.py", "legacy/models.py", "legacy/bad/models.py"}
    assert set(meanwhile) == models and len(meanwhile) == len(models)


def _child_work(tmp_path: Path, files: dict[str, str], flags=None, read=None):
    """``(work, paths, positions, layout)``: the child's side (``examining._Work``) over the tree
    ``files`` written under ``tmp_path``, reading with ``read`` (default: the file's bytes)."""
    from djatlas.resolve.layout import Layout

    write_tree(tmp_path, files)
    paths = sorted(files)
    positions = {rel: i for i, rel in enumerate(paths)}
    layout = Layout(str(tmp_path), paths, set())
    if read is None:

        def read(rel: str) -> bytes:
            return (tmp_path / rel).read_bytes()

    work = examining._Work(read, reading.examine, layout, str(tmp_path), paths, positions, flags)
    return work, paths, positions, layout


def test_the_childs_likely_list_is_the_one_made_from_the_summaries(tmp_path: Path) -> None:
    """The child keeps each parsed file's early part, not its summary: its list is the one
    ``parsing.likely_files`` makes from the summaries' ``named_part``."""
    from djatlas.parallel import parse_items
    from djatlas.pipeline import parsing

    files = {
        "cfg/settings.py": "from cfg.lengths import NAME_LENGTH\nDEBUG = True\n",
        "cfg/lengths.py": "NAME_LENGTH = 10\n",
        "shop/base.py": "from django.db import models\n\nclass Stamped(models.Model):\n    pass\n",
        "shop/kinds.py": "KINDS = []\n",
        "shop/models.py": """
            from django.conf import settings
            from django.db import models
            from shop.base import Stamped
            from shop.kinds import KINDS

            class Product(Stamped):
                name = models.CharField(max_length=settings.NAME_LENGTH, choices=KINDS)
        """,
        "blog/models.py": "from shop.kinds import *\n\nclass Post(Base):\n    pass\n",
    }
    work, paths, positions, layout = _child_work(tmp_path, files)
    wanted = ["blog/models.py", "shop/models.py"]
    for rel in wanted:
        work.parse(positions[rel], None)
    items = [(rel, (tmp_path / rel).read_bytes(), layout.module_of[rel], False) for rel in paths]
    summaries = dict(parse_items(items, None))
    sources = parsing.settings_sources([summaries["cfg/settings.py"]])
    named = {rel: parsing.named_part(summaries[rel], rel, sources) for rel in wanted}
    expected = parsing.likely_files(layout, wanted, named)
    assert expected == ["shop/kinds.py", "shop/base.py", "cfg/lengths.py"]
    assert [paths[i] for i in work.likely(wanted, {}, sources)] == expected
    assert work.parts == {}  # the wanted files' parts used once, then dropped


def test_the_child_parses_next_the_bases_of_the_likely_files_resolving_loads(
    tmp_path: Path,
) -> None:
    """Once it has parsed one of the files the wanted files' bases come from, the child goes
    on with the files its own bases come from (resolving loads them); not with those of a
    file only the graph stage reads."""

    files = {
        "shop/models.py": "from shop.base import Stamped\nfrom shop.kinds import KINDS\n\n"
        "class Product(Stamped):\n    kind = KINDS\n",
        "shop/base.py": "from shop.core import Core\n\nclass Stamped(Core):\n    pass\n",
        "shop/core.py": "class Core:\n    pass\n",
        "shop/kinds.py": "from shop.core import Core\n\nclass Kinds(Core):\n    pass\n",
    }
    work, paths, positions, _ = _child_work(tmp_path, files, bytearray(len(files)))  # all free
    work.parse(positions["shop/models.py"], None)
    listed = [paths[i] for i in work.likely(["shop/models.py"], {}, [])]
    assert listed == ["shop/base.py", "shop/kinds.py"]
    work.parse(positions["shop/kinds.py"], None)
    assert work.bases_next(positions["shop/kinds.py"]) == []
    work.parse(positions["shop/base.py"], None)
    assert work.bases_next(positions["shop/base.py"]) == [positions["shop/core.py"]]


def test_a_file_whose_bytes_the_child_did_not_keep_is_read_again_to_parse(
    tmp_path: Path,
) -> None:
    """The child keeps the bytes of the files with class headers, settings or models modules
    only; another file it parses (a guess for resolving) is read again, to the same answer."""
    import pickle

    from djatlas.parallel import parse_items

    files = {"shop/models.py": "class A:\n    pass\n", "shop/kinds.py": "KINDS = [1, 2]\n"}
    reads: list[str] = []

    def read(rel: str) -> bytes:
        reads.append(rel)
        return (tmp_path / rel).read_bytes()

    work, paths, positions, layout = _child_work(tmp_path, files, read=read)
    work.obey((examining._EXAMINE, "\0".join(paths).encode()), None, [])
    assert sorted(work.examined) == paths
    assert list(work.contents) == ["shop/models.py"]
    work.parse(positions["shop/kinds.py"], None)
    assert reads == [*paths, "shop/kinds.py"]
    [(position, data)] = work.held or []
    rel = "shop/kinds.py"
    item = (rel, files[rel].encode(), layout.module_of[rel], False)
    expected = parse_items([item], None)[0][1]
    assert position == positions["shop/kinds.py"]
    assert pickle.loads(data) == expected
