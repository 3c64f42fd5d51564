"""``python manage.py djatlas``: write the runtime djatlas JSON report."""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from djatlas.django.export import build_report


class Command(BaseCommand):
    help = (
        "Write the djatlas JSON report (metadata.source = 'runtime') built from the booted "
        "project's Model._meta. Concrete and proxy models only: abstract models are not in the "
        "app registry."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")
        parser.add_argument(
            "--indent",
            nargs="?",
            type=int,
            const=2,
            default=None,
            metavar="N",
            help="pretty-print with N spaces (2 when N is omitted)",
        )
        parser.add_argument(
            "--root", help="report source files relative to this folder (the scanned PATH)"
        )
        parser.add_argument("--title", help="report title")
        parser.add_argument(
            "--no-timing", action="store_true", help="leave scanned_at and duration_ms null"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = build_report(
            root=options["root"], title=options["title"], timing=not options["no_timing"]
        )
        text = json.dumps(report, indent=options["indent"], ensure_ascii=False) + "\n"
        if options["output"] and options["output"] != "-":
            with open(options["output"], "w", encoding="utf-8") as handle:
                handle.write(text)
        else:
            sys.stdout.write(text)
