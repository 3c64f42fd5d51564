"""Runtime exporter: a Django app whose ``djatlas`` management command writes the JSON report.

Add ``"djatlas.django"`` to ``INSTALLED_APPS`` and run ``python manage.py djatlas``. The report
follows the static report's schema (``metadata.source == "runtime"``) and is built from the booted
project's ``Model._meta``. This package imports nothing from djatlas's static core.
"""
