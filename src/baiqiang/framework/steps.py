"""Parameters of the methodology steps that have no registered method."""

from __future__ import annotations

from numbers import Integral

from baiqiang.methods import registry

_unit_share = registry.Interval(low=0, high=1)
STEP_PARAMS: dict[str, dict[str, registry.Param]] = {
    "denominate": {},
    "screen": {
        "min_coverage": registry.Param(_unit_share, 0.0, "units with a smaller share of available indicators are left out"),
        "pillar_min_coverage": registry.Param(_unit_share, 0.0, "and units below this share in any aggregate of `pillar_level`"),
        "pillar_level": registry.Param(registry.Interval(Integral, 2, None), 2, "level whose aggregates are checked"),
    },
    "rank": {
        "tiers": registry.Param(registry.NumberList(), [], "ascending rank cut-points of tiers, e.g. [6, 36, 80, 100]"),
    },
}
"""Parameters of the steps that have no method, declared like method parameters."""
