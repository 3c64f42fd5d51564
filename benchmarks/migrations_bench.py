#!/usr/bin/env python3
"""``djatlas migrations PATH --check`` cold and warm, against ``manage.py makemigrations --check
--dry-run`` where the project can be booted.

Targets (each a whole process, round-robin, after ``--warmup`` untimed runs each; stdout to
/dev/null; medians of ``--runs``):

* ``cold``: ``djatlas migrations PATH --check --no-cache``;
* ``cold-fill``: the same with an empty ``--cache-dir`` every run (the cache is written);
* ``warm``: ``djatlas migrations PATH --check --cache-dir DIR``, DIR filled by an untimed run;
* ``makemigrations``: ``python manage.py makemigrations --check --dry-run`` in the project's
  folder, with ``--django-python`` (a Python that can import Django), only for trees given with
  ``--manage`` (their ``manage.py``) or generated with ``--generate``.

``--generate APPSxMIGRATIONS`` writes a bootable project (Django's contrib apps plus APPS apps of
6 models, APPSxMIGRATIONS migrations: CreateModel, AddField of six field kinds, AlterField and
RunPython with a function body) whose models match its migrations, so both tools must report
no changes. ``30x48`` gives 1,440 migration files, saleor's scale (1,429).

    python benchmarks/migrations_bench.py /work/corpora/saleor --runs 5
    python benchmarks/migrations_bench.py --generate 30x48 --runs 5
    python benchmarks/migrations_bench.py examples/shop --manage examples/shop/manage.py

Uses ``bench.run_once`` (wall time, CPU time of the child, peak RSS). Call it with the
interpreter of djatlas's venv (the ``djatlas`` beside it is used unless ``--djatlas-cmd``).
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import default_djatlas_cmd, loadavg, run_once, snapshot_djatlas  # noqa: E402

# --------------------------------------------------------------------------- generated project

_KINDS = (
    ("CharField", "max_length=40"),
    ("IntegerField", "default=0"),
    ("BooleanField", "default=False"),
    ("DateTimeField", "null=True"),
    ("DecimalField", "decimal_places=2, max_digits=10, null=True"),
    ("ForeignKey", ""),
)
_MODELS = 6


def _field(app: int, model: int, kind: int, *, altered: bool = False) -> tuple[str, str]:
    """(migration source, models.py source) of one generated field."""
    name, kwargs = _KINDS[kind]
    if name == "CharField" and altered:
        kwargs = "max_length=80"
    if name == "ForeignKey":
        other = (model + 1) % _MODELS
        tail = "related_name='+'"
        cascade = "on_delete=django.db.models.deletion.CASCADE"
        mig = f"null=True, {cascade}, {tail}, to='app{app}.thing{other}'"
        src = f"'Thing{other}', null=True, on_delete=models.CASCADE, {tail}"
        return f"models.ForeignKey({mig})", f"models.ForeignKey({src})"
    return f"models.{name}({kwargs})", f"models.{name}({kwargs})"


def generate(root: Path, apps: int, per_app: int) -> None:
    """A bootable project under ``root`` (see the module docstring)."""
    (root / "genproject").mkdir(parents=True)
    (root / "genproject/__init__.py").write_text("")
    labels = ", ".join(f"'app{i}'" for i in range(apps))
    (root / "genproject/settings.py").write_text(
        "SECRET_KEY = 'bench'\n"
        "INSTALLED_APPS = ['django.contrib.contenttypes', 'django.contrib.auth', "
        f"{labels}]\n"
        "DATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3', "
        "'NAME': ':memory:'}}\n"
        "DEFAULT_AUTO_FIELD = 'django.db.models.BigAutoField'\n"
        "USE_TZ = True\n"
    )
    (root / "manage.py").write_text(
        "import os, sys\n"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'genproject.settings')\n"
        "from django.core.management import execute_from_command_line\n"
        "execute_from_command_line(sys.argv)\n"
    )
    for app in range(apps):
        _generate_app(root / f"app{app}", app, per_app)


def _generate_app(folder: Path, app: int, per_app: int) -> None:
    (folder / "migrations").mkdir(parents=True)
    (folder / "__init__.py").write_text("")
    (folder / "migrations/__init__.py").write_text("")
    fields: dict[int, dict[str, str]] = {m: {} for m in range(_MODELS)}
    create = ",\n".join(
        f"        migrations.CreateModel(name='Thing{m}', fields=[('id', models.BigAutoField("
        "auto_created=True, primary_key=True, serialize=False, verbose_name='ID'))])"
        for m in range(_MODELS)
    )
    _write_migration(folder, 1, None, create, "")
    for n in range(2, per_app + 1):
        model, kind = n % _MODELS, (n // _MODELS) % len(_KINDS)
        name = f"f{n}"
        if n % 10 == 0:
            body = (
                "def forwards(apps, schema_editor):\n"
                f"    Thing = apps.get_model('app{app}', 'Thing{model}')\n"
                "    for row in Thing.objects.all():\n"
                "        row.save()\n\n\n"
            )
            op = "        migrations.RunPython(forwards, migrations.RunPython.noop)"
        elif n % 7 == 0 and any("CharField(max_length=40" in s for s in fields[model].values()):
            name = next(f for f, src in fields[model].items() if "CharField(max_length=40" in src)
            mig, src = _field(app, model, 0, altered=True)
            fields[model][name] = src
            body = ""
            op = f"        migrations.AlterField({_target(model, name)}, field={mig})"
        else:
            mig, src = _field(app, model, kind)
            fields[model][name] = src
            body = ""
            op = f"        migrations.AddField({_target(model, name)}, field={mig})"
        _write_migration(folder, n, n - 1, op, body)
    lines = ["from django.db import models", ""]
    for m in range(_MODELS):
        lines += ["", f"class Thing{m}(models.Model):"]
        lines += [f"    {f} = {src}" for f, src in fields[m].items()] or ["    pass"]
    (folder / "models.py").write_text("\n".join(lines) + "\n")


def _target(model: int, name: str) -> str:
    return f"model_name='thing{model}', name='{name}'"


def _write_migration(folder: Path, n: int, previous: int | None, ops: str, body: str) -> None:
    deps = f"('{folder.name}', '{previous:04d}_step')" if previous else ""
    (folder / f"migrations/{n:04d}_step.py").write_text(
        "import django.db.models.deletion\n"
        "from django.db import migrations, models\n\n\n"
        f"{body}"
        "class Migration(migrations.Migration):\n"
        f"    initial = {n == 1}\n"
        f"    dependencies = [{deps}]\n"
        f"    operations = [\n{ops},\n    ]\n"
    )


# --------------------------------------------------------------------------- measuring


def measure(
    targets: dict[str, tuple[list[str], str]], runs: int, warmup: int, timeout: float, work: Path
):
    """Round-robin runs of every target: name -> list of bench.Run (warm-up runs dropped)."""
    out: dict[str, list] = {name: [] for name in targets}
    for round_no in range(warmup + runs):
        for name, (argv, cwd) in targets.items():
            argv = [a.replace("{fresh}", tempfile.mkdtemp(dir=work)) for a in argv]
            run = run_once(argv, cwd, timeout, round_no)
            if run.exit_code not in (0, 1):
                raise SystemExit(f"{name} failed ({run.exit_code}):\n{run.stderr_tail}")
            if round_no >= warmup:
                out[name].append(run)
    return out


def report(title: str, results: dict[str, list], before: list[float] | None) -> None:
    print(f"\n## {title}\n")
    print(f"load average before {before}, after {loadavg()}\n")
    print("| target | median s | min s | max s | median CPU s | peak MB | exit |")
    print("|---|---|---|---|---|---|---|")
    for name, runs in results.items():
        walls = [r.wall_s for r in runs]
        cpu = statistics.median(r.cpu_s for r in runs)
        rss = statistics.median(r.maxrss_kib for r in runs) / 1024
        codes = sorted({r.exit_code for r in runs})
        print(
            f"| {name} | {statistics.median(walls):.2f} | {min(walls):.2f} | {max(walls):.2f} "
            f"| {cpu:.2f} | {rss:.1f} | {','.join(map(str, codes))} |"
        )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("trees", nargs="*", help="source trees to time djatlas on")
    p.add_argument("--generate", metavar="APPSxMIGRATIONS", help="also a generated project")
    p.add_argument("--manage", action="append", default=[], help="manage.py of a bootable tree")
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--timeout", type=float, default=900)
    p.add_argument("--djatlas-cmd", default=default_djatlas_cmd())
    p.add_argument(
        "--djatlas-rev",
        action="append",
        default=[],
        metavar="REV",
        help="time djatlas from a byte-compiled git archive of src/ at REV (repeatable: the "
        "revisions run round-robin as separate targets) instead of --djatlas-cmd",
    )
    p.add_argument("--django-python", default=sys.executable)
    p.add_argument("--keep", metavar="DIR", help="generate into DIR and keep it")
    args = p.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="djatlas-migbench-"))
    try:
        djatlases = {"": shlex.split(args.djatlas_cmd)}
        if args.djatlas_rev:
            djatlases = {}
            for rev in args.djatlas_rev:
                argv_, sha = snapshot_djatlas(rev, work / f"rev-{len(djatlases)}")
                djatlases[f" @{sha}"] = argv_
        trees = [(t, None) for t in args.trees]
        trees += [(str(Path(m).resolve().parent), m) for m in args.manage]
        if args.generate:
            apps, per_app = (int(x) for x in args.generate.lower().split("x"))
            gen = Path(args.keep) if args.keep else work / "generated"
            generate(gen, apps, per_app)
            trees.append((str(gen), str(gen / "manage.py")))
        for tree, manage in trees:
            targets = {}
            for suffix, djatlas in djatlases.items():
                warm_cache = str(work / f"warm-{len(targets)}")
                base = [*djatlas, "migrations", tree, "--check", "-q"]
                targets[f"djatlas cold{suffix}"] = ([*base, "--no-cache"], ".")
                targets[f"djatlas cold-fill{suffix}"] = ([*base, "--cache-dir", "{fresh}"], ".")
                targets[f"djatlas warm{suffix}"] = ([*base, "--cache-dir", warm_cache], ".")
            if manage:
                mm = [args.django_python, "manage.py", "makemigrations", "--check", "--dry-run"]
                targets["makemigrations"] = (mm, str(Path(manage).resolve().parent))
            count = sum(
                1
                for folder, _, files in os.walk(tree)
                if os.path.basename(folder) == "migrations"
                for f in files
                if f.endswith(".py") and f[0] not in "_~"
            )
            before = loadavg()
            results = measure(targets, args.runs, args.warmup, args.timeout, work)
            report(f"{tree} ({count} migration files)", results, before)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
