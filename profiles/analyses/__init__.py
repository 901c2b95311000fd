"""Analyses of released figures: hotspots, change, coverage, premises, the overview.

Every analysis takes released tables from :mod:`profiles.release` (never the store) and
returns an inspectable result object that the dashboard, the CLI and the meeting pack all
render: :class:`~profiles.analyses.hotspot_release.HotspotRun` (Gi*, and sfhotspot-style patterns over
time), :class:`~profiles.analyses.emerging_release.EmergingRun` (ArcGIS's emerging hot spots),
:class:`~profiles.analyses.change.ChangeResult`,
:class:`~profiles.analyses.coverage.CoverageResult`,
:class:`~profiles.analyses.premises.PremisesTrend`,
:class:`~profiles.analyses.online.OnlinePicture`,
:class:`~profiles.analyses.overview.Overview`; :func:`~profiles.analyses.seasonality.seasonality`
sets each month against the same month last year.
"""
from profiles.analyses.change import (FEED_WORDS, NOTE_SMALL, ChangeError, ChangeResult,
                                      change_by_cell, change_periods, hexagons_side_by_side)
from profiles.analyses.periods import TREND_PERIODS, loaded_period_starts
from profiles.analyses.coverage import CoverageError, CoverageResult, reach_against_need
from profiles.analyses.emerging_release import (EMERGING_PERIODS, EmergingRun,
                                                category_meaning, emerging_for)
from profiles.analyses.hotspot_release import (HotspotRun, HotspotRunError, classify_for,
                                               hotspots_for, pattern_key)
from profiles.analyses.overview import Overview, OverviewError, overview, period_label
from profiles.analyses.premises import CATEGORIES, RESPONSES, PremisesTrend, premises_trend
from profiles.analyses.seasonality import (SeasonalityError, seasonality, seasonality_for,
                                           seasonality_words)
from profiles.analyses.online import (CAUTION, INDICATOR_WORDS, OnlinePicture, online_picture,
                                      share_of)

__all__ = ["EMERGING_PERIODS", "EmergingRun", "category_meaning", "emerging_for", "CAUTION", "INDICATOR_WORDS", "OnlinePicture", "online_picture", "share_of",
           "CATEGORIES", "FEED_WORDS", "NOTE_SMALL", "RESPONSES", "TREND_PERIODS", "ChangeError",
           "ChangeResult", "CoverageError", "CoverageResult", "HotspotRun", "HotspotRunError",
           "Overview", "OverviewError", "PremisesTrend", "change_by_cell", "change_periods",
           "classify_for", "hexagons_side_by_side", "hotspots_for", "loaded_period_starts", "overview",
           "pattern_key", "period_label", "premises_trend", "reach_against_need", "SeasonalityError",
           "seasonality", "seasonality_for", "seasonality_words"]
