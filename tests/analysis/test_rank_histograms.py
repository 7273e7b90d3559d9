"""Rank summaries from per-unit rank histograms agree with quantiles of the samples themselves."""

from __future__ import annotations

import numpy as np
import pytest

from baiqiang.analysis.ranks import RankHistograms, rank_summary
from baiqiang.methods.rank import competition_rank


@pytest.mark.parametrize("missing", [0.0, 0.05])
def test_histogram_summary_equals_sample_quantiles(missing: float, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(3)
    scores = rng.normal(size=(301, 40)) + np.linspace(0, 3, 40)
    scores = np.round(scores, 1)  # ties
    scores[rng.random(scores.shape) < missing] = np.nan
    scores[:, 7] = np.nan  # a unit never ranked
    ranks = competition_rank(scores)
    nominal = ranks[0]
    monkeypatch.setattr("baiqiang.analysis.ranks.HISTOGRAM_BLOCK_CELLS", 1000)  # several blocks
    table = rank_summary(ranks, nominal, units=[f"u{i}" for i in range(40)], top_k=(1, 5, 10), quantiles=(0.1, 0.9)).table
    with np.errstate(invalid="ignore"), pytest.warns(RuntimeWarning):
        q = np.nanquantile(ranks, [0.1, 0.5, 0.9], axis=0)
    np.testing.assert_array_equal(table["q_low"], q[0])
    np.testing.assert_array_equal(table["median"], q[1])
    np.testing.assert_array_equal(table["q_high"], q[2])
    n = (~np.isnan(ranks)).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        np.testing.assert_allclose(table["mean"], np.nansum(ranks, axis=0) / n, rtol=1e-14)
        np.testing.assert_allclose(table["p_top_5"], (ranks <= 5).sum(axis=0) / n, rtol=1e-14)
        shift = np.nansum(np.abs(ranks - nominal), axis=0) / n
    # A unit without a nominal rank has no shift (NaN), not a shift of 0.
    np.testing.assert_allclose(table["mean_abs_shift"], np.where(np.isnan(nominal), np.nan, shift), rtol=1e-14)
    assert np.isnan(table["median"].iloc[7]) and np.isnan(table["mean"].iloc[7])


def test_histograms_hold_only_each_units_rank_range() -> None:
    ranks = np.array([[1.0, 3.0, 2.0], [2.0, 3.0, 1.0], [1.0, 3.0, 2.0]])
    h = RankHistograms.of(ranks)
    assert h is not None
    np.testing.assert_array_equal(h.low, [1, 3, 1])
    np.testing.assert_array_equal(h.counts, [2, 1, 3, 1, 2])  # unit 0: ranks 1-2, unit 1: rank 3, unit 2: ranks 1-2
    np.testing.assert_array_equal(h.quantile(0.5), [1.0, 3.0, 2.0])


def test_non_integer_ranks_fall_back_to_sample_quantiles() -> None:
    ranks = np.array([[1.5, 1.5, 3.0], [1.0, 2.0, 3.0]])
    assert RankHistograms.of(ranks) is None
    table = rank_summary(ranks, ranks[0], units=["a", "b", "c"]).table
    np.testing.assert_allclose(table["median"], np.quantile(ranks, 0.5, axis=0))


def test_few_samples_over_wide_ranges_use_the_samples_instead() -> None:
    ranks = np.array([[1.0, 1000.0], [1000.0, 1.0]])  # 2 x 2 samples, ranges of 1,000 ranks each
    assert RankHistograms.of(ranks) is None
    table = rank_summary(ranks, ranks[0], units=["a", "b"]).table
    np.testing.assert_allclose(table["median"], [500.5, 500.5])
