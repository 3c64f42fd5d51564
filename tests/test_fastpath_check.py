"""The warm fast path of ``djatlas check`` (``fastpath.check_from_cache``): an unchanged tree's
cached findings, found from the command line alone, byte-identical to the normal path; a
fall-back on any change of the tree, the config or the options."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_fastpath import TREE, age
from treeutil import write_tree

from djatlas import fastpath, keys
from djatlas.cli import main

NOTE = """
    from django.db import models

    class Note(models.Model):
        text = models.CharField(max_length=10, null=True)
        tags = models.JSONField(default=[])
"""


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = write_tree(tmp_path / "proj", {**TREE, "shop/note.py": NOTE})
    (root / ".git").mkdir()  # the config search stops here; SARIF paths are relative to it
    age(root)
    return root


def run(capsysbinary, argv: list[str]) -> tuple[int, bytes, bytes]:
    code = main(argv)
    out, err = capsysbinary.readouterr()
    return code, out, err


def fast(capsysbinary, argv: list[str]) -> tuple[int | None, bytes, bytes]:
    code = fastpath.check_from_cache(argv)
    out, err = capsysbinary.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    "extra",
    [
        [],
        ["--format", "json"],
        ["--format=sarif", "-q"],
        ["--format", "github"],
        ["--select", "DJ001,DJ003,DJ004", "--ignore", "DJ003"],
        ["--extend-select=DJ010", "--exit-zero"],
        ["--ignore", "DJ001", "--ignore", "DJ003"],
    ],
)
def test_same_bytes_as_the_normal_path(
    tree: Path, tmp_path: Path, capsysbinary, extra: list[str]
) -> None:
    argv = [str(tree), *extra, "--cache-dir", str(tmp_path / "cache")]
    assert fast(capsysbinary, argv)[0] is None  # nothing cached yet
    first = run(capsysbinary, ["check", *argv])
    answered = fast(capsysbinary, argv)
    assert answered[0] is not None, "not answered from the cache"
    assert answered == first == run(capsysbinary, ["check", *argv[:-2], "--no-cache"])


def test_output_file_and_summary_line(tree: Path, tmp_path: Path, capsysbinary) -> None:
    cache = ["--cache-dir", str(tmp_path / "cache")]
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    argv = [str(tree), "--format", "json", *cache]
    run(capsysbinary, ["check", *argv])
    code, out, err = fast(capsysbinary, [*argv, "-o", str(a)])
    ref = run(capsysbinary, ["check", str(tree), "--format", "json", "-o", str(b), "--no-cache"])
    assert (code, out, err) == ref and code == 1 and b"finding" in err
    assert a.read_bytes() == b.read_bytes()
    assert fast(capsysbinary, [*argv, "-o", str(tmp_path)])[0] is None  # a folder: normal path


def test_another_command_line_for_the_same_view_is_remembered(
    tree: Path, tmp_path: Path, capsysbinary
) -> None:
    cache = ["--cache-dir", str(tmp_path / "cache")]
    first = run(capsysbinary, ["check", str(tree), *cache])
    other = [str(tree), "--extend-select", "DJ001", *cache]  # on by default: the same rules
    assert run(capsysbinary, ["check", *other]) == first
    assert fast(capsysbinary, other) == first
    assert fast(capsysbinary, [str(tree), *cache]) is not None


def test_not_with_the_rule_that_reads_the_migrations(
    tree: Path, tmp_path: Path, capsysbinary
) -> None:
    argv = [str(tree), "--extend-select", "DJ027", "--cache-dir", str(tmp_path / "cache")]
    first = run(capsysbinary, ["check", *argv])
    assert fast(capsysbinary, argv)[0] is None
    assert run(capsysbinary, ["check", *argv]) == first


def test_config_edits_fall_back(tree: Path, tmp_path: Path, capsysbinary) -> None:
    argv = [str(tree), "--cache-dir", str(tmp_path / "cache")]
    run(capsysbinary, ["check", *argv])
    assert fast(capsysbinary, argv)[0] is not None
    config = tree / "pyproject.toml"
    config.write_text('[tool.djatlas]\nignore = ["DJ003"]\n')  # a nearer config appears
    age(tree)  # the cache trusts no folder changed in the last seconds
    assert fast(capsysbinary, argv)[0] is None
    ref = run(capsysbinary, ["check", *argv])
    assert fast(capsysbinary, argv) == ref
    config.write_text('[tool.djatlas]\nignore = ["DJ001"]\n')  # its content changes
    assert fast(capsysbinary, argv)[0] is None
    ref = run(capsysbinary, ["check", *argv])
    assert fast(capsysbinary, argv) == ref
    explicit = tmp_path / "other.toml"
    explicit.write_text("[tool.djatlas]\n")
    assert fast(capsysbinary, [*argv, "--config", str(explicit)])[0] is None
    ref = run(capsysbinary, ["check", *argv, "--config", str(explicit)])
    assert fast(capsysbinary, [*argv, "--config", str(explicit)]) == ref
    explicit.unlink()
    assert fast(capsysbinary, [*argv, "--config", str(explicit)])[0] is None


def test_tree_edits_and_other_options_fall_back(tree: Path, tmp_path: Path, capsysbinary) -> None:
    argv = [str(tree), "--cache-dir", str(tmp_path / "cache")]
    run(capsysbinary, ["check", *argv])
    for extra in (
        ["--list-rules"],
        ["--explain", "DJ001"],
        ["--no-cache"],
        ["--all-files"],
        ["--form", "json"],
        ["--format", "xml"],
        ["--select"],
        ["second-path"],
    ):
        assert fast(capsysbinary, [*argv, *extra]) == (None, b"", b"")
    note = tree / "shop" / "note.py"
    note.write_text(note.read_text().replace("null=True)", "null=True)  # djatlas: ignore"))
    age(tree, 30)
    assert fast(capsysbinary, argv)[0] is None
    assert fast(capsysbinary, [str(tree / "shop" / "note.py"), *argv[1:]])[0] is None


def test_main_uses_it_and_imports_little(tree: Path, tmp_path: Path) -> None:
    cmd = ["check", str(tree), "--format", "json", "--cache-dir", str(tmp_path / "cache")]
    probe = (
        "import sys\n"
        "before = set(sys.modules)\n"
        "from djatlas.cli import main\n"
        "code = main(sys.argv[1:])\n"
        "print(sorted(set(sys.modules) - before), file=sys.stderr)\n"
        "sys.exit(code)\n"
    )

    def go() -> tuple[bytes, list[str]]:
        p = subprocess.run([sys.executable, "-c", probe, *cmd], capture_output=True, env=os.environ)
        assert p.returncode == 1, p.stderr
        return p.stdout, ast.literal_eval(p.stderr.decode().strip().splitlines()[-1])

    first, mods = go()
    assert "djatlas.checks" in mods
    second, mods = go()
    assert second == first
    assert not [m for m in mods if m.split(".")[0] in ("argparse", "re", "typing", "tomllib")]
    assert not [m for m in mods if m.startswith(("djatlas.checks", "djatlas.scan"))], mods


def test_shared_helpers_match_the_check_command(tmp_path: Path) -> None:
    from djatlas.checks.output import FORMATS

    assert keys.CHECK_FORMATS == FORMATS
    top = tmp_path / "repo"
    (top / ".git").mkdir(parents=True)
    (top / "a" / "b").mkdir(parents=True)
    assert keys.git_prefix(str(top)) == ""
    assert keys.git_prefix(str(top / "a" / "b")) == "a/b/"
    assert keys.nearest_pyproject(str(top / "a" / "b")) is None
    (top / "a" / "pyproject.toml").write_text("")
    assert keys.nearest_pyproject(str(top / "a" / "b")) == str(top / "a" / "pyproject.toml")
