"""The warm fast path of ``djatlas scan`` (djatlas.fastpath): the same bytes as the normal path,
and a fall-back to it on any change or any option it does not handle."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from treeutil import write_tree

from djatlas import fastpath, keys
from djatlas.cli import main

TREE = {
    "shop/__init__.py": "",
    "shop/base.py": """
        from django.db import models

        class Stamped(models.Model):
            created = models.DateTimeField(auto_now_add=True)

            class Meta:
                abstract = True
    """,
    "shop/models.py": """
        from django.db import models

        from shop.base import Stamped

        class Product(Stamped):
            '''Ein Produkt — « quoted » \u00e9'''
            name = models.CharField(max_length=100, verbose_name="名称")

        class Order(models.Model):
            product = models.ForeignKey(Product, on_delete=models.CASCADE)
    """,
    "shop/broken.py": "X = 1\x00\n",  # NUL byte: reported as failed
    "shop/views.py": "def index(request):\n    return None\n",
    "settings.py": "INSTALLED_APPS = ['shop']\n",
}


def age(root: Path, seconds: int = 60) -> None:
    """Move every mtime into the past: the cache keeps only trees older than ~2 s."""
    t = time.time_ns() - seconds * 1_000_000_000
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            os.utime(os.path.join(dirpath, name), ns=(t, t))
        os.utime(dirpath, ns=(t, t))


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = write_tree(tmp_path / "proj", TREE)
    age(root)
    return root


def run(capsysbinary, argv: list[str]) -> tuple[int, bytes, bytes]:
    code = main(argv)
    out, err = capsysbinary.readouterr()
    return code, out, err


def fast(capsysbinary, argv: list[str]) -> tuple[int | None, bytes, bytes]:
    code = fastpath.scan_from_cache(argv)
    out, err = capsysbinary.readouterr()
    return code, out, err


def warm_up(tree: Path, cache: Path, capsysbinary, *extra: str) -> None:
    assert main(["scan", str(tree), "-f", "json", "-q", "--cache-dir", str(cache), *extra]) == 0
    capsysbinary.readouterr()


@pytest.mark.parametrize(
    "extra",
    [
        [],
        ["-q"],
        ["--strict"],
        ["--title", 'A "title" \\ é \ud800'],
        ["--title=T", "--quiet"],
        ["--format=json", "--no-timing"],
    ],
)
def test_same_bytes_as_the_normal_path(
    tree: Path, tmp_path: Path, capsysbinary, extra: list[str]
) -> None:
    cache = tmp_path / "cache"
    warm_up(tree, cache, capsysbinary)
    args = ["scan", str(tree), "--no-timing", *extra]
    if "--format=json" not in extra:
        args += ["--format", "json"]
    args = list(dict.fromkeys(args))  # --no-timing once
    code, out, err = fast(capsysbinary, [*args[1:], "--cache-dir", str(cache)])
    assert code is not None, "not answered from the cache"
    ref = run(capsysbinary, [*args, "--no-cache"])
    assert (code, out, err) == ref
    assert b"@@djatlas" not in out


def test_output_file_and_notes(tree: Path, tmp_path: Path, capsysbinary) -> None:
    cache = tmp_path / "cache"
    warm_up(tree, cache, capsysbinary)
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    code, out, err = fast(
        capsysbinary,
        [
            str(tree),
            "-f",
            "json",
            "--no-timing",
            "-o",
            str(a),
            "--cache-dir",
            str(cache),
            "--strict",
        ],
    )
    assert code == 1 and out == b""  # --strict and a file that failed
    ref = run(
        capsysbinary,
        ["scan", str(tree), "-f", "json", "--no-timing", "-o", str(b), "--no-cache", "--strict"],
    )
    assert ref[0] == 1 and ref[1] == b""
    assert err.replace(str(a).encode(), b"OUT") == ref[2].replace(str(b).encode(), b"OUT")
    assert b"models" in err and b"could not be analysed" in err
    assert a.read_bytes() == b.read_bytes()


def test_timing_metadata_is_fresh(tree: Path, tmp_path: Path, capsysbinary) -> None:
    cache = tmp_path / "cache"
    warm_up(tree, cache, capsysbinary)
    code, out, _err = fast(capsysbinary, [str(tree), "-f", "json", "--cache-dir", str(cache)])
    assert code == 0
    doc = json.loads(out)
    meta = doc["metadata"]
    assert meta["scanned_at"].endswith("Z") and isinstance(meta["duration_ms"], float)
    assert meta["path"] == str(tree) and meta["title"] == "Django Models Analysis"
    _c, ref, _e = run(capsysbinary, ["scan", str(tree), "-f", "json", "--no-cache"])
    ref_doc = json.loads(ref)
    for d in (doc, ref_doc):
        d["metadata"].pop("scanned_at")
        d["metadata"].pop("duration_ms")
    assert doc == ref_doc


def test_main_uses_it_and_imports_little(tree: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cmd = ["scan", str(tree), "-f", "json", "--no-timing", "--cache-dir", str(cache)]
    probe = (
        "import sys\n"
        "before = set(sys.modules)\n"
        "from djatlas.cli import main\n"
        "code = main(sys.argv[1:])\n"
        "print(sorted(set(sys.modules) - before), file=sys.stderr)\n"
        "sys.exit(code)\n"
    )
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}

    def go() -> tuple[bytes, list[str]]:
        p = subprocess.run(
            [sys.executable, "-c", probe, *cmd], capture_output=True, check=True, env=env
        )
        return p.stdout, ast.literal_eval(p.stderr.decode().strip().splitlines()[-1])

    first, mods = go()
    assert "djatlas.scan" in mods
    second, mods = go()
    assert second == first
    assert "djatlas.scan" not in mods and "argparse" not in mods, mods
    assert not [m for m in mods if m.split(".")[0] in ("re", "typing", "dataclasses", "datetime")]


def test_falls_back_on_an_edit_a_new_and_a_removed_file(
    tree: Path, tmp_path: Path, capsysbinary
) -> None:
    cache = tmp_path / "cache"
    argv = [str(tree), "-f", "json", "--no-timing", "--cache-dir", str(cache)]

    def check_fresh(changed: bool) -> None:
        code, out, _err = fast(capsysbinary, argv)
        if changed:
            assert code is None and out == b""
        ref = run(capsysbinary, ["scan", *argv[:-2], "--no-cache"])[1]
        assert run(capsysbinary, ["scan", *argv])[1] == ref  # normal path, refills the cache
        age(tree, 50)
        warm_up(tree, cache, capsysbinary, "--no-timing")
        code, out, _err = fast(capsysbinary, argv)
        assert code == 0 and out == ref

    warm_up(tree, cache, capsysbinary)
    check_fresh(False)
    # an edit that keeps the size (only the mtime tells)
    models = tree / "shop" / "models.py"
    models.write_text(
        models.read_text(encoding="utf-8").replace("max_length=100", "max_length=200"),
        encoding="utf-8",
    )
    t = time.time_ns() - 30 * 1_000_000_000
    os.utime(models, ns=(t, t))
    check_fresh(True)
    # a new file
    write_tree(
        tree,
        {"shop/extra.py": "from django.db import models\n\nclass Extra(models.Model):\n    pass\n"},
    )
    os.utime(tree / "shop" / "extra.py", ns=(t, t))
    check_fresh(True)
    # a removed file
    (tree / "shop" / "extra.py").unlink()
    check_fresh(True)
    # a new folder with a models module
    write_tree(
        tree,
        {
            "blog/__init__.py": "",
            "blog/models.py": "from django.db import models"
            "\n\nclass Post(models.Model):\n    title = models.TextField()\n",
        },
    )
    check_fresh(True)
    # a .gitignore that hides it
    (tree / ".gitignore").write_text("blog/\n", encoding="utf-8")
    check_fresh(True)


@pytest.mark.parametrize(
    "extra",
    [
        ["--format", "markdown"],
        ["--format", "yaml"],
        ["--no-cache"],
        ["--include", "shop/*"],
        ["--exclude", "x"],
        ["--settings", "settings"],
        ["--max-file-size", "1M"],
        ["--language", "zh"],
        ["-j", "2"],
        ["--form", "json"],  # an abbreviation argparse would accept
        ["-fjson"],
        ["-f", "json", "-f", "json"],
        ["-q", "-q"],
        ["--"],
        ["-o"],
        ["-o", ""],
        ["-o", "-x"],
        ["--title", "-x"],
        ["--unknown"],
        ["extra-positional"],
        ["--help"],
    ],
)
def test_falls_back_on_options_it_does_not_handle(
    tree: Path, tmp_path: Path, capsysbinary, extra: list[str]
) -> None:
    cache = tmp_path / "cache"
    warm_up(tree, cache, capsysbinary)
    base = [str(tree), "--cache-dir", str(cache)]
    assert fast(capsysbinary, [*base, "-f", "json"])[0] == 0  # served without the extra option
    if not any(e.startswith(("-f", "--form")) for e in extra):
        base += ["-f", "json"]
    code, out, err = fast(capsysbinary, [*base, *extra])
    assert (code, out, err) == (None, b"", b"")


def test_falls_back_without_a_path_or_on_a_file(tree: Path, tmp_path: Path, capsysbinary) -> None:
    cache = tmp_path / "cache"
    warm_up(tree, cache, capsysbinary)
    for argv in (
        [],
        ["-f", "json"],
        [str(tree / "shop" / "models.py"), "-f", "json"],
        [str(tmp_path / "missing"), "-f", "json"],
    ):
        assert fast(capsysbinary, [*argv, "--cache-dir", str(cache)])[0] is None


def test_unusable_cache_files_fall_back(tree: Path, tmp_path: Path, capsysbinary) -> None:
    cache = tmp_path / "cache"
    argv = [str(tree), "-f", "json", "--no-timing", "--cache-dir", str(cache)]
    warm_up(tree, cache, capsysbinary)
    folder = Path(keys.cache_folder(str(tree), str(cache)))
    render = folder / "render-json.txt"
    good = render.read_bytes()
    head, _, body = good.partition(b"\n")
    bad_bodies = [
        head + b"\n" + body.replace(b"Product", b"Produkt"),  # digest mismatch
        head + b"\n" + body[:-10],  # torn
        b"not json\n" + body,
        head.replace(b'"stamp": "', b'"stamp": "x') + b"\n" + body,  # another djatlas
    ]
    for bad in bad_bodies:
        render.write_bytes(bad)
        assert fast(capsysbinary, argv)[0] is None
    render.write_bytes(good)
    assert fast(capsysbinary, argv)[0] == 0
    snapshot = folder / "tree.json"
    good_tree = snapshot.read_bytes()
    doc = json.loads(good_tree)
    for change in (
        {"options": "x"},
        {"key": ""},
        {"stats": 3},
        {"stats": {"": [1, 2]}},
        {"files": [["shop/models.py", 1, 2]]},
    ):
        snapshot.write_text(json.dumps({**doc, **change}))
        assert fast(capsysbinary, argv)[0] is None
    snapshot.write_bytes(good_tree + b"x")
    assert fast(capsysbinary, argv)[0] is None
    snapshot.write_bytes(good_tree)
    assert fast(capsysbinary, argv)[0] == 0


def test_code_and_environment_changes_fall_back(
    tree: Path, tmp_path: Path, capsysbinary, monkeypatch
) -> None:
    cache = tmp_path / "cache"
    argv = [str(tree), "-f", "json", "--no-timing", "--cache-dir", str(cache)]
    warm_up(tree, cache, capsysbinary)
    assert fast(capsysbinary, argv)[0] == 0
    monkeypatch.setattr(keys, "_stamp_memo", ["0.0.1/0/other-djatlas"])
    assert fast(capsysbinary, argv)[0] is None
    monkeypatch.undo()
    folder = Path(keys.cache_folder(str(tree), str(cache)))
    render = folder / "render-json.txt"
    head, _, body = render.read_bytes().partition(b"\n")
    meta = json.loads(head)
    probe = tree / "shop" / "views.py"  # stands for an environment file the report read
    st = probe.stat()
    meta["env"] = [[str(probe), st.st_size, st.st_mtime_ns]]
    render.write_bytes(json.dumps(meta).encode() + b"\n" + body)
    assert fast(capsysbinary, argv)[0] == 0
    meta["env"] = [[str(probe), st.st_size + 1, st.st_mtime_ns]]  # it changed
    render.write_bytes(json.dumps(meta).encode() + b"\n" + body)
    assert fast(capsysbinary, argv)[0] is None
    extra = tmp_path / "site"
    extra.mkdir()
    monkeypatch.setattr(sys, "path", [*sys.path, str(extra)])
    warm_up(tree, cache, capsysbinary)
    assert fast(capsysbinary, argv)[0] == 0
    os.utime(extra, ns=(1, 1))  # a folder of sys.path changed
    assert fast(capsysbinary, argv)[0] is None


def test_shared_helpers_match_the_stdlib() -> None:
    from djatlas.discover import ahead
    from djatlas.discover.finder import DEFAULT_MAX_FILE_SIZE

    assert keys.DEFAULT_MAX_FILE_SIZE == DEFAULT_MAX_FILE_SIZE == ahead._MAX_FILE_SIZE
    assert ahead._SCAN_FLAGS == keys.SCAN_FLAGS
    samples = [
        "",
        'a"b\\c\n\t\x00\x1f é 名 \ud800',
        0,
        -3,
        2**70,
        True,
        False,
        None,
        [],
        [["x", 1], [True, None, []]],
    ]
    for o in samples:
        assert keys.compact_json(o) == json.dumps(o, ensure_ascii=True, separators=(",", ":"))
    for o in ["", 'q"\\ é 名 \x01', "\ud800x", None, True, 3, 12.5, 0.1, 1e-7, 123456.7]:
        ref = json.dumps(o, ensure_ascii=False).encode("utf-8", "backslashreplace").decode()
        assert keys.value_json(o) == ref
    with pytest.raises(TypeError):
        keys.compact_json({"a": 1})
    for text in ['{"a": [1, -2, 3.5, "x\\u00e9", null, true, false, {}]}', "[]  \n", '"s"']:
        assert keys.loads(text.encode()) == json.loads(text)
    for text in ["", " {}", "{} x", "{", "NaN", "[Infinity]", '{"a": 1,}']:
        with pytest.raises(Exception):  # noqa: B017
            keys.loads(text.encode())
    texts = ['{"a": [1, -2, 3.5, "x\\u00e9", null, true, false, {}]}', "[]  \n", '"s"']
    texts += [' \n\t{"k": "名 é"}\r\n', "[NaN, Infinity, -Infinity, 1e400]", "0", " -0.0 "]
    for text in texts:  # what json.loads reads, loads_text reads the same
        assert repr(keys.loads_text(text)) == repr(json.loads(text))
    for text in ["", " ", "\ufeff{}", "{} x", "{", "[1,]", "[nan]", '"a\x01"', " [1] ]"]:
        with pytest.raises(ValueError):  # as json.loads's JSONDecodeError is one
            json.loads(text)
        with pytest.raises(ValueError):
            keys.loads_text(text)
    import datetime as dt

    meta = keys.metadata(None, "p", None, time.perf_counter(), True)
    now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert (
        abs(
            dt.datetime.fromisoformat(meta["scanned_at"][:-1])  # type: ignore[index]
            - dt.datetime.fromisoformat(now[:-1])
        )
        <= dt.timedelta(seconds=1)
    )
