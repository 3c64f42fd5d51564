"""User projects against the runtime oracle: models built on code outside the scanned tree.

Each project (``tests/fixtures/user_projects``) subclasses or points at models of Django's
contrib apps, wagtail, treebeard, mptt and taggit, and loads models by label as django-oscar
does. The static scan reads the project folder only:

(a) with ``--python`` naming the oracle's own environment (where those packages are installed):
    100% of the models (present, parents, proxy, table), declared fields, relation targets and
    on_delete, and at least 99% of the full field list agree with Django's ``_meta``;
(b) with an empty environment: the same for the projects whose packages djatlas knows without
    an environment (Django's built-ins, the bundled knowledge).

Every remaining disagreement is listed in ``known/user_<project>.txt`` (a new one fails).
"""

from __future__ import annotations

import os
import warnings

import pytest

from .harness import Scenario
from .test_static_oracle import known
from .user_projects import agreement, empty_environment, environment_python, user_compare, user_scan

#: Projects whose outside code is all covered without an environment: Django's built-ins and
#: the bundled knowledge of third-party packages (wagtail, modelsearch, taggit, treebeard, ...).
WITHOUT_ENVIRONMENT = {"contribproj", "wagtailproj", "fieldsproj"}
TARGETS = {"models": 1.0, "declared_fields": 1.0, "targets": 1.0, "on_delete": 1.0, "fields": 0.99}


def _check(scenario: Scenario, static: dict, known_name: str) -> None:
    found, stats = user_compare(static, scenario)
    shares = agreement(found, scenario)
    print(f"\n{scenario.name} ({known_name}): {stats} {shares}")
    messages = {d.message for d in found}
    expected = set() if os.environ.get("DJATLAS_ORACLE_STRICT") else known(known_name)
    stale = expected - messages
    if stale:
        warnings.warn(
            f"{len(stale)} known disagreement(s) in known/{known_name}.txt no longer occur: "
            + "; ".join(sorted(stale)[:5]),
            stacklevel=1,
        )
    new = sorted(messages - expected)
    assert not new, f"{len(new)} new disagreement(s) with the runtime oracle:\n" + "\n".join(new)
    low = {k: v for k, v in shares.items() if v < TARGETS[k]}
    assert not low, f"below target: {low}"


def test_user_project_with_its_environment(user_project: Scenario) -> None:
    """(a) ``--python`` at the oracle's environment."""
    static = user_scan(user_project, environment_python())
    assert static["summary"]["external_models"] > 0
    _check(user_project, static, f"user_{user_project.name}")


def test_user_project_without_environment(user_project: Scenario, tmp_path) -> None:
    """(b) ``--python`` at an empty virtualenv: Django's built-ins and bundled knowledge only."""
    if user_project.name not in WITHOUT_ENVIRONMENT:
        pytest.skip(f"{user_project.name} uses packages djatlas has no bundled knowledge of")
    empty = empty_environment(tmp_path)
    static = user_scan(user_project, str(empty))
    environment = (static.get("metadata") or {}).get("environment")
    assert environment and str(empty) in str(environment), environment
    _check(user_project, static, f"user_{user_project.name}")
