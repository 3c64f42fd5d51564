"""The persistent cache: reuse, invalidation, corruption, version stamps, concurrent scans."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from treeutil import write_tree

from djatlas import cache as cache_mod
from djatlas.render.jsonout import dumps
from djatlas.scan import ScanOptions, scan_document, scan_rendered

BASE = """
    from django.db import models

    class Stamped(models.Model):
        created = models.DateTimeField(auto_now_add=True)

        class Meta:
            abstract = True
"""

OTHER_BASE = """
    from django.db import models

    class Stamped(models.Model):
        touched = models.DateTimeField(auto_now=True)
        owner = models.CharField(max_length=20)

        class Meta:
            abstract = True
"""

MODELS = """
    from django.db import models

    from shop.base import Stamped

    class Product(Stamped):
        name = models.CharField(max_length=100)

    class Order(models.Model):
        product = models.ForeignKey(Product, on_delete=models.CASCADE)
"""

TREE = {
    "shop/__init__.py": "",
    "shop/base.py": BASE,
    "shop/models.py": MODELS,
    "shop/views.py": "def index(request):\n    return None\n",
    "shop/utils.py": "X = 1\n",
    "settings.py": "INSTALLED_APPS = ['shop']\n",
}


def age(root: Path, seconds: int = 60) -> None:
    """Move every mtime into the past: the cache trusts only mtimes older than ~2 s."""
    t = time.time_ns() - seconds * 1_000_000_000
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            os.utime(os.path.join(dirpath, name), ns=(t, t))
        os.utime(dirpath, ns=(t, t))


def edit(path: Path, text: str, seconds: int = 30) -> None:
    """Rewrite a file (dedented), with an mtime in the past but different from before."""
    import textwrap

    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    t = time.time_ns() - seconds * 1_000_000_000
    os.utime(path, ns=(t, t))
    os.utime(path.parent, ns=(t, t))


def scan_json(root: Path, cache_dir: Path | None, **kw: Any) -> str:
    opts = ScanOptions(
        timing=False,
        use_cache=cache_dir is not None,
        cache_dir=str(cache_dir) if cache_dir else None,
        **kw,
    )
    _summary, text = scan_rendered(str(root), opts, "json", dumps)
    return text.decode("utf-8")


def fields(text: str, model: str) -> list[str]:
    doc = json.loads(text)
    (m,) = [m for m in doc["models"] if m["name"] == model]
    return [f["name"] for f in m["fields"]]


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = write_tree(tmp_path / "proj", TREE)
    age(root)
    return root


@pytest.fixture
def parses(monkeypatch):
    """Tree files parsed during the test (environment/stub modules left out)."""
    from djatlas.resolve import index

    seen: list[str] = []
    real = index.parse

    def spy(data: bytes, filename: str):
        if not filename.startswith(("/", "<")):
            seen.append(filename)
        return real(data, filename)

    monkeypatch.setattr(index, "parse", spy)
    return seen


@pytest.fixture
def hashed(monkeypatch):
    """Files whose contents were read (and hashed) by a scan with the cache on."""
    seen: list[int] = []
    real = cache_mod.content_hash

    def spy(data: bytes) -> str:
        seen.append(len(data))
        return real(data)

    monkeypatch.setattr(cache_mod, "content_hash", spy)
    return seen


def test_cached_output_equals_uncached(tree: Path, tmp_path: Path) -> None:
    cold = scan_json(tree, None)
    cache = tmp_path / "cache"
    first = scan_json(tree, cache)
    second = scan_json(tree, cache)
    assert first == cold == second
    assert fields(cold, "Product") == ["id", "created", "name"]
    folder = cache_mod.cache_folder(str(tree), str(cache))
    assert sorted(os.listdir(folder)) == sorted(CACHE_FILES)
    # The document path (other formats, library callers) is cached too.
    doc = scan_document(str(tree), ScanOptions(timing=False, cache_dir=str(cache)))
    assert dumps(doc) == cold


def test_warm_scan_reads_and_parses_nothing(
    tree: Path, tmp_path: Path, parses, hashed, monkeypatch
) -> None:
    cache = tmp_path / "cache"
    scan_json(tree, cache)
    assert parses and hashed
    parses.clear()
    hashed.clear()
    import djatlas.scan

    def boom(*a: Any, **k: Any) -> None:
        raise AssertionError("analysis ran on an unchanged tree")

    monkeypatch.setattr(djatlas.scan, "_analyse", boom)
    scan_json(tree, cache)
    assert parses == [] and hashed == []


def test_per_file_cache_when_the_report_cannot_be_reused(
    tree: Path, tmp_path: Path, parses, hashed
) -> None:
    cache = tmp_path / "cache"
    cold = scan_json(tree, cache)
    parses.clear()
    hashed.clear()
    # A different option: the report is recomputed, but no file is read or parsed again.
    other = scan_json(tree, cache, settings="settings")
    assert parses == [] and hashed == []
    assert json.loads(other)["models"] == json.loads(cold)["models"]


def test_edit_reparses_only_that_file(tree: Path, tmp_path: Path, parses, hashed) -> None:
    cache = tmp_path / "cache"
    scan_json(tree, cache)
    parses.clear()
    hashed.clear()
    edit(tree / "shop" / "base.py", OTHER_BASE)
    warm = scan_json(tree, cache)
    assert parses == ["shop/base.py"]
    assert len(hashed) == 1
    # The model in the unchanged file sees its base class's new fields.
    assert fields(warm, "Product") == ["id", "touched", "owner", "name"]
    assert warm == scan_json(tree, None)


def test_import_target_change(tree: Path, tmp_path: Path, parses) -> None:
    cache = tmp_path / "cache"
    scan_json(tree, cache)
    write_tree(tree, {"shop/base2.py": OTHER_BASE})
    edit(tree / "shop" / "base.py", "from shop.base2 import Stamped  # noqa: F401\n")
    parses.clear()
    warm = scan_json(tree, cache)
    assert sorted(parses) == ["shop/base.py", "shop/base2.py"]
    assert fields(warm, "Product") == ["id", "touched", "owner", "name"]
    assert warm == scan_json(tree, None)


def test_delete_file(tree: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    scan_json(tree, cache)
    (tree / "shop" / "views.py").unlink()
    age(tree, 20)
    warm = scan_json(tree, cache)
    assert "shop/views.py" not in {f["path"] for f in json.loads(warm)["files"]}
    assert warm == scan_json(tree, None)
    (tree / "shop" / "models.py").unlink()
    age(tree, 10)
    warm = scan_json(tree, cache)
    assert [m["name"] for m in json.loads(warm)["models"]] == ["Stamped"]
    assert warm == scan_json(tree, None)
    entries = json.loads(
        (Path(cache_mod.cache_folder(str(tree), str(cache))) / "files.json").read_text()
    )["files"]
    assert "shop/models.py" not in entries and "shop/views.py" not in entries


def test_rename_file(tree: Path, tmp_path: Path, parses) -> None:
    cache = tmp_path / "cache"
    scan_json(tree, cache)
    os.rename(tree / "shop" / "models.py", tree / "shop" / "catalog.py")
    age(tree, 20)
    parses.clear()
    warm = scan_json(tree, cache)
    assert "shop/catalog.py" in parses and "shop/base.py" not in parses
    doc = json.loads(warm)
    assert {m["module"] for m in doc["models"]} >= {"shop.catalog"}
    assert warm == scan_json(tree, None)


def test_recent_edit_same_size_is_seen(tree: Path, tmp_path: Path) -> None:
    """A file changed within the timestamp granularity is verified by content next time."""
    cache = tmp_path / "cache"
    path = tree / "shop" / "models.py"
    path.write_text(path.read_text().replace("max_length=100", "max_length=101"))
    first = scan_json(tree, cache)  # mtime is "now": not trusted later
    st = path.stat()
    path.write_text(path.read_text().replace("max_length=101", "max_length=102"))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # same size, same mtime
    second = scan_json(tree, cache)
    assert first != second
    assert second == scan_json(tree, None)


CACHE_FILES = ["files.json", "report.json", "render-json.txt", "tree.json"]


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty", "wrong-shape", "binary"])
def test_corrupt_cache_is_ignored_and_rebuilt(tree: Path, tmp_path: Path, damage: str) -> None:
    cache = tmp_path / "cache"
    cold = scan_json(tree, cache)
    folder = Path(cache_mod.cache_folder(str(tree), str(cache)))
    for name in CACHE_FILES:
        p = folder / name
        data = p.read_bytes()
        p.write_bytes(
            {
                "garbage": b"{not json",
                "truncated": data[: len(data) // 2],
                "empty": b"",
                "wrong-shape": json.dumps(
                    {
                        "stamp": cache_mod.code_stamp(),
                        "files": {"a": [1]},
                        "key": 3,
                        "report": [],
                        "stats": 5,
                    }
                ).encode(),
                "binary": os.urandom(300),
            }[damage]
        )
    assert scan_json(tree, cache) == cold
    assert scan_json(tree, cache) == cold
    json.loads((folder / "files.json").read_text())  # rewritten whole


@pytest.mark.parametrize("name", ["report.json", "render-json.txt"])
@pytest.mark.parametrize("body", [b'{"models": "garbage"}', b"[]", b"{}", b"\xff\xfe"])
def test_tampered_report_bodies_are_ignored(
    tree: Path, tmp_path: Path, name: str, body: bytes
) -> None:
    cache = tmp_path / "cache"
    cold = scan_json(tree, cache)
    doc = dumps(scan_document(str(tree), ScanOptions(timing=False, use_cache=False)))
    assert doc == cold
    folder = Path(cache_mod.cache_folder(str(tree), str(cache)))
    head, _, _old = (folder / name).read_bytes().partition(b"\n")
    meta = json.loads(head)
    (folder / name).write_bytes(head + b"\n" + body)  # digest no longer matches
    assert scan_json(tree, cache) == cold
    assert dumps(scan_document(str(tree), ScanOptions(timing=False, cache_dir=str(cache)))) == cold
    meta.update(length=len(body), digest=cache_mod.blake2b(body, digest_size=16).hexdigest())
    (folder / name).write_bytes(json.dumps(meta).encode() + b"\n" + body)  # digest matches
    (folder / "render-json.txt").unlink(missing_ok=name == "report.json")
    assert dumps(scan_document(str(tree), ScanOptions(timing=False, cache_dir=str(cache)))) == cold
    assert scan_json(tree, cache) == cold


def test_wrong_entry_values_are_ignored(tree: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cold = scan_json(tree, cache)
    folder = Path(cache_mod.cache_folder(str(tree), str(cache)))
    doc = json.loads((folder / "files.json").read_text())
    for row in doc["files"].values():
        if row[6]:
            row[6]["summary"] = {"module": 1}  # not a summary
    (folder / "files.json").write_text(json.dumps(doc))
    for name in CACHE_FILES[1:]:
        (folder / name).unlink()
    assert scan_json(tree, cache) == cold


def test_version_mismatch_is_ignored(tree: Path, tmp_path: Path, hashed, parses) -> None:
    cache = tmp_path / "cache"
    cold = scan_json(tree, cache)
    folder = Path(cache_mod.cache_folder(str(tree), str(cache)))
    for name in ("files.json", "tree.json"):
        doc = json.loads((folder / name).read_text())
        doc["stamp"] = "0.0.1/0/old"
        (folder / name).write_text(json.dumps(doc))
    for name in ("report.json", "render-json.txt"):  # header line + body
        head, _, body = (folder / name).read_bytes().partition(b"\n")
        meta = json.loads(head)
        meta["stamp"] = "0.0.1/0/old"
        (folder / name).write_bytes(json.dumps(meta).encode() + b"\n" + body)
    hashed.clear()
    parses.clear()
    assert scan_json(tree, cache) == cold
    assert len(hashed) == len(TREE) and "shop/models.py" in parses  # everything redone
    assert json.loads((folder / "files.json").read_text())["stamp"] == cache_mod.code_stamp()


def test_code_stamp_has_version_and_format() -> None:
    from djatlas import __version__

    stamp = cache_mod.code_stamp()
    assert stamp.startswith(f"{__version__}/{cache_mod.FORMAT}/")


def test_cache_is_json_only(tree: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    scan_json(tree, cache)
    folder = Path(cache_mod.cache_folder(str(tree), str(cache)))
    for name in ("files.json", "tree.json"):
        json.loads((folder / name).read_text(encoding="ascii"))
    for name in ("report.json", "render-json.txt"):
        head, _, body = (folder / name).read_bytes().partition(b"\n")
        assert json.loads(head)["length"] == len(body)
        json.loads(body)
    assert not [p for p in folder.iterdir() if p.name.startswith(".tmp-")]


def test_no_cache_writes_nothing(tree: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "djatlas",
            "scan",
            str(tree),
            "-f",
            "json",
            "--no-timing",
            "--no-cache",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(out.stdout)["summary"]["models"] == 3
    assert not (tmp_path / "xdg").exists()
    subprocess.run(
        [sys.executable, "-m", "djatlas", "scan", str(tree), "-f", "json", "-q"],
        capture_output=True,
        check=True,
    )
    (folder,) = (tmp_path / "xdg" / "djatlas").iterdir()
    assert folder.name == os.path.basename(cache_mod.cache_folder(str(tree)))


def test_cli_cache_dir_and_formats(tree: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    base = [
        sys.executable,
        "-m",
        "djatlas",
        "scan",
        str(tree),
        "--no-timing",
        "--cache-dir",
        str(cache),
    ]
    for fmt in ("json", "markdown", "yaml"):
        cold = subprocess.run(
            base[:-2] + ["--no-cache", "-f", fmt], capture_output=True, check=True
        ).stdout
        one = subprocess.run(base + ["-f", fmt], capture_output=True, check=True).stdout
        two = subprocess.run(base + ["-f", fmt], capture_output=True, check=True).stdout
        assert cold == one == two, fmt


def test_metadata_is_fresh_on_a_cached_answer(tree: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    scan_rendered(str(tree), ScanOptions(cache_dir=str(cache), title="First"), "json", dumps)
    title = 'Second "quoted" \\ \ud800 \u00e9'
    _summary, text = scan_rendered(
        str(tree), ScanOptions(cache_dir=str(cache), title=title), "json", dumps
    )
    meta = json.loads(text)["metadata"]
    assert meta["duration_ms"] is not None and meta["scanned_at"]
    assert b"@@djatlas" not in text
    opts = ScanOptions(cache_dir=str(cache), title=title, timing=False)
    cached = scan_rendered(str(tree), opts, "json", dumps)[1]
    opts = ScanOptions(use_cache=False, title=title, timing=False)
    assert cached == scan_rendered(str(tree), opts, "json", dumps)[1]


def test_concurrent_scans(tree: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    for i in range(6):  # more files so the scans overlap
        write_tree(
            tree,
            {f"shop/extra{i}.py": MODELS.replace("Product", f"P{i}").replace("Order", f"O{i}")},
        )
    age(tree)
    cold = scan_json(tree, None)
    cmd = [
        sys.executable,
        "-m",
        "djatlas",
        "scan",
        str(tree),
        "-f",
        "json",
        "--no-timing",
        "--cache-dir",
        str(cache),
    ]
    for _round in range(3):
        procs = [
            subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(3)
        ]
        outs = [p.communicate() for p in procs]
        assert [p.returncode for p in procs] == [0, 0, 0], [e for _o, e in outs]
        assert all(o.decode() == cold for o, _e in outs)
        edit(tree / "shop" / "base.py", OTHER_BASE if _round % 2 == 0 else BASE, 40 - _round)
        cold = scan_json(tree, None)
    assert scan_json(tree, cache) == cold


def test_parse_failures_are_cached(tmp_path: Path, parses) -> None:
    broken = "class X(models.Model)):\n    x = 1\n"  # nothing usable left: failed
    recovered = "class Y(models.Model):\n    x = (\n"  # Y kept, its broken line reported
    root = write_tree(
        tmp_path / "proj", {**TREE, "shop/broken.py": broken, "shop/recovered.py": recovered}
    )
    age(root)
    cache = tmp_path / "cache"
    cold = scan_json(root, None)
    assert "shop/broken.py" in parses
    scan_json(root, cache)
    folder = Path(cache_mod.cache_folder(str(root), str(cache)))
    (folder / "report.json").unlink()
    (folder / "render-json.txt").unlink()
    parses.clear()
    assert scan_json(root, cache) == cold
    assert parses == []
    failed = [f for f in json.loads(cold)["files"] if f["status"] == "failed"]
    assert [f["path"] for f in failed] == ["shop/broken.py"]
    warnings = [d for d in json.loads(cold)["diagnostics"] if d["code"] == "DJA111"]
    assert [(d["file"], d["line"]) for d in warnings] == [("shop/recovered.py", 2)]


def test_undecodable_file_checks_are_cached(tmp_path: Path, hashed) -> None:
    root = write_tree(tmp_path / "proj", TREE)
    (root / "shop" / "latin.py").write_bytes(b"x = '\xe9'\n")
    age(root)
    cache = tmp_path / "cache"
    cold = scan_json(root, None)
    assert scan_json(root, cache) == cold
    folder = Path(cache_mod.cache_folder(str(root), str(cache)))
    (folder / "report.json").unlink()
    (folder / "render-json.txt").unlink()
    hashed.clear()
    assert scan_json(root, cache) == cold
    assert hashed == []
