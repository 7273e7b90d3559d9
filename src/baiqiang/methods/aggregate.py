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

from baiqiang.methods.registry import register


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


@register("aggregate", "arithmetic")
def arithmetic(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted arithmetic mean ``y = sum_c w'_c x_c``, ``w'_c = w_c / sum_{c available} w_c``.

    Weights are normalised first and then summed, as COINr ``a_amean`` does.
    Fully compensatory: a deficit in one child is offset by a surplus in another.
    """
    wn = available_weights(x, w)
    return _missing_if_no_weight(wn, np.where(np.isnan(x), 0.0, x * wn).sum(axis=-1))


@register("aggregate", "geometric")
def geometric(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted geometric mean ``y = exp(sum_c w_c ln x_c / sum_c w_c)`` over available children.

    Partially compensatory.  Requires positive children; a zero or negative
    value gives a missing score for that unit (COINr stops with an error),
    which is why geometric aggregation is paired with min-max to ``[1, 100]``.
    """
    wn = available_weights(x, w)
    with np.errstate(invalid="ignore", divide="ignore"):
        logs = np.where(x > 0, np.log(np.where(x > 0, x, 1.0)), np.nan)
    bad = (~np.isnan(x) & (x <= 0) & (wn > 0)).any(axis=-1)
    y = np.exp(np.where(np.isnan(x), 0.0, logs * wn).sum(axis=-1))
    return _missing_if_no_weight(wn, np.where(bad, np.nan, y))
