"""Generate docs/checks.md from the registry: `python -m djatlas.checks.docs > docs/checks.md`."""

from __future__ import annotations

from djatlas.checks.output import rule_help_markdown
from djatlas.checks.registry import all_rules

_INTRO = """\
# `djatlas check` rules

`djatlas check PATH` runs static checks over the models of PATH (a directory, or a JSON report
written by `djatlas scan --format json`). Every check reads the report document, never the
code, so it sees what `djatlas scan` sees. Each finding has a stable code, a one-line message and
`file:line`; exit status is 1 when findings remain, 2 on error (`--exit-zero` always exits 0).

```
djatlas check .                               # text, grouped by file
djatlas check . --select DJ001,DJ005 --ignore DJ004
djatlas check . --extend-select DJ010             # also the rules off by default you name
djatlas check . --format sarif -o djatlas.sarif   # for code-scanning uploads
djatlas check . --format github                   # GitHub Actions annotations
djatlas check . --format json
djatlas check --list-rules
djatlas check --explain DJ005
```

## Configuration

In `pyproject.toml` (the nearest one at or above PATH, or `--config FILE`):

```toml
[tool.djatlas]
select = ["DJ"]            # codes or prefixes (they include rules off by default; ALL: all)
extend-select = ["DJ010"]  # added to the default rules (or to select)
ignore = ["DJ004"]         # codes or prefixes to skip
exclude = ["legacy/*", "tests"]   # globs of paths (relative to pyproject.toml); bare names
                                  # match any path component
```

`--select` on the command line replaces `select`; `--extend-select` adds to `extend-select` and
`--ignore` to `ignore`. Without `select`, the rules marked "off by default" below do not run.
Options may also sit in a `[tool.djatlas.check]` table. On Python 3.10 the configuration is read
with `tomli` when it is installed, and otherwise skipped with a warning.

## What the rules look at

Findings are reported on the models of the scanned tree. Models outside it (Django's own, an
installed package's: `"external": true` in the report) are only there so that relations and
parents resolve; they are never reported on. A model whose base or field class stayed unresolved
(`"complete": false`, with `incomplete_reasons`) may lack fields djatlas could not see: the rules
that need its whole field list (DJ007, DJ008, DJ026) stand down on it instead of guessing.

## Silencing one finding

Put `# djatlas: ignore[CODE]` (several codes: `ignore[DJ003, DJ004]`; every code: a bare
`# djatlas: ignore`) on the flagged line: the field's line, the `class` line for model-level rules.
When a field call spans several lines, the comment may sit on any of them.

```python
legacy_name = models.CharField(max_length=50, null=True)  # djatlas: ignore[DJ003]
```

## pre-commit

```yaml
repos:
  - repo: <this repository's URL>
    rev: <a tag>
    hooks:
      - id: djatlas-check
        args: ["."]            # e.g. [".", "--extend-select", "DJ010"]
      - id: djatlas-migrations # models changed without a migration (migrations --check)
        args: ["."]
```

## Models and their migrations (DJ027)

DJ027 joins the models with their migrations: it replays every migration of the tree's apps
statically (the drift check of `djatlas migrations PATH --check`, see
[migrations.md](migrations.md)) and reports each operation `makemigrations` would write at the
model or field it comes from. It is off by default: the other rules read only the report, while
DJ027 reads every migration file (a cold check pays what a cold `djatlas migrations --check`
pays, the parsed files are cached and shared with that command; a warm check is answered from
the cache too, revalidated by the stats of the migration files, on the normal path rather than
the check fast path: on saleor's 1,400 migrations about twice the fast path's time, 0.9 s
against 0.4 s at a load average of 9 on two cores), and
`djatlas migrations --check` (the `djatlas-migrations` hook, the GitHub Action) is the same
check on its own. Turn it on with `--extend-select DJ027` or
`extend-select = ["DJ027"]`. It stands down for apps whose migrations are neither in the tree
nor in the environment, for fields whose deconstruction cannot be known statically, and for
models whose parts stayed unresolved.

## Rules

| Code | Name | Severity | Summary |
|---|---|---|---|
"""


def render_rules_markdown() -> str:
    """The whole of docs/checks.md."""
    rules = all_rules()
    out = [_INTRO.rstrip("\n")]
    for rule in rules.values():
        off = " (off by default)" if not rule.default else ""
        out.append(
            f"| [{rule.code}](#{rule.code.lower()}) | `{rule.name}` | {rule.severity} | "
            f"{rule.summary}{off} |"
        )
    out.append("")
    for rule in rules.values():
        out.append(f"### {rule.code}")
        out.append("")
        facts = [f"`{rule.name}`", rule.severity]
        if rule.django_check:
            facts.append(f"Django: {rule.django_check}")
        if not rule.default:
            facts.append("off by default (`--select " + rule.code + "`)")
        out.append(f"**{rule.summary}** — " + " · ".join(facts))
        out.append("")
        out.append(rule_help_markdown(rule))
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


if __name__ == "__main__":  # pragma: no cover
    print(render_rules_markdown(), end="")
