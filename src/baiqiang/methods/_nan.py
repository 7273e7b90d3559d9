"""NaN-aware reductions along the unit axis (axis 1 of ``(B, n, p)`` arrays).

NumPy's ``nanmin``/``nanmax`` warn on all-missing columns; these return NaN
quietly, because an all-missing column is a data fact the pipeline reports
elsewhere, not a numerical accident.
"""

from __future__ import annotations

import numpy as np


def col_min(x: np.ndarray, axis: int = 1) -> np.ndarray:
    m = np.where(np.isnan(x), np.inf, x).min(axis=axis)
    return np.where(np.isinf(m) & (m > 0), np.nan, m)


def col_max(x: np.ndarray, axis: int = 1) -> np.ndarray:
    m = np.where(np.isnan(x), -np.inf, x).max(axis=axis)
    return np.where(np.isinf(m) & (m < 0), np.nan, m)


def col_count(x: np.ndarray, axis: int = 1) -> np.ndarray:
    return (~np.isnan(x)).sum(axis=axis)


def col_mean(x: np.ndarray, axis: int = 1) -> np.ndarray:
    n = col_count(x, axis)
    s = np.where(np.isnan(x), 0.0, x).sum(axis=axis)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, s / np.maximum(n, 1), np.nan)


def col_std(x: np.ndarray, axis: int = 1, ddof: int = 1) -> np.ndarray:
    """Standard deviation over non-missing values (sample sd by default, as R's ``sd``)."""
    n = col_count(x, axis)
    d = x - np.expand_dims(col_mean(x, axis), axis)
    ss = np.where(np.isnan(d), 0.0, d * d).sum(axis=axis)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > ddof, np.sqrt(ss / np.maximum(n - ddof, 1)), np.nan)


def col_median(x: np.ndarray, axis: int = 1) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return np.nanmedian(x, axis=axis)
