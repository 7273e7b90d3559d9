"""Agreement with a published list: hand-computed point values, scipy's Spearman, paired bootstrap."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import spearmanr

from baiqiang.analysis.agreement import PublishedList, _spearman_rows, caict_lists, evaluate, summarise


def _ranking(ranks: dict[str, int], provinces: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame({"rank": pd.Series(ranks), "province": pd.Series(provinces)})


PUB = PublishedList("toy", pd.Series({"A": 1, "B": 2, "C": 3, "D": 4}), pd.Series({"P1": 2, "P2": 1}))
PROV = {"A": "P1", "B": "P1", "C": "P2", "D": "P2", "E": "P3"}


def test_point_estimates_by_hand():
    # D is not ranked at all: it counts as a miss and takes rank len + 1 = 4.
    x = _ranking({"A": 1, "C": 2, "B": 3}, PROV)
    rep = evaluate({"x": x}, PUB, top=2, n_boot=50)
    assert rep["hit_rate"][0, 0] == pytest.approx(2 / 4)           # A and C in the top 2
    assert rep["spearman"][0, 0] == pytest.approx(1 - 6 * 2 / (4 * 15))  # d = (0, 1, 1, 0)
    assert rep["seat_error"][0, 0] == pytest.approx(0.5)            # top 2 = P1, P2 against P1 ×2, P2 ×1


def test_seat_error_counts_provinces_missing_from_the_published_seats():
    x = _ranking({"E": 1, "A": 2}, PROV)       # E's province P3 has no published seat
    rep = evaluate({"x": x}, PUB, top=2, n_boot=10)
    assert rep["seat_error"][0, 0] == pytest.approx(0.5 * (1 + 1 + 1))  # |1−2| + |0−1| + |1−0|


def test_row_spearman_equals_scipy_with_ties():
    rng = np.random.default_rng(3)
    x = rng.integers(0, 6, size=(20, 15)).astype(float)
    y = rng.integers(0, 6, size=(20, 15)).astype(float)
    got = _spearman_rows(x, y)
    want = [spearmanr(a, b).statistic for a, b in zip(x, y)]
    np.testing.assert_allclose(got, want, atol=1e-12)


def test_paired_bootstrap_separates_a_good_ranking_from_noise():
    rng = np.random.default_rng(0)
    codes = [f"u{i}" for i in range(60)]
    pub = PublishedList("big", pd.Series(np.arange(1, 61), index=codes))
    prov = {c: "P" for c in codes}
    good = _ranking(dict(zip(codes, np.arange(1, 61))), prov)
    noisy = _ranking(dict(zip(codes, rng.permutation(60) + 1)), prov)
    rep = evaluate({"noisy": noisy, "good": good}, pub, top=30, n_boot=500, seed=1)
    assert "seat_error" not in rep                                 # no published seats: no seat error
    tab = summarise(rep, ["noisy", "good"], baseline="noisy").set_index(["candidate", "metric"])
    assert tab.loc[("good", "spearman"), "estimate"] == pytest.approx(1.0)
    assert tab.loc[("good", "spearman"), "better_than_baseline"]
    assert not tab.loc[("noisy", "spearman"), "better_than_baseline"]   # the baseline is never better than itself
    lo, hi = tab.loc[("noisy", "hit_rate"), ["low", "high"]]
    assert lo <= tab.loc[("noisy", "hit_rate"), "estimate"] <= hi


def test_bundled_caict_lists_resolve_with_ranks_and_seats():
    from baiqiang.data.registry import Registry

    codes = set(Registry.load().units.index)
    lists = {pl.name: pl for pl in caict_lists("county", codes)}
    assert len(lists["2019"].ranks) == 36 and sorted(lists["2019"].ranks) == list(range(1, 37))
    assert lists["2019"].ranks["320281"] == 1          # 江阴市 first in 2019
    assert lists["2019"].seats.sum() == 100 and lists["2019"].seats["江苏省"] == 24   # the 2018 province seats


def test_baseline_builders():
    from baiqiang.analysis.agreement import equal_weights, single_column_ranking
    from baiqiang.framework import load_framework

    frame = pd.DataFrame({"code": ["a", "b", "c", "d"], "province": ["P"] * 4, "x": [5.0, np.nan, 9.0, 5.0]})
    r = single_column_ranking(frame, "x")
    assert r["rank"].to_dict() == {"a": 2, "c": 1, "d": 2}          # ties share the better rank; NaN left out
    flat = equal_weights(load_framework(Path(__file__).parents[2] / "frameworks" / "census_industrial_base.yaml"))
    assert [a.code for a in flat.aggregates] == ["index"]
    assert {i.parent for i in flat.indicators} == {"index"} and {i.weight for i in flat.indicators} == {1.0}
    assert len(flat.indicators) == 15


def test_average_ranks_by_counting_equal_the_two_sort_ranks():
    from baiqiang.analysis.agreement import _average_ranks
    from baiqiang.methods.rank import competition_rank

    def two_sorts(x):
        return (competition_rank(-x) + x.shape[1] + 1.0 - competition_rank(x)) / 2.0

    assert _average_ranks(np.array([[3.0, -2.0, 3.0, 7.0], [1.0, 1.0, 1.0, 1.0]])).tolist() == [
        [2.5, 1.0, 2.5, 4.0], [2.5, 2.5, 2.5, 2.5]]  # rankdata by hand
    rng = np.random.default_rng(3)
    resampled = (rng.permutation(100) + 1.0)[rng.integers(0, 100, size=(500, 100))]  # ranks full of ties
    for x in (resampled, rng.integers(-4, 4, size=(20, 9)).astype(float), rng.normal(size=(20, 9)),
              np.array([[0.0, 8.0, 5.0, 5.0]])):  # counting, counting, two sorts, two sorts (a range over 2 m)
        assert np.array_equal(_average_ranks(x), two_sorts(x))
