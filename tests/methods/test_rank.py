"""Ranking: competition ranks, group ranks, tiers."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from baiqiang.methods.rank import competition_rank, group_rank, tiers

NAN = np.nan


def test_competition_rank_hand_values() -> None:
    # 30, 30 share rank 1; 10 is third ("1224"); 5 fourth; NaN unranked
    np.testing.assert_array_equal(competition_rank(np.array([10, 30, 30, NAN, 5])), [[3, 1, 1, NAN, 4]])


def test_group_rank_hand_values() -> None:
    s = np.array([[5.0, 9.0, 7.0, 1.0, 3.0]])
    g = np.array([0, 0, 1, 1, -1])
    np.testing.assert_array_equal(group_rank(s, g), [[2, 1, 1, 2, NAN]])


def test_tiers_hand_values() -> None:
    r = np.array([1, 6, 7, 36, 37, 80, 81, 100, 101, NAN])
    np.testing.assert_array_equal(tiers(r, [6, 36, 80, 100]), [1, 1, 2, 2, 3, 3, 4, 4, 0, 0])


scores = arrays(np.float64, (2, 9), elements=st.integers(0, 5).map(float))


@given(scores)
def test_tied_scores_share_a_rank_and_order_is_respected(s: np.ndarray) -> None:
    r = competition_rank(s)
    for b in range(2):
        i, j = np.triu_indices(9, 1)
        assert np.all((r[b, i] == r[b, j]) == (s[b, i] == s[b, j]))
        assert np.all((r[b, i] < r[b, j]) == (s[b, i] > s[b, j]))
        # rank = 1 + number of strictly better units
        np.testing.assert_array_equal(r[b], [1 + (s[b] > v).sum() for v in s[b]])


@given(scores)
def test_batch_rank_equals_one_by_one_and_negation_reverses(s: np.ndarray) -> None:
    r = competition_rank(s)
    for b in range(2):
        np.testing.assert_array_equal(r[b], competition_rank(s[b])[0])
    rev = competition_rank(-s)
    i, j = np.triu_indices(9, 1)
    assert np.all(np.sign(r[:, i] - r[:, j]) == -np.sign(rev[:, i] - rev[:, j]))


def _brute_force(s: np.ndarray) -> np.ndarray:
    """rank = 1 + number of strictly higher scores; NaN unranked (O(n^2) reference)."""
    higher = (s[:, None, :] > s[:, :, None]).sum(axis=2)
    return np.where(np.isnan(s), NAN, 1.0 + higher)


def test_near_equal_and_signed_zero_scores_are_ranked_exactly() -> None:
    # Scores one ulp apart share the integer key's high bits: the exact pass must order them.
    base = 1.0 + np.arange(6) * np.finfo(float).eps
    s = np.array([base[[3, 0, 5, 1, 4, 2]], [0.0, -0.0, 1e-300, -1e-300, NAN, 0.0]])
    np.testing.assert_array_equal(competition_rank(s), _brute_force(s))
    np.testing.assert_array_equal(competition_rank(s)[1], [2, 2, 1, 5, NAN, 2])  # -0.0 ties with 0.0


def test_wide_rows_with_ties_and_missing_equal_brute_force() -> None:
    # 5,000 units need 13 index bits; rows mix distinct, tied (rounded) and missing scores.
    rng = np.random.default_rng(3)
    s = rng.normal(size=(4, 5000))
    s[1] = np.round(s[1], 1)
    s[2, rng.random(5000) < 0.1] = NAN
    s[3] = 7.0
    np.testing.assert_array_equal(competition_rank(s), _brute_force(s))
