"""The rule registry: every check has a stable code, a severity and a documentation entry."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from djatlas.records import dataclass, field

if TYPE_CHECKING:
    from djatlas.checks.context import Context

SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True)
class Finding:
    """One problem found by a rule, at ``file:line`` (paths relative to the scanned root)."""

    code: str
    message: str
    file: str | None
    line: int | None
    model: str | None = None
    field: str | None = None
    severity: str = "warning"
    #: The model's id (unique in the report, where its label may not be).
    model_id: str | None = None

    def sort_key(self) -> tuple[str, int, str, str]:
        return (self.file or "", self.line or 0, self.code, self.message)


@dataclass(frozen=True)
class Rule:
    """A check: ``func(ctx)`` yields findings (their severity is filled in from the rule)."""

    code: str
    name: str
    severity: str
    summary: str
    why: str
    fix: str
    func: Callable[[Context], Iterator[Finding]] = field(compare=False, repr=False)
    #: Django system check this rule mirrors, if any (e.g. ``fields.E300``).
    django_check: str | None = None
    #: Rules off by default run only when selected explicitly.
    default: bool = True
    bad: str = ""
    good: str = ""


RULES: dict[str, Rule] = {}


def rule(
    code: str,
    name: str,
    severity: str,
    summary: str,
    *,
    why: str,
    fix: str,
    django_check: str | None = None,
    default: bool = True,
    bad: str = "",
    good: str = "",
) -> Callable[[Callable[[Context], Iterator[Finding]]], Callable[[Context], Iterator[Finding]]]:
    """Register the decorated generator function as rule ``code``."""
    assert severity in SEVERITIES, severity
    assert code not in RULES, code

    def decorate(
        func: Callable[[Context], Iterator[Finding]],
    ) -> Callable[[Context], Iterator[Finding]]:
        RULES[code] = Rule(
            code=code,
            name=name,
            severity=severity,
            summary=summary,
            why=why.strip(),
            fix=fix.strip(),
            func=func,
            django_check=django_check,
            default=default,
            bad=bad.strip("\n"),
            good=good.strip("\n"),
        )
        return func

    return decorate


def all_rules() -> dict[str, Rule]:
    """Every registered rule, by code (importing the rule modules on first use)."""
    from djatlas.checks import rules as _rules  # noqa: F401 - registers the rules

    return dict(sorted(RULES.items()))


def select_rules(
    select: list[str] | None, ignore: list[str] | None, extend: list[str] | None = None
) -> list[Rule]:
    """Rules enabled by ``select`` (codes, prefixes or ``ALL``; None: the default rules) plus
    ``extend`` (codes or prefixes added to that set, as ruff's extend-select) minus ``ignore``.

    Raises ValueError naming an unknown code or prefix.
    """
    rules = all_rules()

    def matches(pattern: str) -> list[str]:
        pattern = pattern.strip().upper()
        if pattern == "ALL":
            return list(rules)
        found = [code for code in rules if code.startswith(pattern)]
        if not found:
            raise ValueError(f"unknown rule code or prefix {pattern!r}")
        return found

    if select is None:
        chosen = {code for code, r in rules.items() if r.default}
    else:
        chosen = set()
        for pattern in select:
            if pattern.strip():
                chosen.update(matches(pattern))
    for pattern in extend or []:
        if pattern.strip():
            chosen.update(matches(pattern))
    for pattern in ignore or []:
        if pattern.strip():
            chosen.difference_update(matches(pattern))
    return [rules[code] for code in sorted(chosen)]
