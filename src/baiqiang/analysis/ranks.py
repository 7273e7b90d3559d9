"""Vectorised ranking and rank statistics over many Monte Carlo samples.

Ranks follow COINr and the engine: 1 is best (highest score), ties share the
minimum rank (R ``rank(-x, ties.method = "min")``), a missing score has a missing
rank.  Every function works on a whole ``(n_samples, n_units)`` block at once.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from baiqiang.methods.rank import competition_rank

__all__ = ["RankSummary", "rank_desc", "rank_summary"]


def rank_desc(scores: np.ndarray) -> np.ndarray:
    """Rank along the last axis, highest first, ties sharing the minimum rank; NaN unranked.

    The engine's :func:`baiqiang.methods.rank.competition_rank`, keeping the
    input's shape (also for 1-D input).

    Examples
    --------
    >>> rank_desc(np.array([[3.0, 5.0, 3.0, np.nan, 1.0]]))
    array([[ 2.,  1.,  2., nan,  4.]])
    """
    x = np.asarray(scores, dtype=float)
    return competition_rank(x).reshape(x.shape)


@dataclass(frozen=True)
class RankSummary:
    """Per-unit summary of the rank distribution over Monte Carlo samples.

    ``table`` has one row per unit and columns ``nominal``, ``mean``, ``median``,
    ``q_low``, ``q_high`` (default 5th and 95th percentiles), ``iqr_width``
    (``q_high - q_low``), ``mean_abs_shift`` and one ``p_top_K`` column per K.
    """

    table: pd.DataFrame
    quantiles: tuple[float, float]
    top_k: tuple[int, ...]


def rank_summary(
    ranks: np.ndarray,
    nominal: np.ndarray,
    *,
    units: list[str] | pd.Index,
    top_k: tuple[int, ...] | list[int] = (10,),
    quantiles: tuple[float, float] = (0.05, 0.95),
) -> RankSummary:
    """Summarise sampled ranks per unit.

    Parameters
    ----------
    ranks : ndarray, shape (n_samples, n_units)
        Rank of each unit in each sample (``NaN`` = failed or missing, ignored).
    nominal : ndarray, shape (n_units,)
        Rank in the nominal (unperturbed) build.
    units : sequence of str
        Unit codes, in column order.
    top_k : sequence of int
        For each K, ``p_top_K = P(rank <= K)`` estimated as the share of samples.
    quantiles : (float, float)
        Lower and upper probabilities; quantiles use linear interpolation
        (Hyndman & Fan type 7, R's default, as COINr reports).

    Returns
    -------
    RankSummary
    """
    r = np.asarray(ranks, dtype=float)
    probs = (quantiles[0], 0.5, quantiles[1])
    nominal = np.asarray(nominal, dtype=float)
    # Units are summarised block by block (statistics are per unit), so the histograms and their
    # per-bin arrays stay the size of a block, not of samples x units.
    step = max(1, HISTOGRAM_BLOCK_CELLS // max(1, r.shape[0]))
    parts = [_unit_stats(r[:, j : j + step], nominal[j : j + step], probs, top_k) for j in range(0, r.shape[1], step)]
    if not parts:
        parts = [_unit_stats(r, nominal, probs, top_k)]
    mean, shift = (np.concatenate([part[k] for part in parts]) for k in (0, 2))
    q = np.concatenate([part[1] for part in parts], axis=1)
    tops = [np.concatenate([part[3][i] for part in parts]) for i in range(len(top_k))]
    data: dict[str, np.ndarray] = {
        "nominal": nominal,
        "mean": mean,
        "median": q[1],
        "q_low": q[0],
        "q_high": q[2],
        "interval_width": q[2] - q[0],
        "mean_abs_shift": shift,
    }
    for k, share in zip(top_k, tops):
        data[f"p_top_{k}"] = share
    table = pd.DataFrame(data, index=pd.Index(list(units), name="unit"))
    return RankSummary(table=table, quantiles=(float(quantiles[0]), float(quantiles[1])), top_k=tuple(int(k) for k in top_k))


HISTOGRAM_BLOCK_CELLS = 4_000_000
"""Ranks are summarised (and samples counted) in blocks of about this many cells, bounding temporary memory."""


def _unit_stats(
    r: np.ndarray, nominal: np.ndarray, probs: tuple[float, float, float], top_k: tuple[int, ...] | list[int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[np.ndarray]]:
    """Mean, quantiles ``(3, units)``, mean absolute shift and P(rank <= K) of the units (columns) of ``r``."""
    hist = RankHistograms.of(r)
    if hist is None:  # non-integer ranks, or few samples over wide ranges: quantiles of the samples
        return _sample_stats(r, nominal, probs, top_k)
    return hist.stats(nominal, probs, top_k)


@dataclass(frozen=True)
class RankHistograms:
    """Per-unit counts of each integer rank over samples, stored compactly.

    Unit ``u``'s ranks run from ``low[u]`` to ``high[u]``; its counts occupy
    ``counts[start[u] : start[u + 1]]`` (one bin per rank in that range), so
    memory is the sum of the units' rank ranges; :meth:`of` declines when that
    exceeds ``samples x units``.  Building it is one pass over the samples
    (``np.bincount``); every statistic is then linear in the bins.
    """

    low: np.ndarray  # (n_units,) smallest rank of each unit (0 for a unit never ranked)
    start: np.ndarray  # (n_units + 1,) offsets of each unit's bins
    counts: np.ndarray  # (total bins,) int64
    n_valid: np.ndarray  # (n_units,) samples in which the unit has a rank

    @classmethod
    def of(cls, ranks: np.ndarray) -> "RankHistograms | None":
        """Histograms of ``(n_samples, n_units)`` ranks, or None when they would not pay.

        None when a rank is not an integer, or when the units' rank ranges add up
        to more bins than there are samples x units (few samples spread over wide
        ranges): then the counts would be sparse and larger than the samples.
        """
        n_samples, n_units = ranks.shape
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # units never ranked
            low, high = np.nanmin(ranks, axis=0), np.nanmax(ranks, axis=0)
        ranked = ~np.isnan(low)
        low, high = np.where(ranked, low, 0.0), np.where(ranked, high, -1.0)
        start = np.concatenate([[0], np.cumsum(high - low + 1.0)]).astype(np.int64)
        if start[-1] > max(1, n_samples * n_units):
            return None
        counts = np.zeros(int(start[-1]), dtype=np.int64)
        n_valid = np.zeros(n_units, dtype=np.int64)
        step = max(1, HISTOGRAM_BLOCK_CELLS // max(1, n_units))
        for first in range(0, n_samples, step):
            block = ranks[first : first + step]
            offset = block - low
            offset += start[:-1]
            valid = ~np.isnan(block)
            if valid.all():  # the usual case: no boolean gather, every unit counted in every sample
                offset = offset.ravel()
                n_valid += len(block)
            else:
                offset = offset[valid]
                n_valid += valid.sum(axis=0)
            bins = offset.astype(np.int64)
            if not np.array_equal(bins, offset):  # an integer offset (of an integer rank) is exactly its int64
                return None
            counts += np.bincount(bins, minlength=len(counts))
        return cls(low.astype(np.int64), start, counts, n_valid)

    def _bin_ranks(self) -> tuple[np.ndarray, np.ndarray]:
        """The unit and the rank value of every bin."""
        unit = np.repeat(np.arange(len(self.low)), np.diff(self.start))
        return unit, self.low[unit] + np.arange(len(self.counts)) - self.start[:-1][unit]

    def order_statistic(self, j: np.ndarray) -> np.ndarray:
        """The ``j``-th smallest rank (0-based, ``(n_units,)`` ints) of each unit."""
        cum = np.cumsum(self.counts)
        before = np.concatenate([[0], cum])[self.start[:-1]]
        pos = np.searchsorted(cum, before + j + 1, side="left")
        return (self.low + pos - self.start[:-1]).astype(float)

    def quantile(self, prob: float) -> np.ndarray:
        """Type-7 quantile (R's default, ``np.quantile``'s ``linear``) of each unit's ranks."""
        n = self.n_valid
        h = (n - 1) * prob
        lo = np.floor(h).astype(np.int64)
        a = self.order_statistic(np.clip(lo, 0, None))
        b = self.order_statistic(np.clip(np.minimum(lo + 1, n - 1), 0, None))
        t = h - lo
        diff = b - a
        y = np.where(t >= 0.5, b - diff * (1 - t), a + diff * t)  # NumPy's _lerp, for identical rounding
        return np.where(n > 0, y, np.nan)

    def stats(
        self, nominal: np.ndarray, probs: tuple[float, float, float], top_k: tuple[int, ...] | list[int]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[np.ndarray]]:
        """Mean, the three quantiles ``(3, n_units)``, mean absolute shift from ``nominal`` and P(rank <= K) per K."""
        unit, value = self._bin_ranks()
        n_units = len(self.low)
        total = lambda weights: np.bincount(unit, weights=weights, minlength=n_units)  # noqa: E731
        with np.errstate(invalid="ignore", divide="ignore"):
            n = np.where(self.n_valid > 0, self.n_valid, np.nan)
            mean = total(self.counts * value) / n
            shift = total(self.counts * np.abs(value - nominal[unit])) / n
            tops = [total(self.counts * (value <= k)) / n for k in top_k]
        q = np.stack([self.quantile(p) for p in probs])
        return mean, q, shift, tops


def _sample_stats(
    r: np.ndarray, nominal: np.ndarray, probs: tuple[float, float, float], top_k: tuple[int, ...] | list[int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[np.ndarray]]:
    """:meth:`RankHistograms.stats` for ranks that are not integers (e.g. averaged ties)."""
    valid = ~np.isnan(r)
    n_valid = valid.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns
        mean = np.nansum(r, axis=0) / n_valid
        if not r.shape[0]:
            q = np.full((3, r.shape[1]), np.nan)
        elif valid.all():
            q = np.quantile(r, probs, axis=0)  # vectorised; nanquantile loops over columns
        else:
            q = np.nanquantile(r, probs, axis=0)
        shift = np.nansum(np.abs(r - nominal[None, :]), axis=0) / n_valid
        tops = [(r <= k).sum(axis=0) / n_valid for k in top_k]
    return mean, q, shift, tops
