"""The project's environment: --python, $VIRTUAL_ENV, a venv folder above PATH, our own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from treeutil import write_tree

from djatlas.resolve.environment import EnvironmentError_, from_option, select
from djatlas.scan import scan_path

SITE = "lib/python3.11/site-packages"

#: A third-party package that only the fake environments below hold.
FAKE_PACKAGE = {
    "fakefields/__init__.py": "from .fields import ColourField\n",
    "fakefields/fields.py": """
        from django.db import models

        class ColourField(models.CharField):
            def __init__(self, *args, **kwargs):
                kwargs["max_length"] = 7
                super().__init__(*args, **kwargs)
    """,
    "fakefields-1.2.dist-info/METADATA": "Metadata-Version: 2.1\nName: fake-fields\nVersion: 1.2\n",
    "fakefields-1.2.dist-info/top_level.txt": "fakefields\n",
}
PROJECT = {
    "app/__init__.py": "",
    "app/models.py": """
        from django.db import models
        from fakefields import ColourField

        class Paint(models.Model):
            colour = ColourField()
    """,
}


def make_venv(prefix: Path, site: str = SITE, cfg: str | None = None, files=None) -> Path:
    """A virtualenv as files: pyvenv.cfg, the site folder, and ``files`` in it."""
    (prefix / site).mkdir(parents=True, exist_ok=True)
    if cfg is not None:
        (prefix / "pyvenv.cfg").write_text(cfg, encoding="utf-8")
    write_tree(prefix / site, files or {})
    return prefix


def venv_cfg(home: str = "/usr/bin", system: bool = False) -> str:
    return (
        f"home = {home}\ninclude-system-site-packages = {str(system).lower()}\nversion = 3.11.9\n"
    )


def colour(tmp_path: Path, **options) -> tuple[dict, dict]:
    write_tree(tmp_path / "proj", PROJECT)
    doc = scan_path(str(tmp_path / "proj"), timing=False, use_cache=False, **options)
    field = next(f for m in doc["models"] for f in m["fields"] if f["name"] == "colour")
    return doc, field


def test_python_venv_folder_reads_its_packages(tmp_path):
    env = make_venv(tmp_path / "env", cfg=venv_cfg(), files=FAKE_PACKAGE)
    doc, field = colour(tmp_path, python=str(env))
    assert field["resolved_type"] == "fakefields.fields.ColourField"
    assert field["django_type"] == "CharField" and field["max_length"] == 7
    meta = doc["metadata"]
    assert meta["environment"] == {"path": str(env), "python_version": "3.11.9", "how": "--python"}
    fake = next(p for p in meta["packages"] if p["package"] == "fakefields")
    assert fake == {
        "package": "fakefields",
        "origin": "environment",
        "distribution": "fake-fields",
        "installed_version": "1.2",
        "version": "1.2",
    }


def test_empty_environment_does_not_fall_back_to_our_own(tmp_path):
    env = make_venv(tmp_path / "empty", cfg=venv_cfg())
    doc, field = colour(tmp_path, python=str(env))
    assert field["resolved_type"] == "fakefields.ColourField"  # unresolved, by name
    assert {p["package"]: p["origin"] for p in doc["metadata"]["packages"]} == {
        "django": "knowledge"
    }
    assert "DJA103" in {d["code"] for d in doc["diagnostics"]}


def test_interpreter_symlink_inside_a_venv(tmp_path):
    env = make_venv(tmp_path / "env", cfg=venv_cfg(), files=FAKE_PACKAGE)
    (env / "bin").mkdir()
    os.symlink(os.path.realpath(sys.executable), env / "bin" / "python")
    found = from_option(str(env / "bin" / "python"))
    assert found.prefix == str(env) and found.python == str(env / "bin" / "python")
    assert found.paths == [str(env / SITE)]
    _, field = colour(tmp_path, python=str(env / "bin" / "python"))
    assert field["max_length"] == 7


def test_conda_like_layout_without_pyvenv_cfg(tmp_path):
    prefix = make_venv(tmp_path / "conda", files=FAKE_PACKAGE)
    (prefix / "conda-meta").mkdir()
    (prefix / "bin").mkdir()
    (prefix / "bin" / "python3.11").write_text("", encoding="utf-8")
    for given in (prefix, prefix / "bin" / "python3.11"):
        env = from_option(str(given))
        assert env.prefix == str(prefix) and env.version == "3.11"
        assert env.paths == [str(prefix / SITE)]
    _, field = colour(tmp_path, python=str(prefix))
    assert field["max_length"] == 7


def test_windows_layout(tmp_path):
    env = make_venv(
        tmp_path / "winenv", site="Lib/site-packages", cfg=venv_cfg(), files=FAKE_PACKAGE
    )
    (env / "Scripts").mkdir()
    (env / "Scripts" / "python.exe").write_text("", encoding="utf-8")
    found = from_option(str(env / "Scripts" / "python.exe"))
    assert found.prefix == str(env) and found.paths == [str(env / "Lib" / "site-packages")]


def test_pth_path_lines_are_followed_and_import_lines_never_run(tmp_path):
    marker = tmp_path / "ran"
    write_tree(tmp_path / "extra_src", {k: v for k, v in FAKE_PACKAGE.items() if ".py" in k})
    env = make_venv(tmp_path / "env", cfg=venv_cfg())
    (env / SITE / "extra.pth").write_text(
        f"# a comment\n{tmp_path / 'extra_src'}\n"
        f"import os; open({str(marker)!r}, 'w').close()\n"
        "../../../missing_folder\n",
        encoding="utf-8",
    )
    found = from_option(str(env))
    assert found.paths == [str(env / SITE), str(tmp_path / "extra_src")]
    _, field = colour(tmp_path, python=str(env))
    assert field["max_length"] == 7
    assert not marker.exists()


def test_editable_finder_mapping_is_read(tmp_path):
    write_tree(tmp_path / "checkout" / "src", {k: v for k, v in FAKE_PACKAGE.items() if ".py" in k})
    env = make_venv(tmp_path / "env", cfg=venv_cfg())
    site = env / SITE
    (site / "__editable__.fake_fields-1.2.pth").write_text(
        "import __editable___fake_fields_1_2_finder; "
        "__editable___fake_fields_1_2_finder.install()\n",
        encoding="utf-8",
    )
    (site / "__editable___fake_fields_1_2_finder.py").write_text(
        f"MAPPING = {{'fakefields': {str(tmp_path / 'checkout/src/fakefields')!r}}}\n"
        "raise SystemExit('never imported')\n",
        encoding="utf-8",
    )
    _, field = colour(tmp_path, python=str(env))
    assert field["max_length"] == 7


def test_include_system_site_packages(tmp_path):
    base = make_venv(tmp_path / "base", site="lib/python3.11/site-packages", files=FAKE_PACKAGE)
    (base / "bin").mkdir()
    env = make_venv(tmp_path / "env", cfg=venv_cfg(str(base / "bin"), system=True))
    assert from_option(str(env)).paths == [str(env / SITE), str(base / SITE)]
    alone = make_venv(tmp_path / "alone", cfg=venv_cfg(str(base / "bin"), system=False))
    assert from_option(str(alone)).paths == [str(alone / SITE)]


def test_virtual_env_variable_then_venv_folder_above_path(tmp_path, monkeypatch):
    active = make_venv(tmp_path / "active", cfg=venv_cfg(), files=FAKE_PACKAGE)
    nearby = make_venv(tmp_path / "work" / ".venv", cfg=venv_cfg())
    tree = tmp_path / "work" / "repo" / "src"
    tree.mkdir(parents=True)
    monkeypatch.setenv("VIRTUAL_ENV", str(active))
    env = select(None, str(tree))
    assert (env.prefix, env.how) == (str(active), "$VIRTUAL_ENV")
    monkeypatch.delenv("VIRTUAL_ENV")
    env = select(None, str(tree))
    assert (env.prefix, env.how) == (str(nearby), "venv folder")
    (tmp_path / "work" / "repo" / "venv").mkdir()  # no pyvenv.cfg: not an environment
    assert select(None, str(tree)).prefix == str(nearby)
    make_venv(tmp_path / "work" / "repo" / "venv", cfg=venv_cfg())
    assert select(None, str(tree)).prefix == str(tmp_path / "work" / "repo" / "venv")
    assert select(str(active), str(tree)).how == "--python"


def test_own_interpreter_when_nothing_else(tmp_path, monkeypatch):
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)
    env = select(None, "/")
    assert env.how == "djatlas's interpreter" and env.prefix == sys.prefix


@pytest.mark.parametrize("kind", ["missing", "text file", "empty folder", "not python"])
def test_bad_python_is_a_usage_error(tmp_path, kind):
    write_tree(tmp_path / "proj", PROJECT)
    target = {
        "missing": tmp_path / "nope",
        "text file": tmp_path / "notes.txt",
        "empty folder": tmp_path / "emptydir",
        "not python": tmp_path / "bin" / "node",
    }[kind]
    if kind == "text file":
        target.write_text("x", encoding="utf-8")
    elif kind == "empty folder":
        target.mkdir()
    elif kind == "not python":
        target.parent.mkdir()
        target.write_text("", encoding="utf-8")
    with pytest.raises(EnvironmentError_):
        from_option(str(target))
    for command in (["scan", str(tmp_path / "proj")], ["check", str(tmp_path / "proj")]):
        proc = subprocess.run(
            [sys.executable, "-m", "djatlas", *command, "--python", str(target)],
            capture_output=True,
            text=True,
        )
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr.count("\n") == 1 and "--python" in proc.stderr
        assert "Traceback" not in proc.stderr


def test_a_changed_environment_invalidates_the_cache(tmp_path):
    env = make_venv(tmp_path / "env", cfg=venv_cfg())
    write_tree(tmp_path / "proj", PROJECT)
    cache = str(tmp_path / "cache")

    def scan():
        doc = scan_path(str(tmp_path / "proj"), timing=False, cache_dir=cache, python=str(env))
        return next(f for m in doc["models"] for f in m["fields"] if f["name"] == "colour")

    assert scan()["max_length"] is None
    write_tree(env / SITE, FAKE_PACKAGE)  # "pip install fake-fields"
    assert scan()["max_length"] == 7
    other = make_venv(tmp_path / "other", cfg=venv_cfg())
    doc = scan_path(str(tmp_path / "proj"), timing=False, cache_dir=cache, python=str(other))
    assert doc["metadata"]["environment"]["path"] == str(other)


def test_distribution_from_record_without_top_level_txt(tmp_path):
    """Modern wheels ship no top_level.txt: the RECORD's first path parts name the packages; the
    first metadata folder (sorted) naming a package gives its distribution, one without metadata
    is passed over."""
    record = "colours/__init__.py,sha256=x,10\ncolours/fields.py,sha256=y,20\nsolo.py,,\n"
    env = make_venv(
        tmp_path / "env",
        cfg=venv_cfg(),
        files={
            "a_plugin-1.0.dist-info/RECORD": "colours/extra.py,sha256=z,1\n",  # no METADATA
            "colours-2.0.dist-info/RECORD": record + "colours-2.0.dist-info/RECORD,,\n",
            "colours-2.0.dist-info/METADATA": "Name: colours\nVersion: 2.0\n\nbody: Name: no\n",
            "other-1.0.dist-info/RECORD": "../../bin/tool,,\nother,sha256=q,1",
            "other-1.0.dist-info/METADATA": "Name: other\nVersion: 1.0\n",
        },
    )
    found = from_option(str(env))
    assert found.distribution("colours") == ("colours", "2.0")
    assert found.distribution("solo") == ("colours", "2.0")
    assert found.distribution("other") == ("other", "1.0")  # last line, no newline
    for absent in ("colours-2", "bin", "..", "sha256=x", "extra", "nothing"):
        assert found.distribution(absent) is None


def test_distribution_from_record_with_crlf_or_lone_cr_lines(tmp_path):
    """pip writes RECORD as CSV (CRLF line ends): a line still starts after each LF; a file
    whose lines end with a lone CR is split as a text-mode read splits it (METADATA too)."""
    env = make_venv(
        tmp_path / "env",
        cfg=venv_cfg(),
        files={
            "lonecr-2.0.dist-info/METADATA": "Name: lonecr\nVersion: 2.0\n",
        },
    )
    site = env / SITE
    (site / "crlf-1.0.dist-info").mkdir()
    (site / "crlf-1.0.dist-info/METADATA").write_bytes(
        b"Name: crlf\r\nVersion: 1.0\r\n \r\nName: body\r\nVersion: \xff\r\n"
    )  # the headers end at the first blank line, whitespace only
    (site / "crlf-1.0.dist-info/RECORD").write_bytes(b"crlf/__init__.py,,\r\nmod.py,,\r\nend\r\n")
    (site / "lonecr-2.0.dist-info/RECORD").write_bytes(b"x,,\rlone/a.py,,\rlast.py")
    found = from_option(str(env))
    assert found.distribution("crlf") == ("crlf", "1.0")
    assert found.distribution("mod") == ("crlf", "1.0")
    assert found.distribution("end") is None  # no separator after it: not a path part
    assert found.distribution("lone") == ("lonecr", "2.0")
    assert found.distribution("last") == ("lonecr", "2.0")  # the last line, no line end


def test_has_package_from_folder_entries(tmp_path):
    """A package folder (or a link to one) or a module file counts; a file without ``.py``, a
    ``.py`` folder or a broken link does not."""
    env = make_venv(tmp_path / "env", cfg=venv_cfg(), files={"pkg/__init__.py": "", "mod.py": ""})
    site = env / SITE
    (site / "plain").write_text("", encoding="utf-8")
    (site / "odd.py").mkdir()
    (tmp_path / "elsewhere").mkdir()
    (site / "linked").symlink_to(tmp_path / "elsewhere")
    (site / "broken").symlink_to(tmp_path / "missing")
    found = from_option(str(env))
    for name in ("pkg", "mod", "linked"):
        assert found.has_package(name), name
    for name in ("plain", "odd", "broken", "missing", "pkg.py"):
        assert not found.has_package(name), name
