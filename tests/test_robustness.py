"""Hostile and broken trees: djatlas survives, says what it could not read, and keeps the rest."""

from __future__ import annotations

import builtins
import json
import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from hostile_support import (
    check_accounting,
    check_markdown_tables,
    roundtrip_json,
    unaccounted,
)

from djatlas.cli import main
from djatlas.render import RenderOptions
from djatlas.render.jsonout import dumps
from djatlas.render.markdown import render as render_markdown
from djatlas.render.yamlout import render as render_yaml
from djatlas.scan import scan_path

HEAD = "from django.db import models\n\n\n"
MODEL = HEAD + "class {name}(models.Model):\n    x = models.IntegerField()\n"


def _write(root: Path, files: dict[str, str | bytes]) -> None:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


def _hostile(root: Path) -> None:
    """One tree holding every hostile case the issue lists (except permissions, see below)."""
    deep_parens = "x = " + "(" * 300 + "1" + ")" * 300 + "\n"
    deep_binop = "x = " + "+".join(["1"] * 30000) + "\n"
    _write(
        root,
        {
            "shop/__init__.py": "",
            # A models package: one good module, one with a syntax error in the middle, a cycle.
            "shop/models/__init__.py": "from .good import *\nfrom .broken import *\n"
            "from .cyc_a import *\n",
            "shop/models/good.py": MODEL.format(name="Good"),
            "shop/models/broken.py": MODEL.format(name="Broken") + "    y = models.IntegerField(\n"
            "def half_edited(:\n    pass\n",
            "shop/models/helpers.py": "def f(:\n",  # no model class, still inside models/: parsed
            "shop/models/cyc_a.py": "from django.db import models\nfrom .cyc_b import CycB\n\n\n"
            "class CycA(models.Model):\n"
            "    b = models.ForeignKey(CycB, on_delete=models.CASCADE)\n",
            "shop/models/cyc_b.py": "from django.db import models\nfrom . import cyc_a\n\n\n"
            "class CycB(models.Model):\n"
            "    a = models.ForeignKey('shop.CycA', on_delete=models.CASCADE, related_name='+')\n",
            # Python 2 models file.
            "legacy/__init__.py": "",
            "legacy/models.py": "from django.db import models\n\nclass Old(models.Model):\n"
            "    name = models.CharField(max_length=10)\n\n    def show(self):\n"
            "        print 'old %s' % self.name\n",
            # Encodings and whitespace.
            "enc/__init__.py": "",
            "enc/latin.py": b"# -*- coding: latin-1 -*-\nfrom django.db import models\n\n\n"
            b'class Latin(models.Model):\n    """Caf\xe9."""\n'
            b'    name = models.CharField(max_length=5, default="\xe9t\xe9")\n',
            "enc/gbk.py": "# -*- coding: gbk -*-\nfrom django.db import models\n\n\n"
            'class Gbk(models.Model):\n    """中文模型"""\n'
            '    name = models.CharField(max_length=5, verbose_name="名称")\n'.encode("gbk"),
            "enc/bom.py": b"\xef\xbb\xbf" + MODEL.format(name="Bom").encode(),
            "enc/crlf.py": MODEL.format(name="Crlf").replace("\n", "\r\n").encode(),
            "enc/tabs.py": MODEL.format(name="Tabs").replace("    ", "\t"),
            "enc/nul.py": b"x = 1\ny = 2\x00\n",
            "enc/undecodable.py": b"x = 1\ny = '\xff\xfe'\n",
            "enc/badcookie.py": b"# -*- coding: klingon -*-\nx = 1\n",
            # Nesting: one the parser refuses, one that exhausts the recursion limit.
            "deep/__init__.py": "",
            "deep/models.py": "from django.db import models\n\n\nclass Deep(models.Model):\n"
            "    x = models.JSONField(default=" + "[" * 150 + "]" * 150 + ")\n",
            "deep/parens.py": HEAD + "class P(models.Model):\n    " + deep_parens,
            "deep/binop.py": HEAD + "class B(models.Model):\n    " + deep_binop,
            # Classes inheriting from themselves through aliases.
            "alias/__init__.py": "",
            "alias/models.py": "from django.db import models\n\nX = Y\nY = X\n\n\n"
            "class Z(Z):\n    pass\n\n\n"
            "class P(Q):\n    pass\n\n\nQ = P\n\n\nclass Real(models.Model, Later):\n    pass\n\n\n"
            "Later = Real\n",
            # Names with spaces and non-ASCII characters.
            "naïve app/__init__.py": "",
            "naïve app/mödels ü.py": "from django.db import models\n\n\n"
            "class Ünïcode(models.Model):\n"
            "    café = models.IntegerField()\n",
        },
    )
    (root / "shop" / "loop").symlink_to("..", target_is_directory=True)
    (root / "shop" / "self.py").symlink_to("self.py")
    (root / "shop" / "dangling.py").symlink_to("nowhere.py")
    with open(root / "generated.py", "wb") as fh:  # 50 MB, sparse: never read
        fh.truncate(50 * 1024 * 1024)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    root = tmp_path_factory.mktemp("hostile")
    _hostile(root)
    return root, scan_path(str(root), timing=False)


def _files(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["path"]: f for f in doc["files"]}


def test_every_file_is_accounted_for(hostile: tuple[Path, dict[str, Any]]) -> None:
    root, doc = hostile
    assert unaccounted(str(root), doc) == []
    check_accounting(doc)


@pytest.mark.parametrize(
    ("path", "status", "reason", "line"),
    [
        ("shop/models/broken.py", "parsed", None, None),  # errors recovered: see below
        ("shop/models/helpers.py", "failed", "syntax error", 1),  # nothing usable left
        ("legacy/models.py", "parsed", None, None),
        ("enc/nul.py", "failed", "NUL bytes", 2),
        ("enc/undecodable.py", "failed", "undecodable bytes", 2),
        ("enc/badcookie.py", "failed", "coding", 1),
        ("deep/parens.py", "failed", "nested", None),
        ("deep/binop.py", "failed", "too deeply nested", None),
        ("shop/loop/", "skipped", "symlink loop", None),
        ("shop/self.py", "failed", "symlink loop", None),
        ("shop/dangling.py", "failed", "broken symlink", None),
        ("generated.py", "failed", "too large", None),
        ("enc/latin.py", "parsed", None, None),
        ("enc/gbk.py", "parsed", None, None),
        ("enc/bom.py", "parsed", None, None),
        ("enc/crlf.py", "parsed", None, None),
        ("enc/tabs.py", "parsed", None, None),
        ("alias/models.py", "parsed", None, None),
        ("naïve app/mödels ü.py", "parsed", None, None),
    ],
)
def test_file_status(
    hostile: tuple[Path, dict[str, Any]],
    path: str,
    status: str,
    reason: str | None,
    line: int | None,
) -> None:
    entry = _files(hostile[1])[path]
    assert entry["status"] == status, entry
    if reason:
        assert reason in entry["reason"], entry
    if line:
        assert entry["line"] == line, entry


def test_the_rest_of_the_scan_is_intact(hostile: tuple[Path, dict[str, Any]]) -> None:
    doc = hostile[1]
    names = {m["name"] for m in doc["models"]}
    assert {
        "Good",
        "CycA",
        "CycB",
        "Latin",
        "Gbk",
        "Bom",
        "Crlf",
        "Tabs",
        "Deep",
        "Real",
        "Ünïcode",
    } <= names
    assert {"Broken", "Old"} <= names  # a syntax error costs only its statement
    assert not names & {"P", "B", "Z"}
    by_name = {m["name"]: m for m in doc["models"]}
    assert by_name["Latin"]["docstring"] == "Café."
    assert by_name["Latin"]["fields"][1]["params"]["default"] == "été"
    assert by_name["Gbk"]["docstring"] == "中文模型"
    assert [f["name"] for f in by_name["Tabs"]["fields"]] == ["id", "x"]
    assert [f["name"] for f in by_name["Ünïcode"]["fields"]] == ["id", "café"]
    cyc = {f["name"]: f for f in by_name["CycA"]["fields"]}
    assert cyc["b"]["relation"]["target"] == "shop.CycB"


def test_recovered_syntax_errors_are_reported(hostile: tuple[Path, dict[str, Any]]) -> None:
    doc = hostile[1]
    found = {
        (d["file"], d["line"]): d["message"] for d in doc["diagnostics"] if d["code"] == "DJA111"
    }
    assert set(found) == {
        ("shop/models/broken.py", 6),  # `y = models.IntegerField(` never closed
        ("shop/models/broken.py", 7),  # `def half_edited(:`
        ("legacy/models.py", 7),
    }
    assert "unclosed bracket" in found[("shop/models/broken.py", 6)]
    assert "line 6 skipped" in found[("shop/models/broken.py", 6)]
    assert "lines 7-8 skipped" in found[("shop/models/broken.py", 7)]
    assert "looks like Python 2" in found[("legacy/models.py", 7)]
    assert "Python" not in found[("shop/models/broken.py", 6)]
    by_name = {m["name"]: m for m in doc["models"]}
    assert [f["name"] for f in by_name["Broken"]["fields"]] == ["id", "x"]
    assert [f["name"] for f in by_name["Old"]["fields"]] == ["id", "name"]


def test_failures_are_in_markdown_and_tables_hold(hostile: tuple[Path, dict[str, Any]]) -> None:
    doc = hostile[1]
    md = render_markdown(doc, RenderOptions())
    check_markdown_tables(md)
    for f in doc["files"]:
        if f["status"] in ("failed", "skipped"):
            assert f["path"] in md, f
    assert f"**Failed**: {doc['summary']['files_failed']}" in md


def test_outputs_parse(hostile: tuple[Path, dict[str, Any]]) -> None:
    doc = hostile[1]
    assert roundtrip_json(dumps(doc)) == json.loads(dumps(doc))
    assert yaml.safe_load(render_yaml(doc, RenderOptions()))["summary"] == doc["summary"]


def test_strict_exits_non_zero_on_failures(
    hostile: tuple[Path, dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    root = str(hostile[0])
    assert main(["scan", root, "--no-timing", "-f", "json"]) == 0
    out = capsys.readouterr()
    assert "could not be analysed" in out.err
    assert main(["scan", root, "--no-timing", "-f", "json", "--strict"]) == 1


def test_strict_passes_on_clean_tree(tmp_path: Path) -> None:
    _write(tmp_path, {"a/__init__.py": "", "a/models.py": MODEL.format(name="A")})
    assert main(["scan", str(tmp_path), "-q", "--strict", "-o", str(tmp_path / "o.md")]) == 0


def test_max_file_size_option(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "a/__init__.py": "",
            "a/models.py": MODEL.format(name="A"),
            "a/data.py": "ROWS = [\n" + "    (1, 'generated row'),\n" * 4000 + "]\n",
        },
    )
    small = scan_path(str(tmp_path), timing=False, max_file_size=10_000)
    assert _files(small)["a/data.py"]["status"] == "failed"
    assert "too large" in _files(small)["a/data.py"]["reason"]
    big = scan_path(str(tmp_path), timing=False, max_file_size=10_000_000)
    assert _files(big)["a/data.py"]["status"] == "not_needed"
    assert [m["name"] for m in small["models"]] == [m["name"] for m in big["models"]] == ["A"]


def test_unreadable_folder_simulated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write(
        tmp_path,
        {
            "a/__init__.py": "",
            "a/models.py": MODEL.format(name="A"),
            "secret/models.py": MODEL.format(name="S"),
        },
    )
    real = os.scandir
    blocked = str(tmp_path / "secret")

    def scandir(path: Any = ".") -> Any:
        if os.fspath(path) == blocked:
            raise PermissionError(13, "Permission denied", path)
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    doc = scan_path(str(tmp_path), timing=False)
    entry = _files(doc)["secret/"]
    assert entry["status"] == "failed" and "unreadable folder" in entry["reason"]
    assert [m["name"] for m in doc["models"]] == ["A"]
    check_accounting(doc)


def test_unreadable_file_simulated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write(
        tmp_path,
        {
            "a/__init__.py": "",
            "a/models.py": MODEL.format(name="A"),
            "b/__init__.py": "",
            "b/models.py": MODEL.format(name="B"),
        },
    )
    real = builtins.open
    blocked = str(tmp_path / "b" / "models.py")

    def fake_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        if os.fspath(file) == blocked:
            raise PermissionError(13, "Permission denied", file)
        return real(file, *args, **kwargs)

    real_os_open = os.open

    def fake_os_open(file: Any, *args: Any, **kwargs: Any) -> Any:  # the scan's reader
        if os.fspath(file) == blocked:
            raise PermissionError(13, "Permission denied", file)
        return real_os_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", fake_open)
    monkeypatch.setattr(os, "open", fake_os_open)
    doc = scan_path(str(tmp_path), timing=False)
    entry = _files(doc)["b/models.py"]
    assert entry["status"] == "failed" and "unreadable" in entry["reason"]
    assert [m["name"] for m in doc["models"]] == ["A"]


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0,
    reason="running as root: chmod 000 does not block reads (simulated above)",
)
def test_unreadable_folder_real(tmp_path: Path) -> None:  # pragma: no cover - non-root only
    _write(
        tmp_path,
        {
            "a/__init__.py": "",
            "a/models.py": MODEL.format(name="A"),
            "secret/models.py": MODEL.format(name="S"),
        },
    )
    os.chmod(tmp_path / "secret", 0)
    try:
        doc = scan_path(str(tmp_path), timing=False)
    finally:
        os.chmod(tmp_path / "secret", 0o755)
    assert _files(doc)["secret/"]["status"] == "failed"
    assert [m["name"] for m in doc["models"]] == ["A"]


def test_empty_tree(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", str(tmp_path), "--no-timing", "-f", "json"]) == 0
    out = capsys.readouterr()
    doc = json.loads(out.out)
    assert doc["models"] == [] and doc["files"] == []
    assert doc["summary"]["files_discovered"] == 0
    assert "no Django models found" in out.err
    assert main(["scan", str(tmp_path), "--no-timing", "--strict"]) == 0
    assert "No models found." in capsys.readouterr().out


def test_tree_without_models(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _write(
        tmp_path,
        {
            "tool/__init__.py": "",
            "tool/cli.py": "def main():\n    return 0\n",
            "README.txt": "not python",
        },
    )
    assert main(["scan", str(tmp_path), "--no-timing", "-f", "json"]) == 0
    out = capsys.readouterr()
    doc = json.loads(out.out)
    assert doc["models"] == []
    assert {f["path"]: f["status"] for f in doc["files"]} == {
        "tool/__init__.py": "not_needed",
        "tool/cli.py": "not_needed",
    }
    assert "no Django models found" in out.err
    assert any(d["code"] == "DJA130" for d in doc["diagnostics"])


def test_single_broken_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "models.py"
    path.write_bytes(b"class A(:\n")
    assert main(["scan", str(path), "--no-timing", "-f", "json", "--strict"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["files"][0]["status"] == "failed"


NASTY = r'''from django.db import models


class Nasty(models.Model):
    """Lone \ud800 surrogate | pipe `tick` ``double`` <img src=x onerror=alert(1)>
    second line\\| escaped-looking pipe \u2028 separator."""

    name = models.CharField(
        max_length=5,
        help_text="a|b`c\nd\\|e\r\n<script>alert(2)</script> \udfff",
        verbose_name="``",
        choices=[("x|y", "`"), ("\\", "\n")],
        default="\ud800",
    )

    class Meta:
        verbose_name = "pipe | and `tick` \ud83d"
        ordering = ["na|me", "`x`"]
'''


@pytest.fixture(scope="module")
def nasty(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    root = tmp_path_factory.mktemp("nasty")
    _write(root, {"app/__init__.py": "", "app/models.py": NASTY})
    return root, scan_path(str(root), timing=False)


def test_lone_surrogates_survive_json_yaml(nasty: tuple[Path, dict[str, Any]]) -> None:
    doc = nasty[1]
    model = doc["models"][0]
    assert "\ud800" in model["docstring"]
    back = roundtrip_json(dumps(doc))
    assert back["models"][0]["docstring"] == model["docstring"]
    field = back["models"][0]["fields"][1]
    assert field["params"]["default"] == "\ud800"
    assert field["params"]["help_text"].endswith("\udfff")
    loaded = yaml.safe_load(render_yaml(doc, RenderOptions()))
    assert loaded["models"][0]["meta"]["verbose_name"] == "pipe | and `tick` \ud83d"
    assert loaded["models"][0]["docstring"] == model["docstring"]


def test_markdown_cells_escape_pipes_backticks_newlines(nasty: tuple[Path, dict[str, Any]]) -> None:
    md = render_markdown(nasty[1], RenderOptions())
    check_markdown_tables(md)
    assert "<script>" not in md and "<img" not in md
    description = next(line for line in md.split("\n") if line.startswith("**Description**"))
    assert "`" not in description and "|" not in description


@pytest.mark.parametrize(
    "fmt", ["markdown", "json", "yaml", "mermaid", "dot", "plantuml", "dbml", "html"]
)
def test_every_text_format_writes_surrogates(
    nasty: tuple[Path, dict[str, Any]], fmt: str, tmp_path: Path
) -> None:
    out = tmp_path / f"out.{fmt}"
    assert main(["scan", str(nasty[0]), "-q", "--no-timing", "-f", fmt, "-o", str(out)]) == 0
    text = out.read_bytes().decode("utf-8")  # valid UTF-8
    if fmt == "html":
        assert "<script>alert(2)" not in text and "<img src=x" not in text


def _tamper(cache_dir: Path, name: str, change: Any) -> None:
    for path in cache_dir.glob(f"*/{name}"):
        doc = json.loads(path.read_text())
        change(doc)
        path.write_text(json.dumps(doc))


def _old_tree(root: Path) -> None:
    _write(
        root, {"a/__init__.py": "", "a/models.py": MODEL.format(name="A"), "a/util.py": "X = 1\n"}
    )
    for path in root.rglob("*.py"):
        os.utime(path, (1_000_000_000, 1_000_000_000))  # old enough for the report cache


def test_tampered_file_cache_is_harmless(tmp_path: Path) -> None:
    root, cache_dir = tmp_path / "tree", tmp_path / "cache"
    _old_tree(root)
    expected = scan_path(str(root), timing=False, use_cache=False)
    scan_path(str(root), timing=False, cache_dir=str(cache_dir))

    def garbage(doc: dict[str, Any]) -> None:
        for row in doc["files"].values():
            row[3] = [["x", 1]]
            if row[6]:
                row[6]["summary"] = {"classes": [1, 2], "imports": "not a dict"}
        doc.pop("report", None)

    _tamper(cache_dir, "files.json", garbage)
    for path in cache_dir.glob("*/report.json"):
        path.unlink()
    assert scan_path(str(root), timing=False, cache_dir=str(cache_dir)) == expected


def _reframe(cache_dir: Path, name: str, change: Any) -> int:
    """Edit the body of a framed cache file and re-seal it (length and digest made valid)."""
    from hashlib import blake2b

    count = 0
    for path in cache_dir.glob(f"*/{name}"):
        head_line, _, body = path.read_bytes().partition(b"\n")
        head = json.loads(head_line)
        doc = json.loads(body)
        change(doc)
        new = json.dumps(doc).encode()
        head.update(length=len(new), digest=blake2b(new, digest_size=16).hexdigest())
        path.write_bytes(json.dumps(head).encode() + b"\n" + new)
        count += 1
    return count


def test_tampered_report_cache_is_ignored(tmp_path: Path) -> None:
    root, cache_dir = tmp_path / "tree", tmp_path / "cache"
    _old_tree(root)
    expected = scan_path(str(root), timing=False, use_cache=False)
    scan_path(str(root), timing=False, cache_dir=str(cache_dir))
    # A well-sealed but malformed report: rejected by the shape check, never crashes.
    assert _reframe(cache_dir, "report.json", lambda doc: doc.update(models="garbage")) == 1
    assert scan_path(str(root), timing=False, cache_dir=str(cache_dir)) == expected
    assert _reframe(cache_dir, "report.json", lambda doc: doc.pop("metadata")) == 1
    assert scan_path(str(root), timing=False, cache_dir=str(cache_dir)) == expected
