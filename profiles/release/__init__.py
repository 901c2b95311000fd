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
from profiles.release.disclosure import policy_ladder, round_counts
from profiles.release.nesting import cells_to_center_children, period_ends, period_starts
from profiles.release.api import (EVENT_FEEDS, PERIODS, ReleaseError, ReleasedTable,
                                  clear_release_cache, keep_tables, protected_table,
                                  release_area_cells,
                                  release_areas, release_counts, release_periods, resolve_area,
                                  warm_release_cache)
from profiles.release.perturb import MAX_CHANGE
from profiles.release.source import (cursor, default_db_path, is_synthetic, open_read_only,
                                     open_snapshot, store_version)
from profiles.release.reference import (release_area_outlines, release_environment,
                                        release_sites, sites_for_exclusions)
from profiles.release.coarsen import (MAP_CELL_BUDGET, released_to_parents,
                                      released_to_resolution, view_resolution)
from profiles.release.errors import PlainWordsError, in_plain_words
from profiles.release.figures import (NO_DATA, NOT_LOADED, RELEASED, TOO_FEW,
                                     FeedCoverage, Figure, feed_coverage)
from profiles.release.status import DataStatus, data_status, landed_file_hashes, mask_count
from profiles.release.exports import (area_outline_features, frame_to_csv, frame_to_geojson, release_to_csv,
                                      release_to_geojson, safe_cell, safe_comment)
from profiles.release.utility import UtilityReport, utility_report

__all__ = ["MAX_CHANGE", "MAP_CELL_BUDGET", "area_outline_features", "released_to_parents", "released_to_resolution", "view_resolution", "AUDIENCES", "BREAKDOWNS", "EVENT_FEEDS", "GRAINS", "PERIODS", "RELEASABLE_FEEDS",
           "DataStatus", "FeedCoverage", "Figure", "NOT_LOADED", "NO_DATA", "PlainWordsError", "Policy", "PolicyError", "ReleaseError", "ReleasedForAudience",
           "RELEASED", "ReleasedTable", "TOO_FEW", "UtilityReport", "cells_to_center_children", "clear_release_cache",
           "cursor", "data_status", "default_db_path", "disclosure_statement", "feed_coverage", "frame_to_csv",
           "frame_to_geojson", "get_policy", "in_plain_words", "is_synthetic", "keep_tables", "landed_file_hashes", "load_policies", "mask_count",
           "open_read_only", "open_snapshot", "period_ends", "period_starts", "policy_ladder",
           "protected_table", "release_area_cells", "release_area_outlines", "release_areas",
           "release_counts", "release_environment", "release_periods", "release_sites",
           "release_to_csv", "release_to_geojson", "resolve_area", "round_counts", "safe_cell",
           "safe_comment", "sites_for_exclusions", "store_version", "utility_report",
           "warm_release_cache"]
