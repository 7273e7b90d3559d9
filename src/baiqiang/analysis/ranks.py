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
    valid = ~np.isnan(r)
    n_valid = valid.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.nansum(r, axis=0) / n_valid
        probs = [quantiles[0], 0.5, quantiles[1]]
        if not r.shape[0]:
            q = np.full((3, r.shape[1]), np.nan)
        elif valid.all():
            q = np.quantile(r, probs, axis=0)  # vectorised; nanquantile loops over columns
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns
                q = np.nanquantile(r, probs, axis=0)
        shift = np.nansum(np.abs(r - np.asarray(nominal, dtype=float)[None, :]), axis=0) / n_valid
    data: dict[str, np.ndarray] = {
        "nominal": np.asarray(nominal, dtype=float),
        "mean": mean,
        "median": q[1],
        "q_low": q[0],
        "q_high": q[2],
        "interval_width": q[2] - q[0],
        "mean_abs_shift": shift,
    }
    for k in top_k:
        with np.errstate(invalid="ignore", divide="ignore"):
            data[f"p_top_{k}"] = (r <= k).sum(axis=0) / n_valid
    table = pd.DataFrame(data, index=pd.Index(list(units), name="unit"))
    return RankSummary(table=table, quantiles=(float(quantiles[0]), float(quantiles[1])), top_k=tuple(int(k) for k in top_k))
