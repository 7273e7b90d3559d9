"""Treatment kernels: hand-computed values and invariants."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import stats

from baiqiang.methods import treat

NAN = np.nan


def col(*values: float) -> np.ndarray:
    return np.array(values, dtype=float).reshape(1, -1, 1)


def flat(a: np.ndarray) -> list[float]:
    return a.ravel().tolist()


positive = arrays(np.float64, st.integers(4, 15), elements=st.floats(0.01, 1e4).map(lambda v: round(v, 2)))


def test_skewness_and_kurtosis_match_scipy_adjusted_estimators() -> None:
    rng = np.random.default_rng(3)
    x = rng.lognormal(size=(2, 25, 3))
    for b in range(2):
        for j in range(3):
            c = x[b, :, j]
            assert treat.skewness(x)[b, j] == pytest.approx(stats.skew(c, bias=False))
            assert treat.kurtosis(x)[b, j] == pytest.approx(stats.kurtosis(c, bias=False))


def test_winsorise_hand_example() -> None:
    # Nine ones and one 100: skew = 3.16 >= 2 and kurtosis = 10 >= 3.5, so it fails.
    # Winsorising the single maximum sets 100 to the next value inward (1): the column
    # is then constant and passes (nothing left to treat).
    x = col(*([1.0] * 9 + [100.0]))
    assert flat(treat.winsorise(x)) == [1.0] * 10
    # A column that passes is untouched.
    ok = col(1, 2, 3, 4, 5)
    np.testing.assert_array_equal(treat.winsorise(ok), ok)


def test_winsorise_falls_back_to_log_ct_when_winmax_is_exhausted() -> None:
    x = col(*([1.0] * 9 + [100.0]))
    np.testing.assert_allclose(treat.winsorise(x, winmax=0), treat.log_ct(x))
    np.testing.assert_allclose(treat.winsorise(x, winmax=0, fallback="none"), x)


def test_log_and_log_ct_hand_values() -> None:
    assert flat(treat.log(col(1, math.e, 0, -1, NAN))) == pytest.approx([0, 1, NAN, NAN, NAN], nan_ok=True)
    # min 1, max 11: ln(x - 1 + 0.01 * 10)
    assert flat(treat.log_ct(col(1, 6, 11))) == pytest.approx([math.log(0.1), math.log(5.1), math.log(10.1)])


def test_boxcox_fixed_lambda_hand_values() -> None:
    # (sqrt(x) - 1) / 0.5
    assert flat(treat.boxcox(col(1, 4, 9), lmbda=0.5)) == pytest.approx([0, 2, 4])
    assert flat(treat.boxcox(col(1, math.e, NAN), lmbda=0.0)) == pytest.approx([0, 1, NAN], nan_ok=True)
    # (x^2 - 1) / 2
    assert flat(treat.boxcox(col(1, 2, 3), lmbda=2.0)) == pytest.approx([0, 1.5, 4])


def test_boxcox_shift() -> None:
    # min -1 <= 0: x - (-1) + 1 = [1, 2, 4], then ln
    assert flat(treat.boxcox(col(-1, 0, 2), lmbda=0.0)) == pytest.approx([0, math.log(2), math.log(4)])
    assert flat(treat.boxcox(col(-1, 0, 2), lmbda=0.0, shift="none")) == pytest.approx(
        [NAN, NAN, math.log(2)], nan_ok=True
    )


def test_boxcox_mle_matches_scipy_per_column() -> None:
    rng = np.random.default_rng(7)
    x = rng.lognormal(size=(2, 40, 3)) * np.array([1.0, 1e3, 1e-2])
    x[0, 5, 1] = NAN
    lam = treat.boxcox_lambda(x)
    for b in range(2):
        for j in range(3):
            c = x[b, :, j]
            ref = stats.boxcox_normmax(c[~np.isnan(c)], method="mle")
            assert lam[b, j] == pytest.approx(ref, abs=1e-6)
    out = treat.boxcox(x)
    ref_y = stats.boxcox(x[1, :, 0], lmbda=lam[1, 0])
    np.testing.assert_allclose(out[1, :, 0], ref_y, rtol=1e-10)


def test_boxcox_constant_column_uses_lambda_one() -> None:
    assert treat.boxcox_lambda(col(3, 3, 3))[0, 0] == 1.0
    assert flat(treat.boxcox(col(3, 3, 3))) == pytest.approx([2, 2, 2])


@given(positive, st.one_of(st.none(), st.floats(-3, 3)))
def test_boxcox_preserves_order(v: np.ndarray, lam: float | None) -> None:
    i, j = np.triu_indices(len(v), 1)
    # Strict order with geometric-mean scaling; weak order always (x^lambda may round).
    y = treat.boxcox(v.reshape(1, -1, 1), lmbda=lam, geometric=True)[0, :, 0]
    assert np.all(np.sign(y[i] - y[j]) == np.sign(v[i] - v[j]))
    y0 = treat.boxcox(v.reshape(1, -1, 1), lmbda=lam)[0, :, 0]
    assert np.all((y0[i] - y0[j]) * (v[i] - v[j]) >= 0)


def test_boxcox_geometric_scaling_is_a_positive_affine_map() -> None:
    x = np.array([[[2.0], [5.0], [9.0], [30.0]]])
    a, b = treat.boxcox(x, lmbda=0.5), treat.boxcox(x, lmbda=0.5, geometric=True)
    # g = (2 * 5 * 9 * 30)^(1/4); ((x/g)^0.5 - 1)/0.5 = g^-0.5 * a + (g^-0.5 - 1)/0.5
    g = (2 * 5 * 9 * 30) ** 0.25
    np.testing.assert_allclose(b, g**-0.5 * a + (g**-0.5 - 1) / 0.5)


@given(positive)
def test_log_ct_and_winsorise_preserve_weak_order(v: np.ndarray) -> None:
    x = v.reshape(1, -1, 1)
    if np.ptp(v) == 0:  # log_ct of a constant column is ln(0) = -inf (COINr too); see its Notes
        assert np.all(treat.log_ct(x) == -np.inf)
        return
    for y in (treat.log_ct(x)[0, :, 0], treat.winsorise(x)[0, :, 0]):
        i, j = np.triu_indices(len(v), 1)
        assert np.all((y[i] - y[j]) * (v[i] - v[j]) >= 0)


def test_winsorise_in_column_blocks_equals_one_block(monkeypatch) -> None:
    rng = np.random.default_rng(11)
    x = rng.lognormal(3.0, 1.5, (2, 300, 25))
    x[rng.random(x.shape) < 0.05] = np.nan
    whole = treat.winsorise(x, winmax=np.array([2, 6]))
    monkeypatch.setattr(treat, "STATS_BLOCK_CELLS", 300 * 4)  # 13 blocks of 4 columns
    np.testing.assert_array_equal(treat.winsorise(x, winmax=np.array([2, 6])), whole)


def test_moments_updated_from_clipped_points_match_a_fresh_pass_after_a_huge_outlier() -> None:
    # One point 10^6 times the others: the shifted sums lose precision when it is clipped,
    # so the column is re-summed; skew and kurtosis must equal a fresh two-pass computation.
    x = np.concatenate([[1e6, 5e5], np.linspace(1.0, 2.0, 98)])[:, None]
    valid = np.ones_like(x, dtype=bool)
    n, mean, s2, s3, s4 = (a[0] for a in treat._central_sums(x[None], valid[None]))
    sums = treat._ShiftedSums.of(x, n, mean, s2, s3, s4)
    y = x.copy()
    for old, new in ((1e6, 5e5), (5e5, 2.0)):
        y[y == old] = new
        sums.replace(y, valid, np.array([old]), np.array([new]), np.array([1 if old == 1e6 else 2]))
        expected = treat._skew_kurt(y[None])
        got = treat._skew_kurt_of(*sums.central())
        np.testing.assert_allclose(np.concatenate(got), np.concatenate([e[0] for e in expected]), rtol=1e-9)
