"""NaN-aware reductions along the unit axis (axis 1 of ``(B, n, p)`` arrays).

NumPy's ``nanmin``/``nanmax`` warn on all-missing columns; these return NaN
quietly, because an all-missing column is a data fact the pipeline reports
elsewhere, not a numerical accident.
"""

from __future__ import annotations

import numpy as np


def halving_reduce(op: np.ufunc, x: np.ndarray) -> np.ndarray:
    """``op.reduce(x, axis=-2)`` for an elementwise ``op`` such as ``np.maximum``: ``(..., n, k)`` to ``(..., k)``.

    NumPy reduces over a leading axis one row at a time (a ``k``-long loop per
    unit); folding the lower half onto the upper half runs ``log2 n`` loops
    over contiguous blocks instead, about 2x faster for 2,900 x 60.  Exact for
    ``max``/``min``/``fmax``/``fmin`` (no rounding); not for sums.
    """
    n = x.shape[-2]
    if n < 2:
        return op.reduce(x, axis=-2)
    half = n // 2
    acc = op(x[..., :half, :], x[..., half : 2 * half, :])
    if n % 2:
        op(acc[..., :1, :], x[..., 2 * half :, :], out=acc[..., :1, :])
    n = half
    while n > 1:
        half = n // 2
        op(acc[..., :half, :], acc[..., half : 2 * half, :], out=acc[..., :half, :])
        if n % 2:
            op(acc[..., :1, :], acc[..., 2 * half : n, :], out=acc[..., :1, :])
        n = half
    return acc[..., 0, :]


def col_min(x: np.ndarray, axis: int = 1) -> np.ndarray:
    # fmin ignores NaN unless every value is NaN, without nanmin's warning.
    return halving_reduce(np.fmin, x) if axis in (-2, x.ndim - 2) else np.fmin.reduce(x, axis=axis)


def col_max(x: np.ndarray, axis: int = 1) -> np.ndarray:
    return halving_reduce(np.fmax, x) if axis in (-2, x.ndim - 2) else np.fmax.reduce(x, axis=axis)


def col_count(x: np.ndarray, axis: int = 1) -> np.ndarray:
    return (~np.isnan(x)).sum(axis=axis)


def col_mean(x: np.ndarray, axis: int = 1) -> np.ndarray:
    n = col_count(x, axis)
    s = np.where(np.isnan(x), 0.0, x).sum(axis=axis)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, s / np.maximum(n, 1), np.nan)


def col_std(x: np.ndarray, axis: int = 1, ddof: "int | np.ndarray" = 1) -> np.ndarray:
    """Standard deviation over non-missing values (sample sd by default, as R's ``sd``)."""
    n = col_count(x, axis)
    d = x - np.expand_dims(col_mean(x, axis), axis)
    ss = np.where(np.isnan(d), 0.0, d * d).sum(axis=axis)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > ddof, np.sqrt(ss / np.maximum(n - ddof, 1)), np.nan)


def col_median(x: np.ndarray, axis: int = 1) -> np.ndarray:
    """Median of non-missing values: sort with NaN last, average the middle pair.

    Faster than ``np.nanmedian`` (which falls back to masked arrays on small
    inputs) and silent on all-missing columns (NaN).
    """
    ordered = np.sort(x, axis=axis)  # NaN sorts last
    n = np.expand_dims(col_count(x, axis), axis)
    lo = np.take_along_axis(ordered, np.maximum((n - 1) // 2, 0), axis=axis)
    hi = np.take_along_axis(ordered, np.maximum(n // 2, 0), axis=axis)
    return np.squeeze(np.where(n > 0, (lo + hi) / 2, np.nan), axis=axis)
