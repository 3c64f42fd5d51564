"""The static core against the runtime oracle: every model, field, relation, table and column.

Disagreements already known (bugs filed for the static core) are listed one message per line in
``known/<scenario>.txt``; a new disagreement fails the test. Set ``DJATLAS_ORACLE_STRICT=1`` to
fail on known ones too.
"""

from __future__ import annotations

import importlib.util
import os
import warnings
from pathlib import Path

import pytest

from djatlas.verify import check_database, compare, summarize

from .harness import Scenario, static_scan

KNOWN = Path(__file__).with_name("known")

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("djatlas.scan") is None, reason="static core (djatlas.scan) missing"
)


def known(name: str) -> set[str]:
    path = KNOWN / f"{name}.txt"
    if not path.is_file():
        return set()
    lines = path.read_text(encoding="utf-8").splitlines()
    return {line for line in lines if line.strip() and not line.startswith("#")}


def test_static_agrees_with_runtime(scenario: Scenario) -> None:
    static = static_scan(scenario)
    assert static["metadata"]["source"] == "static"
    found = compare(static, scenario.runtime, apps=scenario.app_labels)
    found += check_database(static, str(scenario.database), apps=scenario.app_labels)
    stats = summarize(static, scenario.runtime, found, apps=scenario.app_labels)
    print(f"\n{scenario.name}: {stats}")
    messages = {d.message for d in found}
    expected = set() if os.environ.get("DJATLAS_ORACLE_STRICT") else known(scenario.name)
    stale = expected - messages
    if stale:
        warnings.warn(
            f"{len(stale)} known disagreement(s) in known/{scenario.name}.txt no longer occur: "
            + "; ".join(sorted(stale)[:5]),
            stacklevel=1,
        )
    new = sorted(messages - expected)
    assert not new, f"{len(new)} new disagreement(s) with the runtime oracle:\n" + "\n".join(new)


def test_static_abstract_models_are_not_installed(scenario: Scenario) -> None:
    """Abstract models are static-only; none may share a label with a runtime model."""
    static = static_scan(scenario)
    runtime_labels = {m["label"] for m in scenario.runtime["models"]}
    clashes = [
        m["label"] for m in static["models"] if m["abstract"] and m["label"] in runtime_labels
    ]
    assert clashes == []
