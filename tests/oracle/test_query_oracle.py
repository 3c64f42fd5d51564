"""``impact`` and ``path`` against Django itself.

For every concrete installed model of each oracle scenario, the static ``impact`` (from the
scan of the scenario's tree) is compared per category with what Django's deletion Collector
reaches (``deletion_oracle.py`` walks ``get_candidate_relations_to_delete`` in the booted
project). Every lookup ``path`` prints between the scenario's models is run through Django:
``filter(**{lookup + "__isnull": True})`` must compile and end on the target model.
Disagreements that come from known gaps of the static report are listed in
``known/query-<scenario>.txt``; a new one fails.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from djatlas.query.atlas import Atlas
from djatlas.query.impact import CATEGORIES, impact
from djatlas.query.paths import lookup, lookup_paths

from .harness import Scenario, _env, static_scan
from .test_static_oracle import known

HERE = Path(__file__).parent


def run_oracle(scenario: Scenario, work: Path, paths: list[dict[str, str]]) -> dict[str, Any]:
    """Run ``deletion_oracle.py`` in the scenario's booted project."""
    asked = work / "paths.json"
    asked.write_text(json.dumps(paths), encoding="utf-8")
    out = work / "oracle.json"
    env = _env(
        scenario.pythonpath or [scenario.tree.parent / "settings"],
        DJANGO_SETTINGS_MODULE=scenario.settings_module,
        SHOP_DB=str(scenario.database),
    )
    extra = ["shop-rows"] if scenario.name == "shop" else []
    result = subprocess.run(
        [sys.executable, str(HERE / "deletion_oracle.py"), str(out), str(asked), *extra],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        cwd=work,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(out.read_text(encoding="utf-8"))


def asked_paths(atlas: Atlas, labels: list[str]) -> list[dict[str, str]]:
    """Up to three lookups of at most three steps between every ordered pair of models."""
    asked = []
    for source in labels:
        for target in labels:
            for p in lookup_paths(atlas, source, target, max_steps=3, limit=3):
                asked.append({"source": source, "target": target, "lookup": lookup(p)})
    return asked


def test_impact_and_paths_agree_with_django(scenario: Scenario, tmp_path: Path) -> None:
    apps = scenario.app_labels
    doc = static_scan(scenario)  # the project's models: those of its installed apps
    doc["models"] = [m for m in doc["models"] if m["app_label"] in apps]
    atlas = Atlas(doc)
    labels = sorted(
        label
        for label, m in atlas.models.items()
        if m["app_label"] in apps and not m.get("abstract") and not m.get("proxy")
    )
    asked = asked_paths(atlas, labels)
    oracle = run_oracle(scenario, tmp_path, asked)
    found, agree, total = [], 0, 0
    for label, expected in sorted(oracle["impact"].items()):
        if label not in atlas.models or label.partition(".")[0] not in apps:
            continue
        got = impact(atlas, label)
        for category in CATEGORIES:
            total += 1
            if got[category] == expected[category]:
                agree += 1
                continue
            missing = sorted(set(expected[category]) - set(got[category]))
            extra = sorted(set(got[category]) - set(expected[category]))
            found.append(f"impact {label} {category}: missing {missing} extra {extra}")
    good_paths = 0
    for item in asked:
        end = oracle["paths"][f"{item['source']} {item['lookup']}"]
        if end == atlas.concrete(item["target"]):
            good_paths += 1
        else:
            found.append(f"path {item['source']} {item['lookup']} -> {item['target']}: {end}")
    print(
        f"\n{scenario.name}: impact {agree}/{total} model categories agree; "
        f"paths {good_paths}/{len(asked)} lookups compile and end on the target"
    )
    expected_gaps = known(f"query-{scenario.name}")
    new = sorted(set(found) - expected_gaps)
    assert not new, f"{len(new)} new disagreement(s) with Django:\n" + "\n".join(new[:60])


def test_impact_matches_a_real_collector_on_rows(shop: Scenario, tmp_path: Path) -> None:
    """Rows of examples/shop deleted by a real Collector (rolled back): every model it collects
    and every field it updates is in the static impact."""
    atlas = Atlas(static_scan(shop))
    collector = run_oracle(shop, tmp_path, [])["collector"]
    for label, seen in collector.items():
        got = impact(atlas, label)
        # admin.LogEntry -> the user: django.contrib is not in the scanned tree
        in_tree = {m for m in seen["data"] if m.partition(".")[0] in shop.app_labels}
        reached = in_tree - {atlas.concrete(label)}
        assert reached <= set(got["cascade"]), (label, reached - set(got["cascade"]))
        assert set(seen["updates"]) <= set(got["set_null"]), label
    assert {"accounts.Address", "accounts.Profile", "accounts.User_groups"} <= set(
        collector["accounts.User"]["data"]
    )
    assert "orders.Order.shipping_address" in collector["accounts.User"]["updates"]
    assert "core.Comment.author" in collector["accounts.User"]["updates"]
    assert {"shop_catalog.DigitalProduct", "shop_catalog.ProductTag", "core.Comment"} <= set(
        collector["shop_catalog.Product"]["data"]
    )
