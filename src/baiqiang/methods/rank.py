"""Ranking: competition ranks ("1224"), within groups, and tiers.

Ranks are 1 for the best (highest) score; tied scores share the smallest rank
(R's ``rank(-x, ties.method = "min")``, COINr's convention) and missing scores
get no rank (NaN).  All functions take scores of shape ``(B, n_units)``.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import rankdata


def competition_rank(scores: np.ndarray) -> np.ndarray:
    """Rank = 1 + number of units with a strictly higher score; NaN scores stay unranked."""
    s = np.atleast_2d(np.asarray(scores, dtype=float))
    return rankdata(-s, method="min", axis=-1, nan_policy="omit").astype(float)


def group_rank(scores: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Competition rank within each group; ``groups`` is ``(n_units,)`` ints, -1 = no group."""
    s = np.atleast_2d(np.asarray(scores, dtype=float))
    out = np.full_like(s, np.nan)
    # A loop over groups (provinces: ~31), each step vectorised over units and variants.
    for g in np.unique(groups[groups >= 0]):
        members = groups == g
        out[:, members] = competition_rank(s[:, members])
    return out


def tiers(ranks: np.ndarray, cuts: list[int]) -> np.ndarray:
    """Tier number (1, 2, ...) from ascending rank cut-points.

    With ``cuts = [6, 36, 80, 100]`` ranks 1-6 are tier 1, 7-36 tier 2,
    37-80 tier 3, 81-100 tier 4; ranks beyond the last cut and missing ranks get 0.
    """
    r = np.asarray(ranks, dtype=float)
    tier = np.searchsorted(np.asarray(cuts, dtype=float), np.nan_to_num(r, nan=np.inf), side="left") + 1
    return np.where(np.isnan(r) | (tier > len(cuts)), 0, tier)
