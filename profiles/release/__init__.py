"""The release layer: THE ONLY WAY numbers leave the store, for an audience.

Audiences and their policies (``audiences.toml``), the disclosure engine, period and cell
nesting, the release API, reference-layer releases, data status, exports and the utility
report. Everything above this package (analyses, planning, the pack, the CLI's read commands,
the dashboard) asks it for released figures and never imports :mod:`profiles.store`.

Examples
--------
>>> from profiles import store
>>> con = store.connect(":memory:")       # an empty test store
>>> release_counts(con, "partnership", "on_street").frame.empty
True
"""
from profiles.release.audiences import (AUDIENCES, BREAKDOWNS, GRAINS, RELEASABLE_FEEDS,
                                        Policy, PolicyError, ReleasedForAudience,
                                        disclosure_statement, get_policy, load_policies)
from data_contracts.periods import period_ends
from profiles.release.api import (EVENT_FEEDS, PERIODS, ReleaseError, ReleasedTable,
                                  clear_release_cache, keep_tables,
                                  release_area_cells,
                                  release_areas, release_counts, release_periods, resolve_area,
                                  warm_release_cache)
from profiles.release.areas import study_areas
from profiles.release.perturb import MAX_CHANGE
from profiles.release.source import (StoreTooOld, close_snapshots, cursor, default_db_path,
                                     is_synthetic, open_read_only, open_snapshot,
                                     remove_leftover_copies, store_version)
from profiles.release.reference import (release_area_outlines, release_environment,
                                        release_sites, sites_for_exclusions)
from profiles.release.coarsen import (MAP_CELL_BUDGET, released_to_parents,
                                      released_to_resolution, view_resolution)
from profiles.release.errors import PlainWordsError, in_plain_words
from profiles.release.figures import (NO_DATA, NOT_LOADED, RELEASED, TOO_FEW,
                                     FeedCoverage, Figure, feed_coverage)
from profiles.release.status import DataStatus, data_status, landed_file_hashes
from profiles.release.exports import (frame_to_csv, frame_to_geojson, release_to_csv,
                                      release_to_geojson, safe_cell, safe_comment)
from profiles.release.utility import UtilityReport, utility_report

__all__ = ["StoreTooOld", "AUDIENCES", "BREAKDOWNS", "DataStatus", "EVENT_FEEDS", "FeedCoverage", "Figure",
           "GRAINS", "MAP_CELL_BUDGET", "MAX_CHANGE", "NOT_LOADED", "NO_DATA", "PERIODS",
           "PlainWordsError", "Policy", "PolicyError", "RELEASABLE_FEEDS", "RELEASED",
           "ReleaseError", "ReleasedForAudience", "ReleasedTable", "TOO_FEW", "UtilityReport",
           "clear_release_cache", "close_snapshots", "cursor", "data_status", "default_db_path",
           "disclosure_statement", "feed_coverage", "frame_to_csv", "frame_to_geojson",
           "get_policy", "in_plain_words", "is_synthetic", "keep_tables", "landed_file_hashes",
           "load_policies", "open_read_only", "open_snapshot", "period_ends",
           "release_area_cells", "release_area_outlines", "release_areas", "release_counts",
           "release_environment", "release_periods", "release_sites", "release_to_csv",
           "release_to_geojson", "released_to_parents", "remove_leftover_copies",
           "released_to_resolution", "study_areas",
           "resolve_area", "safe_cell", "safe_comment", "sites_for_exclusions",
           "store_version", "utility_report", "view_resolution", "warm_release_cache"]
