"""The stages of a scan after discovery, one module each, in the order ``scan._analyse`` runs
them: ``reading`` (read + pre-filter) → ``parsing`` (summaries, cached) → ``resolving`` →
``graphing`` → ``reporting``. Each stage calls into its own folder (``parse/``, ``resolve/``,
``graph/``); the persistent cache (``djatlas.cache``) sits behind ``reading`` and ``parsing``."""
