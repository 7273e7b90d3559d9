"""Ranking: competition ranks ("1224"), within groups, and tiers.

Ranks are 1 for the best (highest) score; tied scores share the smallest rank
(R's ``rank(-x, ties.method = "min")``, COINr's convention) and missing scores
get no rank (NaN).  All functions take scores of shape ``(B, n_units)``.
"""

from __future__ import annotations

import numpy as np


CHUNK_CELLS = 131_072
"""Rows are ranked in blocks of about this many cells (1 MiB of keys): the eight passes over a
block then run in the CPU cache (1.7x faster than 32 MiB blocks for 1,000 x 2,900 scores)."""


def competition_rank(scores: np.ndarray) -> np.ndarray:
    """Rank = 1 + number of units with a strictly higher score, along the last axis; NaN stays unranked.

    Rows are sorted as 64-bit integers that carry both the score and the unit:
    the negated score's bits mapped to an integer of the same order (IEEE-754:
    ``i ^ ((i >> 63) & 0x7FF...F)``), its lowest ``b = bit_length(n - 1)``
    bits replaced by the unit's index.  One ``np.sort`` of integers gives each
    row's order, best first (sorting values is ~3x faster than ``argsort``
    with NumPy 2 on AVX2), and the unit at sorted position ``j`` gets rank
    ``j + 1``.  That is exact wherever sorted neighbours differ in their
    remaining high bits.  Rows where two neighbours share them (tied or missing
    scores, or scores within a relative ~2^(b - 52) of each other) are ranked
    from their exact values in that order: a run of tied scores takes its
    first position; a row whose near-equal scores came out of order is
    re-sorted with ``argsort``.
    """
    s = np.atleast_2d(np.asarray(scores, dtype=float))
    flat = s.reshape(-1, s.shape[-1])
    out = np.empty(flat.shape)  # C order, so the flat scatters below write into it
    missing = bool(np.isnan(flat).any())
    step = max(1, CHUNK_CELLS // max(1, flat.shape[1]))
    for start in range(0, len(flat), step):
        _rank_block(flat[start : start + step], missing, out[start : start + step])
    if missing:
        out[np.isnan(flat)] = np.nan
    return out.reshape(s.shape)


def _descending(block: np.ndarray, missing: bool) -> np.ndarray:
    """A new array whose ascending order is ``block``'s descending one, missing last.

    ``0 - x`` gives ``-0.0`` and ``0.0`` the same bits (they tie).
    """
    return np.where(np.isnan(block), np.inf, 0.0 - block) if missing else 0.0 - block


def _rank_block(block: np.ndarray, missing: bool, out: np.ndarray) -> None:
    """Competition ranks of the rows of ``block`` into ``out`` (see :func:`competition_rank`)."""
    rows, n = block.shape
    bits = max(1, (n - 1).bit_length())
    key = _descending(block, missing).view(np.int64)
    key ^= (key >> 63) & np.int64(0x7FFF_FFFF_FFFF_FFFF)  # signed-integer order = float order
    key &= np.int64(-1 << bits)
    key |= np.arange(n, dtype=np.int64)
    key.sort(axis=-1)
    # Neighbours closer than 2^bits may share their high bits (a rare false alarm costs only the exact pass).
    suspect = np.flatnonzero((np.diff(key, axis=-1) < (1 << bits)).any(axis=-1))
    order = key  # the low bits are each sorted cell's unit: make them its flat index
    order &= np.int64((1 << bits) - 1)
    order += (np.arange(rows) * n)[:, None]
    position = np.arange(1, n + 1, dtype=np.int32 if n < 2**31 else np.int64)
    out.ravel()[order.ravel()] = np.broadcast_to(position, (rows, n)).ravel()
    if len(suspect):
        exact = np.empty((len(suspect), n))
        _rank_runs(_descending(block[suspect], missing), order[suspect] - (suspect * n)[:, None], position, exact)
        out[suspect] = exact


def _rank_runs(neg: np.ndarray, order: np.ndarray, position: np.ndarray, out: np.ndarray) -> None:
    """Ranks of the rows of ``neg`` sorted ascending by ``order`` (re-sorted where it is not), ties sharing their first position."""
    rows, n = neg.shape
    flat_order = order + (np.arange(rows) * n)[:, None]
    k = neg.ravel()[flat_order]
    disordered = np.flatnonzero((k[:, 1:] < k[:, :-1]).any(axis=1))
    if len(disordered):
        # Unstable sort: tied values get the same rank in any order.
        flat_order[disordered] = np.argsort(neg[disordered], axis=-1) + (disordered * n)[:, None]
        k[disordered] = neg.ravel()[flat_order[disordered]]
    run_start = np.empty(k.shape, dtype=bool)
    run_start[:, 0] = True
    np.not_equal(k[:, 1:], k[:, :-1], out=run_start[:, 1:])
    ranked = position * run_start  # 1-based position where a run of ties starts, else 0
    np.maximum.accumulate(ranked, axis=-1, out=ranked)
    out.ravel()[flat_order.ravel()] = ranked.ravel()


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
