"""Planning: safety patrols, forward displacement scenarios, and evaluation (WDQ/WDD).

Inputs are released figures only (:mod:`profiles.planning.inputs` gathers them from
:mod:`profiles.release`); :func:`plan_patrols` gives a :class:`PatrolPlan`,
:func:`simulate` a :class:`DisplacementScenario`, :func:`evaluate_areas`
(:mod:`profiles.planning.response`) an :class:`AreaEvaluation`, and :mod:`profiles.planning.scenarios` saves and compares scenarios.
"""
from profiles.planning.evaluation import EvaluationError, WDDResult, WDQResult, wdd, wdq
from profiles.planning.displacement import (FLAG_WORDS, INTERVENTIONS, LEVELS,
                                            DisplacementError, DisplacementScenario,
                                            ScenarioOptions, simulate, study_cells)
from profiles.planning.response import (EVALUATION_AUDIENCES, FEW_EVENTS, ZONES, AreaEvaluation, evaluate_areas,
                                        ring_buffer)
from profiles.planning.patrols import (DEFAULT_WEIGHTS, PURPOSE, PatrolError, PatrolPlan,
                                       patrol_brief_html, plan_patrols)
from profiles.planning.patrols import FEED_WORDS as PATROL_FEED_WORDS
from profiles.planning.scenario_check import ScenarioCheck, check_scenario
from profiles.planning.scenarios import (ScenarioError, compare_scenarios, hex_map_png,
                                         list_scenarios, load_scenario, save_scenario,
                                         scenario_dir, scenario_to_csv, scenarios_to_html)

__all__ = ["DEFAULT_WEIGHTS", "EVALUATION_AUDIENCES", "FEW_EVENTS", "FLAG_WORDS", "INTERVENTIONS", "LEVELS", "PATROL_FEED_WORDS", "ScenarioOptions",
           "PURPOSE", "AreaEvaluation", "ScenarioCheck", "check_scenario", "DisplacementError", "DisplacementScenario",
           "EvaluationError", "PatrolError", "PatrolPlan", "ScenarioError", "WDDResult",
           "WDQResult", "compare_scenarios", "evaluate_areas", "hex_map_png", "list_scenarios",
           "load_scenario", "patrol_brief_html", "plan_patrols", "ring_buffer",
           "save_scenario", "scenario_dir", "scenario_to_csv", "scenarios_to_html", "simulate",
           "study_cells", "wdd", "wdq", "ZONES"]
