"""CI integration: action.yml (structure, and its shell steps run with bash against a small
tree), the pre-commit hooks, and ``python -m djatlas.ci`` (job summary, GitLab Code Quality)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from migjoin_tree import add_subtitle, library_tree

from djatlas import ci
from djatlas.cli import main

yaml = pytest.importorskip("yaml")
ROOT = Path(__file__).resolve().parents[1]
EXPR = re.compile(r"\$\{\{\s*([^}]+?)\s*\}\}")


def action() -> dict:
    return yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))


def expressions(node) -> list[str]:
    if isinstance(node, dict):
        return [e for v in node.values() for e in expressions(v)]
    if isinstance(node, list):
        return [e for v in node for e in expressions(v)]
    return EXPR.findall(node) if isinstance(node, str) else []


def test_action_structure() -> None:
    doc = action()
    assert doc["runs"]["using"] == "composite"
    assert {"path", "settings", "python", "fail-on", "base"} <= set(doc["inputs"])
    steps = doc["runs"]["steps"]
    ids = {s["id"] for s in steps if "id" in s}
    for expr in expressions(doc):
        for name in re.findall(r"inputs\.([\w-]+)", expr):
            assert name in doc["inputs"], expr
        for step in re.findall(r"steps\.([\w-]+)\.outputs", expr):
            assert step in ids, expr
    written = set(re.findall(r'echo "([\w-]+)=', step_named("Run djatlas")["run"]))
    for expr in expressions([doc["outputs"], steps]):
        for key in re.findall(r"steps\.run\.outputs\.([\w-]+)", expr):
            assert key in written, expr
    for step in steps:
        assert step.get("name")
        if "run" in step:
            assert step["shell"] == "bash"
        else:
            assert re.fullmatch(r"[\w-]+/[\w/-]+@v\d+", step["uses"]), step["uses"]
    uploads = [s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload")]
    assert len({s["with"]["category"] for s in uploads}) == len(uploads) == 3
    run = step_named("Run djatlas")["run"]
    assert "djatlas check" in run and 'migrations "$TREE" --check' in run
    assert '--lint --since "$BASE"' in run and "$GITHUB_STEP_SUMMARY" in run


def step_named(name: str) -> dict:
    return next(s for s in action()["runs"]["steps"] if s["name"] == name)


def run_step(name: str, values: dict[str, str], tmp: Path) -> tuple[int, dict[str, str]]:
    """Run one ``run:`` step of the action with bash, its ``${{ }}`` expressions taken from
    ``values`` (``inputs.path``, ``runner.temp``, ``steps.run.outputs.check``, ...), an input
    not given at its default (an expression default, as ``base``'s, is empty)."""
    step = step_named(name)
    inputs = action()["inputs"]

    def value(expr: str) -> str:
        if expr in values:
            return values[expr]
        default = str(inputs.get(expr.removeprefix("inputs."), {}).get("default", ""))
        return "" if not expr.startswith("inputs.") or "${{" in default else default

    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    for key, text in (step.get("env") or {}).items():
        env[key] = EXPR.sub(lambda m: value(m.group(1)), str(text))
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    env["GITHUB_OUTPUT"] = str(tmp / "output")
    env["GITHUB_STEP_SUMMARY"] = str(tmp / "summary.md")
    script = tmp / "step.sh"
    script.write_text(step["run"])
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    out = tmp / "output"
    lines = out.read_text().splitlines() if out.exists() else []
    return done.returncode, dict(line.split("=", 1) for line in lines)


def test_action_run_step_on_a_tree_with_drift(tmp_path: Path) -> None:
    root = library_tree(tmp_path / "t")
    add_subtitle(root, with_migration=False)
    values = {"inputs.path": str(root), "runner.temp": str(tmp_path / "tmp")}
    code, outputs = run_step("Run djatlas", values, tmp_path)
    assert code == 0
    assert (outputs["check"], outputs["drift"], outputs["lint"]) == ("0", "1", "")
    sarif = json.loads(Path(outputs["sarif-dir"], "drift.sarif").read_text())
    (result,) = sarif["runs"][0]["results"]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        "library/models.py"
    )
    summary = (tmp_path / "summary.md").read_text()
    assert "| ✅ | djatlas check | passed |" in summary
    assert "| ❌ | djatlas migrations --check | 1 finding |" in summary
    assert "`library/models.py:10` **DJM001** library: AddField book.subtitle" in summary


@pytest.mark.parametrize(
    ("fail_on", "codes", "status"),
    [
        ("check,drift,lint", ("0", "1", ""), 1),
        ("check, lint", ("0", "1", "0"), 0),
        ("none", ("1", "1", "1"), 0),
        ("none", ("0", "2", ""), 1),
        ("drift", ("0", "0", "0"), 0),
    ],
)
def test_action_fail_step(tmp_path: Path, fail_on: str, codes: tuple, status: int) -> None:
    values = {"inputs.fail-on": fail_on}
    for key, code in zip(("check", "drift", "lint"), codes):
        values[f"steps.run.outputs.{key}"] = code
    assert run_step("Fail on findings", values, tmp_path)[0] == status


def test_pre_commit_hooks_run(tmp_path: Path, monkeypatch, capsys) -> None:
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    hook = hooks["djatlas-migrations"]
    assert hook["language"] == "python" and hook["pass_filenames"] is False
    argv = hook["entry"].split()[1:] + hook["args"] + ["--no-cache", "-q"]
    root = library_tree(tmp_path / "t")
    monkeypatch.chdir(root)
    assert main(argv) == 0
    add_subtitle(root, with_migration=False)
    assert main(argv) == 1
    assert "AddField book.subtitle" in capsys.readouterr().out


def test_summary_and_codequality(tmp_path: Path, capsys) -> None:
    root = library_tree(tmp_path / "t")
    add_subtitle(root, with_migration=False)
    sarif = tmp_path / "drift.sarif"
    argv = ["migrations", str(root), "--check", "-f", "sarif", "-o", str(sarif), "--no-cache"]
    assert main(argv) == 1
    issues = ci.codequality([str(sarif)])
    assert [(i["check_name"], i["severity"], i["location"]) for i in issues] == [
        ("DJM001", "major", {"path": "library/models.py", "lines": {"begin": 10}})
    ]
    report = tmp_path / "gl.json"
    assert ci.main(["codequality", str(sarif), "-o", str(report)]) == 0
    assert json.loads(report.read_text()) == issues
    steps = [f"drift={sarif}:1", f"lint={tmp_path / 'missing.sarif'}:2", "check=:0"]
    assert ci.main(["summary", *steps]) == 0
    out = capsys.readouterr().out
    assert "| ❌ | drift | 1 finding |" in out and "| ⚠️ | lint | error (exit 2) |" in out
    assert "| ✅ | check | not run |" in out
    assert ci.main(["summary", "no-equals-sign"]) == 2
    assert "expected NAME=SARIF:EXIT" in capsys.readouterr().err


def _lint_available() -> bool:
    from djatlas.commands import migrations

    return "--lint" in (migrations.__doc__ or "") or hasattr(migrations, "_run_lint")


def pull_request(tmp_path: Path) -> tuple[Path, str]:
    """A git repository: the base commit (in sync), then a commit adding Book.subtitle and its
    migration. Returns the tree and the base commit."""
    import shutil

    if shutil.which("git") is None:
        pytest.skip("git not installed")
    from migjoin_tree import SECOND
    from treeutil import write_tree

    root = library_tree(tmp_path / "t")

    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", "-c", "user.email=t@t", "-c", "user.name=t", *args],
            cwd=root,
            check=True,
            capture_output=True,
            text=True,
        )
        return done.stdout.strip()

    git("init", "-q")
    git("add", "-A")
    git("commit", "-qm", "base")
    base = git("rev-parse", "HEAD")
    add_subtitle(root, with_migration=True)
    write_tree(root, {"library/migrations/0002_book_subtitle.py": SECOND})
    git("add", "-A")
    git("commit", "-qm", "pull request")
    return root, base


def test_action_summary_has_the_model_diff(tmp_path: Path) -> None:
    root, base = pull_request(tmp_path)
    values = {"inputs.path": str(root), "runner.temp": str(tmp_path / "tmp"), "inputs.base": base}
    code, outputs = run_step("Run djatlas", values, tmp_path)
    assert code == 0 and outputs["drift"] == "0"
    summary = (tmp_path / "summary.md").read_text()
    assert "### djatlas: data model changes" in summary
    assert "| ✅ | `library.Book` | migration included (0002_book_subtitle.py) |" in summary
    values["inputs.diff"] = "false"
    (tmp_path / "summary.md").unlink()
    run_step("Run djatlas", values, tmp_path)
    assert "data model changes" not in (tmp_path / "summary.md").read_text()


@pytest.mark.skipif(not _lint_available(), reason="migrations --lint not in this djatlas")
def test_action_run_step_lints_since_the_base(tmp_path: Path) -> None:
    root, base = pull_request(tmp_path)
    values = {"inputs.path": str(root), "runner.temp": str(tmp_path / "tmp"), "inputs.base": base}
    code, outputs = run_step("Run djatlas", values, tmp_path)
    assert code == 0
    assert outputs["drift"] == "0" and outputs["lint"] in ("0", "1")
    lint = json.loads(Path(outputs["sarif-dir"], "lint.sarif").read_text())
    files = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in lint["runs"][0]["results"]
    }
    assert files <= {"library/migrations/0002_book_subtitle.py"}
    summary = (tmp_path / "summary.md").read_text()
    assert f"djatlas migrations --lint --since {base[:12]}" in summary
