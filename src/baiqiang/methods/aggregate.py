"""Aggregation kernels: combine the children of one aggregate into its score.

Signature: ``f(x, w, **params) -> array`` with ``x`` of shape
``(B, n_units, k_children)`` and weights ``w`` of shape ``(B, k_children)``;
the result has shape ``(B, n_units)``.

Missing values: a missing child is dropped and the weights are re-scaled over
the children that are available for that unit (an available-case mean, COINr's
default).  A unit with every child missing gets a missing score.  A child with
weight 0 takes no part, which is how an indicator is left out in sensitivity
analysis.

Reference: OECD/JRC (2008) *Handbook*, section 6; COINr ``R/aggregate.R``.
"""

from __future__ import annotations

import numpy as np

from baiqiang.methods import _nan
from baiqiang.methods.registry import QuasiMean, Flag, Interval, OneOf, Param, per_variant, register


def available_weights(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weights of shape ``(B, n, k)``, zero where ``x`` is missing, summing to 1 per unit.

    Rows whose available weights sum to zero are all-NaN, so that unit's score
    is missing rather than a division by zero.
    """
    wm = np.where(np.isnan(x), 0.0, w[:, None, :])
    total = wm.sum(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return wm / np.where(total > 0, total, np.nan)


def _missing_if_no_weight(wn: np.ndarray, score: np.ndarray) -> np.ndarray:
    """Score set missing for units with no available child (their ``wn`` row is NaN)."""
    return np.where(np.isnan(wn[..., 0]), np.nan, score)


@register("aggregate", "arithmetic", quasi_mean=QuasiMean(lambda x: x, lambda y: y))
def arithmetic(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted arithmetic mean ``y = sum_c w'_c x_c``, ``w'_c = w_c / sum_{c available} w_c``.

    Weights are normalised first and then summed, as COINr ``a_amean`` does.
    Fully compensatory: a deficit in one child is offset by a surplus in another.
    """
    wn = available_weights(x, w)
    return _missing_if_no_weight(wn, np.where(np.isnan(x), 0.0, x * wn).sum(axis=-1))


@register("aggregate", "geometric", quasi_mean=QuasiMean(np.log, np.exp, positive=True))
def geometric(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted geometric mean ``y = exp(sum_c w_c ln x_c / sum_c w_c)`` over available children.

    Partially compensatory.  Requires positive children; a zero or negative
    value gives a missing score for that unit (COINr stops with an error),
    which is why geometric aggregation is paired with min-max to ``[1, 100]``.
    """
    wn = available_weights(x, w)
    with np.errstate(invalid="ignore", divide="ignore"):
        # ln of a zero child is -inf and of a negative one NaN: both end as a missing score.
        total = np.where(wn > 0, np.log(x) * wn, 0.0).sum(axis=-1)
        y = np.where(np.isfinite(total), np.exp(total), np.nan)
    return _missing_if_no_weight(wn, y)


# --- Further means --------------------------------------------------------------


@register("aggregate", "harmonic", quasi_mean=QuasiMean(np.reciprocal, np.reciprocal, positive=True))
def harmonic(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted harmonic mean ``y = 1 / sum_c (w'_c / x_c)`` over available children.

    ``w'`` are the available weights normalised to sum to 1 per unit.  Less
    compensatory than the geometric mean: a low child pulls the score down
    strongly.

    Notes
    -----
    Requires positive children: a zero or negative value (with positive
    weight) gives a missing score for that unit, as for :func:`geometric`.
    Missing children are dropped (available-case); a unit with no available
    child is missing.

    References
    ----------
    COINr ``a_hmean``; OECD/JRC (2008) Handbook, section 6.
    """
    wn = available_weights(x, w)
    bad = (~np.isnan(x) & (x <= 0) & (wn > 0)).any(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        inv = np.where(np.isnan(x) | (wn == 0), 0.0, wn / np.where(x > 0, x, 1.0)).sum(axis=-1)
        y = 1.0 / inv
    return _missing_if_no_weight(wn, np.where(bad, np.nan, y))


@register("aggregate", "generalised", p=Param(Interval(), 1.0, "power of the mean (0 = geometric)"))
def generalised(x: np.ndarray, w: np.ndarray, *, p: float | np.ndarray = 1.0) -> np.ndarray:
    """Weighted generalised (power) mean ``y = (sum_c w'_c x_c^p)^(1/p)``; geometric at ``p = 0``.

    ``p = 1`` is the arithmetic, ``p = -1`` the harmonic mean; larger ``p``
    is more compensatory (``y`` increases with ``p``).  ``p`` may differ per
    variant (an array of shape ``(B,)``).

    Notes
    -----
    Children must be positive when ``p <= 0`` and non-negative when ``p > 0``;
    otherwise the unit's score is missing.  Missing children are dropped
    (available-case weights ``w'``); a unit with no available child is
    missing.

    References
    ----------
    COINr ``a_genmean``; Decancq, K. and Lugo, M. A. (2013) Weights in
    multidimensional indices of wellbeing: an overview. *Econometric Reviews*
    32(1), 7-34.
    """
    wn = available_weights(x, w)
    pp = np.broadcast_to(np.asarray(per_variant(p, 2), dtype=float), x.shape[:2])
    pv = pp[..., None]
    zero = pp == 0
    bad = (~np.isnan(x) & (wn > 0) & ((x < 0) | ((x == 0) & (pv <= 0)))).any(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        xs = np.where(np.isnan(x) | (x < 0), 1.0, x)
        logs = np.log(np.where(xs > 0, xs, 1.0))
        geo = np.exp(np.where(np.isnan(x), 0.0, logs * wn).sum(axis=-1))
        safe_p = np.where(zero, 1.0, pp)[..., None]
        powered = np.where(np.isnan(x) | (wn == 0), 0.0, wn * xs**safe_p).sum(axis=-1)
        power = powered ** (1.0 / safe_p[..., 0])
    y = np.where(zero, geo, power)
    return _missing_if_no_weight(wn, np.where(bad, np.nan, y))


@register("aggregate", "median")
def median(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted median: the smallest child value whose cumulative weight reaches 1/2.

    Children are sorted by value and ``c_r`` is the cumulative normalised
    weight of the ``r`` smallest; ``y = x_(r*)`` with ``r*`` the first ``r``
    where ``c_r >= 1/2``.  When ``c_r* = 1/2`` exactly (to 1e-12) the score is
    the average of ``x_(r*)`` and the next value, so equal weights give the
    ordinary median.

    Notes
    -----
    Non-compensatory within the middle: extreme children do not move the
    score.  Missing and zero-weight children are dropped (available-case);
    a unit with no available child is missing.

    References
    ----------
    Edgeworth, F. Y. (1888) On a new method of reducing observations relating
    to several quantities. *Phil. Mag.* 25, 184-191 (weighted median).
    """
    wn = available_weights(x, w)
    xv = np.where(wn > 0, x, np.nan)  # zero-weight and missing children drop out
    order = np.argsort(xv, axis=-1, kind="stable")  # NaN sorts last
    xs = np.take_along_axis(xv, order, axis=-1)
    ws = np.nan_to_num(np.take_along_axis(wn, order, axis=-1))
    cum = np.cumsum(ws, axis=-1)
    r = np.argmax(cum >= 0.5 - 1e-12, axis=-1)[..., None]
    lo = np.take_along_axis(xs, r, axis=-1)[..., 0]
    nxt = np.take_along_axis(xs, np.minimum(r + 1, xs.shape[-1] - 1), axis=-1)[..., 0]
    at_half = np.abs(np.take_along_axis(cum, r, axis=-1)[..., 0] - 0.5) <= 1e-12
    y = np.where(at_half & ~np.isnan(nxt), (lo + nxt) / 2.0, lo)
    return _missing_if_no_weight(wn, y)


# --- Distance-based and non-compensatory aggregation ----------------------------


@register(
    "aggregate",
    "topsis",
    distance=Param(OneOf(("weighted", "classic")), "weighted", "weighted Euclidean, or Hwang-Yoon on w*x"),
    vector=Param(Flag(), False, "vector-normalise each child first (x / sqrt(sum_i x^2))"),
)
def topsis(x: np.ndarray, w: np.ndarray, *, distance: str = "weighted", vector: bool = False) -> np.ndarray:
    """TOPSIS closeness to the ideal: ``C_i = D-_i / (D+_i + D-_i)`` in ``[0, 1]``.

    The ideal (anti-ideal) value of child ``c`` is its maximum (minimum) over
    units.  ``distance="weighted"``:
    ``D+_i = sqrt(sum_c w'_c (x_ic - max_c)^2)``, ``D-_i`` likewise with the
    minimum; ``distance="classic"`` (Hwang and Yoon) measures plain Euclidean
    distance on ``v_ic = w'_c x_ic``, i.e. ``sqrt(sum_c w'^2_c (x_ic - max_c)^2)``.
    With ``vector=True`` each child is first divided by ``sqrt(sum_i x_ic^2)``.
    Entropy weights with this kernel give 熵权TOPSIS.

    Notes
    -----
    Expects children already oriented and normalised (higher is better).
    Distances run over the children available for the unit, with weights
    ``w'`` re-normalised over them (available-case); ideals ignore missing
    values.  A constant child adds nothing to either distance.  A unit whose
    available children are all constant (``D+ = D- = 0``) and a unit with no
    available child are missing.  The score depends on the other units.

    References
    ----------
    Hwang, C.-L. and Yoon, K. (1981) *Multiple Attribute Decision Making*,
    Springer.  Chen, P. (2019) On the diversity-based weighting method for
    risk assessment and decision-making about natural hazards. *Entropy* 21(3), 269
    (entropy-weighted TOPSIS).
    """
    wn = available_weights(x, w)
    v = x
    if vector:
        norm = np.sqrt(np.nansum(x * x, axis=1, keepdims=True))
        with np.errstate(invalid="ignore", divide="ignore"):
            v = x / np.where(norm > 0, norm, np.nan)
    if distance == "classic":
        v = v * wn
        wd = np.where(np.isnan(wn), np.nan, 1.0)
    else:
        wd = wn
    best, worst = _nan.col_max(v)[:, None, :], _nan.col_min(v)[:, None, :]
    with np.errstate(invalid="ignore", divide="ignore"):
        d_plus = np.sqrt(np.where(np.isnan(v), 0.0, wd * (v - best) ** 2).sum(axis=-1))
        d_minus = np.sqrt(np.where(np.isnan(v), 0.0, wd * (v - worst) ** 2).sum(axis=-1))
        total = d_plus + d_minus
        c = d_minus / np.where(total > 0, total, np.nan)
    return _missing_if_no_weight(wn, c)


@register(
    "aggregate",
    "mazziotta_pareto",
    penalty=Param(OneOf(("negative", "positive")), "negative", "sign of the unbalance penalty"),
)
def mazziotta_pareto(x: np.ndarray, w: np.ndarray, *, penalty: str = "negative") -> np.ndarray:
    """Mazziotta-Pareto index ``MPI_i = M_i -/+ S_i cv_i = M_i -/+ S_i^2 / M_i``.

    ``M_i = sum_c w'_c z_ic`` is the (weighted) mean of the unit's children
    and ``S_i = sqrt(sum_c w'_c (z_ic - M_i)^2)`` their (population) standard
    deviation: the horizontal variability across children; ``cv_i = S_i / M_i``.
    ``penalty="negative"`` subtracts the penalty (for an index where higher
    is better): unbalanced profiles score lower than balanced ones with the
    same mean.

    Notes
    -----
    Expects the MPI input scale: children standardised to mean 100 and
    standard deviation 10 (``normalise.zscore`` with ``mean=100, sd=10``), so
    values are positive and comparable.  The kernel does not re-standardise.
    A unit whose mean ``M_i <= 0`` is missing.  Missing children are dropped
    (available-case); a unit with no available child is missing.  With equal
    weights this is the original MPI.

    References
    ----------
    Mazziotta, M. and Pareto, A. (2016) On a generalized non-compensatory
    composite index for measuring socio-economic phenomena. *Social
    Indicators Research* 127(3), 983-1003.
    """
    wn = available_weights(x, w)
    xv = np.where(np.isnan(x), 0.0, x)
    m = (xv * np.nan_to_num(wn)).sum(axis=-1)
    s2 = (np.nan_to_num(wn) * (xv - m[..., None]) ** 2).sum(axis=-1)
    sign = -1.0 if penalty == "negative" else 1.0
    with np.errstate(invalid="ignore", divide="ignore"):
        y = np.where(m > 0, m + sign * s2 / np.where(m > 0, m, 1.0), np.nan)
    return _missing_if_no_weight(wn, y)


_PAIR_BLOCK = 2_000_000  # cells of one (B, block, n, k) comparison array


@register("aggregate", "copeland")
def copeland(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Copeland score: pairwise wins minus losses under weighted majority.

    For units ``i`` and ``j`` the outranking weight is
    ``e_ij = sum_c w_c ([x_ic > x_jc] + 1/2 [x_ic = x_jc]) / sum_c w_c`` over
    the children available for both.  Unit ``i`` beats ``j`` when
    ``e_ij > 1/2``; ``y_i = #{j: e_ij > 1/2} - #{j: e_ij < 1/2}``, an integer
    in ``[-(n - 1), n - 1]``.

    Notes
    -----
    Fully non-compensatory: only the order of values within each child
    matters, so the score is invariant under any increasing transform of a
    child.  Pairs with no common available child count as ties.  A unit with
    no available child is missing and takes part in no comparison.
    ``O(n^2 k)`` work per variant, computed in blocks of units to bound memory.

    References
    ----------
    Munda, G. and Nardo, M. (2009) Noncompensatory/nonlinear composite
    indicators for ranking countries: a defensible setting. *Applied
    Economics* 41(12), 1513-1523.  OECD/JRC (2008) Handbook, section 6.2.
    """
    wn = available_weights(x, w)
    has = ~np.isnan(wn[..., 0])
    B, n, k = x.shape
    score = np.zeros((B, n))
    obs = ~np.isnan(x)
    wpos = np.broadcast_to(w[:, None, :], x.shape)
    step = max(1, _PAIR_BLOCK // max(1, B * n * k))
    # Blocks of rows bound the (B, block, n, k) comparison; each is fully vectorised.
    for start in range(0, n, step):
        xi, xj = x[:, start : start + step, None, :], x[:, None, :, :]
        both = obs[:, start : start + step, None, :] & obs[:, None, :, :]
        wc = np.where(both, wpos[:, None, :, :], 0.0)
        win = np.where(xi > xj, 1.0, np.where(xi == xj, 0.5, 0.0))
        tot = wc.sum(axis=-1)
        with np.errstate(invalid="ignore", divide="ignore"):
            e = (wc * win).sum(axis=-1) / np.where(tot > 0, tot, np.nan)
        diff = np.where(np.isnan(e), 0.0, np.sign(np.round(e - 0.5, 12)))
        score[:, start : start + step] = diff.sum(axis=-1)
    return np.where(has, score, np.nan)
