"""Sobol estimators against analytic indices; rank statistics by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from SALib.analyze import sobol as salib_analyze

from baiqiang.analysis.ranks import rank_desc, rank_summary
from baiqiang.analysis.sobol import saltelli_design, sobol_indices
from baiqiang.analysis.testfunctions import ishigami, ishigami_indices, sobol_g, sobol_g_indices


def _run(f, d, n, seed, sequence="sobol"):
    des = saltelli_design(d, n, seed=seed, sequence=sequence)
    y = f(des.stacked())
    return des, des.split(y)


def test_ishigami_matches_analytic():
    des, (ya, yb, yab) = _run(ishigami, 3, 2**13, 1)
    res = sobol_indices(ya, yb, yab, n_boot=50, seed=2)
    s1, st = ishigami_indices()
    np.testing.assert_allclose(res.S1[:, 0], s1, atol=0.03)
    np.testing.assert_allclose(res.ST[:, 0], st, atol=0.03)
    # the bootstrap interval is ordered and brackets the estimate
    assert np.all(res.S1_low <= res.S1_high) and np.all(res.ST_low <= res.ST)


def test_sobol_g_matches_analytic():
    a = np.array([0.0, 0.5, 3.0, 9.0, 99.0, 99.0])
    des, (ya, yb, yab) = _run(lambda u: sobol_g(u, a), 6, 2**13, 3)
    res = sobol_indices(ya, yb, yab, n_boot=0)
    s1, st = sobol_g_indices(a)
    np.testing.assert_allclose(res.S1[:, 0], s1, atol=0.02)
    np.testing.assert_allclose(res.ST[:, 0], st, atol=0.02)
    assert np.isnan(res.S1_low).all()


def test_categorical_factor_interaction_analytic():
    # y = c[k] * x with k categorical (3 equiprobable options) and x ~ U(0,1):
    # V1 = Var(c)/4, V = E[c^2]/3 - E[c]^2/4, ST_x = E_k[c^2 Var x]/V = E[c^2]/12/V
    c = np.array([1.0, 2.0, 6.0])
    def f(u):
        k = np.minimum(np.floor(3 * u[:, 0]), 2).astype(int)
        return c[k] * u[:, 1]
    _, (ya, yb, yab) = _run(f, 2, 2**14, 7)
    res = sobol_indices(ya, yb, yab, n_boot=0)
    v = np.mean(c**2) / 3 - np.mean(c) ** 2 / 4
    np.testing.assert_allclose(res.S1[0, 0], np.var(c) / 4 / v, atol=0.02)
    np.testing.assert_allclose(res.ST[1, 0], np.mean(c**2) / 12 / v, atol=0.02)


def test_vectorised_over_outputs_equals_salib():
    des, (ya, yb, yab) = _run(ishigami, 3, 2**10, 5)
    y2 = np.stack([ishigami(des.stacked()), 2 * sobol_g(des.stacked(), np.array([0, 1, 9.0]))], axis=1)
    # SALib standardises Y before estimating; do the same so results coincide
    y2 = (y2 - y2.mean(0)) / y2.std(0)
    ya, yb, yab = des.split(y2)
    ours = sobol_indices(ya, yb, yab, n_boot=0, ddof=0)
    # SALib wants its own interleaved order [A, AB_1..AB_d, B] per base row
    for m in range(2):
        inter = np.concatenate([ya[:, None, m], yab[:, :, m].T, yb[:, None, m]], axis=1).ravel()
        ref = salib_analyze.analyze(
            {"num_vars": 3, "names": ["a", "b", "c"], "bounds": [[0, 1]] * 3}, inter,
            calc_second_order=False, num_resamples=2, seed=1,
        )
        np.testing.assert_allclose(ours.S1[:, m], ref["S1"], rtol=1e-10)
        np.testing.assert_allclose(ours.ST[:, m], ref["ST"], rtol=1e-10)


def test_constant_output_gives_nan():
    ya = np.ones((8, 1)); yab = np.ones((2, 8, 1))
    res = sobol_indices(ya, ya, yab, n_boot=5, seed=0)
    assert np.isnan(res.S1).all() and np.isnan(res.ST).all()


def test_design_rejects_bad_input():
    with pytest.raises(ValueError):
        saltelli_design(0, 8)
    with pytest.raises(ValueError):
        saltelli_design(2, 8, sequence="lhs")
    des = saltelli_design(2, 8, seed=np.random.default_rng(0), sequence="random")
    assert des.stacked().shape == (32, 2) and (des.stacked() < 1).all()
    with pytest.raises(ValueError):
        des.split(np.zeros(31))


def test_rank_desc_ties_and_nan():
    x = np.array([[3.0, 5.0, 3.0, np.nan, 1.0], [1.0, 1.0, 1.0, 1.0, 2.0]])
    np.testing.assert_array_equal(rank_desc(x), [[2, 1, 2, np.nan, 4], [2, 2, 2, 2, 1]])
    # agrees with scipy's "min" method on random data with ties
    from scipy.stats import rankdata
    rng = np.random.default_rng(0)
    y = rng.integers(0, 20, size=(50, 40)).astype(float)
    np.testing.assert_array_equal(rank_desc(y), rankdata(-y, method="min", axis=1))


def test_rank_summary_by_hand():
    ranks = np.array([[1, 2, 3], [2, 1, 3], [1, 3, 2], [1, 2, np.nan]], dtype=float)
    s = rank_summary(ranks, np.array([1, 2, 3]), units=["a", "b", "c"], top_k=(1, 2)).table
    assert s.loc["a", "mean"] == pytest.approx(1.25)
    assert s.loc["a", "median"] == 1.0
    assert s.loc["c", "mean"] == pytest.approx(8 / 3)  # NaN ignored
    assert s.loc["b", "p_top_1"] == pytest.approx(0.25)
    assert s.loc["c", "p_top_2"] == pytest.approx(1 / 3)
    assert s.loc["a", "mean_abs_shift"] == pytest.approx(0.25)
    # type-7 quantile of [1,2,1,1] at 0.95: sorted [1,1,1,2], h = 3*0.95 = 2.85 -> 1 + 0.85
    assert s.loc["a", "q_high"] == pytest.approx(1.85)
    assert isinstance(s, pd.DataFrame)
