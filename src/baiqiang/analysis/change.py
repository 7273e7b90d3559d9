"""Change between two years: exact decomposition of score and rank changes.

For a unit ranked in years 0 and 1, with contributions ``c_i`` of each
indicator to the score (:func:`baiqiang.analysis.explain.contributions`,
``sum_i c_i = score``)::

    Δs = s1 - s0 = sum_i (c1_i - c0_i)                                   (1)

exactly.  Because normalisation is relative (min-max, z-scores use every
unit's values), each term splits further with a counterfactual build ``cf``:
year 0 for everyone except the unit, which takes its year-1 data::

    c1_i - c0_i = (c_cf_i - c0_i)  +  (c1_i - c_cf_i)                   (2)
                   own change          other units' changes (and method drift)

and the rank change likewise: ``Δr = (r_cf - r0) + (r1 - r_cf)``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

from baiqiang.analysis.explain import all_contributions
from baiqiang.errors import BaiqiangError
from baiqiang.framework.spec import Framework
from baiqiang.pipeline import Panel, Results, run, run_years

__all__ = ["UnitChange", "comparable_builds", "decompose_unit_change", "movers"]


def comparable_builds(
    framework: Framework, panel0: Panel, panel1: Panel, *, years: tuple[int, int] | None = None
) -> tuple[Results, Results]:
    """Builds of both periods under the framework's ``time.normalise`` (see :func:`baiqiang.pipeline.run_years`).

    ``base_year`` needs the years of the two data sets (``years``); the other
    modes do not.
    """
    if years is None:
        if framework.time.normalise == "base_year":
            raise BaiqiangError.single("time.base_year", "框架按基年固定归一化区间：请给出两期数据的年份 / give the year of each data set", "base_year")
        years = (0, 1)
    builds = run_years(framework, {years[0]: panel0, years[1]: panel1})
    return builds[years[0]], builds[years[1]]


def movers(res0: Results, res1: Results, *, drivers: int = 3) -> pd.DataFrame:
    """Score and rank change of every unit ranked in both years, with its main drivers.

    Returns one row per unit (sorted by absolute rank change, largest first):
    ``score0, score1, d_score, rank0, rank1, d_rank`` (negative = moved up)
    and ``driver_1..k`` / ``driver_1_value..``: the indicators with the largest
    absolute contribution change ``c1_i - c0_i`` (eq. 1).  ``check`` is
    ``sum_i (c1_i - c0_i) - d_score`` (zero to rounding).
    """
    root = res0.root
    c0, c1 = all_contributions(res0), all_contributions(res1)
    both = c0.index.intersection(c1.index)
    both = both[res0.scores.loc[both, root].notna() & res1.scores.loc[both, root].notna()]
    inds = res0.hierarchy.indicator_codes
    d = (c1.loc[both, inds] - c0.loc[both, inds]).to_numpy()
    s0 = res0.scores.loc[both, root].to_numpy()
    s1 = res1.scores.loc[both, root].to_numpy()
    r0 = res0.ranks.loc[both, root].to_numpy()
    r1 = res1.ranks.loc[both, root].to_numpy()
    out = pd.DataFrame(
        {"name": res1.panel.names.reindex(both).to_numpy(), "score0": s0, "score1": s1, "d_score": s1 - s0,
         "rank0": r0, "rank1": r1, "d_rank": r1 - r0},
        index=pd.Index(both, name="unit"),
    )
    order = np.argsort(-np.abs(np.nan_to_num(d)), axis=1, kind="stable")[:, :drivers]
    for k in range(min(drivers, len(inds))):
        out[f"driver_{k + 1}"] = np.asarray(inds, dtype=object)[order[:, k]]
        out[f"driver_{k + 1}_value"] = np.take_along_axis(d, order[:, k : k + 1], axis=1)[:, 0]
    out["check"] = np.nansum(d, axis=1) - out["d_score"].to_numpy()
    return out.reindex(out["d_rank"].abs().sort_values(ascending=False, kind="stable").index)


@dataclass(frozen=True)
class UnitChange:
    """Decomposition of one unit's change (eqs. 1 and 2 of the module docstring).

    ``table`` rows are indicators (then aggregates) with ``c0``, ``c1``,
    ``total`` = c1 - c0, ``own`` = c_cf - c0 and ``others`` = c1 - c_cf.
    """

    unit: str
    score0: float
    score1: float
    score_cf: float
    rank0: float
    rank1: float
    rank_cf: float
    table: pd.DataFrame

    @property
    def rank_change_own(self) -> float:
        return self.rank_cf - self.rank0

    @property
    def rank_change_others(self) -> float:
        return self.rank1 - self.rank_cf


def _counterfactual_panel(panel0: Panel, panel1: Panel, unit: str, columns: list[str]) -> Panel:
    frame = panel0.frame.copy()
    frame.loc[unit, columns] = panel1.frame.loc[unit, columns].to_numpy()
    return dataclasses.replace(panel0, frame=frame, checksum="")


def decompose_unit_change(
    framework: Framework,
    panel0: Panel,
    panel1: Panel,
    unit: str,
    *,
    results: tuple[Results, Results] | None = None,
) -> UnitChange:
    """Split one unit's score and rank change into its own change and the others'.

    Parameters
    ----------
    framework
        The same framework for both years.  With ``time.normalise`` other than
        ``year`` both builds and the counterfactual use the same fixed bounds:
        with min-max or z-scores and arithmetic aggregation (and no data-driven
        treatment, imputation or weights) the others' part is then zero and a
        unit's score moves only with its own data.
    panel0, panel1
        Year-0 and year-1 data.
    unit : str
    results : (Results, Results), optional
        Builds of both years, if already computed (:func:`comparable_builds`).

    Returns
    -------
    UnitChange
        ``own + others == total`` for every indicator, and their sums equal
        the score change (to rounding).
    """
    res0, res1 = results if results is not None else comparable_builds(framework, panel0, panel1)
    root = res0.root
    for name, res in (("year 0", res0), ("year 1", res1)):
        if unit not in res.scores.index or np.isnan(res.scores.loc[unit, root]):
            raise BaiqiangError.single("unit", f"{unit} 在{name}未参与排名 / not ranked in {name}", "not_ranked")
    h = res0.hierarchy
    cols = [c for c in {*res0.plan.columns.indicator, *res0.plan.columns.denominator} if c in panel1.frame.columns]
    # With time-comparable bounds the counterfactual is normalised against the same fixed bounds.
    bounds = np.array(list(res0.comparison["bounds"].values())) if res0.comparison else None
    res_cf = run(framework, _counterfactual_panel(panel0, panel1, unit, sorted(cols)), bounds=bounds, comparison=res0.comparison)
    c0 = all_contributions(res0).loc[unit]
    c1 = all_contributions(res1).loc[unit]
    ccf = all_contributions(res_cf).loc[unit]
    table = pd.DataFrame({"c0": c0, "c1": c1, "total": c1 - c0, "own": ccf - c0, "others": c1 - ccf})
    table.insert(0, "name", [h.name(c) for c in table.index])
    return UnitChange(
        unit=unit,
        score0=float(res0.scores.loc[unit, root]), score1=float(res1.scores.loc[unit, root]),
        score_cf=float(res_cf.scores.loc[unit, root]),
        rank0=float(res0.ranks.loc[unit, root]), rank1=float(res1.ranks.loc[unit, root]),
        rank_cf=float(res_cf.ranks.loc[unit, root]),
        table=table,
    )
