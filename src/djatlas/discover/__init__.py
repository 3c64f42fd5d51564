"""Discover stage: which files of a tree are Python sources, and which are skipped and why."""
