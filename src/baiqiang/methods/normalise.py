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

import numpy as np

from baiqiang.methods import _nan
from baiqiang.methods.registry import Interval, Param, per_variant, register


def _oriented(x: np.ndarray, direction: np.ndarray) -> np.ndarray:
    return x * np.asarray(direction, dtype=float)


@register(
    "normalise",
    "minmax",
    lower=Param(Interval(), 0.0, "value given to the worst unit"),
    upper=Param(Interval(), 100.0, "value given to the best unit"),
)
def minmax(x: np.ndarray, *, direction: np.ndarray, lower: float = 0.0, upper: float = 100.0) -> np.ndarray:
    """Min-max scaling to ``[lower, upper]``.

    ``y = (x' - min x') / (max x' - min x') * (upper - lower) + lower`` with
    ``x' = direction * x``, evaluated in exactly that order (COINr ``n_minmax``),
    so results agree with COINr to the last bit in most cells.
    """
    xo = _oriented(x, direction)
    lo, hi = _nan.col_min(xo)[:, None, :], _nan.col_max(xo)[:, None, :]
    span = hi - lo
    with np.errstate(invalid="ignore", divide="ignore"):
        scaled = (xo - lo) / np.where(span > 0, span, np.nan)
    a, b = per_variant(lower), per_variant(upper)
    return scaled * (b - a) + a


@register(
    "normalise",
    "zscore",
    mean=Param(Interval(), 0.0, "mean of the result"),
    sd=Param(Interval(low=0, closed="neither"), 1.0, "standard deviation of the result"),
)
def zscore(x: np.ndarray, *, direction: np.ndarray, mean: float = 0.0, sd: float = 1.0) -> np.ndarray:
    """Standardisation: ``y = (x' - mean x') / sd(x') * sd + mean``.

    ``sd(x')`` is the sample standard deviation (denominator n - 1), as R's
    ``sd`` used by COINr ``n_zscore``.
    """
    xo = _oriented(x, direction)
    mu, s = _nan.col_mean(xo)[:, None, :], _nan.col_std(xo)[:, None, :]
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (xo - mu) / np.where(s > 0, s, np.nan)
    return z * per_variant(sd) + per_variant(mean)
