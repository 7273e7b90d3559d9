"""Normalisation kernels: hand-computed values and invariants."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from baiqiang.methods import normalise as nm

NAN = np.nan
UP, DOWN = np.array([1.0]), np.array([-1.0])


def col(*values: float) -> np.ndarray:
    """One variant, one indicator: shape (1, n, 1)."""
    return np.array(values, dtype=float).reshape(1, -1, 1)


def flat(a: np.ndarray) -> list[float]:
    return a.ravel().tolist()


# Columns of 3-12 distinct-ish finite values, optionally with NaN.
values = arrays(np.float64, st.integers(3, 12), elements=st.floats(-1e3, 1e3, allow_nan=False).map(lambda v: round(v, 3)))


# --- minmax / zscore (lead's parity kernels) -------------------------------------


def test_minmax_hand_values() -> None:
    # min 2, max 10: (x - 2) / 8 * (100 - 0) + 0
    assert flat(nm.minmax(col(2, 4, 10, NAN), direction=UP)) == pytest.approx([0, 25, 100, NAN], nan_ok=True)
    # direction -1: x' = -x, min x' = -10, max x' = -2: (-4 + 10) / 8 = 0.75 -> 1 + 0.75 * 9 = 7.75
    assert flat(nm.minmax(col(2, 4, 10), direction=DOWN, lower=1, upper=10)) == pytest.approx([10, 7.75, 1])


def test_zscore_hand_values() -> None:
    # mean 4, sample sd sqrt(((−2)^2 + 0 + 2^2) / 2) = 2: (x - 4) / 2 * 10 + 100
    assert flat(nm.zscore(col(2, 4, 6), direction=UP, mean=100, sd=10)) == pytest.approx([90, 100, 110])


def test_constant_column_becomes_missing_in_minmax_and_zscore() -> None:
    assert np.all(np.isnan(nm.minmax(col(3, 3, 3), direction=UP)))
    assert np.all(np.isnan(nm.zscore(col(3, 3, 3), direction=UP)))


@given(values, st.floats(-50, 50), st.floats(1, 100))
def test_minmax_output_within_bounds(v: np.ndarray, a: float, width: float) -> None:
    y = nm.minmax(v.reshape(1, -1, 1), direction=UP, lower=a, upper=a + width)
    finite = y[np.isfinite(y)]
    assert np.all(finite >= a - 1e-9) and np.all(finite <= a + width + 1e-9)


# --- rank-based ------------------------------------------------------------------


def test_rank_percentile_borda_hand_values() -> None:
    x = col(10, 30, 20, 30, NAN)
    # ascending ranks with ties at the minimum: 10 -> 1, 20 -> 2, 30, 30 -> 3
    assert flat(nm.rank(x, direction=UP)) == pytest.approx([1, 3, 2, 3, NAN], nan_ok=True)
    assert flat(nm.rank(x, direction=UP, ties="average")) == pytest.approx([1, 3.5, 2, 3.5, NAN], nan_ok=True)
    # scaled: rank / 4 observed units
    assert flat(nm.rank(x, direction=UP, scaled=True)) == pytest.approx([0.25, 0.75, 0.5, 0.75, NAN], nan_ok=True)
    # percentile: 100 (r - 1) / (4 - 1)
    assert flat(nm.percentile(x, direction=UP)) == pytest.approx([0, 200 / 3, 100 / 3, 200 / 3, NAN], nan_ok=True)
    # Borda: units strictly worse
    assert flat(nm.borda(x, direction=UP)) == pytest.approx([0, 2, 1, 2, NAN], nan_ok=True)
    # lower is better: 10 is best
    assert flat(nm.borda(x, direction=DOWN)) == pytest.approx([3, 0, 2, 0, NAN], nan_ok=True)


def test_rank_edge_cases() -> None:
    assert flat(nm.percentile(col(5, NAN), direction=UP)) == pytest.approx([NAN, NAN], nan_ok=True)
    assert flat(nm.percentile(col(4, 4, 4), direction=UP, ties="average")) == [50, 50, 50]
    assert flat(nm.borda(col(4, 4, 4), direction=UP)) == [0, 0, 0]


@given(values)
def test_rank_kernels_invariant_under_monotone_transform(v: np.ndarray) -> None:
    x = v.reshape(1, -1, 1)
    for f in (nm.rank, nm.percentile, nm.borda):
        np.testing.assert_array_equal(f(x, direction=UP), f(np.exp(x / 500.0) * 3 + 1, direction=UP))


@given(values)
def test_tied_values_get_equal_normalised_scores(v: np.ndarray) -> None:
    x = np.concatenate([v, v[:2]]).reshape(1, -1, 1)  # guarantee ties
    for f in (nm.rank, nm.percentile, nm.borda, nm.minmax):
        y = f(x, direction=UP)[0, :, 0]
        for i in range(len(v)):
            same = x[0, :, 0] == x[0, i, 0]
            assert np.allclose(y[same], y[i], equal_nan=True)


@pytest.mark.parametrize("kernel", [nm.minmax, nm.zscore, nm.rank, nm.percentile, nm.borda])
@given(v=values)
def test_reversing_direction_reverses_order(kernel, v: np.ndarray) -> None:
    x = v.reshape(1, -1, 1)
    up, down = kernel(x, direction=UP)[0, :, 0], kernel(x, direction=DOWN)[0, :, 0]
    if np.all(np.isnan(up)):
        return
    i, j = np.triu_indices(len(v), 1)
    strict = v[i] != v[j]
    assert np.all(np.sign(up[i] - up[j])[strict] == -np.sign(down[i] - down[j])[strict])


# --- target / goalposts --------------------------------------------------------------


def test_target_hand_values() -> None:
    x = col(2, 6, 10, 14)
    # 1 - (10 - x) / (10 - 2): 0, 0.5, 1, 1.5
    assert flat(nm.target(x, direction=UP, targets=np.array([10.0]))) == pytest.approx([0, 0.5, 1, 1.5])
    assert flat(nm.target(x, direction=UP, targets=np.array([10.0]), cap=True, scale=100)) == pytest.approx(
        [0, 50, 100, 100]
    )
    # lower is better, target 4: x' = -x, t' = -4, min x' = -14: 1 - (-4 + x) / 10
    assert flat(nm.target(x, direction=DOWN, targets=np.array([4.0]))) == pytest.approx([1.2, 0.8, 0.4, 0.0])


def test_target_missing_or_degenerate_target_gives_missing_column() -> None:
    assert np.all(np.isnan(nm.target(col(1, 2), direction=UP, targets=np.array([NAN]))))
    assert np.all(np.isnan(nm.target(col(1, 1), direction=UP, targets=np.array([1.0]))))
    with pytest.raises(ValueError, match="one entry per indicator"):
        nm.target(col(1, 2), direction=UP, targets=np.array([1.0, 2.0]))
    with pytest.raises(ValueError, match="needs per-indicator 'targets'"):
        nm.target(col(1, 2), direction=UP)


def test_goalposts_hand_values() -> None:
    x = col(0, 20, 50, 90)
    # worst 10, best 60: (x - 10) / 50 clipped to [0, 1], times 100
    g = np.array([[10.0, 60.0]])
    assert flat(nm.goalposts(x, direction=UP, goalposts=g)) == pytest.approx([0, 20, 80, 100])
    assert flat(nm.goalposts(x, direction=UP, goalposts=g, clip=False)) == pytest.approx([-20, 20, 80, 160])
    # lower is better: worst 60, best 10: (x - 60) / -50 -> 1.2, 0.8, 0.2, -0.6 -> clipped, scaled to [1, 10]
    assert flat(nm.goalposts(x, direction=DOWN, goalposts=g[:, ::-1], lower=1, upper=10)) == pytest.approx(
        [10, 1 + 0.8 * 9, 1 + 0.2 * 9, 1]
    )


def test_goalposts_equal_posts_give_missing() -> None:
    assert np.all(np.isnan(nm.goalposts(col(1, 2), direction=UP, goalposts=np.array([[5.0, 5.0]]))))


@given(values, st.floats(-100, 0), st.floats(1, 100))
def test_goalposts_output_within_bounds(v: np.ndarray, worst: float, width: float) -> None:
    y = nm.goalposts(v.reshape(1, -1, 1), direction=UP, goalposts=np.array([[worst, worst + width]]))
    assert np.all((y >= 0) & (y <= 100))


def test_per_variant_targets_and_goalposts() -> None:
    x = np.repeat(col(2, 6, 10), 2, axis=0)
    t = np.array([[10.0], [6.0]])  # (B, p)
    y = nm.target(x, direction=UP, targets=t)
    assert flat(y[1]) == pytest.approx([0, 1, 2])
    g = np.array([[[2.0, 10.0]], [[2.0, 6.0]]])  # (B, p, 2)
    assert flat(nm.goalposts(x, direction=UP, goalposts=g)[1]) == pytest.approx([0, 100, 100])


def test_zscore_population_sd_on_request():
    """ddof=0: sd of 1, 2, 3, 4 is sqrt(1.25); the default ddof=1 gives sqrt(5/3) (R's sd, COINr)."""
    x = np.array([[[1.0], [2.0], [3.0], [4.0]]])
    from baiqiang.methods.normalise import zscore

    population = zscore(x, direction=np.array([1.0]), ddof=0)[0, :, 0]
    sample = zscore(x, direction=np.array([1.0]))[0, :, 0]
    np.testing.assert_allclose(population, np.array([-1.5, -0.5, 0.5, 1.5]) / np.sqrt(1.25))
    np.testing.assert_allclose(sample, np.array([-1.5, -0.5, 0.5, 1.5]) / np.sqrt(5 / 3))
