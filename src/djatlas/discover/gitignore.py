"""A small .gitignore matcher (git's pattern rules: negation, dir-only, anchoring, ``**``)."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class _Rule:
    regex: re.Pattern[str]
    negate: bool
    dir_only: bool


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
        self._any: re.Pattern[str] | None = None  # every rule at once (a rule must match)
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
            try:
                self.rules.append(_Rule(re.compile(regex), negate, dir_only))
            except re.error:
                continue

    def match(self, relpath: str, is_dir: bool) -> bool | None:
        """True (ignored), False (re-included by ``!``) or None (no rule applies)."""
        if self._any is None:
            self._any = re.compile("|".join(f"(?:{r.regex.pattern})" for r in self.rules) or "(?!)")
        if self._any.match(relpath) is None:  # one regex instead of one per rule: most paths
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
