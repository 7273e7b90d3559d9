"""Explanations on a hand-computed three-indicator tree."""

from __future__ import annotations

import numpy as np
import pandas as pd

from baiqiang.analysis.explain import (
    contributions, effective_weights, group_comparison, nearest_peers, obstacle_degree, strengths_weaknesses,
)

W = np.array([1.0, 1.0, 1.0, 1.0, 3.0, 1.0])  # a b c P1 P2 Idx


def _values(x, geometric=False):
    x = np.asarray(x, dtype=float)
    if geometric:
        p1 = np.exp(np.nanmean(np.log(x[:, :2]), axis=1))
        p2 = x[:, 2]
        idx = np.exp((np.log(p1) + 3 * np.log(p2)) / 4)
    else:
        p1 = np.nanmean(x[:, :2], axis=1)
        p2 = x[:, 2]
        idx = (p1 + 3 * p2) / 4
    return np.column_stack([x, p1, p2, idx])


def test_arithmetic_contributions_by_hand(tiny_hierarchy):
    v = _values([[10, 20, 40], [np.nan, 20, 40]])
    c = contributions(tiny_hierarchy, v, W, {})
    np.testing.assert_allclose(c[0, :3], [1.25, 2.5, 30.0])
    assert np.isnan(c[1, 0])
    np.testing.assert_allclose(c[1, 1:3], [5.0, 30.0])   # b takes the whole pillar
    np.testing.assert_allclose(np.nansum(c[:, :3], axis=1), v[:, -1], rtol=1e-15)
    np.testing.assert_allclose(c[:, 3] + c[:, 4], v[:, -1], rtol=1e-15)
    # effective weights: a, b = 1/4 * 1/2; c = 3/4
    np.testing.assert_allclose(effective_weights(tiny_hierarchy, W)[:3], [0.125, 0.125, 0.75])


def test_geometric_contributions_sum_exactly(tiny_hierarchy):
    rng = np.random.default_rng(0)
    v = _values(rng.uniform(1, 100, size=(200, 3)), geometric=True)
    c = contributions(tiny_hierarchy, v, W, {"P1": "geometric", "Idx": "geometric"})
    np.testing.assert_allclose(c[:, :3].sum(axis=1), v[:, -1], rtol=1e-13)
    np.testing.assert_allclose(c[:, :2].sum(axis=1), c[:, 3], rtol=1e-13)
    # log-share: P2's part of the index is 3/4 of ln(Idx) share
    np.testing.assert_allclose(c[:, 4], v[:, -1] * 0.75 * np.log(v[:, 4]) / np.log(v[:, -1]))


def test_obstacle_degree_by_hand():
    x = np.array([[0.0, 100.0], [50.0, 0.0], [100.0, 50.0]])
    o = obstacle_degree(x, np.array([0.25, 0.75]))
    # unit 0: I = (1, 0) -> O = (1, 0); unit 1: I = (0.5, 1) -> F I = (0.125, 0.75)
    np.testing.assert_allclose(o[0], [1.0, 0.0])
    np.testing.assert_allclose(o[1], [0.125 / 0.875, 0.75 / 0.875])
    np.testing.assert_allclose(o.sum(axis=1), 1.0)
    assert np.isnan(obstacle_degree(np.array([[1.0], [1.0]]), np.array([1.0]))).all()


def test_strengths_weaknesses_and_peers():
    x = np.array([[9.0, 1.0], [5.0, 5.0], [1.0, 9.0], [5.0, 4.0]])
    ind_rank, gap = strengths_weaknesses(x, np.array([2, 1, 3, 4]))
    np.testing.assert_array_equal(ind_rank, [[1, 4], [2, 2], [4, 1], [2, 3]])
    np.testing.assert_array_equal(gap[0], [1, -2])
    idx, dist = nearest_peers(x, 1, k=2)
    assert idx[0] == 3 and dist[0] < dist[1]
    assert 1 not in idx


def test_group_comparison():
    scores = pd.DataFrame({"Idx": [10.0, 20.0, 30.0, 99.0]}, index=["u1", "u2", "u3", "u4"])
    groups = pd.Series(["浙江", "浙江", "浙江", "江苏"], index=scores.index)
    g = group_comparison(scores, groups, "u2")
    assert g.loc["Idx", "group_rank"] == 2 and g.loc["Idx", "group_mean"] == 20.0
    assert g.loc["Idx", "group_size"] == 3 and g.attrs["group"] == "浙江"
