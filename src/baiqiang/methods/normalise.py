"""Normalisation kernels: put indicators on a common, comparable scale.

Signature: ``f(x, *, direction, **params) -> array`` with ``x`` of shape
``(B, n_units, n_indicators)`` and ``direction`` of shape ``(n_indicators,)``
holding +1 (higher is better) or -1 (lower is better).  Every kernel multiplies
by the direction *before* taking statistics (COINr convention), so the best raw
value of a negative indicator maps to the top of the scale.  Missing values are
ignored by the statistics and stay missing.  A column with no spread (max == min
or sd == 0) becomes all-missing, as in COINr, rather than dividing by zero.

Reference: OECD/JRC (2008) *Handbook on Constructing Composite Indicators*,
section 5; COINr ``R/normalise.R`` (``n_minmax``, ``n_zscore`` ...).
"""

from __future__ import annotations

from numbers import Integral

import numpy as np

from baiqiang.methods import _nan
from baiqiang.methods.rank import competition_rank
from baiqiang.methods.registry import Flag, Interval, OneOf, Param, per_variant, register


def _oriented(x: np.ndarray, direction: np.ndarray) -> np.ndarray:
    return x * np.asarray(direction, dtype=float)


def _result_shaped(xo: np.ndarray, *params: np.ndarray | float) -> np.ndarray:
    """``xo``, broadcast to the result's shape when per-variant parameters widen it (so it can be updated in place)."""
    shape = np.broadcast_shapes(xo.shape, *(np.shape(v) for v in params))
    return xo if shape == xo.shape else np.broadcast_to(xo, shape).copy()


@register(
    "normalise",
    "minmax",
    ordered=(("lower", "upper"),),
    lower=Param(Interval(), 0.0, "value given to the worst unit"),
    upper=Param(Interval(), 100.0, "value given to the best unit"),
)
def minmax(x: np.ndarray, *, direction: np.ndarray, lower: float = 0.0, upper: float = 100.0) -> np.ndarray:
    """Min-max scaling to ``[lower, upper]``.

    ``y = (x' - min x') / (max x' - min x') * (upper - lower) + lower`` with
    ``x' = direction * x``, evaluated in exactly that order (COINr ``n_minmax``),
    so results agree with COINr to the last bit in most cells.
    """
    xo = _oriented(x, direction)  # a new array: the steps below run in place on it (same order, same rounding)
    lo, hi = _nan.col_min(xo)[:, None, :], _nan.col_max(xo)[:, None, :]
    span = hi - lo
    a, b = per_variant(lower), per_variant(upper)
    xo = _result_shaped(xo, a, b)
    with np.errstate(invalid="ignore", divide="ignore"):
        xo -= lo
        xo /= np.where(span > 0, span, np.nan)
    xo *= b - a
    xo += a
    return xo


@register(
    "normalise",
    "zscore",
    mean=Param(Interval(), 0.0, "mean of the result"),
    sd=Param(Interval(low=0, closed="neither"), 1.0, "standard deviation of the result"),
    ddof=Param(Interval(Integral, 0, 1), 1, "1: sample sd, n - 1 (COINr, R's sd); 0: population sd, n"),
)
def zscore(x: np.ndarray, *, direction: np.ndarray, mean: float = 0.0, sd: float = 1.0, ddof: int = 1) -> np.ndarray:
    """Standardisation: ``y = (x' - mean x') / sd(x') * sd + mean``.

    ``sd(x')`` is the sample standard deviation (denominator n - 1, ``ddof=1``),
    as R's ``sd`` used by COINr ``n_zscore``; many Chinese textbooks use the
    population form (denominator n): ``ddof=0``.
    """
    xo = _oriented(x, direction)  # a new array: the steps below run in place on it (same order, same rounding)
    mu, s = _nan.col_mean(xo)[:, None, :], _nan.col_std(xo, ddof=per_variant(ddof, 2))[:, None, :]
    xo = _result_shaped(xo, mu, s, per_variant(sd), per_variant(mean))
    with np.errstate(invalid="ignore", divide="ignore"):
        xo -= mu
        xo /= np.where(s > 0, s, np.nan)
    xo *= per_variant(sd)
    xo += per_variant(mean)
    return xo


# --- Rank-based and reference-based normalisations --------------------------


def _ranks(xo: np.ndarray, ties: str) -> np.ndarray:
    """Ascending ranks of units within each column (axis 1); NaN stays unranked.

    ``ties="min"``: ``1 + #{j: x_j < x_i}``, the engine's competition rank of
    ``-x``; ``"average"``: the mean of that and the largest rank of the tie,
    ``n - #{j: x_j > x_i}`` (``n`` observed units).  The same values as
    ``scipy.stats.rankdata(..., nan_policy="omit")``, without importing SciPy.
    """
    if xo.shape[1] == 0:
        return xo.copy()
    by_column = np.moveaxis(xo, 1, -1)  # (B, p, n): rank along the last axis
    low = competition_rank(-by_column)
    if ties == "average":
        n = (~np.isnan(by_column)).sum(axis=-1, keepdims=True)
        low = (low + n + 1.0 - competition_rank(by_column)) / 2.0
    return np.moveaxis(low, -1, 1)


def _per_column(values: np.ndarray | None, name: str, x: np.ndarray, width: int | None = None) -> np.ndarray:
    """A per-indicator keyword (``(p,)`` or ``(p, 2)``, optionally with a leading ``B``) as float."""
    if values is None:
        raise ValueError(f"normalise.{name} needs per-indicator {name!r}; none were given")
    arr = np.asarray(values, dtype=float)
    base = (x.shape[2],) if width is None else (x.shape[2], width)
    if arr.shape != base and arr.shape != (x.shape[0],) + base:
        raise ValueError(f"{name!r} must have shape {base} (one entry per indicator); got {arr.shape}")
    return arr


@register(
    "normalise",
    "rank",
    ties=Param(OneOf(("min", "average")), "min", "rank given to tied units"),
    scaled=Param(Flag(), False, "divide ranks by the number of ranked units, giving (0, 1]"),
)
def rank(x: np.ndarray, *, direction: np.ndarray, ties: str = "min", scaled: bool = False) -> np.ndarray:
    """Rank of each unit within its indicator, the best unit ranked highest.

    ``y_i = rank(x'_i)`` (ascending, 1 = worst) with ``x' = direction * x``;
    ties share the minimum rank (``ties="min"``, COINr ``n_rank``) or the mean
    of their ranks (``ties="average"``).  With ``scaled=True``,
    ``y_i = rank(x'_i) / n`` where ``n`` is the number of non-missing units.

    Notes
    -----
    Missing values are not ranked and stay missing; ``n`` counts only observed
    units.  A constant column gives every unit the same rank (1 with
    ``ties="min"``, ``(n + 1) / 2`` with ``"average"``).  An all-missing
    column stays all-missing.  Ranks are invariant under any strictly
    increasing transform of the data.

    References
    ----------
    COINr ``n_rank``; OECD/JRC (2008) Handbook, section 5 (ranking).
    """
    r = _ranks(_oriented(x, direction), ties)
    if scaled:
        with np.errstate(invalid="ignore", divide="ignore"):
            r = r / _nan.col_count(x)[:, None, :]
    return r


@register(
    "normalise",
    "percentile",
    ties=Param(OneOf(("min", "average")), "min", "rank given to tied units"),
)
def percentile(x: np.ndarray, *, direction: np.ndarray, ties: str = "min") -> np.ndarray:
    """Percentile rank on 0-100: ``y_i = 100 (rank(x'_i) - 1) / (n - 1)``.

    ``x' = direction * x``; ``n`` is the number of non-missing units.  The
    worst unit scores 0 and the best 100 (COINr ``n_prank``, times 100).

    Notes
    -----
    Missing values stay missing.  A column with a single observed value is
    missing (``0 / 0``).  A constant column scores 0 everywhere with
    ``ties="min"`` and 50 with ``ties="average"``.

    References
    ----------
    COINr ``n_prank``.
    """
    r = _ranks(_oriented(x, direction), ties)
    n = _nan.col_count(x)[:, None, :].astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return 100.0 * (r - 1.0) / np.where(n > 1, n - 1.0, np.nan)


@register("normalise", "borda")
def borda(x: np.ndarray, *, direction: np.ndarray) -> np.ndarray:
    """Borda score: ``y_i = rank(x'_i) - 1``, the number of units strictly worse.

    ``x' = direction * x``; ties share the lower score (the Borda count of a
    tie is the number of units the tied units all beat).

    Notes
    -----
    Missing values stay missing and do not count as beaten units.  A constant
    column scores 0 everywhere.

    References
    ----------
    COINr ``n_borda``; Munda, G. (2008) *Social Multi-Criteria Evaluation for
    a Sustainable Economy*, Springer (Borda count).
    """
    return _ranks(_oriented(x, direction), "min") - 1.0


@register(
    "normalise",
    "target",
    inputs=("targets",),
    cap=Param(Flag(), False, "cap values beyond the target at the top of the scale"),
    scale=Param(Interval(low=0, closed="neither"), 1.0, "value given to a unit on the target"),
)
def target(
    x: np.ndarray,
    *,
    direction: np.ndarray,
    targets: np.ndarray | None = None,
    cap: bool = False,
    scale: float | np.ndarray = 1.0,
) -> np.ndarray:
    """Distance to target: ``y = scale * (1 - (t' - x') / (t' - min x'))``.

    ``x' = direction * x`` and ``t' = direction * t`` where ``t`` is the
    indicator's target in raw units (keyword ``targets``, shape ``(p,)`` or
    ``(B, p)``).  The worst unit scores 0 and a unit on the target scores
    ``scale``; with ``cap=True`` units beyond the target also score ``scale``.

    Notes
    -----
    Missing values stay missing.  A column whose target is missing, or equals
    its worst observed value (including a constant column at its target), is
    all-missing.  A target worse than every unit gives negative scores, as in
    COINr.  An all-missing column stays all-missing.

    References
    ----------
    COINr ``n_dist2targ``; OECD/JRC (2008) Handbook, section 5 (distance to a
    reference).
    """
    d = np.asarray(direction, dtype=float)
    t = _per_column(targets, "targets", x) * d
    t = t[None, None, :] if t.ndim == 1 else t[:, None, :]
    xo = _oriented(x, direction)
    lo = _nan.col_min(xo)[:, None, :]
    span = t - lo
    with np.errstate(invalid="ignore", divide="ignore"):
        y = 1.0 - (t - xo) / np.where(span != 0, span, np.nan)
    if cap:
        y = np.minimum(y, 1.0)
    return y * per_variant(scale)


@register(
    "normalise",
    "goalposts",
    inputs=("goalposts",),
    ordered=(("lower", "upper"),),
    lower=Param(Interval(), 0.0, "value given on (or below) the worst goalpost"),
    upper=Param(Interval(), 100.0, "value given on (or beyond) the best goalpost"),
    clip=Param(Flag(), True, "truncate values outside the goalposts (COINr trunc2posts)"),
)
def goalposts(
    x: np.ndarray,
    *,
    direction: np.ndarray,
    goalposts: np.ndarray | None = None,
    lower: float | np.ndarray = 0.0,
    upper: float | np.ndarray = 100.0,
    clip: bool = True,
) -> np.ndarray:
    """Goalposts: ``y = lower + (upper - lower) * clip((x - g_w) / (g_b - g_w), 0, 1)``.

    ``goalposts`` has shape ``(p, 2)`` (or ``(B, p, 2)``): per indicator the
    *worst* and the *best* goalpost ``(g_w, g_b)`` in raw units, as in the
    framework file.  For a lower-is-better indicator the worst goalpost is the
    larger number, so no separate direction flip is applied: COINr's
    ``n_goalposts(x, c(l, u, a), direction = -1)`` equals ``g_w = u, g_b = l``
    with ``upper = a`` here.  ``direction`` is accepted for the common
    signature and not used.

    Notes
    -----
    Fixed goalposts make scores comparable over time, unlike min-max.
    Missing values stay missing.  A column with equal goalposts or a missing
    goalpost is all-missing.  Without ``clip`` values outside the goalposts
    fall outside ``[lower, upper]``.

    References
    ----------
    COINr ``n_goalposts``; UNDP Human Development Index technical notes
    (dimension index = (actual - min) / (max - min) against fixed goalposts).
    """
    g = _per_column(goalposts, "goalposts", x, width=2)
    g = g[None, None] if g.ndim == 2 else g[:, None]
    worst, best = g[..., 0], g[..., 1]
    span = best - worst
    with np.errstate(invalid="ignore", divide="ignore"):
        y = (x - worst) / np.where(span != 0, span, np.nan)
    if clip:
        y = np.clip(y, 0.0, 1.0)
    a, b = per_variant(lower), per_variant(upper)
    return y * (b - a) + a
