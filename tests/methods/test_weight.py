"""Weighting kernels: worked examples, plain-loop references, invariants."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from baiqiang.methods import weight as wt

NAN = np.nan


def data(*cols: list[float]) -> np.ndarray:
    return np.array(cols, dtype=float).T[None]


def ones(k: int) -> np.ndarray:
    return np.ones((1, k))


def test_manual_and_equal() -> None:
    assert wt.manual(None, prior=np.array([[1.0, 3.0]])).tolist() == [[0.25, 0.75]]
    assert wt.equal(None, prior=np.array([[1.0, 3.0, 5.0]])).tolist() == [[1 / 3] * 3]
    assert wt.manual(None, prior=np.array([[0.0, 0.0]])).tolist() == [[0.0, 0.0]]  # documented: zero stays zero


def test_entropy_worked_example() -> None:
    # A = [1, 2, 3]: p = 1/6, 2/6, 3/6; B = [1, 1, 2]: p = 1/4, 1/4, 1/2; n = 3
    e_a = -(1 / 6 * math.log(1 / 6) + 2 / 6 * math.log(2 / 6) + 3 / 6 * math.log(3 / 6)) / math.log(3)
    e_b = -(2 * 0.25 * math.log(0.25) + 0.5 * math.log(0.5)) / math.log(3)
    expected = np.array([1 - e_a, 1 - e_b]) / (2 - e_a - e_b)
    np.testing.assert_allclose(wt.entropy(data([1, 2, 3], [1, 1, 2]), prior=ones(2))[0], expected, rtol=1e-12)


def _entropy_loop(x: np.ndarray) -> np.ndarray:
    """Plain-loop entropy weights over observed values (independent reference)."""
    d = []
    for j in range(x.shape[1]):
        c = x[:, j][~np.isnan(x[:, j])]
        c = c - c.min() if c.min() < 0 else c
        p = c / c.sum()
        e = -sum(v * math.log(v) for v in p if v > 0) / math.log(len(c))
        d.append(1 - e)
    return np.array(d) / sum(d)


def test_entropy_matches_loop_reference_with_missing_and_negative_values() -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 15, 4))
    x[rng.random(x.shape) < 0.2] = NAN
    out = wt.entropy(x, prior=np.ones((2, 4)))
    for b in range(2):
        np.testing.assert_allclose(out[b], _entropy_loop(x[b]), rtol=1e-12)


def test_entropy_constant_columns_get_zero_and_all_constant_gives_equal() -> None:
    assert wt.entropy(data([1, 2, 3], [5, 5, 5]), prior=ones(2)).tolist() == [[1.0, 0.0]]
    assert wt.entropy(data([5, 5, 5], [0, 0, 0]), prior=ones(2)).tolist() == [[0.5, 0.5]]


def test_critic_worked_example() -> None:
    # A = [1, 2, 3], B = [3, 1, 2], C = 2A.  sd: 1, 1, 2.  r_AB = r_BC = -1/2, r_AC = 1.
    # C_A = 1 * (0 + 1.5 + 0) = 1.5; C_B = 1 * (1.5 + 0 + 1.5) = 3; C_C = 2 * (0 + 1.5 + 0) = 3.
    out = wt.critic(data([1, 2, 3], [3, 1, 2], [2, 4, 6]), prior=ones(3))
    np.testing.assert_allclose(out[0], [1.5 / 7.5, 3 / 7.5, 3 / 7.5], rtol=1e-12)


def test_critic_matches_loop_reference() -> None:
    rng = np.random.default_rng(4)
    x = rng.random((2, 20, 4))
    out = wt.critic(x, prior=np.ones((2, 4)))
    for b in range(2):
        sd = x[b].std(axis=0, ddof=1)
        r = np.corrcoef(x[b], rowvar=False)
        c = np.array([sd[j] * sum(1 - r[j, k] for k in range(4)) for j in range(4)])
        np.testing.assert_allclose(out[b], c / c.sum(), rtol=1e-10)


def test_critic_with_one_missing_cell_uses_observed_units() -> None:
    # The missing-value test reads the column means: one NaN cell must still route the
    # variant to the pairwise-complete path (sd over observed units, r over common units).
    x = data([1, 2, 3, NAN], [3, 1, 2, 5])
    sd = np.array([np.std([1, 2, 3], ddof=1), np.std([3, 1, 2, 5], ddof=1)])
    r = np.corrcoef([1, 2, 3], [3, 1, 2])[0, 1]
    c = sd * (1 - r)
    out = wt.critic(x, prior=ones(2))
    np.testing.assert_allclose(out[0], c / c.sum(), rtol=1e-12)
    shared = np.broadcast_to(data([1, 2, 3, 4], [3, 1, 2, 5]), (3, 4, 2))  # stride-0 batch of one data set
    np.testing.assert_allclose(wt.critic(shared, prior=np.ones((3, 2))), np.repeat(wt.critic(shared[:1], prior=ones(2)), 3, axis=0), rtol=1e-15)


def test_correlation_is_pairwise_complete() -> None:
    x = data([1, 2, 3, NAN, 5], [2, 4, 7, 1, NAN])
    r = wt.correlation(x)[0, 0, 1]
    assert r == pytest.approx(np.corrcoef([1, 2, 3], [2, 4, 7])[0, 1])


def test_pca_worked_example() -> None:
    # B = 2A, C uncorrelated with A: R = [[1,1,0],[1,1,0],[0,0,1]], eigenvalues 2, 1, 0.
    # Kaiser keeps only lambda = 2 with loadings (1, 1, 0); squared loadings sum to 2,
    # shares (1/2, 1/2, 0), weights 1/2 * 2/2 each.
    x = data([1, 2, 3, 4], [2, 4, 6, 8], [1, -1, -1, 1])
    np.testing.assert_allclose(wt.pca(x, prior=ones(3))[0], [0.5, 0.5, 0.0], atol=1e-12)


def _varimax_loop(phi: np.ndarray, iters: int = 1000) -> np.ndarray:
    p, k = phi.shape
    rot = np.eye(k)
    for _ in range(iters):
        lam = phi @ rot
        u, s, vh = np.linalg.svd(phi.T @ (lam**3 - lam @ np.diag(np.sum(lam**2, axis=0)) / p))
        rot = u @ vh  # fixed iteration count: no early stop, converged to rounding
    return phi @ rot


def test_pca_matches_loop_reference_with_rotation() -> None:
    rng = np.random.default_rng(9)
    f = rng.normal(size=(60, 2))
    x = np.column_stack([f[:, 0], f[:, 0], f[:, 1], f[:, 1], rng.normal(size=60)]) + 0.5 * rng.normal(size=(60, 5))
    r = np.corrcoef(x, rowvar=False)
    ev, vec = np.linalg.eigh(r)
    ev, vec = ev[::-1], vec[:, ::-1]
    m = int((ev > 1).sum())
    lo = _varimax_loop(vec[:, :m] * np.sqrt(ev[:m]))
    sq = lo**2
    share = sq / sq.sum(axis=0)
    expected = np.array([share[j].max() * sq.sum(axis=0)[share[j].argmax()] for j in range(5)])
    out = wt.pca(x[None], prior=ones(5))[0]
    np.testing.assert_allclose(out, expected / expected.sum(), rtol=1e-6)


def test_ahp_consistent_matrix() -> None:
    # a_ij = w_i / w_j with w = (4, 2, 1): weights 4/7, 2/7, 1/7, lambda_max = 3, CI = CR = 0
    w, ci, cr = wt.ahp_consistency([[1, 2, 4], [1 / 2, 1, 2], [1 / 4, 1 / 2, 1]])
    np.testing.assert_allclose(w, [4 / 7, 2 / 7, 1 / 7])
    assert abs(ci) < 1e-12 and abs(cr) < 1e-12


def test_ahp_inconsistent_matrix_reports_cr() -> None:
    m = [[1, 3, 5], [1 / 3, 1, 2], [1 / 5, 1 / 2, 1]]
    w, ci, cr = wt.ahp_consistency(m)
    lam = float(np.max(np.linalg.eigvals(np.array(m)).real))
    assert ci == pytest.approx((lam - 3) / 2) and cr == pytest.approx(ci / 0.58)
    np.testing.assert_allclose(w, [0.6483, 0.2297, 0.1220], atol=1e-4)  # Saaty's classic example
    out = wt.ahp(np.zeros((2, 5, 3)), prior=np.ones((2, 3)), matrix=m)
    np.testing.assert_allclose(out, [w, w])


def test_ahp_errors_are_clear() -> None:
    with pytest.raises(ValueError, match="must be 3 x 3"):
        wt.ahp(np.zeros((1, 5, 3)), prior=ones(3), matrix=[[1, 2], [0.5, 1]])
    with pytest.raises(ValueError, match="reciprocal"):
        wt.ahp_consistency([[1, 2], [2, 1]])
    with pytest.raises(ValueError, match="diagonal"):
        wt.ahp_consistency([[2, 2], [0.5, 1]])
    # 0.33 for 1/3 is accepted
    wt.ahp_consistency([[1, 3], [0.33, 1]])


def test_combined_linear_and_multiplicative() -> None:
    x = data([1, 2, 3], [3, 1, 2])  # CRITIC weights are 1/2, 1/2 (see the worked example)
    prior = np.array([[1.0, 3.0]])  # normalised: 0.25, 0.75
    lin = wt.combined(x, prior=prior, objective="critic", alpha=0.25)
    # 0.25 * (0.25, 0.75) + 0.75 * (0.5, 0.5)
    np.testing.assert_allclose(lin[0], [0.4375, 0.5625])
    mult = wt.combined(x, prior=prior, objective="critic", mode="multiplicative")
    # (0.25 * 0.5, 0.75 * 0.5) / 0.5
    np.testing.assert_allclose(mult[0], [0.25, 0.75])
    np.testing.assert_allclose(wt.combined(x, prior=prior, alpha=1.0), wt.manual(x, prior=prior))
    np.testing.assert_allclose(wt.combined(x, prior=prior, alpha=0.0), wt.entropy(x, prior=prior))


positive_table = arrays(np.float64, (1, 8, 3), elements=st.floats(0.0, 100.0).map(lambda v: round(v, 2)))


@given(positive_table, st.floats(0.1, 10.0))
def test_entropy_and_pca_invariant_to_rescaling_a_column(x: np.ndarray, c: float) -> None:
    y = x.copy()
    y[..., 0] *= c
    for f in (wt.entropy, wt.pca):
        np.testing.assert_allclose(f(x, prior=ones(3)), f(y, prior=ones(3)), atol=1e-7)


@given(positive_table)
def test_objective_weights_sum_to_one_and_are_non_negative(x: np.ndarray) -> None:
    for f in (wt.entropy, wt.critic, wt.pca, wt.combined):
        w = f(x, prior=ones(3))
        assert np.all(w >= 0) and w.sum() == pytest.approx(1.0)
