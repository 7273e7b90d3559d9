"""Explanations on a hand-computed three-indicator tree."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from baiqiang.analysis.explain import (
    all_contributions, contributions, effective_weights, group_comparison, nearest_peers, obstacle_degree, shapley,
    strengths_weaknesses,
)
from baiqiang.framework import parse_framework
from baiqiang.framework.plan import BoundStep, Plan
from baiqiang.framework.spec import Step
from baiqiang.methods import methods
from baiqiang.pipeline import Panel, run

from .conftest import tiny_framework

W = np.array([1.0, 1.0, 1.0, 1.0, 3.0, 1.0])  # a b c P1 P2 Idx


def _plan(**methods_by_level: str) -> Plan:
    steps = [{"step": "aggregate", "id": f"agg{lv}", "method": m, "levels": [int(lv[1:])]} for lv, m in methods_by_level.items()]
    return Plan.of(tiny_framework(methodology=steps))


@pytest.fixture
def tiny_hierarchy():
    return _plan().hierarchy


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
    c = contributions(_plan(), v, W)
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
    c = contributions(_plan(L2="geometric", L3="geometric"), v, W)
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


def _bound(name: str, **params) -> BoundStep:
    return BoundStep.bind(Step(step="aggregate", method=name, params=params))


def test_shapley_by_hand_for_the_median_of_three():
    # v(a) = 1, v(b) = 5, v(c) = 9; a pair's median with equal weights is its mean: v(ab) = 3,
    # v(ac) = 5, v(bc) = 7; v(abc) = 5.  phi_a = 1/3 (1) + 1/6 (3 - 5) + 1/6 (5 - 9) + 1/3 (5 - 7) = -4/3,
    # phi_b = 1/3 (5) + 1/6 (3 - 1) + 1/6 (7 - 9) + 1/3 (5 - 5) = 5/3, phi_c = 3 + 2/3 + 1/3 + 2/3 = 14/3
    phi = shapley(_bound("median"), np.array([[1.0, 5.0, 9.0]]), np.ones(3))
    np.testing.assert_allclose(phi, [[-4 / 3, 5 / 3, 14 / 3]], atol=1e-12)
    assert phi.sum() == pytest.approx(5.0)


def test_shapley_of_a_missing_child_is_zero_and_sampling_still_sums_exactly():
    y = np.array([[4.0, np.nan, 1.0, 2.0]])
    phi = shapley(_bound("harmonic"), y, np.ones(4))
    assert phi[0, 1] == 0 and phi.sum() == pytest.approx(1.0 / np.mean([1 / 4, 1.0, 1 / 2]))
    many = np.random.default_rng(1).uniform(1, 9, size=(5, 12))  # 12 children: sampled orders
    phi = shapley(_bound("harmonic"), many, np.ones(12))
    np.testing.assert_allclose(phi.sum(axis=1), 12 / (1 / many).sum(axis=1), rtol=1e-12)


def test_geometric_pillar_under_arithmetic_root_sums_to_the_score():
    """The case of issue 9: one geometric pillar made contributions sum to 5.125 against a score of 1.707."""
    fw = parse_framework({
        "id": "mix", "name": "混合",
        "universe": {"code_column": "code", "name_column": None},
        "indicators": [{"code": "a", "name": "甲", "parent": "P1"}, {"code": "b", "name": "乙", "parent": "P1"},
                       {"code": "c", "name": "丙", "parent": "P2"}],
        "aggregates": [{"code": "P1", "name": "一", "parent": "Idx"}, {"code": "P2", "name": "二", "parent": "Idx"},
                       {"code": "Idx", "name": "总"}],
        "methodology": [{"step": "normalise", "method": "minmax", "params": {"lower": 1, "upper": 2}},
                        {"step": "aggregate", "id": "geo", "method": "geometric", "aggregates": ["P1"]}],
    })
    panel = Panel.from_frame(pd.DataFrame({"code": ["x", "y", "z"], "a": [1.0, 2, 3], "b": [3.0, 1, 2], "c": [1.0, 3, 2]}), code_column="code")
    res = run(fw, panel)
    c = all_contributions(res)
    np.testing.assert_allclose(c[["a", "b", "c"]].sum(axis=1), res.scores["Idx"], rtol=1e-13)
    # unit z: a = 2, b = 1.5 -> P1 = sqrt(3), Idx = (sqrt(3) + 1.5) / 2; P1's part splits in log-shares
    p1 = math.sqrt(3)
    assert c.loc["z", "P1"] == pytest.approx(p1 / 2)
    assert c.loc["z", "a"] == pytest.approx(p1 / 2 * 0.5 * math.log(2) / math.log(p1))


AGGREGATORS = [m.name for m in methods() if m.family == "aggregate"]


@pytest.mark.parametrize("root_method", AGGREGATORS)
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_contributions_sum_to_the_score_for_every_aggregation_method(root_method, data):
    """Property: for random data, weights and pillar methods, the indicators' contributions sum to the root score."""
    n = data.draw(st.integers(3, 12), label="units")
    values = np.array(data.draw(st.lists(st.lists(st.floats(1.0, 100.0), min_size=5, max_size=5), min_size=n, max_size=n)))
    missing = np.array(data.draw(st.lists(st.booleans(), min_size=5 * n, max_size=5 * n))).reshape(n, 5)
    values[missing & (np.arange(5) != 0)] = np.nan  # indicator a stays, so no pillar is empty everywhere
    pillar = data.draw(st.sampled_from(AGGREGATORS), label="pillar method")
    weights = data.draw(st.lists(st.floats(0.1, 5.0), min_size=7, max_size=7))
    _assert_contributions_sum_to_the_score(root_method, pillar, values, weights)


def _assert_contributions_sum_to_the_score(root_method: str, pillar: str, values: np.ndarray, weights: list[float]) -> None:
    """Indicators' and pillars' contributions each sum to the root score, for a 5-indicator, 2-pillar tree."""
    n = len(values)
    fw = parse_framework({
        "id": "prop", "name": "性质",
        "universe": {"code_column": "code", "name_column": None},
        "indicators": [{"code": f"i{k}", "name": f"i{k}", "parent": "P1" if k < 3 else "P2", "weight": weights[k]} for k in range(5)],
        "aggregates": [{"code": "P1", "name": "一", "parent": "Idx", "weight": weights[5]},
                       {"code": "P2", "name": "二", "parent": "Idx", "weight": weights[6]}, {"code": "Idx", "name": "总"}],
        "methodology": [
            {"step": "normalise", "method": "minmax", "params": {"lower": 1, "upper": 100}},
            {"step": "aggregate", "id": "pillars", "method": pillar, "levels": [2]},
            {"step": "aggregate", "id": "root", "method": root_method, "levels": [3]},
        ],
    })
    frame = pd.DataFrame(values, columns=[f"i{k}" for k in range(5)]).assign(code=[f"u{k}" for k in range(n)])
    res = run(fw, Panel.from_frame(frame, code_column="code"))
    c = all_contributions(res)
    score = res.scores["Idx"]
    ok = score.notna()
    total = c.loc[ok, [f"i{k}" for k in range(5)]].sum(axis=1)
    np.testing.assert_allclose(total, score[ok], rtol=1e-9, atol=1e-9 * (1 + score[ok].abs().max()))
    np.testing.assert_allclose(c.loc[ok, ["P1", "P2"]].sum(axis=1), score[ok], rtol=1e-9, atol=1e-9 * (1 + score[ok].abs().max()))


def test_geometric_contributions_sum_to_a_score_a_rounding_error_above_one():
    """Regression (found by the property test): a geometric root of 1 + 1e-14 whose log-shares were divided by
    ln y_root, which keeps only ~1 % of its relative precision there (contributions summed to 1.0102)."""
    values = np.array([[1.0, 1.0, 1.0, 1.0, 1.0], [1.0, 1.0, 1.0, 1.0, 1.0000000000000002], [1.0, 1.0, 2.0, 1.0, 2.0]])
    _assert_contributions_sum_to_the_score("geometric", "arithmetic", values, [1.0] * 7)
