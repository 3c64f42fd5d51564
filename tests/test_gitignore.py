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


def _by_rules(gi: GitIgnore, path: str, is_dir: bool) -> bool | None:
    """What the rules alone say (no pre-check): the last rule that matches decides."""
    result = None
    for rule in gi.rules:
        if rule.dir_only and not is_dir:
            head = path.rsplit("/", 1)[0] if "/" in path else None
            if head is None or not rule.regex.match(head):
                continue
        if rule.regex.match(path):
            result = not rule.negate
    return result


#: One pattern of each pre-check kind (name, suffix, prefix, infix, tail, component, path),
#: anchored or not, negated, folder-only, with escapes and "**".
PATTERNS = [
    "local_settings.py",
    "*.log",
    ".*",
    "!.github",
    r"*\.egg*",
    "*.py[cod]",
    "*~",
    "tmp*",
    "*cache*",
    "pre-*-x",
    "?.py",
    "[ab]*.py",
    "build/",
    "!keep/",
    "/static/",
    "docs/_build",
    "apps/*/generated",
    "**/fixtures/big",
    "/media/**",
    "a/**/b",
    "/*.sh",
    r"odd\*name",
    r"*foo\*",
    "*[!x]y",
    "data/[0-9]*.py",
    "/*.sh",
    "/static/js",
    "a[!x]b/c",
    "/x/y?/[!z]",
    "/[!a]odd",
]

PATHS = [
    "local_settings.py",
    "pkg/local_settings.py",
    "pkg/local_settings.pyc",
    "a.log",
    "x/y/debug.log",
    ".env",
    ".github",
    ".github/workflows/ci.py",
    "dist/x.egg-info/PKG.py",
    "m.pyc",
    "deep/er/m.pyo",
    "m.py",
    "notes.txt~",
    "tmpdir/a.py",
    "x/tmp.py",
    "the_cache_dir/a.py",
    "pre-1-x",
    "pre-1-y",
    "a.py",
    "ab.py",
    "b1.py",
    "c1.py",
    "build",
    "src/build/a.py",
    "keep",
    "keep/a.py",
    "static/a.py",
    "src/static/a.py",
    "docs/_build/html/a.py",
    "docs/_buildx/a.py",
    "src/docs/_build/a.py",
    "apps/shop/generated/a.py",
    "apps/shop/deep/generated/a.py",
    "fixtures/big/a.py",
    "x/y/fixtures/big/a.py",
    "media/a/b.py",
    "src/media/a.py",
    "a/b",
    "a/x/y/b/c.py",
    "run.sh",
    "bin/run.sh",
    "odd*name",
    "oddXname",
    "xfoo*",
    "xfooz",
    "zy",
    "xy",
    "data/1.py",
    "data/a.py",
    "src/data/1.py",
    "line\nbreak.py",
    "tools.sh/a.py",
    "src/tools.sh/a.py",
    "static/js",
    "static/js/app.py",
    "static/jsx/app.py",
    "src/static/js/a.py",
    "a/b/c",
    "a/b/c/d.py",
    "aqb/c/d.py",
    "x/y1/q",
    "x/y1/q/r.py",
    "x/y1/z",
    "x/y12/q",
    "xodd",
    "xodd/a.py",
    "aodd/a.py",
]


def test_pre_checks_never_hide_a_rule() -> None:
    """The pre-checks (per name, per folder, per path rule's lead) only skip what no rule
    matches: the answers equal the rules' own, for every pattern alone and all together."""
    for patterns in [[p] for p in PATTERNS] + [PATTERNS, PATTERNS[::-1]]:
        gi = GitIgnore(patterns)
        for path in PATHS:
            for is_dir in (False, True):
                assert gi.match(path, is_dir) == _by_rules(gi, path, is_dir), (patterns, path)


def test_folder_pre_checks_agree_with_the_rules() -> None:
    """``folder_may_match``/``name_may_match``/``paths_may_match``: when all three say no for
    an entry of a folder, no rule matches it."""
    for patterns in [[p] for p in PATTERNS] + [PATTERNS]:
        gi = GitIgnore(patterns)
        for path in PATHS:
            folder, _, name = path.rpartition("/")
            may = (
                gi.folder_may_match(folder)
                or gi.name_may_match(name)
                or (gi.paths_may_match(folder + "/" if folder else "") and gi.path_may_match(path))
            )
            if not may:
                assert _by_rules(gi, path, False) is None, (patterns, path)
                assert _by_rules(gi, path, True) is None, (patterns, path)


def test_path_rules_live_only_under_their_lead() -> None:
    gi = GitIgnore(["docs/_build", "/static/", "apps/*/generated"])
    assert gi.paths_may_match("")  # the .gitignore's own folder
    assert gi.paths_may_match("docs/") and gi.paths_may_match("docs/_build/html/")
    assert gi.paths_may_match("apps/shop/")
    assert not gi.paths_may_match("apps/")  # its entries have 2 components, the rule 3
    assert not gi.paths_may_match("src/") and not gi.paths_may_match("src/docs/")
    assert not GitIgnore(["*.log"]).paths_may_match("")  # no path rule at all
    sh = GitIgnore(["/*.sh"])  # no literal lead, but one component: by the folder's first
    assert not sh.paths_may_match("src/") and not sh.paths_may_match("src/a.sh/")
    assert sh.paths_may_match("bin.sh/") and sh.paths_may_match("bin.sh/x/")
    assert GitIgnore(["a/**/b"]).paths_may_match("a/x/y/")  # any number of components


def test_tail_and_infix_patterns() -> None:
    gi = GitIgnore(["*.py[cod]", r"*\.egg*", r"*foo\*"])
    assert gi.match("a/b.pyc", False) is True and gi.match("b.pyx", False) is None
    assert gi.match("x.egg-info/a.py", False) is True and gi.match("egg/a.py", False) is None
    assert gi.match("xfoo*", False) is True and gi.match("xfooz", False) is None


def test_plain_patterns_parse_as_globbed_ones() -> None:
    """A pattern without a glob character takes ``_add_plain``: the same rule, pre-check and
    path entry as ``_add``, the general path."""
    lines = ["build", "docs/_build", "a.b/c-d+e", "x.py", "!keep", "out/", "/top", "/a/b/", "~x$"]
    for line in lines:
        text = line.lstrip("!").rstrip("/")
        anchored = "/" in text
        fast, general = GitIgnore([]), GitIgnore([])
        args = (text.lstrip("/"), anchored, line.startswith("!"), line.endswith("/"))
        fast._add_plain(*args)
        general._add(*args)
        assert _state(fast) == _state(general), line
        assert _state(GitIgnore([line])) == _state(general), line


def _state(gi: GitIgnore) -> tuple:
    rules = [(r.source, r.negate, r.dir_only, r.check) for r in gi.rules]
    paths = [(lead, parts, rule.source) for lead, parts, rule in gi._paths]
    return rules, gi._prechecks, paths


def test_path_rules_dead_below_a_folder_stay_dead() -> None:
    """``paths_below`` None for a folder (the walk then skips it in the folder's subfolders'
    screens): ``paths_may_match`` is False for it and every folder below it."""
    folders = {""} | {p.rsplit("/", 1)[0] + "/" for p in PATHS if "/" in p}
    folders |= {f[:i] for f in list(folders) for i in range(len(f)) if f[i - 1 : i] == "/"}
    for patterns in [[p] for p in PATTERNS] + [PATTERNS]:
        gi = GitIgnore(patterns)
        for folder in folders:
            if gi.paths_below(folder) is None:
                for other in folders:
                    if other.startswith(folder):
                        assert not gi.paths_may_match(other), (patterns, folder, other)
