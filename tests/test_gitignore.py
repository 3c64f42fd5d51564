"""The .gitignore matcher: git's pattern rules, whichever pre-check a rule gets."""

from __future__ import annotations

from djatlas.discover.gitignore import GitIgnore


def test_class_and_double_star_patterns_match_any_component() -> None:
    gi = GitIgnore(["*.py[cod]", "**/db.sqlite3", "/build/**/cache"])
    assert gi.match("a/b.pyc", False) is True
    assert gi.match("a/b.py", False) is None
    assert gi.match("x/y/db.sqlite3", False) is True
    assert gi.match("db.sqlite3", False) is True
    assert gi.match("db.sqlite3x", False) is None
    assert gi.match("build/a/b/cache", True) is True
    assert gi.match("src/build/a/cache", True) is None


def test_suffix_prefix_and_name_patterns() -> None:
    gi = GitIgnore([".coverage.*", "*~", "local_settings.py", "*.log", "!keep.log"])
    assert gi.match(".coverage.xml", False) is True
    assert gi.match("x/.coverage.1/y.py", False) is True  # below an ignored folder
    assert gi.match(".coverage", False) is None
    assert gi.match("a/b.py~", False) is True
    assert gi.match("proj/local_settings.py", False) is True
    assert gi.match("proj/local_settings.pyc", False) is None
    assert gi.match("a/debug.log", False) is True
    assert gi.match("a/keep.log", False) is False


def test_dir_only_rule_ignores_files_below_the_folder() -> None:
    gi = GitIgnore(["generated/"])
    assert gi.match("generated", True) is True
    assert gi.match("generated", False) is None
    assert gi.match("generated/models.py", False) is True
