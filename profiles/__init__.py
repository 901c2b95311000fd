"""Lantern's thinking half: the DuckDB store, ingest, release (disclosure control), analyses.

Nothing outside this package reads the database. Pages and exports ask
:mod:`profiles.release.api` for released numbers for an audience.
"""

__version__ = "0.3.0"
