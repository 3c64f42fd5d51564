"""djatlas never runs scanned code: every command, on a tree that leaves traces when executed."""

from __future__ import annotations

import os
import re
import select
import shutil
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

#: Module-level code that, if ever run, writes a marker named NAME and connects to the test's port.
TRAP = """\
import os as _os, socket as _socket
open(_os.path.join({markers!r}, {name!r}), "w").close()
try:
    _socket.create_connection(("127.0.0.1", {port}), timeout=1).close()
except OSError:
    pass
"""


def _trap(markers: Path, port: int, name: str) -> str:
    return TRAP.format(markers=str(markers), name=name, port=port)


def _tree(root: Path, markers: Path, port: int) -> None:
    def call(name: str) -> str:
        # An expression that leaves the marker when evaluated.
        return f"open({str(markers / name)!r}, 'w')"

    files = {
        "manage.py": _trap(markers, port, "manage"),
        "setup.py": _trap(markers, port, "setup"),
        "conftest.py": _trap(markers, port, "conftest"),
        "sitecustomize.py": _trap(markers, port, "sitecustomize"),
        "usercustomize.py": _trap(markers, port, "usercustomize"),
        # Modules that would shadow what djatlas imports, were the tree on sys.path.
        "json.py": _trap(markers, port, "shadow_json"),
        "re.py": _trap(markers, port, "shadow_re"),
        "djatlas/__init__.py": _trap(markers, port, "shadow_djatlas"),
        "proj/__init__.py": _trap(markers, port, "proj_init"),
        "proj/settings.py": _trap(markers, port, "settings")
        + "INSTALLED_APPS = ['shop.apps.ShopConfig', "
        + call("installed_apps")
        + "]\n"
        + "AUTH_USER_MODEL = 'shop.Customer'\n",
        "shop/__init__.py": _trap(markers, port, "shop_init"),
        "shop/apps.py": _trap(markers, port, "apps")
        + "from django.apps import AppConfig\n\n\nclass ShopConfig(AppConfig):\n"
        "    name = 'shop'\n    label = " + call("app_label") + " and 'shop'\n\n"
        "    def ready(self):\n        " + call("ready") + "\n",
        "shop/models/__init__.py": _trap(markers, port, "models_init") + "from .core import *\n",
        "shop/models/core.py": _trap(markers, port, "models") + "from django.db import models\n\n\n"
        "def evil_default():\n    " + call("callable_default") + "\n\n\n"
        "class Meta(type):\n    def __new__(mcs, *a):\n        "
        + call("metaclass")
        + "\n        return super().__new__(mcs, *a)\n\n\n"
        "class Customer(models.Model):\n"
        "    " + call("class_body") + "\n"
        "    name = models.CharField(max_length=10, default=" + call("field_default") + ")\n"
        "    code = models.CharField(max_length=10, default=evil_default)\n"
        "    size = models.IntegerField(default=__import__('os').system("
        + repr("touch " + str(markers / "system"))
        + "))\n"
        "    blob = models.BinaryField(default=__import__('pickle').loads(b'.'))\n\n"
        "    class Meta:\n        ordering = [" + call("meta_option") + "]\n\n"
        "    def __init_subclass__(cls, **kw):\n        " + call("init_subclass") + "\n\n\n"
        "class Order(Customer):\n"
        "    customer = models.ForeignKey(Customer, on_delete=models.CASCADE,\n"
        "                                 related_name=" + call("related_name") + ")\n",
        "pyproject.toml": "[tool.djatlas]\nselect = ['ALL']\n",
        "shop/models.pth": "import os; " + call("pth") + "\n",
    }
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    db = sqlite3.connect(root / "db.sqlite3")
    db.execute("CREATE TABLE shop_customer (id integer primary key, name text)")
    db.commit()
    db.close()


def _djatlas() -> list[str]:
    """The console script when installed (sys.path[0] is its folder, never the cwd)."""
    script = Path(sys.executable).with_name("djatlas")
    return [str(script)] if script.exists() else [sys.executable, "-P", "-m", "djatlas"]


def _hostile_git(root: Path, markers: Path) -> bool:
    """Make root a git repository with two commits and a config that runs commands if used."""
    if shutil.which("git") is None:
        return False
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@t",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@t",
    }

    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, env=env)

    git("init", "-q")
    git("add", "-A")
    git("commit", "-q", "-m", "one", "--no-verify")
    (root / "shop" / "models" / "more.py").write_text(
        "from django.db import models\n\n\nclass Extra(models.Model):\n    pass\n"
    )
    git("add", "-A")
    git("commit", "-q", "-m", "two", "--no-verify")
    touch = f"touch {markers / 'git'}"
    for key, value in (
        ("core.fsmonitor", touch),
        ("core.pager", touch),
        ("core.sshCommand", touch),
        ("diff.external", touch),
        ("core.hooksPath", str(root / "hooks")),
    ):
        git("config", key, value)
    hooks = root / "hooks"
    hooks.mkdir()
    for hook in ("post-checkout", "pre-commit", "post-index-change", "reference-transaction"):
        (hooks / hook).write_text(f"#!/bin/sh\n{touch}-{hook}\n")
        (hooks / hook).chmod(0o755)
    return True


def _scan_formats() -> list[str]:
    out = subprocess.run(
        _djatlas() + ["scan", "--help"], capture_output=True, text=True, check=True
    ).stdout
    match = re.search(r"--format \{([^}]*)\}", out)
    assert match, out
    return match.group(1).split(",")


def test_no_command_executes_the_tree(tmp_path: Path) -> None:
    markers = tmp_path / "markers"
    markers.mkdir()
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    port = listener.getsockname()[1]
    tree, other, work = tmp_path / "tree", tmp_path / "other", tmp_path / "work"
    work.mkdir()
    _tree(tree, markers, port)
    _tree(other, markers, port)
    (other / "shop" / "models" / "core.py").write_text("# emptied\n")
    # The trap must work: running one file really leaves its marker (then reset).
    alone = tmp_path / "alone"
    alone.mkdir()
    shutil.copy(tree / "manage.py", alone / "manage.py")
    subprocess.run([sys.executable, str(alone / "manage.py")], check=True, timeout=30)
    assert (markers / "manage").exists()
    (markers / "manage").unlink()
    try:
        listener.settimeout(5)
        listener.accept()[0].close()
    finally:
        listener.settimeout(None)

    static = work / "static.json"
    subprocess.run(
        _djatlas() + ["scan", str(tree), "-f", "json", "-o", str(static), "-q"],
        check=True,
        cwd=tree,
        timeout=120,
        env={**os.environ, "XDG_CACHE_HOME": str(tmp_path / "xdg")},
    )
    commands: list[list[str]] = []
    for fmt in _scan_formats():
        commands.append(
            [
                "scan",
                str(tree),
                "-f",
                fmt,
                "-o",
                str(work / f"out.{fmt}"),
                "--settings",
                "proj.settings",
            ]
        )
    commands += [
        ["scan", str(tree / "shop" / "models" / "core.py"), "-f", "json"],
        ["check", str(tree)],
        ["check", str(tree), "--format", "sarif"],
        ["check", str(static), "--format", "json"],
        ["diff", str(other), str(tree)],
        ["diff", str(other), str(tree), "--format", "json"],
        ["diff", str(static), str(tree), "--format", "markdown"],
        ["verify", str(static), str(static)],
        ["verify", str(static), str(static), "--db", str(tree / "db.sqlite3"), "--json"],
    ]
    if _hostile_git(tree, markers):
        commands.append(["diff", "HEAD~1", "HEAD", "--repo", str(tree)])
        commands.append(["diff", "HEAD~1", str(tree), "--repo", str(tree), "--format", "json"])
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "xdg")}  # the cache stays in tmp
    procs = [
        (
            cmd,
            subprocess.Popen(
                _djatlas() + cmd,
                cwd=tree,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=env,
            ),
        )
        for cmd in commands
    ]
    for cmd, proc in procs:
        out, err = proc.communicate(timeout=300)
        assert "Traceback" not in err, (cmd, err)
        assert proc.returncode in (0, 1, 2), (cmd, proc.returncode, err)
        if cmd[0] == "scan" and cmd[1] == str(tree):
            fmt = cmd[3]
            assert proc.returncode == 0 or fmt in ("svg", "png"), (cmd, err)
    readable, _, _ = select.select([listener], [], [], 0)
    listener.close()
    assert list(markers.iterdir()) == []
    assert not readable, "something connected to the trap socket"
    # And the scan did see the models it was given, without running them.
    assert '"label": "shop.Customer"' in static.read_text()
