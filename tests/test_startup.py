"""Start-up: what a cold scan imports only for itself stays out (measured in
benchmarks/stages.py; here only which modules load, never how long)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from djatlas import __version__, cli


def test_parsing_loads_the_grammar_without_its_package_init() -> None:
    probe = (
        "import sys\n"
        "from djatlas.parse.reader import parse\n"
        "tree = parse(b'class A(B):\\n    x = 1\\n', 'a.py').tree\n"
        "assert tree.root_node.children[0].type == 'class_definition'\n"
        "print(sorted(m for m in ('importlib.resources', 'pathlib', 'tempfile',"
        " 'tree_sitter_python') if m in sys.modules))\n"
    )
    p = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert p.stdout.strip() == "[]"


@pytest.mark.parametrize("columns", ["77", "0", "x", None])
def test_help_width_is_shutils(monkeypatch: pytest.MonkeyPatch, columns: str | None) -> None:
    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", columns)
    monkeypatch.delenv("LINES", raising=False)
    assert cli._terminal_columns() == shutil.get_terminal_size().columns
    assert os.environ.get("COLUMNS") == columns
    parser = cli.build_parser("scan")
    assert parser.formatter_class.__name__ == "_Formatter"
    assert parser._get_formatter()._width == shutil.get_terminal_size().columns - 2


def test_version_answers_without_importing_the_commands() -> None:
    probe = (
        "import sys\n"
        "from djatlas.cli import main\n"
        "code = main(['--version'])\n"
        "print(code, sorted(m for m in sys.modules if m.startswith('djatlas.commands')))\n"
    )
    p = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert p.stdout.splitlines() == [f"djatlas {__version__}", "0 []"]


def test_an_unfiltered_scan_loads_neither_the_filters_nor_typing(tmp_path) -> None:
    (tmp_path / "models.py").write_text(
        "from django.db import models\n\nclass A(models.Model):\n    x = models.IntegerField()\n"
    )
    probe = (
        "import sys\n"
        "from djatlas.cli import main\n"
        f"main(['scan', {str(tmp_path)!r}, '--format', 'json', '--no-cache', '-q', '-o',"
        f" {str(tmp_path / 'out.json')!r}])\n"
        "print('djatlas.render.filters' in sys.modules, 'typing' in sys.modules)\n"
        "print(sorted(m for m in ('json', 'importlib', 'warnings') if m in sys.modules))\n"
        "import tree_sitter\n"
        "from djatlas.parse.reader import _parser\n"
        "print(type(_parser()) is tree_sitter.Parser)\n"
    )
    p = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    # typing: every module a scan loads imports its names under TYPE_CHECKING only; a later
    # ``import tree_sitter`` reuses the extension module the parser was made from
    # json, importlib: the C scanner and encoder (``keys.loads_text``, ``_json``), the
    # interpreter's own import machinery
    assert p.stdout.split() == ["False", "False", "[]", "True"]


@pytest.mark.parametrize(
    "doc",
    [
        "",
        "\n",
        "  one",
        " a\n   b\n  c\n",
        "\tx\n\t\ty\n\n",
        "\n\n  a\n\n  b\n \n",
        "a\n\x0c b\n\u3000c",
    ],
)
def test_docstrings_are_cleaned_as_inspect_cleandoc(doc: str) -> None:
    import inspect

    from djatlas.parse.visitor import cleandoc

    assert cleandoc(doc) == inspect.cleandoc(doc)
