"""A small .gitignore matcher (git's pattern rules: negation, dir-only, anchoring, ``**``)."""

from __future__ import annotations

import re


class _Rule:
    """One pattern; its regex is compiled on first use (most paths never reach a rule, and
    a rule matched by one of its path's components is tested without it: ``matches``)."""

    __slots__ = ("source", "negate", "dir_only", "_regex", "check")

    def __init__(
        self, source: str, negate: bool, dir_only: bool, regex: re.Pattern[str] | None = None
    ) -> None:
        self.source = source
        self.negate = negate
        self.dir_only = dir_only
        self._regex = regex
        #: Its pre-check (``_precheck``): ``(kind, text)``.
        self.check: tuple[str, str] = ("path", source)

    @property
    def regex(self) -> re.Pattern[str]:
        if self._regex is None:
            self._regex = re.compile(self.source)
        return self._regex

    def matches(self, path: str, parts: list[str] | None) -> bool:
        """Whether the rule's regex matches ``path``, whose components are ``parts`` (None:
        ask the regex). A rule whose pre-check is by component matches a path (without a
        newline) iff one of its components passes the pre-check's test, which is exact for
        every kind but "component": its regex is then not compiled (a compile costs more
        than the few paths a walk asks ``GitIgnore.match`` about)."""
        kind, text = self.check
        if parts is None or kind == "path" or kind == "component":  # (a "literal": a path rule
            # without any glob, ``^text(?:/.*)?$``)
            return self.regex.match(path) is not None
        if kind == "name":
            return text in parts
        if kind == "suffix":
            return any(part.endswith(text) for part in parts)
        if kind == "prefix":
            return any(part.startswith(text) for part in parts)
        if kind == "infix":
            return any(text in part for part in parts)
        if kind == "literal":
            return path == text or path.startswith(text + "/")
        tail = re.compile(text)  # "tail" (compiled by ``GitIgnore._prepare``: cached by re)
        return any(tail.search(part) is not None for part in parts)

    def matches_path(self, path: str) -> bool:
        """``matches`` for a path rule (its components not needed)."""
        return self.matches(path, None if "\n" in path else [])


def _translate(pattern: str, classes: list[str] | None = None) -> str:
    """Translate a gitignore glob (without leading/trailing slash handling) to a regex; the
    ``[...]`` classes it emits are appended to ``classes``. A run of plain characters is
    escaped at once (``re.escape`` of a run is its characters' escapes one after the other)."""
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        j = i
        while j < n and pattern[j] not in _GLOB:
            j += 1
        if j > i:
            out.append(re.escape(pattern[i:j]))
            if j == n:
                break
            i = j
        c = pattern[i]
        if c == "*":
            if pattern[i : i + 3] == "**/":
                out.append("(?:.*/)?")
                i += 3
                continue
            if pattern[i : i + 2] == "**":
                out.append(".*")
                i += 2
                continue
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            j = pattern.find("]", i + 1)
            if j == -1:
                out.append(re.escape(c))
            else:
                body = pattern[i + 1 : j].replace("\\", "\\\\")
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append(f"[{body}]")
                if classes is not None:
                    classes.append(out[-1])
                i = j
        elif c == "\\" and i + 1 < n:
            i += 1
            out.append(re.escape(pattern[i]))
        else:
            out.append(re.escape(c))
        i += 1
    return "".join(out)


_GLOB = "*?\\["
_GLOB_CHARS = frozenset(_GLOB)


def _lead(line: str) -> str:
    """The literal start of a pattern: up to its first glob (or escape) character."""
    for i, c in enumerate(line):
        if c in _GLOB:
            return line[:i]
    return line


def _precheck(line: str, anchored: bool, classes: list[str], regex: str) -> tuple[str, str]:
    """How ``GitIgnore._may_match`` pre-checks one rule: ``(kind, text)``, a path component
    that equals ``text`` ("name"), ends or starts with it ("suffix", "prefix"), holds it
    ("infix"), ends with a match of the regex ``text`` ("tail", searched: a literal start makes
    that faster than a whole match from a leading ``[^/]*``), or matches the regex ``text``
    whole ("component"); or the whole path matching the regex ``text`` ("path").

    An unanchored pattern (or ``**/`` and one without "/" or "**") whose classes cannot match
    "/" matches iff one path component matches it whole: components are checked (memoised)
    with string tests and one regex, instead of every path against every rule."""
    name = line[3:] if anchored and line.startswith("**/") else line
    by_component = (not anchored or name is not line) and "/" not in name and "**" not in name
    if by_component and classes:
        try:
            by_component = not any(re.fullmatch(c, "/") for c in classes)
        except re.error:
            by_component = False
    if not by_component:
        return "path", regex
    if not any(c in name for c in _GLOB):
        return "name", name
    if name[:1] == "*" and not any(c in name[1:] for c in _GLOB):
        return "suffix", name[1:]
    if name[-1:] == "*" and not any(c in name[:-1] for c in _GLOB):
        return "prefix", name[:-1]
    if name[:1] == "*" and "*" not in name[1:]:  # "*.py[cod]": a fixed-width glob at the end
        return "tail", _translate(name[1:]) + r"\Z"
    if len(name) > 2 and name[:1] == "*" == name[-1:]:
        inner = _literal(name[1:-1])
        if inner:  # "*\.egg*": a text anywhere in the name
            return "infix", inner
    return "component", _translate(name)


def _valid(classes: list[str], regex: str) -> bool:
    """Whether the rule's ``regex`` compiles: only a "[...]" class can make it invalid, and
    one that compiles alone compiles within it (a set is read from its "[" to its "]" alike
    anywhere); the whole regex is compiled only when a class alone does not (it then may
    still, with what follows)."""
    try:
        for c in classes:
            re.compile(c)
    except re.error:
        try:
            re.compile(regex)
        except re.error:
            return False
    return True


def _components(line: str, classes: list[str]) -> int:
    """The number of path components every path an anchored rule ``line`` matches has up to
    the rule's end (its regex is ``^X(?:/.*)?$``: X spans that many components), or 0 when
    that varies: a ``**``, or a class that may match "/"."""
    if "**" in line:
        return 0
    for c in classes:
        try:
            if re.fullmatch(c, "/"):
                return 0
        except re.error:
            return 0
    return line.count("/") + 1


def _literal(text: str) -> str | None:
    """``text`` with its escapes undone, or None when it holds a glob character or ends with
    an escape (which would escape the character after it)."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in "*?[":
            return None
        if c == "\\":
            if i + 1 == n:
                return None
            i += 1
            c = text[i]
        out.append(c)
        i += 1
    return "".join(out)


class GitIgnore:
    """The rules of one .gitignore file, matching paths relative to its folder."""

    def __init__(self, lines: list[str]) -> None:
        self.rules: list[_Rule] = []
        #: Each rule's pre-check (``_precheck``), combined by ``_prepare``.
        self._prechecks: list[tuple[str, str]] = []
        self._names: set[str] | None = None
        self._suffixes: tuple[str, ...] = ()
        self._prefixes: tuple[str, ...] = ()
        self._infixes: tuple[str, ...] = ()
        self._tails: tuple[re.Pattern[str], ...] = ()
        self._component: re.Pattern[str] | None = None
        #: The path rules (pre-check "path"): their literal starts ("" for a rule that may
        #: match anywhere), their number of path components (``_components``) and the rules.
        #: A path is tried against a rule's own regex only when it starts with the rule's
        #: lead, so most of them are never compiled (no alternation of them all is compiled
        #: either: compiling costs more than the few paths ever tried).
        self._paths: list[tuple[str, int, _Rule]] = []
        self._memo: dict[str, bool] = {}
        self._folders: dict[str, bool] = {}
        #: The path rules' leads, all non-empty, for ``paths_may_match`` (None: some rule may
        #: match anywhere; see ``_prepare_leads``).
        self._lead_start: tuple[str, ...] | None = None
        self._lead_folders: set[str] = set()
        for raw in lines:
            line = raw.rstrip("\n").rstrip("\r")
            if not line.strip() or line[0] == "#":
                continue
            if line[-1] == " " and not line.endswith("\\ "):
                line = line.rstrip(" ")
            negate = line[0] == "!"
            if negate:
                line = line[1:]
            dir_only = line[-1:] == "/"
            line = line.rstrip("/")
            if not line:
                continue
            anchored = "/" in line
            line = line.lstrip("/")
            if _GLOB_CHARS.isdisjoint(line):
                self._add_plain(line, anchored, negate, dir_only)
            else:
                self._add(line, anchored, negate, dir_only)

    def _add(self, line: str, anchored: bool, negate: bool, dir_only: bool) -> None:
        """Add the rule of pattern ``line`` (stripped of its "!", leading and trailing "/")."""
        classes: list[str] = []
        body = _translate(line, classes)
        regex = f"^{body}(?:/.*)?$" if anchored else f"^(?:.*/)?{body}(?:/.*)?$"
        if not _valid(classes, regex):
            return
        rule = _Rule(regex, negate, dir_only)
        self.rules.append(rule)
        precheck = rule.check = _precheck(line, anchored, classes, regex)
        self._prechecks.append(precheck)
        if precheck[0] == "path":  # (its pre-check's regex is the rule's own)
            lead = _lead(line) if anchored else ""
            if anchored and lead == line:
                rule.check = ("literal", line)
            parts = _components(line, classes) if anchored else 0
            self._paths.append((lead, parts, rule))

    def _add_plain(self, line: str, anchored: bool, negate: bool, dir_only: bool) -> None:
        """``_add`` for a pattern without a glob character or escape (most lines: "build",
        "/docs/_build"): its regex is its escaped text, its pre-check a "name" or, anchored,
        a "literal" path rule whose lead is itself (blueking-paas's .gitignore files: 10.5M
        instructions to parse down to 7.4M, measured with callgrind)."""
        body = re.escape(line)
        if anchored:
            regex = f"^{body}(?:/.*)?$"
            rule = _Rule(regex, negate, dir_only)
            self.rules.append(rule)
            self._prechecks.append(("path", regex))
            rule.check = ("literal", line)
            self._paths.append((line, line.count("/") + 1, rule))
        else:
            rule = _Rule(f"^(?:.*/)?{body}(?:/.*)?$", negate, dir_only)
            self.rules.append(rule)
            rule.check = ("name", line)
            self._prechecks.append(rule.check)

    def _prepare(self) -> None:
        kinds = ("name", "suffix", "prefix", "infix", "tail", "component", "path")
        by_kind: dict[str, list[str]] = {k: [] for k in kinds}
        for kind, text in self._prechecks:
            by_kind[kind].append(text)
        comp = by_kind["component"]
        self._component = re.compile("|".join(f"(?:{c})" for c in comp)) if comp else None
        self._infixes = tuple(by_kind["infix"])
        self._tails = tuple(re.compile(t) for t in by_kind["tail"])
        self._suffixes, self._prefixes = tuple(by_kind["suffix"]), tuple(by_kind["prefix"])
        self._names = set(by_kind["name"])
        self._prepare_leads()

    def _prepare_leads(self) -> None:
        """An anchored path rule matches only paths that start with its literal start (the
        pattern up to its first glob character): the entries of folder ``D/`` can match it
        only when ``D/`` starts with that lead or the lead starts with ``D/``."""
        leads = [lead for lead, _, _ in self._paths]
        if not leads or "" in leads:
            return
        self._lead_start = tuple(leads)
        self._lead_folders = {
            lead[: i + 1] for lead in leads for i, c in enumerate(lead) if c == "/"
        }

    def _may_match(self, relpath: str) -> bool:
        """False only when no rule's regex can match ``relpath``."""
        if self._paths and self.path_may_match(relpath):
            return True
        # Per path component, memoised per component and per folder (every path below a folder
        # shares its components).
        folder, _, name = relpath.rpartition("/")
        hit = self._memo.get(name)
        if hit is None:
            hit = self._memo[name] = self._component_may_match(name)
        return hit or self.folder_may_match(folder)

    def folder_may_match(self, folder: str) -> bool:
        """True when a rule may match every path below ``folder`` ("" for this file's folder)
        through one of its components (``_may_match``'s per-folder part)."""
        if self._names is None:
            self._prepare()
        if not folder:
            return False
        hit = self._folders.get(folder)
        if hit is None:
            hit = self._folder_hit(folder)
        return hit

    def _folder_hit(self, folder: str) -> bool:
        """``folder_may_match`` from its nearest known parent's answer (a walk asks about a
        folder after its parent): the parts below it are tried, not every part again."""
        missing: list[str] = []
        hit = False
        while folder:
            known = self._folders.get(folder)
            if known is not None:
                hit = known
                break
            missing.append(folder)
            folder = folder.rpartition("/")[0]
        for path in reversed(missing):
            hit = hit or self.name_may_match(path.rpartition("/")[2])
            self._folders[path] = hit
        return hit

    def name_may_match(self, name: str) -> bool:
        """True when a rule may match a path whose last component is ``name`` through that
        component (``_may_match``'s per-name part, memoised)."""
        hit = self._memo.get(name)
        if hit is None:
            if self._names is None:
                self._prepare()
            hit = self._memo[name] = self._component_may_match(name)
        return hit

    def paths_may_match(self, folder: str) -> bool:
        """False only when no path rule can match an entry of ``folder`` (a
        relative path ending with "/", or "" for this file's folder): most folders of a tree
        are under none of the anchored rules' leads."""
        return self.paths_below(folder) is True

    def paths_below(self, folder: str) -> bool | None:
        """``paths_may_match``, None when no path rule can match an entry of ``folder`` or of
        any folder below it either: no path rule, or ``folder`` is under no lead and holds
        none (a folder below it would start with a lead only if ``folder`` started with it or
        were in ``_lead_folders``)."""
        if self._names is None:
            self._prepare()
        if not self._paths:
            return None
        if not folder:
            return True
        if self._lead_start is not None and not (
            folder in self._lead_folders or folder.startswith(self._lead_start)
        ):
            return None
        depth = folder.count("/")  # the folder's components; its entries have one more
        for lead, parts, rule in self._paths:
            if not parts or parts == depth + 1:  # by the entry's own path: by the lead
                if folder.startswith(lead) or lead.startswith(folder):
                    return True
            elif parts <= depth and folder.startswith(lead) and rule.matches_path(folder[:-1]):
                return True  # matches every path below the folder
        return False

    def path_may_match(self, relpath: str) -> bool:
        """True when a path rule matches ``relpath`` (each tried only on paths that start with
        its lead; a path under none of the leads, when all are non-empty, at once: one
        ``str.startswith`` of them all, not one a rule)."""
        if self._lead_start is not None and not relpath.startswith(self._lead_start):
            return False
        for lead, _, rule in self._paths:
            if relpath.startswith(lead) and rule.matches_path(relpath):
                return True
        return False

    def _component_may_match(self, part: str) -> bool:
        assert self._names is not None
        if (
            part in self._names
            or (bool(self._suffixes) and part.endswith(self._suffixes))
            or (bool(self._prefixes) and part.startswith(self._prefixes))
        ):
            return True
        for infix in self._infixes:  # (loops: ``any`` makes a generator per call)
            if infix in part:
                return True
        for tail in self._tails:
            if tail.search(part) is not None:
                return True
        return self._component is not None and self._component.fullmatch(part) is not None

    def match(self, relpath: str, is_dir: bool) -> bool | None:
        """True (ignored), False (re-included by ``!``) or None (no rule applies)."""
        if self._names is None:
            self._prepare()
        if "\n" not in relpath and not self._may_match(relpath):  # most paths: no rule applies
            return None
        result: bool | None = None
        parts = None if "\n" in relpath else relpath.split("/")
        for rule in self.rules:
            if rule.dir_only and not is_dir:
                # A dir-only rule still ignores files below a matching folder.
                if "/" not in relpath:
                    continue
                head = relpath.rsplit("/", 1)[0]
                if not rule.matches(head, None if parts is None else parts[:-1]):
                    continue
            if rule.matches(relpath, parts):
                result = not rule.negate
        return result
