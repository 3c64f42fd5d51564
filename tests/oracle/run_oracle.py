"""Run the oracle comparison by hand and print the disagreements grouped by aspect.

    /work/venv/bin/python -m tests.oracle.run_oracle
        [--scenario shop|packages|more_packages|wagtail] [--write-known] [--keep DIR]

``--write-known`` rewrites ``known/<scenario>.txt`` with the current disagreements (the baseline
that ``test_static_oracle.py`` tolerates).
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections import defaultdict
from pathlib import Path

from djatlas.verify import check_database, compare, summarize

from .harness import build_more_packages, build_packages, build_shop, build_wagtail, static_scan

BUILDERS = {
    "shop": build_shop,
    "packages": build_packages,
    "more_packages": build_more_packages,
    "wagtail": build_wagtail,
}
KNOWN = Path(__file__).with_name("known")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", choices=sorted(BUILDERS), action="append")
    parser.add_argument("--write-known", action="store_true")
    parser.add_argument("--keep", type=Path, help="write both reports into this folder")
    args = parser.parse_args()
    total = 0
    for name in args.scenario or sorted(BUILDERS):
        work = Path(tempfile.mkdtemp(prefix=f"djatlas-oracle-{name}-"))
        scenario = BUILDERS[name](work)
        static = static_scan(scenario)
        found = compare(static, scenario.runtime, apps=scenario.app_labels)
        found += check_database(static, str(scenario.database), apps=scenario.app_labels)
        stats = summarize(static, scenario.runtime, found, apps=scenario.app_labels)
        print(f"== {name}: {json.dumps(stats)}")
        groups: dict[str, list[str]] = defaultdict(list)
        for item in found:
            groups[item.aspect].append(item.message)
        for aspect, messages in sorted(groups.items(), key=lambda kv: -len(kv[1])):
            print(f"-- {aspect} ({len(messages)})")
            for message in messages:
                print(f"   {message}")
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            for kind, doc in (("static", static), ("runtime", scenario.runtime)):
                path = args.keep / f"{name}-{kind}.json"
                path.write_text(json.dumps(doc, indent=1, ensure_ascii=False), encoding="utf-8")
        if args.write_known:
            KNOWN.mkdir(exist_ok=True)
            lines = sorted({d.message for d in found})
            header = f"# Known static-vs-runtime disagreements ({name}); one message a line.\n"
            text = header + "".join(f"{line}\n" for line in lines)
            (KNOWN / f"{name}.txt").write_text(text, encoding="utf-8")
        total += len(found)
    return 1 if total else 0


if __name__ == "__main__":
    raise SystemExit(main())
