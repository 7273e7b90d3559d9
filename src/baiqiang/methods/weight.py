"""Weighting kernels: derive the weights of the children of one aggregate.

Signature: ``f(x, *, prior, **params) -> array`` with ``x`` of shape
``(B, n_units, k)`` (the children's values after normalisation, or their
scores for higher levels) and ``prior`` of shape ``(B, k)``: the weights the
framework declares (subjective weights).  The result has shape ``(B, k)`` and
sums to 1 along the last axis.

Reference: OECD/JRC (2008) *Handbook*, section 6.
"""

from __future__ import annotations

import numpy as np

from baiqiang.methods.registry import register


def normalised(w: np.ndarray) -> np.ndarray:
    """Scale weights to sum to 1 along the last axis (all-zero rows stay zero)."""
    total = w.sum(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, w / np.where(total > 0, total, 1.0), 0.0)


@register("weight", "manual")
def manual(x: np.ndarray, *, prior: np.ndarray) -> np.ndarray:
    """The weights declared in the framework, normalised to sum to 1."""
    return normalised(prior)


@register("weight", "equal")
def equal(x: np.ndarray, *, prior: np.ndarray) -> np.ndarray:
    """Equal weights ``1/k``."""
    return normalised(np.ones_like(prior))
