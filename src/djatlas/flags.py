"""The scan's command-line flags, in a module of their own: read both by the early walk
(``discover.ahead``, before ``keys`` and its imports are loaded) and by ``keys``."""

#: ``djatlas scan``'s flags (options without a value) besides ``-q``/``--quiet``, ``--no-timing``,
#: ``--strict`` and ``--diagram``: read by the early walk (``discover.ahead``) and by the scan's
#: command line read without argparse (``fastpath.scan_args``).
SCAN_FLAGS = (
    "--installed-only",
    "--verbose-names",
    "--color-on-delete",
    "--no-edge-labels",
    "--no-fields",
    "--hide-inherited",
    "--hide-abstract",
    "--migrations",
    "--no-default-excludes",
    "--no-gitignore",
    "--all-files",
    "--no-cache",
)
