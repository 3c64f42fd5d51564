"""Questions answered from the report document: one model (``show``), names (``find``), what a
delete does (``impact``), how to get from one model to another in a query (``path``).

Every function here reads the report document only (``djatlas scan --format json``), never the
scanned code: :class:`~djatlas.query.atlas.Atlas` indexes it once, the other modules answer.
"""

from __future__ import annotations


class QueryError(ValueError):
    """A question the report cannot answer (unknown or ambiguous model, bad pattern): one line."""
