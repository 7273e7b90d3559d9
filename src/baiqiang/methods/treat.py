"""Outlier treatment kernels.

Signature: ``f(x, **params) -> array`` with ``x`` of shape ``(B, n_units, n_cols)``.
Treatment happens before normalisation and ignores directions.  Missing values
stay missing and are ignored by every statistic.

Reference: OECD/JRC (2008) *Handbook*, section 4; COINr ``R/treat.R``
(``Treat``, ``winsorise``, ``check_SkewKurt``, ``log_CT``).
"""

from __future__ import annotations

import math

import numpy as np

from baiqiang.methods import _nan
from numbers import Integral

from baiqiang.methods.registry import Flag, Interval, OneOf, Param, per_variant, register


def _central_sums(x: np.ndarray, valid: np.ndarray | None = None) -> tuple[np.ndarray, ...]:
    """Per column (axis 1): count, mean and sums of squared, cubed and fourth-power deviations.

    ``valid`` (non-missing mask) may be passed when it is already known.
    Powers are formed by multiplication: ``d**3`` calls ``pow`` and is ~10x slower.
    """
    valid = ~np.isnan(x) if valid is None else valid
    if valid.all():  # the usual case after imputation: no masks needed
        n = np.full((x.shape[0], x.shape[2]), float(x.shape[1]))
        mean = x.mean(axis=1)
        d = x - mean[:, None, :]
    else:
        n = valid.sum(axis=1).astype(float)
        d = np.where(valid, x, 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = d.sum(axis=1) / n
            d -= np.where(valid, mean[:, None, :], 0.0)
    d2 = d * d
    # Fused multiply-sums: no temporaries for d^3 and d^4.
    return n, mean, d2.sum(axis=1), np.einsum("bij,bij->bj", d2, d), np.einsum("bij,bij->bj", d2, d2)


STATS_BLOCK_CELLS = 4_000_000
"""Columns are winsorised in blocks of about this many cells (columns are independent; this bounds the temporaries)."""


def _skew_kurt(x: np.ndarray, valid: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    n, _, s2, s3, s4 = _central_sums(x, valid)
    return _skew_kurt_of(n, s2, s3, s4)


def _skew_kurt_of(n: np.ndarray, s2: np.ndarray, s3: np.ndarray, s4: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """G1 and G2 (see :func:`skewness`, :func:`kurtosis`) from the count and central sums of powers 2-4."""
    with np.errstate(invalid="ignore", divide="ignore"):
        g1 = np.sqrt(n) * s3 / s2**1.5
        skew = np.where((n >= 3) & (s2 > 0), np.sqrt(n * (n - 1)) / (n - 2) * g1, np.nan)
        r = n * s4 / s2**2
        kurt = np.where((n >= 4) & (s2 > 0), ((n + 1) * (r - 3) + 6) * (n - 1) / ((n - 2) * (n - 3)), np.nan)
    return skew, kurt


def skewness(x: np.ndarray) -> np.ndarray:
    """Adjusted sample skewness G1 per column (axis 1), as ``e1071::skewness(type = 2)``.

    ``G1 = sqrt(n (n - 1)) / (n - 2) * g1``, ``g1 = sqrt(n) * sum d^3 / (sum d^2)^(3/2)``,
    ``d = x - mean(x)`` over non-missing values; NaN when ``n < 3`` or no spread.
    """
    return _skew_kurt(x)[0]


def kurtosis(x: np.ndarray) -> np.ndarray:
    """Adjusted sample excess kurtosis G2 per column, as ``e1071::kurtosis(type = 2)``.

    ``G2 = ((n + 1)(r - 3) + 6)(n - 1) / ((n - 2)(n - 3))``, ``r = n sum d^4 / (sum d^2)^2``;
    NaN when ``n < 4`` or no spread.
    """
    return _skew_kurt(x)[1]


def _passes(skew: np.ndarray, kurt: np.ndarray, skew_thresh: float | np.ndarray, kurt_thresh: float | np.ndarray) -> np.ndarray:
    """The pass test on statistics already computed; thresholds broadcast against them."""
    return np.isnan(skew) | np.isnan(kurt) | (np.abs(skew) < skew_thresh) | (kurt < kurt_thresh)


def passes(x: np.ndarray, skew_thresh: float | np.ndarray, kurt_thresh: float | np.ndarray) -> np.ndarray:
    """COINr's outlier test: a column passes if ``|skew| < skew_thresh`` OR ``kurt < kurt_thresh``.

    A column whose statistics are undefined (too few values, no spread) passes:
    there is nothing to treat.
    """
    return _passes(*_skew_kurt(x), per_variant(skew_thresh, 2), per_variant(kurt_thresh, 2))


def log_ct(x: np.ndarray) -> np.ndarray:
    """COINr's "log_CT" transform: ``y = ln(x - min x + 0.01 (max x - min x))``.

    Notes
    -----
    Missing values stay missing.  A constant column gives ``ln(0) = -inf``
    everywhere, as in COINr (winsorisation never sends a constant column here:
    it passes the skew/kurtosis test).  An all-missing column stays missing.

    References
    ----------
    COINr ``log_CT`` (``R/treat.R``).
    """
    lo, hi = _nan.col_min(x)[:, None, :], _nan.col_max(x)[:, None, :]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.log(x - lo + 0.01 * (hi - lo))


def _clip_top(y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Set every value equal to its column's maximum to the next value down.

    ``y`` is ``(n, m)``.  Returns the updated array, per column how many
    points sat at the maximum (ties included), the maximum and the next value
    down.  Low-side steps reuse this on the negated column (negation is
    exact, so results are unchanged).
    """
    top = np.fmax.reduce(y, axis=0)
    at_top = y == top
    below = np.fmax.reduce(np.where(at_top, np.nan, y), axis=0)
    return np.where(at_top, below, y), at_top.sum(axis=0), top, below


RESUM_SHRINK = 8.0
"""A column's sums are re-read from its values once its range shrinks by this factor (see :class:`_ShiftedSums`)."""


class _ShiftedSums:
    """Per column: count and sums of ``d^k`` (k = 1..4), ``d = x - c``, ``c`` the mean when last summed.

    A winsorisation step changes only the points at one extreme, so the sums
    are updated from those points (``count * (new_d^k - old_d^k)``) instead of
    re-read from every value.  The central sums recovered from shifted sums
    lose about ``(range when summed / range now)^4`` ulps, so a column whose
    range has shrunk by :data:`RESUM_SHRINK` is summed afresh (error below
    ~4,000 ulps of its sums); a column that has become constant has no spread.
    """

    def __init__(self, n: np.ndarray, c: np.ndarray, s: np.ndarray, lo: np.ndarray, hi: np.ndarray, width: np.ndarray) -> None:
        self.n, self.c, self.s = n, c, s  # s: (4, m) sums of d, d^2, d^3, d^4
        self.lo, self.hi, self.width = lo, hi, width  # current extremes; range when last summed

    @classmethod
    def of(cls, x: np.ndarray, n: np.ndarray, mean: np.ndarray, s2: np.ndarray, s3: np.ndarray, s4: np.ndarray) -> "_ShiftedSums":
        """From the central sums of ``x`` ``(n, m)`` already computed (the sum of deviations is 0)."""
        lo, hi = np.fmin.reduce(x, axis=0), np.fmax.reduce(x, axis=0)
        return cls(n.copy(), mean.copy(), np.stack([np.zeros_like(s2), s2, s3, s4]), lo, hi, hi - lo)

    def replace(self, x: np.ndarray, valid: np.ndarray, old: np.ndarray, new: np.ndarray, count: np.ndarray) -> None:
        """``count`` points of each column moved from the extreme ``old`` to ``new``; ``x`` is the data after the move."""
        a, b = old - self.c, new - self.c
        self.s += count * np.stack([b - a, b**2 - a**2, b**3 - a**3, b**4 - a**4])
        self.hi, self.lo = np.where(old == self.hi, new, self.hi), np.where(old == self.lo, new, self.lo)
        again = np.flatnonzero((self.hi - self.lo) * RESUM_SHRINK < self.width)
        if len(again):
            self.n[again], self.c[again], self.s[:, again] = _shifted_sums(x[:, again], valid[:, again])
            self.width[again] = self.hi[again] - self.lo[again]

    def central(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Count and central sums of powers 2-4 about the current mean (0 spread for a constant column)."""
        n, (s1, s2, s3, s4) = self.n, self.s
        with np.errstate(invalid="ignore", divide="ignore"):
            m = s1 / n
        c2 = np.where(self.hi > self.lo, s2 - n * m**2, 0.0)
        return n, c2, s3 - 3 * m * s2 + 2 * n * m**3, s4 - 4 * m * s3 + 6 * m**2 * s2 - 3 * n * m**4

    def take(self, keep: np.ndarray) -> "_ShiftedSums":
        return _ShiftedSums(self.n[keep], self.c[keep], self.s[:, keep], self.lo[keep], self.hi[keep], self.width[keep])


def _shifted_sums(x: np.ndarray, valid: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Count, mean ``c`` and sums of ``(x - c)^k``, k = 1..4, per column of ``(n, m)`` data."""
    n = valid.sum(axis=0).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        c = np.where(valid, x, 0.0).sum(axis=0) / n
    d = np.where(valid, x - c, 0.0)
    d2 = d * d
    return n, c, np.stack([d.sum(axis=0), d2.sum(axis=0), np.einsum("ij,ij->j", d2, d), np.einsum("ij,ij->j", d2, d2)])


@register(
    "treat",
    "winsorise",
    winmax=Param(Interval(Integral, 0, None), 5, "most points winsorised per indicator"),
    skew_thresh=Param(Interval(low=0, closed="neither"), 2.0, "absolute skewness threshold"),
    kurt_thresh=Param(Interval(), 3.5, "excess kurtosis threshold"),
    fallback=Param(OneOf(("log_ct", "none")), "log_ct", "what to do if winsorising does not fix a column"),
)
def winsorise(
    x: np.ndarray,
    *,
    winmax: int | np.ndarray = 5,
    skew_thresh: float | np.ndarray = 2.0,
    kurt_thresh: float | np.ndarray = 3.5,
    fallback: str = "log_ct",
) -> np.ndarray:
    """COINr's default treatment: iterative winsorisation, then a log fallback.

    A column fails when ``|skew| >= skew_thresh`` AND ``kurt >= kurt_thresh``.
    While a column fails and ``nwin < winmax``, the points at the extreme on the
    side of the skew (max if skew >= 0, else min), ties included, are set to
    the next value inward; ``nwin`` is the number of points at the extreme in
    the most recent high-side step plus that of the most recent low-side step
    (COINr ``winsorise``).  A column that still fails is reset to its original
    values and transformed by :func:`log_ct` (``fallback="log_ct"``).

    Vectorised over variants and columns: each loop iteration is one
    winsorisation step for every still-failing column at once.
    """
    B, n, p = x.shape
    # Winsorisation is per column, so variants' columns are laid side by side
    # (column b*p + c), treated in blocks of columns that bound the temporaries.
    flat = np.moveaxis(np.asarray(x, dtype=float), 1, 0).reshape(n, B * p)
    per_column = lambda v: np.repeat(np.broadcast_to(np.asarray(v, dtype=float), (B,)), p)  # noqa: E731
    wmax, st, kt = per_column(winmax), per_column(skew_thresh), per_column(kurt_thresh)
    out = np.empty_like(flat)
    step = max(1, STATS_BLOCK_CELLS // max(1, n))
    for j in range(0, B * p, step):
        cols = slice(j, j + step)
        out[:, cols] = _winsorise_columns(flat[:, cols], wmax[cols], st[cols], kt[cols], fallback == "log_ct")
    return np.moveaxis(out.reshape(n, B, p), 0, 1)


def _winsorise_columns(flat: np.ndarray, wmax: np.ndarray, st: np.ndarray, kt: np.ndarray, use_log_ct: bool) -> np.ndarray:
    """:func:`winsorise` of the columns of ``(n, m)`` data, with per-column ``winmax`` and thresholds ``(m,)``.

    Only the still-failing columns are carried through the loop; each
    iteration is one winsorisation step for all of them.
    """
    valid = ~np.isnan(flat)  # winsorising never changes which values are missing
    out = flat.copy()
    n_valid, mean, s2, s3, s4 = (a[0] for a in _central_sums(flat[None], valid[None]))
    skew, kurt = _skew_kurt_of(n_valid, s2, s3, s4)
    failing = ~_passes(skew, kurt, st, kt)
    still = failing.copy()
    nwin_hi, nwin_lo = np.zeros(len(wmax), dtype=int), np.zeros(len(wmax), dtype=int)
    idx = np.flatnonzero(failing & (wmax > 0))
    work, valid_w, skew_w = flat[:, idx], valid[:, idx], skew[idx]
    sums = _ShiftedSums.of(work, *(a[idx] for a in (n_valid, mean, s2, s3, s4)))
    for _ in range(len(flat)):
        if not idx.size:
            break
        side = np.where(skew_w >= 0, 1.0, -1.0)  # +1: clip the maximum, -1: the minimum
        clipped, count, top, below = _clip_top(work * side)
        work = clipped * side
        nwin_hi[idx] = np.where(side > 0, count, nwin_hi[idx])
        nwin_lo[idx] = np.where(side < 0, count, nwin_lo[idx])
        sums.replace(work, valid_w, top * side, below * side, count)  # only the clipped points changed
        skew_w, kurt_w = _skew_kurt_of(*sums.central())
        fail = ~_passes(skew_w, kurt_w, st[idx], kt[idx])
        still[idx] = fail
        go_on = fail & (nwin_hi[idx] + nwin_lo[idx] < wmax[idx])
        out[:, idx[~go_on]] = work[:, ~go_on]
        idx, work, valid_w, skew_w, sums = idx[go_on], work[:, go_on], valid_w[:, go_on], skew_w[go_on], sums.take(go_on)
    out[:, idx] = work  # columns still going when the step budget ran out
    if use_log_ct:
        use_log = np.flatnonzero(failing & still)
        out[:, use_log] = log_ct(flat[None][:, :, use_log])[0]
    return out


@register("treat", "log")
def log(x: np.ndarray) -> np.ndarray:
    """Natural log ``y = ln(x)``; non-positive values become missing (with no warning)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(x > 0, np.log(np.where(x > 0, x, 1.0)), np.nan)


register("treat", "log_ct")(log_ct)

# --- Box-Cox -----------------------------------------------------------------

_BOXCOX_BOUNDS = (-5.0, 5.0)
_GOLDEN = (math.sqrt(5.0) - 1.0) / 2.0


def _boxcox_apply(logx: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """``(x^lam - 1) / lam`` from ``ln x``; ``ln x`` where ``lam == 0``."""
    small = np.abs(lam) < 1e-12
    safe = np.where(small, 1.0, lam)
    with np.errstate(over="ignore", invalid="ignore"):
        return np.where(small, logx, np.expm1(safe * logx) / safe)


def boxcox_llf(logx: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """Box-Cox profile log-likelihood per column, from ``ln x`` of shape ``(B, n, p)``.

    ``llf(lam) = (lam - 1) sum ln x - n/2 ln var(y(lam))`` with the population
    variance over non-missing units (Box and Cox 1964); ``lam`` has shape
    ``(B, p)``.
    """
    n = _nan.col_count(logx).astype(float)
    y = _boxcox_apply(logx, lam[:, None, :])
    var = _nan.col_std(y, ddof=0) ** 2
    with np.errstate(divide="ignore", invalid="ignore"):
        return (lam - 1.0) * np.nansum(logx, axis=1) - n / 2.0 * np.log(var)


def boxcox_lambda(x: np.ndarray, bounds: tuple[float, float] = _BOXCOX_BOUNDS) -> np.ndarray:
    """Maximum-likelihood Box-Cox ``lambda`` per column (shape ``(B, p)``).

    A golden-section search on :func:`boxcox_llf` in ``bounds``, run for every
    variant and column at once (the log-likelihood is unimodal in ``lambda``).
    Agrees with ``scipy.stats.boxcox_normmax(method="mle")`` when the optimum
    lies inside the bounds.  Columns with fewer than two distinct positive
    values get ``lambda = 1`` (no transform beyond a shift).
    """
    x = np.where(x > 0, x, np.nan)
    # lambda is invariant to rescaling x; dividing by the geometric mean keeps
    # x^lambda from overflowing for large magnitudes.
    with np.errstate(divide="ignore", invalid="ignore"):
        logx = np.log(x)
    logx = logx - _nan.col_mean(logx)[:, None, :]
    shape = logx.shape[::2]
    a, b = np.full(shape, bounds[0]), np.full(shape, bounds[1])
    c, d = b - _GOLDEN * (b - a), a + _GOLDEN * (b - a)
    fc, fd = boxcox_llf(logx, c), boxcox_llf(logx, d)
    # 80 steps shrink the bracket by 0.618^80 ~ 2e-17: machine precision.
    for _ in range(80):
        left = np.nan_to_num(fc, nan=-np.inf) >= np.nan_to_num(fd, nan=-np.inf)
        a, b = np.where(left, a, c), np.where(left, d, b)
        c_new, d_new = b - _GOLDEN * (b - a), a + _GOLDEN * (b - a)
        f_new = boxcox_llf(logx, np.where(left, c_new, d_new))
        fc, fd = np.where(left, f_new, fd), np.where(left, fc, f_new)
        c, d = np.where(left, c_new, d), np.where(left, c, d_new)
    lam = (a + b) / 2.0
    spread = _nan.col_std(logx, ddof=0)
    return np.where(np.isfinite(spread) & (spread > 0), lam, 1.0)


@register(
    "treat",
    "boxcox",
    lmbda=Param(Interval(), None, "Box-Cox exponent; estimated per column by maximum likelihood when omitted"),
    shift=Param(OneOf(("auto", "none")), "auto", "shift columns with non-positive values so their minimum is 1"),
    geometric=Param(Flag(), False, "divide each column by its geometric mean first (keeps precision at extreme lambda)"),
)
def boxcox(
    x: np.ndarray,
    *,
    lmbda: float | np.ndarray | None = None,
    shift: str = "auto",
    geometric: bool = False,
) -> np.ndarray:
    """Box-Cox power transform ``y = (x^lambda - 1) / lambda`` (``ln x`` at ``lambda = 0``).

    With ``lmbda`` omitted, ``lambda`` is the maximum-likelihood estimate per
    column (:func:`boxcox_lambda`, bounded to ``[-5, 5]``); a given ``lmbda``
    (a number or one per variant) is used for every column.

    Notes
    -----
    Box-Cox needs positive data.  With ``shift="auto"`` a column whose minimum
    is ``<= 0`` is first shifted to ``x - min x + 1`` (minimum 1); with
    ``shift="none"`` non-positive values become missing.  Missing values stay
    missing and are ignored when estimating ``lambda``.  A constant column gets
    ``lambda = 1`` when estimated (``y = x - 1``).  An all-missing column stays
    all-missing.  The transform is strictly increasing, so ranks are kept in
    exact arithmetic; but with large values and a strongly negative ``lambda``
    ``x^lambda`` underflows next to 1 and distinct values can round to one
    result.  ``geometric=True`` transforms ``x / g`` (``g`` the column's
    geometric mean), which changes the result only by a positive affine map
    per column (invisible after min-max or z-score normalisation) and keeps
    full precision.  The default matches ``scipy.stats.boxcox``.

    References
    ----------
    Box, G. E. P. and Cox, D. R. (1964) An analysis of transformations.
    *J. R. Stat. Soc. B* 26(2), 211-252.  OECD/JRC (2008) Handbook, section 4.
    """
    x = np.asarray(x, dtype=float)
    if shift == "auto":
        lo = _nan.col_min(x)[:, None, :]
        x = np.where(lo <= 0, x - lo + 1.0, x)
    pos = np.where(x > 0, x, np.nan)
    lam = boxcox_lambda(pos) if lmbda is None else np.broadcast_to(
        np.asarray(per_variant(lmbda, 2), dtype=float), x.shape[::2]
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        logx = np.log(pos)
    if geometric:
        logx = logx - _nan.col_mean(logx)[:, None, :]
    return _boxcox_apply(logx, lam[:, None, :])
