"""Targets: the smallest improvement that lifts a unit to rank K.

The improvement is measured relative to each indicator's spread: indicator
``i`` moves by ``t * sd_i`` in its good direction (``sd_i`` = sample standard
deviation of its raw values over the ranked units), the same ``t`` for every
chosen indicator, all other data fixed.  We look for the smallest ``t >= 0``
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

Every reported solution has been rebuilt and verified (``verified_rank``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

from baiqiang.analysis.explain import explain_unit
from baiqiang.errors import BaiqiangError
from baiqiang.framework.spec import Framework
from baiqiang.pipeline import Panel, run

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


def _modified(panel: Panel, unit: str, cols: list[str], delta: np.ndarray) -> Panel:
    frame = panel.frame.copy()
    frame[cols] = frame[cols].astype(float)
    frame.loc[unit, cols] = frame.loc[unit, cols].to_numpy(dtype=float) + delta
    return dataclasses.replace(panel, frame=frame, checksum="")


def _solve(
    framework: Framework, panel: Panel, unit: str, cols: list[str], step: np.ndarray, k: int, t_max: float
) -> tuple[float, bool, str, float, float]:
    """Smallest t with rank(t) <= k; returns (t, reachable, method, rank, score)."""
    root = None

    def rank_at(t: float) -> tuple[float, float, pd.Series]:
        nonlocal root
        res = run(framework, _modified(panel, unit, cols, t * step))
        root = res.root
        return float(res.ranks.loc[unit, root]), float(res.scores.loc[unit, root]), res.scores[root]

    r0, s0, scores0 = rank_at(0.0)
    if r0 <= k:
        return 0.0, True, "already", r0, s0
    r1, s1, _ = rank_at(1.0)
    slope = s1 - s0
    others = scores0.drop(unit).dropna().sort_values(ascending=False)
    s_k = float(others.iloc[k - 1])  # the unit now at rank K (ranking without this unit)
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

    Returns
    -------
    TargetResult
    """
    res = run(framework, panel)
    expl = explain_unit(res, unit)
    unit = expl.unit
    h = res.hierarchy
    if rank < 1 or rank > expl.n_ranked:
        raise BaiqiangError.single("rank", f"目标名次须在 1 到 {expl.n_ranked} 之间 / rank must be in 1..{expl.n_ranked}", "bad_value")
    if indicators is None:
        indicators = expl.indicators["obstacle"].dropna().sort_values(ascending=False).head(n_default).index.tolist()
    unknown = [c for c in indicators if c not in h.indicator_codes]
    if unknown:
        raise BaiqiangError.single("indicators", f"未知指标 / unknown indicators: {', '.join(unknown)}", "bad_value")
    ranked = res.scores[res.root].notna()
    raw = panel.frame.loc[ranked[ranked].index, indicators].astype(float)
    sd = raw.std(axis=0, ddof=1).to_numpy()
    direction = np.array([next(i.direction for i in framework.indicators if i.code == c) for c in indicators], dtype=float)
    step = np.where(sd > 0, sd, 0.0) * direction
    t, ok, method, r_v, s_v = _solve(framework, panel, unit, indicators, step, rank, t_max)
    current = panel.frame.loc[unit, indicators].to_numpy(dtype=float)
    units = {i.code: (i.unit or "") for i in framework.indicators}
    plan = pd.DataFrame(
        {
            "name": [h.name(c) for c in indicators],
            "unit": [units[c] for c in indicators],
            "current": current,
            "required": current + t * step if ok else np.nan,
            "increase": t * step if ok else np.nan,
            "increase_sd": t if ok else np.inf,
            "sd": sd,
        },
        index=pd.Index(indicators, name="code"),
    )
    rows = []
    if single:
        for j, code in enumerate(indicators):
            tj, okj, mj, rj, _ = _solve(framework, panel, unit, [code], step[j : j + 1], rank, t_max)
            rows.append({"code": code, "name": h.name(code), "increase_sd": tj,
                         "increase": tj * step[j] if okj else np.nan, "method": mj, "verified_rank": rj})
    single_df = pd.DataFrame(rows).set_index("code") if rows else pd.DataFrame()
    return TargetResult(unit, expl.name, expl.rank, rank, t, ok, method, r_v, s_v, plan, single_df)
