"""djatlas: a static atlas of a Django codebase's data model."""

__version__ = "0.1.0"
