"""Imputation kernels: estimate missing values.

Signature: ``f(x, *, groups=None, **params) -> array``.  ``x`` has shape
``(B, n_units, n_cols)``; ``groups`` (when the method uses a unit attribute)
is an integer array of shape ``(n_units,)`` with -1 for units without a group.
Observed values are never changed.

Reference: OECD/JRC (2008) *Handbook*, section 3; COINr ``R/impute.R``.
"""

from __future__ import annotations

import numpy as np

from baiqiang.methods import _nan
from baiqiang.methods.registry import Param, Text, register


def _fill(x: np.ndarray, values: np.ndarray) -> np.ndarray:
    return np.where(np.isnan(x), values, x)


def _group_stat(x: np.ndarray, groups: np.ndarray, stat) -> np.ndarray:
    """``stat`` over the units of each group, broadcast back to every unit: shape of ``x``."""
    out = np.full_like(x, np.nan)
    # A loop over groups (tens), not units: each iteration is vectorised over units.
    for g in np.unique(groups[groups >= 0]):
        members = groups == g
        out[:, members, :] = stat(x[:, members, :])[:, None, :]
    return out


@register("impute", "none")
def none(x: np.ndarray) -> np.ndarray:
    """Leave missing values missing; later steps work on available cases."""
    return x


@register("impute", "mean")
def mean(x: np.ndarray) -> np.ndarray:
    """Replace a missing value by the mean of the observed values of its column."""
    return _fill(x, _nan.col_mean(x)[:, None, :])


@register("impute", "median")
def median(x: np.ndarray) -> np.ndarray:
    """Replace a missing value by the median of the observed values of its column."""
    return _fill(x, _nan.col_median(x)[:, None, :])


@register("impute", "group_mean", group=Param(Text(), required=True, help="unit attribute defining groups"))
def group_mean(x: np.ndarray, *, groups: np.ndarray, group: str = "") -> np.ndarray:
    """Replace a missing value by the mean of its column over units of the same group.

    COINr ``i_mean_grp``.  A unit in a group where the column is entirely
    missing (or in no group) stays missing.
    """
    return _fill(x, _group_stat(x, groups, _nan.col_mean))


@register("impute", "group_median", group=Param(Text(), required=True, help="unit attribute defining groups"))
def group_median(x: np.ndarray, *, groups: np.ndarray, group: str = "") -> np.ndarray:
    """Replace a missing value by the median of its column over units of the same group (COINr ``i_median_grp``)."""
    return _fill(x, _group_stat(x, groups, _nan.col_median))
