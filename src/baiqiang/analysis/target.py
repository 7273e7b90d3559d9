"""Targets: the smallest improvement that lifts a unit to rank K.

The improvement is measured relative to each indicator's spread: indicator
``i`` moves by ``t * sd_i`` in its good direction (``sd_i`` = sample standard
deviation of its values over the ranked units), the same ``t`` for every
chosen indicator, all other data fixed.  For an indicator with a framework
transform (``log``, ``log1p``) the move and the spread are on the transformed
scale, where the index sees the indicator; the required value is reported in
raw units by inverting the transform: ``x' = T^-1(T(x) + t sd_T)``.  We look for the smallest ``t >= 0``
whose rebuilt index ranks the unit at ``K`` or better.

Solution:

1. *Exact step.*  When the rebuilt score is linear in ``t`` (arithmetic
   aggregation of min-max or z-scores, as long as treatment thresholds and
   column extremes do not change), ``s_u(t) = s_u(0) + t g`` and the
   competitors' scores are constant, so
   ``t* = (s_K - s_u(0)) / g`` with ``s_K`` the score of the unit now ranked
   ``K``; ``g`` is read from one rebuild at ``t = 1``.  ``t*`` is accepted if a
   rebuild at ``t*`` reaches rank ``K`` and one slightly below does not.
2. *Otherwise* (geometric aggregation, treatment, the unit becoming the
   column maximum ...) bisection on ``t``, each step a full rebuild by the
   engine, to a relative tolerance of 1e-6.

A rebuild swaps the unit's moved values into the engine's input arrays and
evaluates the nominal plan (:class:`_Rebuild`): the same kernels as
:func:`~baiqiang.pipeline.run`, bit for bit, without copying the panel frame
or assembling ``Results`` each step (永康市 to rank 5 with its five
single-indicator solutions: 0.58 s instead of 3.5 s).

Every reported solution has been rebuilt and verified (``verified_rank``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

from baiqiang.analysis.explain import explain_unit
from baiqiang.errors import BaiqiangError
from baiqiang.framework.plan import TRANSFORMS, Plan
from baiqiang.framework.spec import Framework
from baiqiang.pipeline import Panel, run
from baiqiang.pipeline.engine import UnitData, evaluate
from baiqiang.pipeline.run import unit_data

__all__ = ["TargetResult", "solve_target"]


@dataclass(frozen=True)
class TargetResult:
    """Solution of :func:`solve_target`.

    ``plan`` rows are the chosen indicators: current raw value, required raw
    value, ``increase`` (raw units, signed: negative for lower-is-better
    indicators) and ``increase_sd`` = t; ``single`` lists, per indicator, the
    ``t`` it would need alone (``inf``: not reachable alone within ``t_max``).
    """

    unit: str
    name: str
    current_rank: float
    target_rank: int
    t: float
    reachable: bool
    method: str
    verified_rank: float
    verified_score: float
    plan: pd.DataFrame
    single: pd.DataFrame


@dataclass(frozen=True)
class _Moves:
    """How the chosen indicators move: ``raw(t) = T^-1(T(current) + t * step)`` per indicator."""

    cols: list[str]
    current: np.ndarray
    step: np.ndarray
    transforms: list[str | None]

    def raw(self, t: float) -> np.ndarray:
        out = self.current + t * self.step
        for j, name in enumerate(self.transforms):
            if name is not None:
                forward, inverse = TRANSFORMS[name][:2]
                out[j] = inverse(forward(self.current[j]) + t * self.step[j])
        return out

    def only(self, j: int) -> "_Moves":
        return _Moves([self.cols[j]], self.current[j : j + 1], self.step[j : j + 1], [self.transforms[j]])


@dataclass(frozen=True)
class _Rebuild:
    """The nominal build with one unit's moving values swapped in: the root scores at any ``t``.

    Only the arrays the engine reads change (the unit's row of the indicator
    matrix, and of the denominators where a moved indicator divides another), so
    a step costs one :func:`~baiqiang.pipeline.engine.evaluate` (a few ms on
    the census counties) instead of copying the panel frame and rebuilding the
    ``Results`` (about 40 ms).  It runs the same kernels in the same order as
    :func:`~baiqiang.pipeline.run` (``fast=False``), so the scores are the same to
    the bit (tested).
    """

    plan: Plan
    data: UnitData
    row: int
    moves: _Moves
    indicator_at: np.ndarray  # column of each moved indicator in the plan's indicator order
    divides: list[tuple[int, int]]  # (moved indicator j, indicator k whose denominator it is)
    competing: np.ndarray  # (n,) bool: the units the rank counts, the moving unit excluded

    @classmethod
    def of(cls, plan: Plan, panel: Panel, unit: str, moves: _Moves, among: pd.Index | None) -> "_Rebuild":
        selected = panel.select(plan.framework)
        codes = selected.frame.index
        order = [i.code for i in plan.framework.indicators]
        divides = [(j, k) for j, c in enumerate(moves.cols) for k, i in enumerate(plan.framework.indicators)
                   if i.denominator == c]
        competing = codes != unit
        if among is not None:
            competing &= codes.isin(among)
        return cls(plan, unit_data(plan, selected), int(codes.get_loc(unit)), moves,
                   np.array([order.index(c) for c in moves.cols]), divides, np.asarray(competing))

    def scores(self, t: float) -> np.ndarray:
        """Root scores ``(n,)`` with the unit moved by ``t`` (missing for units screened out)."""
        raw = self.moves.raw(t)
        indicators = self.data.indicators.copy()
        indicators[self.row, self.indicator_at] = raw
        denominators = self.data.denominators
        if self.divides:
            denominators = denominators.copy()
            for j, k in self.divides:
                denominators[self.row, k] = raw[j]
        data = dataclasses.replace(self.data, indicators=indicators, denominators=denominators)
        h = self.plan.hierarchy
        trace = evaluate(self.plan, data, h.declared_weights[None, :], fast=False)
        return np.where(trace.included[0], trace.scores[0, :, h.aggregate_codes.index(h.root)], np.nan)

    def others(self, scores: np.ndarray) -> np.ndarray:
        """Scores of the competing units that have one."""
        s = scores[self.competing]
        return s[~np.isnan(s)]

    def rank_at(self, t: float) -> tuple[float, float, np.ndarray]:
        """(competition rank among the competing units, the unit's score, all scores) at ``t``."""
        scores = self.scores(t)
        return float((self.others(scores) > scores[self.row]).sum() + 1), float(scores[self.row]), scores


def _rank_among(scores: pd.Series, unit: str, among: pd.Index | None) -> float:
    """Competition rank of ``unit`` among ``among`` (default: every scored unit): 1 + units scoring higher."""
    others = scores.drop(unit).dropna()
    if among is not None:
        others = others[others.index.isin(among)]
    return float((others > scores[unit]).sum() + 1)


def _solve(build: _Rebuild, k: int, t_max: float) -> tuple[float, bool, str, float, float]:
    """Smallest t with rank(t) <= k among the competing units; returns (t, reachable, method, rank, score)."""
    rank_at = build.rank_at
    r0, s0, scores0 = rank_at(0.0)
    if r0 <= k:
        return 0.0, True, "already", r0, s0
    r1, s1, _ = rank_at(1.0)
    slope = s1 - s0
    s_k = float(np.sort(build.others(scores0))[::-1][k - 1])  # the unit now at rank K (ranking without this unit)
    if slope > 0:
        t_lin = (s_k - s0) / slope
        # ties share the minimum rank, so reaching s_k is enough; nudge by a relative epsilon
        t_try = t_lin * (1 + 1e-9) + 1e-12
        if 0 < t_try <= t_max:
            r_hi, sc_hi, _ = rank_at(t_try)
            r_lo, _, _ = rank_at(t_lin * (1 - 1e-6))
            if r_hi <= k < r_lo:
                return t_try, True, "exact", r_hi, sc_hi
    lo, hi = 0.0, 1.0
    r_hi, sc_hi = r1, s1
    while r_hi > k:
        lo, hi = hi, hi * 2
        if hi > t_max:
            return np.inf, False, "unreachable", np.nan, np.nan
        r_hi, sc_hi, _ = rank_at(hi)
    while hi - lo > 1e-6 * hi:
        mid = 0.5 * (lo + hi)
        r_mid, sc_mid, _ = rank_at(mid)
        if r_mid <= k:
            hi, r_hi, sc_hi = mid, r_mid, sc_mid
        else:
            lo = mid
    return hi, True, "bisection", r_hi, sc_hi


def solve_target(
    framework: Framework,
    panel: Panel,
    unit: str,
    rank: int,
    *,
    indicators: list[str] | None = None,
    n_default: int = 5,
    t_max: float = 20.0,
    single: bool = True,
    among: pd.Index | None = None,
) -> TargetResult:
    """Smallest equal improvement (in standard deviations) on chosen indicators to reach rank ``rank``.

    Parameters
    ----------
    framework, panel
    unit : str
        Unit code or exact name.
    rank : int
        Target rank K (1 = best).
    indicators : list of str, optional
        Indicators that may improve; default: the unit's ``n_default``
        indicators with the highest obstacle degree (障碍度).
    t_max : float
        Largest improvement tried, in standard deviations.
    single : bool
        Also solve each chosen indicator alone.
    among : pandas.Index, optional
        The units the rank counts (e.g. a named list's units through its gates,
        :func:`baiqiang.rankings.apply.standings`); default every scored unit.
        The set is held fixed while the unit's values move.

    Returns
    -------
    TargetResult
    """
    plan = Plan.of(framework)
    res = run(plan, panel)
    expl = explain_unit(res, unit)
    unit = expl.unit
    h = res.hierarchy
    competing = expl.n_ranked if among is None else len(among)
    if rank < 1 or rank > competing:
        raise BaiqiangError.single("rank", f"目标名次须在 1 到 {competing} 之间 / rank must be in 1..{competing}", "bad_value")
    if indicators is None:
        indicators = expl.indicators["obstacle"].dropna().sort_values(ascending=False).head(n_default).index.tolist()
    unknown = [c for c in indicators if c not in h.indicator_codes]
    if unknown:
        raise BaiqiangError.single("indicators", f"未知指标 / unknown indicators: {', '.join(unknown)}", "bad_value")
    position = [h.indicator_codes.index(c) for c in indicators]
    ranked = res.scores[res.root].notna().to_numpy()
    seen = res.datasets["transformed" if "transformed" in res.datasets else "raw"].to_numpy(dtype=float)
    sd = np.nanstd(seen[ranked][:, position], axis=0, ddof=1)
    step = np.where(sd > 0, sd, 0.0) * plan.direction[position]
    current = panel.frame.loc[unit, indicators].to_numpy(dtype=float)
    moves = _Moves(indicators, current, step, [plan.transforms[j] for j in position])
    t, ok, method, r_v, s_v = _solve(_Rebuild.of(plan, panel, unit, moves, among), rank, t_max)
    units = {i.code: (i.unit or "") for i in framework.indicators}
    required = moves.raw(t) if ok else np.nan
    table = pd.DataFrame(
        {
            "name": [h.name(c) for c in indicators],
            "unit": [units[c] for c in indicators],
            "current": current,
            "required": required,
            "increase": required - current if ok else np.nan,
            "increase_sd": t if ok else np.inf,
            "sd": sd,
            "transform": [name or "" for name in moves.transforms],
        },
        index=pd.Index(indicators, name="code"),
    )
    rows = []
    if single:
        for j, code in enumerate(indicators):
            tj, okj, mj, rj, _ = _solve(_Rebuild.of(plan, panel, unit, moves.only(j), among), rank, t_max)
            rows.append({"code": code, "name": h.name(code), "increase_sd": tj,
                         "increase": moves.only(j).raw(tj)[0] - current[j] if okj else np.nan, "method": mj, "verified_rank": rj})
    single_df = pd.DataFrame(rows).set_index("code") if rows else pd.DataFrame()
    current_rank = expl.rank if among is None else _rank_among(res.scores[res.root], unit, among)
    return TargetResult(unit, expl.name, current_rank, rank, t, ok, method, r_v, s_v, table, single_df)
