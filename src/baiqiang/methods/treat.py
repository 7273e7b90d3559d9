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


def skewness(x: np.ndarray) -> np.ndarray:
    """Adjusted sample skewness G1 per column (axis 1), as ``e1071::skewness(type = 2)``.

    ``G1 = sqrt(n (n - 1)) / (n - 2) * g1``, ``g1 = sqrt(n) * sum d^3 / (sum d^2)^(3/2)``,
    ``d = x - mean(x)`` over non-missing values; NaN when ``n < 3`` or no spread.
    """
    n = _nan.col_count(x).astype(float)
    d = np.nan_to_num(x - _nan.col_mean(x)[:, None, :])
    s2, s3 = (d**2).sum(axis=1), (d**3).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        g1 = np.sqrt(n) * s3 / s2**1.5
        return np.where((n >= 3) & (s2 > 0), np.sqrt(n * (n - 1)) / (n - 2) * g1, np.nan)


def kurtosis(x: np.ndarray) -> np.ndarray:
    """Adjusted sample excess kurtosis G2 per column, as ``e1071::kurtosis(type = 2)``.

    ``G2 = ((n + 1)(r - 3) + 6)(n - 1) / ((n - 2)(n - 3))``, ``r = n sum d^4 / (sum d^2)^2``;
    NaN when ``n < 4`` or no spread.
    """
    n = _nan.col_count(x).astype(float)
    d = np.nan_to_num(x - _nan.col_mean(x)[:, None, :])
    s2, s4 = (d**2).sum(axis=1), (d**4).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = n * s4 / s2**2
        return np.where((n >= 4) & (s2 > 0), ((n + 1) * (r - 3) + 6) * (n - 1) / ((n - 2) * (n - 3)), np.nan)


def passes(x: np.ndarray, skew_thresh: float | np.ndarray, kurt_thresh: float | np.ndarray) -> np.ndarray:
    """COINr's outlier test: a column passes if ``|skew| < skew_thresh`` OR ``kurt < kurt_thresh``.

    A column whose statistics are undefined (too few values, no spread) passes:
    there is nothing to treat.
    """
    sk, ku = skewness(x), kurtosis(x)
    st, kt = per_variant(skew_thresh, 2), per_variant(kurt_thresh, 2)
    return np.isnan(sk) | np.isnan(ku) | (np.abs(sk) < st) | (ku < kt)


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


def _clip_extreme(x: np.ndarray, side_mask: np.ndarray, high: bool) -> tuple[np.ndarray, np.ndarray]:
    """Set every value equal to the column extreme to the next value inward.

    Returns the updated array and, per column, how many points sat at the extreme.
    Only columns where ``side_mask`` (shape ``(B, p)``) is true are changed.
    """
    ext = (_nan.col_max if high else _nan.col_min)(x)[:, None, :]
    at_ext = (x == ext) & side_mask[:, None, :]
    rest = np.where(at_ext, np.nan, x)
    inward = (_nan.col_max if high else _nan.col_min)(rest)[:, None, :]
    return np.where(at_ext, inward, x), at_ext.sum(axis=1)


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
    out = np.array(x, dtype=float, copy=True)
    wmax = per_variant(winmax, 2)
    nwin_hi = np.zeros(out.shape[::2], dtype=int)
    nwin_lo = np.zeros_like(nwin_hi)
    failing = ~passes(out, skew_thresh, kurt_thresh)
    treated = failing.copy()
    active = failing & (nwin_hi + nwin_lo < wmax)
    for _ in range(out.shape[1]):
        if not active.any():
            break
        high = active & (skewness(out) >= 0)
        out, n_hi = _clip_extreme(out, high, high=True)
        out, n_lo = _clip_extreme(out, active & ~high, high=False)
        nwin_hi = np.where(high, n_hi, nwin_hi)
        nwin_lo = np.where(active & ~high, n_lo, nwin_lo)
        failing = ~passes(out, skew_thresh, kurt_thresh)
        active = failing & (nwin_hi + nwin_lo < wmax)
    if fallback == "log_ct":
        use_log = (treated & failing)[:, None, :]
        out = np.where(use_log, log_ct(x), out)
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
