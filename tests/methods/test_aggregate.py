"""Aggregation kernels: worked examples, plain-loop references, invariants."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from baiqiang.methods import aggregate as ag
from baiqiang.methods import weight as wt

NAN = np.nan


def units(*rows: list[float]) -> np.ndarray:
    return np.array(rows, dtype=float)[None]


def weights(*w: float) -> np.ndarray:
    return np.array([w], dtype=float)


def test_arithmetic_and_geometric_hand_values() -> None:
    x = units([1, 4], [2, NAN], [NAN, NAN], [0, 4])
    # (1 * 1 + 3 * 4) / 4 = 3.25; unit 2 only child 0 available -> 2
    np.testing.assert_allclose(ag.arithmetic(x, weights(1, 3))[0], [3.25, 2, NAN, 3], equal_nan=True)
    # exp((ln 1 + 3 ln 4) / 4) = 4^(3/4); a zero child makes the geometric mean missing
    np.testing.assert_allclose(ag.geometric(x, weights(1, 3))[0], [4**0.75, 2, NAN, NAN], equal_nan=True)


def test_harmonic_and_generalised_hand_values() -> None:
    x = units([1, 4], [2, 2])
    # 1 / (0.5 / 1 + 0.5 / 4) = 1.6
    np.testing.assert_allclose(ag.harmonic(x, weights(1, 1))[0], [1.6, 2])
    # p = 2: sqrt(0.5 * 1 + 0.5 * 16)
    np.testing.assert_allclose(ag.generalised(x, weights(1, 1), p=2)[0], [math.sqrt(8.5), 2])
    np.testing.assert_allclose(ag.generalised(x, weights(1, 1), p=0)[0], [2, 2])  # geometric
    np.testing.assert_allclose(ag.generalised(x, weights(1, 1), p=-1)[0], [1.6, 2])  # harmonic
    np.testing.assert_allclose(ag.generalised(x, weights(1, 1), p=1e-9)[0], [2, 2], rtol=1e-6)  # continuity
    assert np.isnan(ag.harmonic(units([0, 4]), weights(1, 1))[0, 0])


def test_harmonic_negative_child_among_positive_ones_is_missing() -> None:
    # 1 / (0.5 / 1 + 0.5 / -100) = 1 / 0.495 is finite and positive, so checking the output
    # alone cannot catch this unit: the kernel must test the children's sign itself.
    y = ag.harmonic(units([1, -100], [1, 4], [-2, -2]), weights(1, 1))[0]
    np.testing.assert_allclose(y, [NAN, 1.6, NAN], equal_nan=True)
    assert np.isnan(ag.generalised(units([-1, 4]), weights(1, 1), p=2)[0, 0])


@pytest.mark.parametrize("p", [0.5, -0.5])
def test_generalised_non_integer_power_checks_its_output(p: float) -> None:
    # A non-integer power tests its weighted sums, not the children: a negative child (and for
    # p < 0 a zero one) must still make only its unit missing; a zero-weight one takes no part.
    x = units([1, 4, 9], [-1, 4, 9], [0, 4, 9], [4, 4, -3])
    y = ag.generalised(x, weights(1, 1, 0), p=p)[0]
    mean = lambda a, b: (0.5 * a**p + 0.5 * b**p) ** (1 / p)  # noqa: E731
    zero = mean(0.0, 4.0) if p > 0 else NAN
    np.testing.assert_allclose(y, [mean(1.0, 4.0), NAN, zero, 4.0], equal_nan=True, rtol=1e-14)


def test_weighted_median_hand_values() -> None:
    # equal weights, cumulative 0.25, 0.5 -> exactly one half: average of 2 and 3
    assert ag.median(units([4, 1, 3, 2]), weights(1, 1, 1, 1))[0, 0] == 2.5
    # weights 1, 1, 3 (cumulative 0.2, 0.4, 1.0): the heavy child decides
    assert ag.median(units([1, 2, 3]), weights(1, 1, 3))[0, 0] == 3
    # missing and zero-weight children drop out: (5, 1) with equal weights -> 3
    assert ag.median(units([5, NAN, 1, 100]), weights(1, 1, 1, 0))[0, 0] == 3


def test_topsis_worked_example() -> None:
    # ideal (5, 4), anti-ideal (1, 0); weights 3:1 -> 0.75, 0.25
    # (1, 4): D+ = sqrt(0.75 * 16) = sqrt(12), D- = sqrt(0.25 * 16) = 2
    # (3, 2): D+ = sqrt(0.75 * 4 + 0.25 * 4) = 2 = D-
    # (5, 0): D+ = 2, D- = sqrt(12)
    x = units([1, 4], [3, 2], [5, 0])
    s12 = math.sqrt(12)
    np.testing.assert_allclose(ag.topsis(x, weights(3, 1))[0], [2 / (2 + s12), 0.5, s12 / (2 + s12)])


def _topsis_classic_loop(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Hwang and Yoon: vector normalisation, v = w r, Euclidean distances (plain loops)."""
    n, k = x.shape
    w = w / w.sum()
    norm = [math.sqrt(sum(x[i, j] ** 2 for i in range(n))) for j in range(k)]
    v = np.array([[w[j] * x[i, j] / norm[j] for j in range(k)] for i in range(n)])
    best, worst = v.max(axis=0), v.min(axis=0)
    out = []
    for i in range(n):
        dp = math.sqrt(sum((v[i, j] - best[j]) ** 2 for j in range(k)))
        dm = math.sqrt(sum((v[i, j] - worst[j]) ** 2 for j in range(k)))
        out.append(dm / (dp + dm))
    return np.array(out)


def test_topsis_classic_matches_loop_reference() -> None:
    rng = np.random.default_rng(12)
    x = rng.uniform(1, 10, size=(2, 9, 4))
    w = rng.uniform(0.1, 1, size=(2, 4))
    out = ag.topsis(x, w, distance="classic", vector=True)
    for b in range(2):
        np.testing.assert_allclose(out[b], _topsis_classic_loop(x[b], w[b]), rtol=1e-12)


def _topsis_weighted_loop(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted-Euclidean TOPSIS from squared gaps (plain loops), the reference for the expanded distances."""
    n, k = x.shape
    best, worst = x.max(axis=0), x.min(axis=0)
    dp = np.array([math.sqrt(sum(w[j] * (x[i, j] - best[j]) ** 2 for j in range(k))) for i in range(n)])
    dm = np.array([math.sqrt(sum(w[j] * (x[i, j] - worst[j]) ** 2 for j in range(k))) for i in range(n)])
    return dm / (dp + dm)


@pytest.mark.parametrize("shared", [False, True])
def test_topsis_near_the_ideal_is_as_accurate_as_squared_gaps(shared: bool) -> None:
    # ||x - a||^2 = x.x - 2 a.x + a.a cancels near the ideal: unit 0 is the ideal in every child
    # (D+ = 0 exactly), unit 1 the anti-ideal (D- = 0), unit 2 is 1e-9 from the ideal.  A plain
    # expansion gives D+ ~ 1e-8 of rounding noise there; these units must be recomputed.
    rng = np.random.default_rng(5)
    x = rng.uniform(0.2, 0.8, size=(300, 60))
    x[0], x[1] = 1.0, 0.0
    x[2] = 1.0 - 1e-9
    w = rng.uniform(0.5, 1.5, size=(3, 60))
    data = np.broadcast_to(x, (3, *x.shape)) if shared else np.stack([x] * 3)
    out = ag.topsis(data, w)
    for b in range(3):
        ref = _topsis_weighted_loop(x, w[b])
        np.testing.assert_allclose(out[b], ref, rtol=1e-13, atol=1e-14)
    assert out[0, 0] == 1.0 and out[0, 1] == 0.0


def test_entropy_topsis_worked_example() -> None:
    # 熵权TOPSIS: entropy weights from the data, then TOPSIS closeness with them.
    x = units([1, 4], [2, 2], [3, 1])
    w = wt.entropy(x, prior=np.ones((1, 2)))
    d = []
    for c in ([1, 2, 3], [4, 2, 1]):
        p = np.array(c) / sum(c)
        d.append(1 + (p * np.log(p)).sum() / math.log(3))
    w_ref = np.array(d) / sum(d)
    np.testing.assert_allclose(w[0], w_ref)
    c = ag.topsis(x, w)[0]
    dp = np.sqrt(w_ref[0] * (np.array([1, 2, 3]) - 3) ** 2 + w_ref[1] * (np.array([4, 2, 1]) - 4) ** 2)
    dm = np.sqrt(w_ref[0] * (np.array([1, 2, 3]) - 1) ** 2 + w_ref[1] * (np.array([4, 2, 1]) - 1) ** 2)
    np.testing.assert_allclose(c, dm / (dp + dm))


def test_topsis_all_constant_is_missing() -> None:
    assert np.all(np.isnan(ag.topsis(units([2, 3], [2, 3]), weights(1, 1))))


def test_mazziotta_pareto_hand_values() -> None:
    # (90, 110): M = 100, S = 10, MPI- = 100 - 10 * 10 / 100 = 99, MPI+ = 101
    x = units([90, 110], [100, 100], [NAN, 95])
    np.testing.assert_allclose(ag.mazziotta_pareto(x, weights(1, 1))[0], [99, 100, 95])
    np.testing.assert_allclose(ag.mazziotta_pareto(x, weights(1, 1), penalty="positive")[0], [101, 100, 95])
    # weighted: w = 0.75, 0.25: M = 95, S^2 = 0.75 * 25 + 0.25 * 225 = 75, MPI = 95 - 75 / 95
    assert ag.mazziotta_pareto(units([90, 110]), weights(3, 1))[0, 0] == pytest.approx(95 - 75 / 95)


def test_copeland_hand_values() -> None:
    # weights 2:1.  A = (3, 1) beats B = (2, 2) and C = (1, 3) on the heavier child (e = 2/3);
    # B beats C.  Scores: A 2, B 1 - 1 = 0, C -2.
    x = units([3, 1], [2, 2], [1, 3])
    np.testing.assert_array_equal(ag.copeland(x, weights(2, 1))[0], [2, 0, -2])
    # equal weights: every pair splits 1:1 -> all ties
    np.testing.assert_array_equal(ag.copeland(x, weights(1, 1))[0], [0, 0, 0])


def _copeland_loop(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    n, k = x.shape
    out = np.zeros(n)
    for i in range(n):
        if np.all(np.isnan(x[i])):
            out[i] = NAN
            continue
        for j in range(n):
            common = [c for c in range(k) if not np.isnan(x[i, c]) and not np.isnan(x[j, c])]
            tot = sum(w[c] for c in common)
            if i == j or tot == 0:
                continue
            e = sum(w[c] * (1.0 if x[i, c] > x[j, c] else 0.5 if x[i, c] == x[j, c] else 0.0) for c in common) / tot
            out[i] += 1 if e > 0.5 + 1e-12 else -1 if e < 0.5 - 1e-12 else 0
    return out


def test_copeland_matches_loop_reference_and_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(8)
    x = rng.integers(0, 4, size=(2, 11, 3)).astype(float)  # many ties
    x[rng.random(x.shape) < 0.15] = NAN
    x[0, 4] = NAN
    w = rng.uniform(0.2, 1.0, size=(2, 3))
    expected = np.stack([_copeland_loop(x[b], w[b]) for b in range(2)])
    np.testing.assert_array_equal(ag.copeland(x, w), expected)
    monkeypatch.setattr(ag, "_PAIR_ROWS", 3)  # force several row blocks
    np.testing.assert_array_equal(ag.copeland(x, w), expected)


table = arrays(np.float64, (1, 6, 3), elements=st.floats(1.0, 100.0).map(lambda v: round(v, 2)))
wts = arrays(np.float64, (1, 3), elements=st.floats(0.1, 5.0))


@pytest.mark.parametrize("kernel", [ag.arithmetic, ag.geometric, ag.harmonic, ag.generalised, ag.median])
@given(x=table, w=wts)
def test_means_lie_between_smallest_and_largest_child(kernel, x: np.ndarray, w: np.ndarray) -> None:
    y = kernel(x, w)[0]
    assert np.all(y >= x[0].min(axis=1) - 1e-9) and np.all(y <= x[0].max(axis=1) + 1e-9)


@given(x=table, w=wts)
def test_power_mean_increases_with_p(x: np.ndarray, w: np.ndarray) -> None:
    ys = [ag.generalised(x, w, p=p)[0] for p in (-2.0, -1.0, 0.0, 1.0, 3.0)]
    for lo, hi in zip(ys, ys[1:]):
        assert np.all(lo <= hi * (1 + 1e-12))


@given(x=table, w=wts)
def test_copeland_invariant_under_monotone_transform(x: np.ndarray, w: np.ndarray) -> None:
    np.testing.assert_array_equal(ag.copeland(x, w), ag.copeland(np.log(x) * 7 - 2, w))


@given(x=table, w=wts)
def test_scores_in_documented_ranges(x: np.ndarray, w: np.ndarray) -> None:
    c = ag.topsis(x, w)[0]
    assert np.all((c[np.isfinite(c)] >= 0) & (c[np.isfinite(c)] <= 1))
    cp = ag.copeland(x, w)[0]
    assert np.all(np.abs(cp) <= 5) and cp.sum() == 0  # wins and losses cancel
    mpi = ag.mazziotta_pareto(x, w)[0]
    assert np.all(mpi <= ag.arithmetic(x, w)[0] + 1e-9)  # the penalty never rewards


@given(v=st.floats(1.0, 100.0), w=wts)
def test_equal_children_give_that_value(v: float, w: np.ndarray) -> None:
    x = np.full((1, 2, 3), v)
    for kernel in (ag.arithmetic, ag.geometric, ag.harmonic, ag.generalised, ag.median, ag.mazziotta_pareto):
        np.testing.assert_allclose(kernel(x, w)[0], v, rtol=1e-12)


@pytest.mark.parametrize(
    "kernel",
    [ag.geometric, ag.harmonic] + [lambda x, w, p=p: ag.generalised(x, w, p=p) for p in (2.0, 3.0, -1.0, -2.0)],
)
def test_single_variant_entry_equals_the_batched_path_bit_for_bit(kernel) -> None:
    # One variant takes a short path (fewest NumPy calls); a batch of two distinct data sets the
    # general one.  Both must give the same bits for complete data in the domain.  (Arithmetic's
    # one-variant product normalises the weights first: equal to rounding, tested elsewhere.)
    x = 1.0 + 99.0 * np.random.default_rng(3).random((2, 50, 7))
    w = np.array([[0.5, 1.0, 2.0, 0.0, 1.5, 0.25, 3.0]] * 2)
    batched = kernel(x, w)
    for b in range(2):
        np.testing.assert_array_equal(kernel(x[b : b + 1], w[b : b + 1])[0], batched[b])


@pytest.mark.parametrize("p", [2.0, 3.0, -2.0])
def test_single_variant_integer_power_leaves_only_out_of_domain_units_missing(p: float) -> None:
    # (-1)^2 = 1 and 1/(-1)^2 = 1 hide a negative child in the output; a zero child is in the
    # domain only for p > 0.  Only the unit with such a child is missing.
    x = units([1, 4], [-1, 4], [0, 4], [NAN, 4])
    y = ag.generalised(x, weights(1, 1), p=p)[0]
    zero = (0.5 * 4**p) ** (1 / p) if p > 0 else NAN
    np.testing.assert_allclose(y, [(0.5 + 0.5 * 4**p) ** (1 / p), NAN, zero, 4], equal_nan=True)
