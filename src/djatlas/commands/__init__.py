"""Command modules, one per sub-command."""
