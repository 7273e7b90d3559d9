"""NaN-aware reductions along the unit axis (axis 1 of ``(B, n, p)`` arrays).

NumPy's ``nanmin``/``nanmax`` warn on all-missing columns; these return NaN
quietly, because an all-missing column is a data fact the pipeline reports
elsewhere, not a numerical accident.
"""

from __future__ import annotations

import numpy as np


def col_min(x: np.ndarray, axis: int = 1) -> np.ndarray:
    # fmin ignores NaN unless every value is NaN, without nanmin's warning.
    return np.fmin.reduce(x, axis=axis)


def col_max(x: np.ndarray, axis: int = 1) -> np.ndarray:
    return np.fmax.reduce(x, axis=axis)


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
