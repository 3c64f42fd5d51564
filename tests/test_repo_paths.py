"""SARIF and GitHub-annotation paths are relative to the repository root when the scanned PATH
is a folder inside a git work tree (found statically: the nearest ``.git`` folder or file above),
for ``check``, ``migrations --check`` and ``migrations --lint``; outside a repository they stay
relative to PATH."""
# ruff: noqa: E501

from __future__ import annotations

import json
from pathlib import Path

import pytest

from djatlas.cli import main

MODELS = """\
from django.db import models


class Order(models.Model):
    total = models.IntegerField(null=True)
    label = models.CharField(max_length=20, null=True)
"""

INITIAL = """\
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(
            name='Order',
            fields=[
                ('id', models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('total', models.IntegerField(null=True)),
            ],
        ),
    ]
"""

SECOND = """\
from django.db import migrations


def forwards(apps, schema_editor):
    pass


class Migration(migrations.Migration):
    dependencies = [('shop', '0001_initial')]
    operations = [
        migrations.RunPython(forwards),
    ]
"""


def tree(root: Path) -> Path:
    files = {
        "shop/__init__.py": "",
        "shop/models.py": MODELS,
        "shop/migrations/__init__.py": "",
        "shop/migrations/0001_initial.py": INITIAL,
        "shop/migrations/0002_data.py": SECOND,
    }
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def run(capsys, *args: str) -> str:
    assert main([*args, "--no-cache", "-q"]) == 1
    return capsys.readouterr().out


def sarif_uris(text: str) -> list[tuple[str, str | None, int]]:
    out = []
    for result in json.loads(text)["runs"][0]["results"]:
        loc = result["locations"][0]["physicalLocation"]
        artifact = loc["artifactLocation"]
        out.append((artifact["uri"], artifact.get("uriBaseId"), loc["region"]["startLine"]))
    return out


def annotated_files(text: str) -> list[str]:
    return [line.split("file=", 1)[1].split(",", 1)[0] for line in text.splitlines()]


COMMANDS = {
    "check": (["check"], ["--select", "DJ003"], "shop/models.py", 6),
    "check-DJ027": (["check"], ["--select", "DJ027"], "shop/models.py", 6),
    "drift": (["migrations"], ["--check"], "shop/models.py", 6),
    "lint": (["migrations"], ["--lint"], "shop/migrations/0002_data.py", 11),
}


@pytest.mark.parametrize("git", ["folder", "file"])
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_paths_relative_to_the_repository_root(
    tmp_path: Path, capsys, command: str, git: str
) -> None:
    repo = tmp_path / "repo"
    path = tree(repo / "backend" / "src")
    if git == "folder":
        (repo / ".git").mkdir()
    else:  # a worktree or submodule: .git is a file pointing at the git folder
        (repo / ".git").write_text("gitdir: /elsewhere/.git/worktrees/repo\n", "utf-8")
    name, options, file, line = COMMANDS[command]
    sarif = run(capsys, *name, str(path), *options, "--format", "sarif")
    assert sarif_uris(sarif) == [(f"backend/src/{file}", "%SRCROOT%", line)]
    github = run(capsys, *name, str(path), *options, "--format", "github")
    assert annotated_files(github) == [f"backend/src/{file}"]


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_paths_relative_to_path_at_the_root_or_without_a_repository(
    tmp_path: Path, capsys, command: str
) -> None:
    name, options, file, line = COMMANDS[command]
    path = tree(tmp_path / "plain")
    assert sarif_uris(run(capsys, *name, str(path), *options, "--format", "sarif")) == [
        (file, "%SRCROOT%", line)
    ]
    (path / ".git").mkdir()  # PATH is the repository root
    assert annotated_files(run(capsys, *name, str(path), *options, "--format", "github")) == [file]
