"""Ranking: competition ranks ("1224"), within groups, and tiers.

Ranks are 1 for the best (highest) score; tied scores share the smallest rank
(R's ``rank(-x, ties.method = "min")``, COINr's convention) and missing scores
get no rank (NaN).  All functions take scores of shape ``(B, n_units)``.
"""

from __future__ import annotations

import numpy as np


CHUNK_CELLS = 4_000_000
"""Rows are ranked in blocks of about this many cells to bound temporary memory."""


def competition_rank(scores: np.ndarray) -> np.ndarray:
    """Rank = 1 + number of units with a strictly higher score, along the last axis; NaN stays unranked.

    One unstable sort per row (introsort: no stability is needed, since tied
    scores get the same rank whatever their order); a unit's rank is the first
    position of its run of tied scores (``np.maximum.accumulate`` over run
    starts, in 32-bit integers).  Gathers and scatters go through flat indices, which NumPy runs
    several times faster than ``take_along_axis``/``put_along_axis``.
    """
    s = np.atleast_2d(np.asarray(scores, dtype=float))
    flat = s.reshape(-1, s.shape[-1])
    n = flat.shape[1]
    out = np.empty(flat.shape)  # C order, so the flat scatter below writes into it
    missing = bool(np.isnan(flat).any())
    step = max(1, CHUNK_CELLS // max(1, n))
    position = np.arange(1, n + 1, dtype=np.int32 if n < 2**31 else np.int64)
    for start in range(0, len(flat), step):
        block = flat[start : start + step]
        if missing:
            key = np.where(np.isnan(block), np.inf, -block)
            order = np.argsort(key, axis=-1)
        else:  # descending order is the ascending one reversed (ties may come in any order)
            key = block
            order = np.argsort(block, axis=-1)[:, ::-1]
        order = order + (np.arange(len(block)) * n)[:, None]  # flat index of each sorted cell
        k = key.ravel()[order]
        run_start = np.empty(k.shape, dtype=bool)
        run_start[:, 0] = True
        np.not_equal(k[:, 1:], k[:, :-1], out=run_start[:, 1:])
        ranked = position * run_start  # 1-based position where a run of ties starts, else 0
        np.maximum.accumulate(ranked, axis=-1, out=ranked)
        out[start : start + step].ravel()[order.ravel()] = ranked.ravel()
    if missing:
        out[np.isnan(flat)] = np.nan
    return out.reshape(s.shape)


def group_rank(scores: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Competition rank within each group; ``groups`` is ``(n_units,)`` ints, -1 = no group.

    One sort per row by (group, -score): a unit's rank is its position minus
    the position where its group starts, taking the first position of its run
    of tied scores.  Vectorised over rows; no loop over groups or units.
    """
    s = np.atleast_2d(np.asarray(scores, dtype=float))
    n = s.shape[-1]
    key = np.where(np.isnan(s), np.inf, -s)
    groups = np.asarray(groups)
    order = np.lexsort((key, np.broadcast_to(groups, s.shape)), axis=-1)
    k = np.take_along_axis(key, order, axis=-1)
    g = groups[order]
    pos = np.broadcast_to(np.arange(n), s.shape)
    group_start = np.ones(s.shape, dtype=bool)
    group_start[..., 1:] = g[..., 1:] != g[..., :-1]
    run_start = group_start.copy()
    run_start[..., 1:] |= k[..., 1:] != k[..., :-1]
    first_of_run = np.maximum.accumulate(np.where(run_start, pos, 0), axis=-1)
    first_of_group = np.maximum.accumulate(np.where(group_start, pos, 0), axis=-1)
    ranked = (first_of_run - first_of_group + 1).astype(float)
    out = np.empty_like(ranked)
    np.put_along_axis(out, order, ranked, axis=-1)
    return np.where(np.isnan(s) | (groups < 0), np.nan, out)


def tiers(ranks: np.ndarray, cuts: list[int]) -> np.ndarray:
    """Tier number (1, 2, ...) from ascending rank cut-points.

    With ``cuts = [6, 36, 80, 100]`` ranks 1-6 are tier 1, 7-36 tier 2,
    37-80 tier 3, 81-100 tier 4; ranks beyond the last cut and missing ranks get 0.
    """
    r = np.asarray(ranks, dtype=float)
    tier = np.searchsorted(np.asarray(cuts, dtype=float), np.nan_to_num(r, nan=np.inf), side="left") + 1
    return np.where(np.isnan(r) | (tier > len(cuts)), 0, tier)
