"""A small .gitignore matcher (git's pattern rules: negation, dir-only, anchoring, ``**``)."""

from __future__ import annotations

import re


class _Rule:
    """One pattern; its regex is compiled on first use (most paths never reach a rule)."""

    __slots__ = ("source", "negate", "dir_only", "_regex")

    def __init__(
        self, source: str, negate: bool, dir_only: bool, regex: re.Pattern[str] | None = None
    ) -> None:
        self.source = source
        self.negate = negate
        self.dir_only = dir_only
        self._regex = regex

    @property
    def regex(self) -> re.Pattern[str]:
        if self._regex is None:
            self._regex = re.compile(self.source)
        return self._regex


def _translate(pattern: str) -> str:
    """Translate a gitignore glob (without leading/trailing slash handling) to a regex."""
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
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
                i = j
        elif c == "\\" and i + 1 < n:
            i += 1
            out.append(re.escape(pattern[i]))
        else:
            out.append(re.escape(c))
        i += 1
    return "".join(out)


class GitIgnore:
    """The rules of one .gitignore file, matching paths relative to its folder."""

    def __init__(self, lines: list[str]) -> None:
        self.rules: list[_Rule] = []
        #: Pre-check (see _prepare): rules that match a path component, and all the others.
        self._bodies: list[str] = []
        self._names: set[str] | None = None
        self._component: re.Pattern[str] | None = None
        self._rest: re.Pattern[str] | None = None
        self._memo: dict[str, bool] = {}
        for raw in lines:
            line = raw.rstrip("\n").rstrip("\r")
            if not line.strip() or line.startswith("#"):
                continue
            line = line.rstrip(" ") if not line.endswith("\\ ") else line
            negate = line.startswith("!")
            if negate:
                line = line[1:]
            dir_only = line.endswith("/")
            line = line.rstrip("/")
            if not line:
                continue
            anchored = "/" in line
            line = line.lstrip("/")
            body = _translate(line)
            regex = f"^{body}(?:/.*)?$" if anchored else f"^(?:.*/)?{body}(?:/.*)?$"
            # Only a "[...]" class can make an invalid regex: compile those now (and drop them
            # when invalid), the others when first needed.
            try:
                compiled = re.compile(regex) if "[" in line else None
            except re.error:
                continue
            self.rules.append(_Rule(regex, negate, dir_only, compiled))
            # An unanchored pattern without "/", "**" or "[" matches iff one path component
            # matches it whole: test components against a set / one regex instead of every rule.
            if not anchored and "**" not in line and "[" not in line:
                self._bodies.append(line if not any(c in line for c in "*?\\") else "\0" + body)
            else:
                self._bodies.append("\1" + regex)

    def _prepare(self) -> None:
        names = {b for b in self._bodies if not b.startswith(("\0", "\1"))}
        comp = [b[1:] for b in self._bodies if b.startswith("\0")]
        rest = [b[1:] for b in self._bodies if b.startswith("\1")]
        self._component = re.compile("|".join(f"(?:{c})" for c in comp)) if comp else None
        self._rest = re.compile("|".join(f"(?:{r})" for r in rest)) if rest else None
        self._names = names

    def _may_match(self, relpath: str) -> bool:
        """False only when no rule's regex can match ``relpath``."""
        if self._rest is not None and self._rest.match(relpath):
            return True
        # Per path component (the same folder names recur in every path below them): memoised.
        memo = self._memo
        for part in relpath.split("/"):
            hit = memo.get(part)
            if hit is None:
                hit = memo[part] = self._component_may_match(part)
            if hit:
                return True
        return False

    def _component_may_match(self, part: str) -> bool:
        names, comp = self._names, self._component
        return bool(names and part in names) or (comp is not None and bool(comp.fullmatch(part)))

    def match(self, relpath: str, is_dir: bool) -> bool | None:
        """True (ignored), False (re-included by ``!``) or None (no rule applies)."""
        if self._names is None:
            self._prepare()
        if "\n" not in relpath and not self._may_match(relpath):  # most paths: no rule applies
            return None
        result: bool | None = None
        for rule in self.rules:
            if rule.dir_only and not is_dir:
                # A dir-only rule still ignores files below a matching folder.
                head = relpath.rsplit("/", 1)[0] if "/" in relpath else None
                if head is None or not rule.regex.match(head):
                    continue
            if rule.regex.match(relpath):
                result = not rule.negate
        return result
