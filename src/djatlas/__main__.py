"""Allow ``python -m djatlas``."""

from djatlas.cli import main

raise SystemExit(main())
