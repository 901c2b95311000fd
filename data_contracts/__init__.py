"""Inbound feed contracts: what each partner extract must look like, and what it may not carry.

``read_feed(feed, path, recipe=...)`` reads a file in any format Lantern reads (CSV, Parquet,
GeoJSON, spreadsheets; GeoPackage and zipped Shapefile for areas), maps it through an optional
:class:`Recipe` (the partner's columns and words, constants, date format, CRS, sheet),
converts its coordinates to WGS84, and refuses it whole if it lacks a required column, carries
an identifying one, or would land in the wrong place (:class:`ContractError`). Otherwise it
splits the rows into validated rows and quarantined problems (:class:`ValidatedFeed`).
Nothing here writes to the database: :mod:`profiles.store.ingest` does, in one transaction.
Two helpers serve every layer that writes a file: :mod:`data_contracts.cell_safety` (text a
spreadsheet will not run) and :mod:`data_contracts.private_files` (files 0600, folders 0700,
whatever the umask). :data:`CATALOGUE` describes every feed (its label, unit and derived feeds)
for the layers above.
"""
# Names are imported from their modules when first asked for (PEP 562), so that importing one
# light module (``data_contracts.feeds``, ``data_contracts.words``) does not import pandas:
# the ``lantern`` command builds its parser without it.
from data_contracts.lazy import lazy_names

_FROM = {
    "draft_recipe": "draft",
    "ContractError": "errors", "Problem": "errors",
    **dict.fromkeys(("CATALOGUE", "CONTRACTS", "DERIVED_FEEDS", "EVENT_FEEDS", "FEEDS", "Column",
                     "Contract", "Derived", "Unit", "contract_for", "feed_entry"), "feeds"),
    "FORMATS_READ": "readers", "read_source": "readers",
    **dict.fromkeys(("Recipe", "RecipeError", "build_recipe", "load_recipe",
                     "recipe_from_flags"), "recipes"),
    "ValidatedFeed": "validate", "read_feed": "validate",
}


__getattr__, __dir__ = lazy_names(__name__, _FROM)

__all__ = sorted(_FROM)
