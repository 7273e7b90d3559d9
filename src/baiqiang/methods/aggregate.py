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

import functools
import math
from typing import Any, Callable

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


# --- Weighted sums: the matrix products every mean is built from ------------------

CACHE_CELLS = 131_072
"""Cells of one block of variants with distinct data (1 MiB of float64): temporaries stay in cache."""


def in_cache_blocks(kernel: Callable[..., np.ndarray]) -> Callable[..., np.ndarray]:
    """Run ``kernel`` on blocks of variants whose data fit in cache, when the variants' data differ.

    Aggregation is independent per variant, so the blocks join exactly.  A
    batch of distinct ``(n, k)`` data sets larger than the cache would
    otherwise stream every temporary through memory and run slower than a
    loop over variants; shared data (a stride-0 batch axis) and small batches
    go through whole.
    """

    @functools.wraps(kernel)
    def blocked(x: np.ndarray, w: np.ndarray, **params: Any) -> np.ndarray:
        B = x.shape[0]
        cells = x.shape[1] * x.shape[2]
        if B == 1 or x.strides[0] == 0 or B * cells <= CACHE_CELLS:
            return kernel(x, w, **params)
        step = max(1, CACHE_CELLS // max(1, cells))
        parts = []
        for start in range(0, B, step):
            part = slice(start, start + step)
            own = {k: (v[part] if isinstance(v, np.ndarray) and v.ndim == 1 and len(v) == B else v) for k, v in params.items()}
            parts.append(kernel(x[part], w[part], **own))
        return np.concatenate(parts)

    return blocked


def data_of(x: np.ndarray) -> np.ndarray:
    """The distinct data of a batch: ``x[:1]`` when every variant sees the same data, else ``x``.

    A caller that evaluates many weight variants on one data set passes
    ``np.broadcast_to(x0, (B, n, k))`` (a stride-0 batch axis, no copy); the
    kernels then compute every variant with one matrix product ``(B, k) @ (k, n)``
    instead of ``B`` products or a ``B``-fold copy of the data.
    """
    return x[:1] if x.shape[0] > 1 and x.strides[0] == 0 else x


def weighted_sum(v: np.ndarray, w: np.ndarray) -> np.ndarray:
    """``y_bi = sum_c v_bic w_bc`` as BLAS products; ``v`` is ``(B, n, k)`` or shared ``(1, n, k)``.

    Shape ``(B, n)``.  A shared ``v`` gives one GEMM ``w @ v[0].T``, written
    straight in ``(B, n)`` order (no transposed store).
    """
    if v.shape[0] == 1:
        return w @ v[0].T if w.shape[0] > 1 else (v[0] @ w[0])[None]
    return np.matmul(v, w[:, :, None])[..., 0]


def _available_sums(v: np.ndarray, w: np.ndarray, missing: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """``sum_c w_c v_c`` and ``sum_c w_c`` over the available children of each unit, each ``(B, n)``."""
    if missing is None:
        return weighted_sum(v, w), np.broadcast_to(w.sum(axis=-1, keepdims=True), (w.shape[0], v.shape[1]))
    return weighted_sum(np.where(missing, 0.0, v), w), weighted_sum((~missing).astype(float), w)


def _nan_if_not_positive(den: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``y`` where the available weight ``den`` is positive, else missing (no available child)."""
    return np.where(den > 0, y, np.nan)


@register("aggregate", "arithmetic", quasi_mean=QuasiMean(lambda x: x, lambda y: y))
def arithmetic(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted arithmetic mean ``y = sum_c w'_c x_c``, ``w'_c = w_c / sum_{c available} w_c``.

    Fully compensatory: a deficit in one child is offset by a surplus in another.
    Computed as ``(sum_c w_c x_c) / (sum_c w_c)`` over available children: two
    matrix products (one when no value is missing); COINr ``a_amean``
    normalises the weights first, which differs only in rounding (1e-15).
    """
    if x.shape[0] == 1:  # one variant: a single product, as plain NumPy would do
        w0 = w[0]
        w0_total = np.add.reduce(w0)  # not .sum(), which adds a Python wrapper call
        if w0_total > 0:
            y = x[0] @ (w0 / w0_total)
            if not math.isnan(np.add.reduce(y)):  # a missing child makes its unit's sum NaN (O(n), not O(n k))
                return y[None]
    return _arithmetic(x, w)


@in_cache_blocks
def _arithmetic(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """:func:`arithmetic` for any batch, with missing values."""
    total = w.sum(axis=-1, keepdims=True)
    positive = bool((total > 0).all())
    v = data_of(x)
    num = weighted_sum(v, w)
    if positive and not np.isnan(num).any():
        num /= total
        return num
    num, den = _available_sums(v, w, np.isnan(v))
    with np.errstate(invalid="ignore", divide="ignore"):
        return _nan_if_not_positive(den, num / den)


def _all_finite(a: np.ndarray) -> bool:
    """Whether every value of ``a`` is finite, from its sum (a NaN or infinite value makes the sum so).

    One reduction with no boolean temporary; a sum that overflows says False
    for finite values, which only sends the caller down its general path.
    """
    return math.isfinite(np.add.reduce(a, axis=None))


def _positive_parts(
    x: np.ndarray, w: np.ndarray, forward: Callable[[np.ndarray], np.ndarray]
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Weighted sums of ``forward(x_c)`` over available children for means defined on positive values.

    Returns ``(num, den, bad)``: ``bad`` marks units with a zero or negative
    child of positive weight, whose score is missing; it is None when every
    value is present and positive and every variant has positive weight
    (then ``den`` is the ``(B, 1)`` weight total).
    """
    v = data_of(x)
    total = w.sum(axis=-1, keepdims=True)
    if (total > 0).all():
        # ln of a missing, zero or negative child is NaN or infinite, and so is its unit's sum;
        # 1/x of a negative child is finite, so the reciprocal also needs the sign test.
        if forward is np.log or (v.size and v.min() > 0):
            with np.errstate(invalid="ignore", divide="ignore"):
                num = weighted_sum(forward(v), w)
            if _all_finite(num):
                return num, total, None
    usable = v > 0  # False for NaN too
    missing = np.isnan(v)
    num = weighted_sum(np.where(usable, forward(np.where(usable, v, 1.0)), 0.0), w)
    den = weighted_sum((~missing).astype(float), w)
    bad = weighted_sum((~usable & ~missing).astype(float), (w > 0).astype(float)) > 0
    return num, den, bad


@register("aggregate", "geometric", quasi_mean=QuasiMean(np.log, np.exp, positive=True))
def geometric(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted geometric mean ``y = exp(sum_c w_c ln x_c / sum_c w_c)`` over available children.

    Partially compensatory.  Requires positive children; a zero or negative
    value gives a missing score for that unit (COINr stops with an error),
    which is why geometric aggregation is paired with min-max to ``[1, 100]``.
    """
    if x.shape[0] == 1 and (y := _geometric_one(x[0], w[0])) is not None:
        return y[None]
    return _geometric(x, w)


def _geometric_one(x: np.ndarray, w: np.ndarray) -> np.ndarray | None:
    """:func:`geometric` of one variant ``x`` ``(n, k)`` of complete, positive data; None otherwise.

    ``ln`` of a missing, zero or negative child is NaN or ``-inf``, and so is its
    unit's weighted sum, so the domain is tested on the ``n`` sums, not the
    ``n k`` children.  The same operations as :func:`_geometric`'s complete-data
    path (equal bits), with the fewest NumPy calls.
    """
    total = np.add.reduce(w)
    if not total > 0:
        return None
    with np.errstate(invalid="ignore", divide="ignore"):
        y = np.log(x) @ w
    if not _all_finite(y):
        return None
    y /= total
    return np.exp(y, out=y)


@in_cache_blocks
def _geometric(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """:func:`geometric` for any batch, with missing and non-positive children."""
    num, den, bad = _positive_parts(x, w, np.log)
    if bad is None:  # complete, positive data
        num /= den
        return np.exp(num, out=num)
    with np.errstate(invalid="ignore", divide="ignore"):
        y = np.exp(num / den)
    return np.where(bad, np.nan, _nan_if_not_positive(den, y))


# --- Further means --------------------------------------------------------------


def _reciprocal(v: np.ndarray) -> np.ndarray:
    """``1 / v``: NumPy's true division is vectorised, ``np.reciprocal`` on floats is not (2x slower)."""
    return np.divide(1.0, v)


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
    if x.shape[0] == 1 and (y := _harmonic_one(x[0], w[0])) is not None:
        return y[None]
    return _harmonic(x, w)


def _harmonic_one(x: np.ndarray, w: np.ndarray) -> np.ndarray | None:
    """:func:`harmonic` of one variant ``x`` ``(n, k)`` of complete, positive data; None otherwise.

    The sign test cannot move to the output (a unit ``[1, -100]`` has the finite
    positive mean 1 / 0.495), so it is the minimum of ``r = 1/x``, taken right
    after ``r`` is written: ``min r > 0`` excludes negative and missing children
    (NaN fails the comparison), and ``x = 0`` gives ``r = inf``, caught by the
    finite test of the ``n`` sums.  The same operations as :func:`_harmonic`'s
    complete-data path (equal bits).
    """
    with np.errstate(divide="ignore"):
        r = _reciprocal(x)
    if not np.minimum.reduce(r, axis=None, initial=np.inf) > 0:  # initial: no unit or no child
        return None
    total = np.add.reduce(w)
    y = r @ w
    if not (total > 0 and _all_finite(y)):
        return None
    return np.divide(total, y, out=y)


@in_cache_blocks
def _harmonic(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """:func:`harmonic` for any batch, with missing and non-positive children."""
    num, den, bad = _positive_parts(x, w, _reciprocal)
    if bad is None:  # complete, positive data
        return np.divide(den, num, out=num)
    with np.errstate(invalid="ignore", divide="ignore"):
        y = den / num
    return np.where(bad, np.nan, _nan_if_not_positive(den, y))


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
    # isinstance, not np.ndim (which costs an exception and an asarray for a Python float: ~2 µs)
    if x.shape[0] == 1 and isinstance(p, (float, int)) and float(p).is_integer() and p != 0:
        if (y := _integer_power_mean_one(x[0], w[0], float(p))) is not None:
            return y[None]
    return _generalised(x, w, p=p)


def _integer_power_mean_one(x: np.ndarray, w: np.ndarray, p: float) -> np.ndarray | None:
    """:func:`generalised` of one variant ``x`` ``(n, k)`` of complete data in the domain, integer ``p``; None otherwise.

    An integer power hides a negative child (``(-1)^2 = 1``), so the children's
    minimum decides (NaN fails the comparison): ``x >= 0`` for ``p > 0``,
    ``x > 0`` for ``p < 0``.  The same operations as :func:`_power_mean`
    (equal bits), with the fewest NumPy calls.
    """
    with np.errstate(divide="ignore", over="ignore"):  # x = 0 with p < 0, or a huge x: the tests below decide
        powers = _power(x, p)  # before the minimum: it then reads x while x is still in cache
        lowest = np.minimum.reduce(x, axis=None, initial=np.inf)  # initial: no unit or no child
        total = np.add.reduce(w)
        if not ((lowest > 0 or (p > 0 and lowest == 0)) and total > 0):
            return None
        y = powers @ w
        y /= total
        y **= 1.0 / p  # NumPy's scalar power: a square root for p = 2, as in _power_mean
    return y


@in_cache_blocks
def _generalised(x: np.ndarray, w: np.ndarray, *, p: float | np.ndarray = 1.0) -> np.ndarray:
    """:func:`generalised` for any batch and per-variant powers."""
    v = data_of(x)
    if np.ndim(p) == 0:  # one power for every variant: no grouping
        return _power_mean(v, w, float(p))
    powers = np.broadcast_to(np.asarray(p, dtype=float), (w.shape[0],))
    out = np.empty((w.shape[0], v.shape[1]))
    for power in np.unique(powers):  # distinct powers: usually one
        sel = powers == power
        out[sel] = _power_mean(v if v.shape[0] == 1 else v[sel], w[sel], float(power))
    return out


def _power(v: np.ndarray, p: float) -> np.ndarray:
    """``v ** p``; the common powers 1 and 2 without ``pow`` (a general ``pow`` loop is 2x slower than a square)."""
    if p == 1:
        return v
    return np.square(v) if p == 2 else v**p


def _power_mean(v: np.ndarray, w: np.ndarray, p: float) -> np.ndarray:
    """:func:`generalised` for one power ``p``.

    For a non-integer ``p`` the output is checked instead of the input: ``x^p``
    of a negative child is NaN and of a zero child with ``p < 0`` infinite, so
    any child outside the domain (or missing) leaves a non-finite weighted sum.
    An integer power hides a negative child (``(-1)^2 = 1``) and needs the
    minimum.
    """
    if p == 0:
        return geometric(v, w)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        total = w.sum(axis=-1, keepdims=True)
        if p != round(p) and total.min() > 0:
            num = weighted_sum(v**p, w)
            if _all_finite(num):
                return (num / total) ** (1.0 / p)
        elif (lowest := v.min() if v.size else 1.0) > 0 or (p > 0 and lowest == 0):  # complete, in the domain of x^p
            return (weighted_sum(_power(v, p), w) / total) ** (1.0 / p)
        missing = np.isnan(v)
        outside = ~missing & ((v < 0) | ((v == 0) & (p <= 0)))
        num = weighted_sum(np.where(missing | outside, 0.0, np.where(outside, 1.0, v) ** p), w)
        den = weighted_sum((~missing).astype(float), w)
        bad = weighted_sum(outside.astype(float), (w > 0).astype(float)) > 0
        y = (num / den) ** (1.0 / p)
    return np.where(bad, np.nan, _nan_if_not_positive(den, y))


@register("aggregate", "median")
@in_cache_blocks
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
    if (w > 0).all():
        # Sorting the values again is 3x cheaper than gathering them by ``order``
        # (the same sorted values: ties are equal), and one weight vector is gathered by np.take.
        xs = np.sort(x, axis=-1)  # NaN sorts last
        if not np.isnan(xs[..., -1]).any():  # no missing child anywhere
            order = np.argsort(x, axis=-1)  # ties may come in any order
            wn = w / w.sum(axis=-1, keepdims=True)
            ws = np.take(wn[0], order) if w.shape[0] == 1 else np.take_along_axis(wn[:, None, :], order, axis=-1)
            return _weighted_median_sorted(xs, ws)
    wn = available_weights(x, w)
    xv = np.where(wn > 0, x, np.nan)  # zero-weight and missing children drop out
    order = np.argsort(xv, axis=-1)  # NaN sorts last
    xs = np.take_along_axis(xv, order, axis=-1)
    ws = np.nan_to_num(np.take_along_axis(wn, order, axis=-1))
    return _missing_if_no_weight(wn, _weighted_median_sorted(xs, ws))


def _weighted_median_sorted(xs: np.ndarray, ws: np.ndarray) -> np.ndarray:
    """Weighted median of children sorted by value (``xs``, NaN last) with their normalised weights ``ws``."""
    cum = np.cumsum(ws, axis=-1)
    r = np.argmax(cum >= 0.5 - 1e-12, axis=-1)[..., None]
    lo = np.take_along_axis(xs, r, axis=-1)[..., 0]
    nxt = np.take_along_axis(xs, np.minimum(r + 1, xs.shape[-1] - 1), axis=-1)[..., 0]
    at_half = np.abs(np.take_along_axis(cum, r, axis=-1)[..., 0] - 0.5) <= 1e-12
    return np.where(at_half & ~np.isnan(nxt), (lo + nxt) / 2.0, lo)


# --- Distance-based and non-compensatory aggregation ----------------------------


@register(
    "aggregate",
    "topsis",
    distance=Param(OneOf(("weighted", "classic")), "weighted", "weighted Euclidean, or Hwang-Yoon on w*x"),
    vector=Param(Flag(), False, "vector-normalise each child first (x / sqrt(sum_i x^2))"),
)
@in_cache_blocks
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
    With complete data the squared distances are expanded into matrix
    products (:func:`_expanded_squared_distance`); units where that expansion
    cancels (near an ideal) are recomputed from their squared gaps.

    References
    ----------
    Hwang, C.-L. and Yoon, K. (1981) *Multiple Attribute Decision Making*,
    Springer.  Chen, P. (2019) On the diversity-based weighting method for
    risk assessment and decision-making about natural hazards. *Entropy* 21(3), 269
    (entropy-weighted TOPSIS).
    """
    v = data_of(x)
    if vector:
        norm = np.sqrt(np.nansum(v * v, axis=1, keepdims=True))
        with np.errstate(invalid="ignore", divide="ignore"):
            v = v / np.where(norm > 0, norm, np.nan)
    best, worst = _nan.column_reduce(np.maximum, v), _nan.column_reduce(np.minimum, v)  # NaN for a column with a missing value
    missing = None
    if not (np.isfinite(best).all() and np.isfinite(worst).all()):
        missing = np.isnan(v)
        if distance == "classic":
            return _topsis_classic_missing(np.broadcast_to(v, x.shape), w)
        best, worst = _nan.col_max(v), _nan.col_min(v)
    # Ideals are column extremes of x (for "classic", of w x: w_c times those, as w >= 0).
    # The factor 1 / sum of available weights scales D+ and D- alike, so C needs
    # only unnormalised sums.
    wd = w * w if distance == "classic" else w
    with np.errstate(invalid="ignore", divide="ignore"):
        # Shared data (one (1, n, k) array for B weight variants) have shared gaps: two passes
        # over them and two (B, k) x (k, n) products beat the expansion's work on (B, n) arrays.
        if missing is None and v.shape[0] == w.shape[0] and _expansion_tolerance(v.shape[-1]) < 0.5:
            squares = weighted_sum(v * v, wd)
            roots = np.sqrt(squares)
            d_plus, d_minus = (np.sqrt(_expanded_squared_distance(v, wd, ideal, squares, roots)) for ideal in (best, worst))
        else:
            gap = _squared_gap(v, best, missing)
            d_plus = np.sqrt(weighted_sum(gap, wd))
            # The same buffer again: a fresh (B, n, k) temporary costs more in page faults than its arithmetic.
            d_minus = np.sqrt(weighted_sum(_squared_gap(v, worst, missing, out=gap), wd))
        total = d_plus + d_minus
        c = d_minus / np.where(total > 0, total, np.nan)
    if missing is None:
        return np.broadcast_to(_nan_if_not_positive(w.sum(axis=-1, keepdims=True), c), c.shape)
    return _nan_if_not_positive(weighted_sum((~missing).astype(float), w), c)


#: Accuracy asked of the expanded squared distances, relative to their scale (the benchmark checks 1e-12).
EXPANSION_ACCURACY = 1e-13


def _expansion_tolerance(k: int) -> float:
    """Smallest ``d^2 / scale`` for which :func:`_expanded_squared_distance` is accurate to :data:`EXPANSION_ACCURACY`.

    The rounding error of a ``k``-term dot product is at most ``gamma_k`` times
    the sum of the terms' magnitudes, ``gamma_k ~ k u`` with ``u = 2^-53``
    (Higham 2002, *Accuracy and Stability of Numerical Algorithms*, 3.1); four
    more roundings come from squaring, scaling and adding the three parts.
    """
    return (k + 4) * (np.finfo(float).eps / 2) / EXPANSION_ACCURACY


def _expanded_squared_distance(
    v: np.ndarray, wd: np.ndarray, ideal: np.ndarray, squares: np.ndarray, roots: np.ndarray
) -> np.ndarray:
    """``d^2_bi = sum_c wd_bc (v_ic - a_c)^2`` as ``sum wd v^2 - 2 sum (wd a) v + sum wd a^2``: two BLAS products.

    ``v`` is complete, ``(B, n, k)``; ``ideal`` ``a`` is ``(B, k)``; ``squares``
    is ``sum_c wd_bc v_ic^2`` and ``roots`` its square root.  The expansion
    reads the data once instead of writing and re-reading a ``(B, n, k)``
    array of gaps, but cancels when ``d^2`` is small against its parts: by
    Cauchy-Schwarz the parts' magnitudes sum to at most
    ``scale = (sqrt(squares) + sqrt(sum wd a^2))^2``, so a unit whose
    ``d^2 <= tolerance * scale`` (e.g. one at the ideal in every child) is
    recomputed from its squared gaps.
    """
    wa = wd * ideal
    const = (wa * ideal).sum(axis=-1, keepdims=True)
    d2 = squares - 2.0 * weighted_sum(v, wa) + const
    scale = np.square(roots + np.sqrt(const))
    cancelled = d2 <= _expansion_tolerance(v.shape[-1]) * scale
    if cancelled.any():  # a few units: their gaps exactly
        b, i = np.nonzero(cancelled)
        gaps = v[b, i] - ideal[b]
        d2[b, i] = (wd[b] * gaps * gaps).sum(axis=-1)
    return d2


def _squared_gap(v: np.ndarray, ideal: np.ndarray, missing: np.ndarray | None, out: np.ndarray | None = None) -> np.ndarray:
    """``(v - ideal)^2`` per cell, 0 where missing; computed in place in one temporary (or in ``out``)."""
    gap = np.subtract(v, ideal[:, None, :], out=out)
    np.square(gap, out=gap)
    if missing is not None:
        gap[missing] = 0.0
    return gap


def _topsis_classic_missing(v: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Hwang-Yoon TOPSIS with missing values: ideals of ``w'_ic v_ic`` depend on each unit's available weights."""
    wn = available_weights(v, w)
    v = v * wn
    best, worst = _nan.col_max(v)[:, None, :], _nan.col_min(v)[:, None, :]
    with np.errstate(invalid="ignore", divide="ignore"):
        d_plus = np.sqrt(np.where(np.isnan(v), 0.0, (v - best) ** 2).sum(axis=-1))
        d_minus = np.sqrt(np.where(np.isnan(v), 0.0, (v - worst) ** 2).sum(axis=-1))
        total = d_plus + d_minus
        c = d_minus / np.where(total > 0, total, np.nan)
    return _missing_if_no_weight(wn, c)


@register(
    "aggregate",
    "mazziotta_pareto",
    penalty=Param(OneOf(("negative", "positive")), "negative", "sign of the unbalance penalty"),
)
@in_cache_blocks
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
    v = data_of(x)
    num = weighted_sum(v, w)
    missing = np.isnan(v) if np.isnan(num).any() else None  # a missing child makes its unit's sum NaN
    if missing is None:
        den = np.broadcast_to(w.sum(axis=-1, keepdims=True), num.shape)
    else:
        num, den = _available_sums(v, w, missing)
    sign = -1.0 if penalty == "negative" else 1.0
    with np.errstate(invalid="ignore", divide="ignore"):
        m = num / den
        # S^2 = (sum w' z^2) - M^2: one product with the squares, no (B, n, k) array of deviations.
        # It cancels when S << M, but its error (~k u M^2) divided by M is ~k u M, as small against
        # MPI ~ M as the rounding of the deviations' own formula.
        s2 = np.maximum(_available_sums(np.square(v), w, missing)[0] / den - m * m, 0.0)
        if missing is None and m.min() > 0 and w.sum(axis=-1).min() > 0:  # every unit scored
            s2 /= m
            return np.add(m, s2, out=s2) if sign > 0 else np.subtract(m, s2, out=s2)
        y = np.where(m > 0, m + sign * s2 / np.where(m > 0, m, 1.0), np.nan)
    return _nan_if_not_positive(den, y)


_PAIR_ROWS = 128  # units compared with all others at once: a (128, n) block stays in cache


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
    Computed as ``sign(T_ij)`` with ``T_ij = sum_c w_c sign(x_ic - x_jc)``
    (``= 2 (e_ij - 1/2) W_ij``; ties within 1e-12 of ``W_ij``, the common
    weight, count as ties): the common weights ``W`` are one matrix product,
    and the signs of children sharing a weight are counted in ``int8`` before
    one multiply by that weight.  ``O(n^2 k)`` work per variant, in blocks of
    128 units against all others, looping over children (not units).

    References
    ----------
    Munda, G. and Nardo, M. (2009) Noncompensatory/nonlinear composite
    indicators for ranking countries: a defensible setting. *Applied
    Economics* 41(12), 1513-1523.  OECD/JRC (2008) Handbook, section 6.2.
    """
    B, n, k = x.shape
    obs = ~np.isnan(x)
    score = np.zeros((B, n))
    for b in range(B):  # variants: each is an O(n^2 k) comparison of its own
        score[b] = _copeland_one(x[b], obs[b], np.asarray(w[b], dtype=float))
    has = (obs & (w[:, None, :] > 0)).any(axis=-1)
    return np.where(has, score, np.nan)


def _copeland_one(x: np.ndarray, obs: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Copeland scores of one variant: ``x`` ``(n, k)``, ``w`` ``(k,)``; see :func:`copeland`."""
    n = x.shape[0]
    cols = np.ascontiguousarray(x.T)  # (k, n): one child's values are contiguous
    obs_w = obs * w
    obs_f = obs.astype(float)
    weights, group = np.unique(w, return_inverse=True)
    count_type = np.int8 if x.shape[1] < 128 else np.int32
    score = np.empty(n)
    for start in range(0, n, _PAIR_ROWS):
        rows = cols[:, start : start + _PAIR_ROWS]
        m = rows.shape[1]
        common = obs_w[start : start + m] @ obs_f.T  # W_ij, (m, n)
        total = np.zeros((m, n))
        count, flag, part = np.empty((m, n), dtype=count_type), np.empty((m, n), dtype=bool), np.empty((m, n))
        for g, value in enumerate(weights):
            if value == 0:
                continue
            count[:] = 0
            for c in np.flatnonzero(group == g):  # NaN compares False both ways: no contribution
                np.greater(rows[c][:, None], cols[c][None, :], out=flag)
                count += flag
                np.less(rows[c][:, None], cols[c][None, :], out=flag)
                count -= flag
            np.multiply(count, value, out=part)
            total += part
        with np.errstate(invalid="ignore", divide="ignore"):
            e = total / (2.0 * common)  # e_ij - 1/2
        score[start : start + m] = np.where(common > 0, np.sign(np.round(e, 12)), 0.0).sum(axis=-1)
    return score
