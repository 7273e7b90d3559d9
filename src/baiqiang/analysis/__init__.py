"""Robustness and explanation of rankings: uncertainty and sensitivity analysis,
contributions, obstacle degree (障碍度), change between years, targets.

See docs/analysis.md for every method's formula and source.
"""

from baiqiang.analysis.change import UnitChange, decompose_unit_change, movers
from baiqiang.analysis.explain import Explanation, all_contributions, contributions, explain_unit, obstacle_degree
from baiqiang.analysis.ranks import RankSummary, rank_desc, rank_summary
from baiqiang.analysis.sobol import SobolResult, saltelli_design, sobol_indices
from baiqiang.analysis.spec import UASpec, load_spec
from baiqiang.analysis.target import TargetResult, solve_target
from baiqiang.analysis.uncertainty import SensitivityResult, UncertaintyResult, run_sensitivity, run_uncertainty

__all__ = [
    "Explanation",
    "RankSummary",
    "SensitivityResult",
    "SobolResult",
    "TargetResult",
    "UASpec",
    "UncertaintyResult",
    "UnitChange",
    "all_contributions",
    "contributions",
    "decompose_unit_change",
    "explain_unit",
    "load_spec",
    "movers",
    "obstacle_degree",
    "rank_desc",
    "rank_summary",
    "run_sensitivity",
    "run_uncertainty",
    "saltelli_design",
    "sobol_indices",
    "solve_target",
]
