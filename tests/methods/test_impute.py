"""Imputation kernels: hand-computed values, an independent EM reference, invariants."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from baiqiang.methods import impute

NAN = np.nan


def test_mean_median_hand_values() -> None:
    x = np.array([[[1.0, NAN], [2.0, 4.0], [NAN, 6.0], [9.0, 20.0]]])
    # column 0: mean (1 + 2 + 9) / 3 = 4, median 2; column 1: mean 10, median 6
    assert impute.mean(x)[0, :, 0].tolist() == [1, 2, 4, 9]
    assert impute.mean(x)[0, 0, 1] == 10
    assert impute.median(x)[0, 2, 0] == 2 and impute.median(x)[0, 0, 1] == 6
    assert impute.none(x) is x


def test_group_mean_and_median_hand_values() -> None:
    x = np.array([[[1.0], [3.0], [NAN], [10.0], [NAN], [NAN]]])
    groups = np.array([0, 0, 0, 1, 1, -1])
    # group 0: mean of 1, 3 = 2; group 1: 10; no group: stays missing
    out = impute.group_mean(x, groups=groups, group="province")[0, :, 0]
    np.testing.assert_array_equal(out, [1, 3, 2, 10, 10, NAN])
    x2 = np.array([[[1.0], [2.0], [9.0], [NAN]]])
    out2 = impute.group_median(x2, groups=np.array([0, 0, 0, 0]), group="province")[0, :, 0]
    assert out2[3] == 2


# Monotone pattern: only y is missing.  The EM (maximum-likelihood) estimate of the
# regression of y on x equals complete-case OLS, so both imputations equal the OLS
# prediction.  Complete cases x = 1..4, y = 2, 4, 5, 4:
#   xbar = 2.5, ybar = 3.75, Sxy = (-1.5)(-1.75) + (-0.5)(0.25) + (0.5)(1.25) + (1.5)(0.25) = 3.5,
#   Sxx = 5, slope = 0.7, intercept = 3.75 - 0.7 * 2.5 = 2.0, prediction at x = 5: 5.5.
MONOTONE = np.array([[[1.0, 2.0], [2.0, 4.0], [3.0, 5.0], [4.0, 4.0], [5.0, NAN]]])


@pytest.mark.parametrize("kernel", [impute.em, impute.regression])
def test_monotone_pattern_gives_the_ols_prediction(kernel) -> None:
    assert kernel(MONOTONE, tol=1e-12, max_iter=5000)[0, 4, 1] == pytest.approx(5.5, abs=1e-6)


def _em_reference(x: np.ndarray, iters: int = 500) -> np.ndarray:
    """Plain-loop multivariate normal EM, unit by unit (independent of the kernel)."""
    x = x.copy()
    n, p = x.shape
    miss = np.isnan(x)
    mu = np.nanmean(x, axis=0)
    filled = np.where(miss, mu, x)
    cov = np.cov(filled, rowvar=False, bias=True)
    for _ in range(iters):
        csum = np.zeros((p, p))
        for i in range(n):
            m, o = miss[i], ~miss[i]
            if m.any():
                soo_inv = np.linalg.inv(cov[np.ix_(o, o)]) if o.any() else np.zeros((0, 0))
                smo = cov[np.ix_(m, o)]
                filled[i, m] = mu[m] + smo @ soo_inv @ (x[i, o] - mu[o])
                csum[np.ix_(m, m)] += cov[np.ix_(m, m)] - smo @ soo_inv @ smo.T
        mu = filled.mean(axis=0)
        d = filled - mu
        cov = (d.T @ d + csum) / n
    return filled


def test_em_matches_plain_loop_reference() -> None:
    rng = np.random.default_rng(11)
    c = np.array([[1.0, 0.6, 0.2], [0.6, 1.0, 0.4], [0.2, 0.4, 1.0]])
    x = rng.multivariate_normal([1.0, 2.0, 3.0], c, size=40)
    x[rng.random(x.shape) < 0.15] = NAN
    x[0] = NAN  # a unit with nothing observed gets the estimated means
    out = impute.em(x[None], tol=1e-12, max_iter=2000)[0]
    # The kernel standardises internally; EM is equivariant to affine rescaling of columns.
    np.testing.assert_allclose(out, _em_reference(x), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(out[0], out[1:].mean(axis=0), rtol=1e-6)


def test_em_and_regression_beat_mean_imputation_on_correlated_data() -> None:
    rng = np.random.default_rng(5)
    c = np.array([[1.0, 0.9], [0.9, 1.0]])
    full = rng.multivariate_normal([0, 0], c, size=(1, 300))
    x = full.copy()
    m = rng.random(x.shape) < 0.2
    m[..., 0] &= ~m[..., 1]  # keep at least one value per unit
    x[m] = NAN

    def err(y: np.ndarray) -> float:
        return float(np.sqrt(np.mean((y - full)[m] ** 2)))

    assert err(impute.em(x)) < 0.7 * err(impute.mean(x))
    assert err(impute.regression(x)) < 0.7 * err(impute.mean(x))


@pytest.mark.parametrize("kernel", [impute.em, impute.regression])
def test_constant_all_missing_and_complete_columns(kernel) -> None:
    x = np.array([[[1.0, 5.0, NAN, 2.0], [2.0, 5.0, NAN, 4.1], [NAN, NAN, NAN, 6.0], [4.0, 5.0, NAN, 7.9]]])
    out = kernel(x)
    assert out[0, 2, 1] == 5.0  # constant column: its mean
    assert np.all(np.isnan(out[0, :, 2]))  # all-missing stays missing
    # column 0 is nearly linear in column 3 (x3 ~ 2 x0): imputed near 3
    assert out[0, 2, 0] == pytest.approx(3.0, abs=0.1)


@pytest.mark.parametrize("kernel", [impute.em, impute.regression])
def test_complete_data_is_returned_unchanged(kernel) -> None:
    x = np.random.default_rng(2).normal(size=(2, 10, 3))
    np.testing.assert_array_equal(kernel(x), x)


@given(
    arrays(np.float64, (1, 8, 3), elements=st.one_of(st.just(NAN), st.floats(-100, 100).map(lambda v: round(v, 2))))
)
def test_model_imputations_fill_every_cell_of_usable_columns(x: np.ndarray) -> None:
    for kernel in (impute.em, impute.regression):
        out = kernel(x)
        np.testing.assert_array_equal(out[~np.isnan(x)], x[~np.isnan(x)])
        usable = (~np.isnan(x)).sum(axis=1)[0] >= 1
        assert np.all(np.isfinite(out[0][:, usable]))
