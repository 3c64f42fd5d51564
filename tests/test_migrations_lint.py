"""djatlas migrations --lint: one fixture migration tree per rule (positive and negative cases),
SeparateDatabaseAndState staging, ignore comments, the baseline, --since on a git repository and
the output formats."""
# ruff: noqa: E501

from __future__ import annotations

import json
import subprocess
import textwrap
from pathlib import Path

import pytest

from djatlas.cli import main

MODELS = """
from django.db import models


class Customer(models.Model):
    name = models.CharField(max_length=50)


class Order(models.Model):
    total = models.IntegerField(null=True)
"""

INITIAL = """
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(
            name='Customer',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=50)),
            ],
        ),
        migrations.CreateModel(
            name='Order',
            fields=[
                ('id', models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('total', models.IntegerField(null=True)),
                ('code', models.CharField(max_length=20)),
                ('note', models.TextField(null=True)),
                ('price', models.DecimalField(max_digits=10, decimal_places=2)),
                ('old', models.CharField(max_length=10, null=True)),
                ('legacy', models.CharField(db_column='legacy_col', max_length=10)),
                ('slug', models.SlugField()),
                ('tags', models.ManyToManyField(to='shop.customer')),
            ],
        ),
        migrations.CreateModel(
            name='Report',
            fields=[('id', models.AutoField(primary_key=True, serialize=False))],
            options={'managed': False},
        ),
        migrations.CreateModel(
            name='Archive',
            fields=[('id', models.AutoField(primary_key=True, serialize=False))],
            options={'db_table': 'shop_archive_kept'},
        ),
    ]
"""

HEADER = """
import uuid

from django.db import migrations, models
from django.contrib.postgres.operations import AddIndexConcurrently
import django.db.models.deletion


def forwards(apps, schema_editor):
    pass


class Migration(migrations.Migration):
"""


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")


def second(operations: str, extra: str = "") -> str:
    body = f"    dependencies = [('shop', '0001_initial')]\n{extra}    operations = [\n"
    body += textwrap.indent(textwrap.dedent(operations).strip(), " " * 8) + "\n    ]\n"
    return textwrap.dedent(HEADER).lstrip() + body


def tree(root: Path, operations: str, extra: str = "") -> Path:
    write(
        root,
        {
            "shop/__init__.py": "",
            "shop/models.py": MODELS,
            "shop/migrations/__init__.py": "",
            "shop/migrations/0001_initial.py": INITIAL,
        },
    )
    (root / "shop/migrations/0002_change.py").write_text(second(operations, extra), "utf-8")
    return root


def lint(root: Path, capsys, *extra: str) -> tuple[int, dict]:
    code = main(["migrations", str(root), "--lint", "--no-cache", "-q", "-f", "json", *extra])
    return code, json.loads(capsys.readouterr().out)


def codes(doc: dict) -> list[str]:
    return [f["code"] for f in doc["findings"]]


# fmt: off
CASES = [
    # AddField
    ("migrations.AddField(model_name='order', name='qty', field=models.IntegerField())", ["DJM101"]),
    ("migrations.AddField(model_name='order', name='qty', field=models.IntegerField(null=True))", []),
    ("migrations.AddField(model_name='order', name='qty', field=models.IntegerField(db_default=0))", []),
    ("migrations.AddField(model_name='order', name='flag', field=models.BooleanField(db_default=False))", []),
    ("migrations.AddField(model_name='order', name='qty', field=models.IntegerField(default=0), preserve_default=False)", ["DJM102"]),
    ("migrations.AddField(model_name='order', name='title', field=models.CharField(blank=True, max_length=5))", ["DJM102"]),
    ("migrations.AddField(model_name='order', name='at', field=models.DateTimeField(auto_now_add=True))", ["DJM102"]),
    ("migrations.AddField(model_name='order', name='buyers', field=models.ManyToManyField(to='shop.customer'))", []),
    ("migrations.AddField(model_name='report', name='qty', field=models.IntegerField())", []),
    ("migrations.AddField(model_name='order', name='buyer', field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, to='shop.customer'))", ["DJM110"]),
    ("migrations.AddField(model_name='order', name='buyer', field=models.ForeignKey(db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, to='shop.customer'))", []),
    ("migrations.AddField(model_name='order', name='ref', field=models.CharField(max_length=9, null=True, unique=True))", ["DJM110"]),
    ("migrations.AddField(model_name='order', name='uid', field=models.UUIDField(default=uuid.uuid4, unique=True))", ["DJM102", "DJM110", "DJM115"]),
    ("migrations.AddField(model_name='order', name='uid', field=models.UUIDField(null=True, unique=True))", ["DJM110"]),
    # a table created in the same migration is empty
    ("""
     migrations.CreateModel(name='Item', fields=[('id', models.AutoField(primary_key=True, serialize=False))]),
     migrations.AddField(model_name='item', name='qty', field=models.IntegerField()),
     migrations.AddIndex(model_name='item', index=models.Index(fields=['qty'], name='item_qty')),
     """, []),
    # removals and renames
    ("migrations.RemoveField(model_name='order', name='old')", ["DJM103"]),
    ("migrations.RemoveField(model_name='order', name='tags')", ["DJM103"]),
    ("migrations.RemoveField(model_name='report', name='id')", []),
    ("migrations.DeleteModel(name='Order')", ["DJM104"]),
    ("""
     migrations.RemoveField(model_name='order', name='old'),
     migrations.DeleteModel(name='Order'),
     """, ["DJM104"]),
    ("migrations.DeleteModel(name='Report')", []),
    ("migrations.SeparateDatabaseAndState(state_operations=[migrations.RemoveField(model_name='order', name='old')])", []),
    ("migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name='Order')])", []),
    ("migrations.SeparateDatabaseAndState(state_operations=[migrations.RemoveField(model_name='order', name='code')])", ["DJM117"]),
    ("""
     migrations.SeparateDatabaseAndState(
         database_operations=[migrations.AlterField(model_name='order', name='code', field=models.CharField(max_length=20, null=True))],
         state_operations=[migrations.RemoveField(model_name='order', name='code')],
     )
     """, []),
    ("""
     migrations.SeparateDatabaseAndState(
         database_operations=[migrations.RemoveField(model_name='order', name='old')],
         state_operations=[migrations.RemoveField(model_name='order', name='old')],
     )
     """, ["DJM103"]),
    ("migrations.RenameField(model_name='order', old_name='code', new_name='number')", ["DJM105"]),
    ("migrations.RenameField(model_name='order', old_name='legacy', new_name='former')", []),
    ("migrations.RenameField(model_name='order', old_name='tags', new_name='labels')", ["DJM106"]),
    ("migrations.RenameModel(old_name='Order', new_name='Purchase')", ["DJM106"]),
    ("migrations.RenameModel(old_name='Archive', new_name='Vault')", []),
    ("migrations.AlterModelTable(name='order', table='orders')", ["DJM106"]),
    ("migrations.AlterModelTable(name='order', table='shop_order')", []),
    # AlterField
    ("migrations.AlterField(model_name='order', name='total', field=models.BigIntegerField(null=True))", ["DJM107"]),
    ("migrations.AlterField(model_name='order', name='id', field=models.BigAutoField(primary_key=True, serialize=False))", ["DJM107"]),
    ("migrations.AlterField(model_name='order', name='code', field=models.CharField(max_length=40))", []),
    ("migrations.AlterField(model_name='order', name='code', field=models.TextField())", []),
    ("migrations.AlterField(model_name='order', name='code', field=models.CharField(max_length=10))", ["DJM108"]),
    ("migrations.AlterField(model_name='order', name='note', field=models.CharField(max_length=10, null=True))", ["DJM108"]),
    ("migrations.AlterField(model_name='order', name='price', field=models.DecimalField(max_digits=12, decimal_places=2))", []),
    ("migrations.AlterField(model_name='order', name='price', field=models.DecimalField(max_digits=10, decimal_places=3))", ["DJM108"]),
    ("migrations.AlterField(model_name='order', name='code', field=models.CharField(help_text='x', max_length=20))", []),
    ("migrations.AlterField(model_name='order', name='note', field=models.TextField())", ["DJM109"]),
    ("migrations.AlterField(model_name='order', name='legacy', field=models.CharField(max_length=10))", ["DJM105"]),
    ("migrations.AlterField(model_name='order', name='code', field=models.CharField(db_column='code', max_length=20))", []),
    ("migrations.AlterField(model_name='order', name='note', field=models.TextField(default=''), preserve_default=False)", []),
    ("migrations.AlterField(model_name='order', name='code', field=models.CharField(max_length=20, unique=True))", ["DJM110"]),
    ("migrations.AlterField(model_name='order', name='slug', field=models.SlugField(unique=True))", ["DJM110"]),
    ("migrations.AlterField(model_name='order', name='slug', field=models.SlugField(db_index=False))", []),
    # indexes and constraints
    ("migrations.AddIndex(model_name='order', index=models.Index(fields=['code'], name='order_code'))", ["DJM110"]),
    ("AddIndexConcurrently(model_name='order', index=models.Index(fields=['code'], name='order_code'))", ["DJM112"]),
    ("migrations.AddConstraint(model_name='order', constraint=models.UniqueConstraint(fields=('code',), name='uniq_code'))", ["DJM110"]),
    ("migrations.AddConstraint(model_name='order', constraint=models.CheckConstraint(condition=models.Q(total__gte=0), name='total_pos'))", ["DJM111"]),
    ("migrations.AlterUniqueTogether(name='order', unique_together={('code', 'total')})", ["DJM110"]),
    ("migrations.AlterIndexTogether(name='order', index_together={('code', 'total')})", ["DJM110"]),
    ("migrations.AlterUniqueTogether(name='order', unique_together=set())", []),
    # data migrations
    ("migrations.RunPython(forwards)", ["DJM113"]),
    ("migrations.RunPython(forwards, migrations.RunPython.noop)", []),
    ("migrations.RunPython(forwards, reverse_code=forwards)", []),
    ("migrations.RunSQL('UPDATE shop_order SET total = 0')", ["DJM114"]),
    ("migrations.RunSQL('UPDATE shop_order SET total = 0', reverse_sql=migrations.RunSQL.noop)", []),
    ("migrations.RunSQL('SELECT 1', 'SELECT 2')", []),
]
# fmt: on


@pytest.mark.parametrize(("operations", "expected"), CASES)
def test_rule(tmp_path: Path, capsys, operations: str, expected: list[str]) -> None:
    code, doc = lint(tree(tmp_path, operations), capsys)
    assert codes(doc) == expected
    assert code == (1 if expected else 0)


def test_state_only_removal_after_a_db_default_is_clean(tmp_path: Path, capsys) -> None:
    db_default = "migrations.AlterField(model_name='order', name='code', field=models.CharField(db_default='', max_length=20))"
    tree(tmp_path, db_default)
    third = second(
        "migrations.SeparateDatabaseAndState(state_operations=[migrations.RemoveField(model_name='order', name='code')])"
    )
    third = third.replace("('shop', '0001_initial')", "('shop', '0002_change')")
    (tmp_path / "shop/migrations/0003_drop.py").write_text(third, "utf-8")
    code, doc = lint(tmp_path, capsys)
    assert (code, codes(doc)) == (0, [])


def test_state_only_removal_of_a_remounted_field_is_clean(tmp_path: Path, capsys) -> None:
    unmount = "migrations.SeparateDatabaseAndState(state_operations=[migrations.RemoveField(model_name='order', name='code')])"
    tree(tmp_path, unmount)
    mount = second(
        "migrations.SeparateDatabaseAndState(state_operations=[migrations.AddField(model_name='order', name='code', field=models.CharField(max_length=20))])"
    )
    mount = mount.replace("('shop', '0001_initial')", "('shop', '0002_change')")
    (tmp_path / "shop/migrations/0003_mount.py").write_text(mount, "utf-8")
    code, doc = lint(tmp_path, capsys)
    assert (code, codes(doc)) == (0, [])


def test_concurrent_index_in_non_atomic_migration_is_clean(tmp_path: Path, capsys) -> None:
    op = "AddIndexConcurrently(model_name='order', index=models.Index(fields=['code'], name='order_code'))"
    code, doc = lint(tree(tmp_path, op, "    atomic = False\n"), capsys)
    assert (code, codes(doc)) == (0, [])


def test_staged_drop_in_a_later_migration_is_clean(tmp_path: Path, capsys) -> None:
    state_only = "migrations.SeparateDatabaseAndState(state_operations=[migrations.RemoveField(model_name='order', name='old')])"
    tree(tmp_path, state_only)
    third = second(
        "migrations.SeparateDatabaseAndState(database_operations=[migrations.RemoveField(model_name='order', name='old')])"
    )
    third = third.replace("('shop', '0001_initial')", "('shop', '0002_change')")
    (tmp_path / "shop/migrations/0003_drop.py").write_text(third, "utf-8")
    code, doc = lint(tmp_path, capsys)
    assert (code, codes(doc), doc["migrations_reviewed"]) == (0, [], 3)


def test_finding_fields_and_line(tmp_path: Path, capsys) -> None:
    tree(
        tmp_path,
        "migrations.RunPython(forwards),\nmigrations.RemoveField(model_name='order', name='old')",
    )
    _, doc = lint(tmp_path, capsys)
    first, drop = doc["findings"]
    assert drop["file"] == "shop/migrations/0002_change.py"
    text = (tmp_path / drop["file"]).read_text().splitlines()
    assert "RemoveField" in text[drop["line"] - 1]
    assert drop["key"] == "shop/0002_change/DJM103/1"
    assert (drop["model"], drop["field"], drop["operation"]) == ("order", "old", "RemoveField")
    assert drop["why"] and drop["fix"] and drop["severity"] == "error"
    assert doc["counts"] == {"DJM103": 1, "DJM113": 1}


IGNORED = """
migrations.RemoveField(  # djatlas: ignore[DJM103]
    model_name='order',
    name='old',
),
# djatlas: ignore[DJM105]
migrations.RenameField(model_name='order', old_name='code', new_name='number'),
migrations.RunPython(
    forwards,  # djatlas: ignore[DJM113, DJM114]
),
migrations.RunSQL('SELECT 1'),  # djatlas: ignore[DJM113]
migrations.SeparateDatabaseAndState(  # djatlas: ignore[DJM104]
    database_operations=[migrations.DeleteModel(name='Customer')],
),
"""


def test_ignore_comments(tmp_path: Path, capsys) -> None:
    code, doc = lint(tree(tmp_path, IGNORED), capsys)
    assert codes(doc) == ["DJM114"]  # the RunSQL's comment names another code
    assert doc["suppressed"] == 4


def test_file_level_ignore(tmp_path: Path, capsys) -> None:
    tree(tmp_path, "migrations.RunPython(forwards),\nmigrations.RunSQL('SELECT 1')")
    path = tmp_path / "shop/migrations/0002_change.py"
    path.write_text("# djatlas: ignore-file[DJM113]\n" + path.read_text(), "utf-8")
    _, doc = lint(tmp_path, capsys)
    assert codes(doc) == ["DJM114"]


def test_baseline_round_trip(tmp_path: Path, capsys) -> None:
    root = tree(
        tmp_path / "t",
        "migrations.RunPython(forwards),\nmigrations.RemoveField(model_name='order', name='old')",
    )
    baseline = tmp_path / "baseline.json"
    args = ["migrations", str(root), "--lint", "--no-cache", "-q"]
    assert main([*args, "--write-baseline", str(baseline)]) == 0
    written = json.loads(baseline.read_text())
    assert [e["key"] for e in written["findings"]] == [
        "shop/0002_change/DJM103/1",
        "shop/0002_change/DJM113/0",
    ]
    # lines move: the keys still match
    path = root / "shop/migrations/0002_change.py"
    path.write_text("# a comment\n\n" + path.read_text(), "utf-8")
    capsys.readouterr()
    code, doc = lint(root, capsys, "--baseline", str(baseline))
    assert (code, codes(doc), doc["baselined"]) == (0, [], 2)
    # a new finding is reported, a fixed one is listed as unmatched
    text = path.read_text().replace(
        "migrations.RunPython(forwards),", "migrations.RunSQL('SELECT 1'),"
    )
    path.write_text(text, "utf-8")
    code, doc = lint(root, capsys, "--baseline", str(baseline))
    assert (code, codes(doc)) == (1, ["DJM114"])
    assert doc["baseline_unmatched"] == ["shop/0002_change/DJM113/0"]


def test_ignore_option_leaves_rules_out(tmp_path: Path, capsys) -> None:
    root = tree(tmp_path, "migrations.RunPython(forwards),\nmigrations.RunSQL('SELECT 1')")
    code, doc = lint(root, capsys, "--ignore", "djm113", "--ignore", "DJM110,DJM102")
    assert (code, codes(doc), doc["rules_ignored"]) == (
        1,
        ["DJM114"],
        ["DJM102", "DJM110", "DJM113"],
    )
    code, doc = lint(root, capsys, "--ignore", "DJM113,DJM114")
    assert (code, codes(doc)) == (0, [])
    assert main(["migrations", str(root), "--lint", "--ignore", "DJM999", "-q"]) == 2
    assert main(["migrations", str(root), "--ignore", "DJM101", "-q"]) == 2
    assert capsys.readouterr().err.count("djatlas: error:") == 2


def test_bad_baseline_and_usage_errors(tmp_path: Path, capsys) -> None:
    root = tree(tmp_path / "t", "migrations.RunPython(forwards)")
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2]")
    base = ["migrations", str(root), "--no-cache", "-q"]
    assert main([*base, "--lint", "--baseline", str(bad)]) == 2
    assert main([*base, "--lint", "--baseline", str(tmp_path / "missing.json")]) == 2
    assert main([*base, "--since", "HEAD"]) == 2
    assert main([*base, "--lint", "--check"]) == 2
    assert main([*base, "--lint", "--since", "HEAD"]) == 2  # not a git repository
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.count("djatlas: error:") == 5


def git(root: Path, *args: str) -> None:
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@t", "HOME": str(root), "PATH": "/usr/bin:/bin"}  # fmt: skip
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, env=env)


def test_since_reviews_only_new_migrations(tmp_path: Path, capsys) -> None:
    repo = tmp_path / "repo"
    root = repo / "project"
    tree(root, "migrations.RemoveField(model_name='order', name='old')")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "base")
    code, doc = lint(root, capsys, "--since", "HEAD")
    assert (code, codes(doc), doc["migrations_reviewed"]) == (0, [], 0)
    # a new (uncommitted) migration: reviewed, with the earlier ones as context
    new = second(
        """
        migrations.CreateModel(name='Item', fields=[('id', models.AutoField(primary_key=True, serialize=False))]),
        migrations.RunPython(forwards),
        migrations.AddField(model_name='customer', name='age', field=models.IntegerField()),
        """
    ).replace("('shop', '0001_initial')", "('shop', '0002_change')")
    (root / "shop/migrations/0003_new.py").write_text(new, "utf-8")
    code, doc = lint(root, capsys, "--since", "HEAD")
    assert (code, codes(doc), doc["migrations_reviewed"], doc["since"]) == (
        1,
        ["DJM113", "DJM101"],
        1,
        "HEAD",
    )
    # committed on a branch: --since main still sees it as new; a table a new migration
    # created is new too
    newer = second(
        "migrations.AddField(model_name='item', name='qty', field=models.IntegerField())"
    )
    newer = newer.replace("('shop', '0001_initial')", "('shop', '0003_new')")
    (root / "shop/migrations/0004_newer.py").write_text(newer, "utf-8")
    git(repo, "checkout", "-q", "-b", "feature")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "feature")
    code, doc = lint(root, capsys, "--since", "main")
    assert (codes(doc), doc["migrations_reviewed"]) == (["DJM113", "DJM101"], 2)
    code, doc = lint(root, capsys)
    assert codes(doc) == ["DJM103", "DJM113", "DJM101", "DJM101"]
    # an existing migration: a comment is fine, a changed operation is DJM116
    path = root / "shop/migrations/0002_change.py"
    path.write_text(path.read_text().replace("class Migration", "# a note\nclass Migration"))
    code, doc = lint(root, capsys, "--since", "main")
    assert codes(doc) == ["DJM113", "DJM101"]
    path.write_text(path.read_text().replace("name='old'", "name='code'"))
    code, doc = lint(root, capsys, "--since", "main")
    assert codes(doc) == ["DJM116", "DJM113", "DJM101"]
    assert doc["findings"][0]["key"] == "shop/0002_change/DJM116/operations"
    assert (
        doc["findings"][0]["message"]
        == "shop.0002_change existed at main and its operations changed"
    )
    assert main(["migrations", str(root), "--lint", "--no-cache", "-q", "--since", "nope"]) == 2
    assert "nope" in capsys.readouterr().err


def test_text_sarif_github_outputs(tmp_path: Path, capsys) -> None:
    root = tree(
        tmp_path,
        "migrations.RemoveField(model_name='order', name='old'),\nmigrations.RunPython(forwards)",
    )
    args = ["migrations", str(root), "--lint", "--no-cache", "-q"]
    assert main(args) == 1
    text = capsys.readouterr().out
    assert "shop/migrations/0002_change.py:15: DJM103 drop-column: RemoveField Order.old" in text
    assert "    fix: Stage it" in text and text.endswith("2 migration(s) reviewed\n")
    assert main([*args, "-f", "sarif"]) == 1
    sarif = json.loads(capsys.readouterr().out)
    results = sarif["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["DJM103", "DJM113"]
    assert results[0]["locations"][0]["physicalLocation"]["region"]["startLine"] == 15
    assert {r["id"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]} >= {"DJM101", "DJM114"}
    assert main([*args, "-f", "github"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(
        "::error file=shop/migrations/0002_change.py,line=15,title=djatlas DJM103 drop-column::"
    )
    assert lines[1].startswith("::warning ") and "%0AFix: " in lines[1]
    main([*args, "-f", "json"])
    first = capsys.readouterr().out
    main([*args, "-f", "json"])
    assert capsys.readouterr().out == first  # deterministic


def test_unreadable_migration_is_a_note(tmp_path: Path, capsys) -> None:
    root = tree(tmp_path, "migrations.RunPython(forwards)")
    (root / "shop/migrations/0003_broken.py").write_text("class Migration(:\n", "utf-8")
    _, doc = lint(root, capsys)
    assert codes(doc) == ["DJM113"]
    assert [n for n in doc["notes"] if "0003_broken" in n][0].startswith(
        "shop/migrations/0003_broken.py: not reviewed: syntax error"
    )


def test_clean_tree_exits_zero(tmp_path: Path, capsys) -> None:
    code, doc = lint(
        tree(tmp_path, "migrations.AlterModelOptions(name='order', options={'ordering': ['id']})"),
        capsys,
    )
    assert (code, doc["findings"], doc["migrations_reviewed"]) == (0, [], 2)


def test_every_rule_is_documented() -> None:
    from djatlas.migrations.lint.rules import RULES

    docs = " ".join((Path(__file__).parent.parent / "docs/migrations.md").read_text().split())
    for rule in RULES.values():
        assert f"### {rule.code} `{rule.name}` ({rule.severity})" in docs
        assert rule.why in docs and rule.fix in docs


def test_safemigrate_after_deploy_drops_are_staged(tmp_path: Path, capsys) -> None:
    ops = "migrations.RemoveField(model_name='order', name='old'),\nmigrations.RenameField(model_name='order', old_name='code', new_name='number')"
    extra = "    safe = Safe.after_deploy()\n"
    root = tree(tmp_path, ops, extra)
    path = root / "shop/migrations/0002_change.py"
    path.write_text("from django_safemigrate import Safe\n" + path.read_text(), "utf-8")
    _, doc = lint(root, capsys)
    assert codes(doc) == ["DJM105"]  # the drop runs after the deploy; a rename breaks either way


def test_initial_pair_and_squashed_migrations_are_not_reviewed_as_changes(
    tmp_path: Path, capsys
) -> None:
    op = "migrations.AddField(model_name='order', name='buyer', field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to='shop.customer'))"
    root = tree(tmp_path, op, "    initial = True\n")  # 0002_initial of the same makemigrations run
    squash = second(
        "migrations.RemoveField(model_name='order', name='old')",
        "    replaces = [('shop', '0003_a'), ('shop', '0004_b')]\n",
    )
    squash = squash.replace("('shop', '0001_initial')", "('shop', '0002_change')")
    (root / "shop/migrations/0003_squashed_0004.py").write_text(squash, "utf-8")
    code, doc = lint(root, capsys)
    assert (code, codes(doc), doc["migrations_reviewed"]) == (0, [], 2)
    assert doc["notes"] == [
        "shop/migrations/0003_squashed_0004.py: replaces earlier migrations, not reviewed "
        "(databases that applied those never run it)"
    ]
