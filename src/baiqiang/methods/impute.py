"""Imputation kernels: estimate missing values.

Signature: ``f(x, *, groups=None, **params) -> array``.  ``x`` has shape
``(B, n_units, n_cols)``; ``groups`` (when the method uses a unit attribute)
is an integer array of shape ``(n_units,)`` with -1 for units without a group.
Observed values are never changed.

Reference: OECD/JRC (2008) *Handbook*, section 3; COINr ``R/impute.R``.
"""

from __future__ import annotations

import numpy as np

from baiqiang.methods import _nan
from numbers import Integral

from baiqiang.methods.registry import Interval, Param, Text, register


def _fill(x: np.ndarray, values: np.ndarray) -> np.ndarray:
    return np.where(np.isnan(x), values, x)


def _group_stat(x: np.ndarray, groups: np.ndarray, stat) -> np.ndarray:
    """``stat`` over the units of each group, broadcast back to every unit: shape of ``x``.

    Units are gathered once in group order, so each group is a contiguous
    slice; the per-group statistics ``(B, G, p)`` are then spread back with
    one gather (units in no group get NaN).
    """
    order = np.argsort(groups, kind="stable")
    ordered = groups[order]
    first = int(np.searchsorted(ordered, 0))  # units with group -1 come first
    codes, starts = np.unique(ordered[first:], return_index=True)
    bounds = np.append(starts + first, len(groups))
    grouped = x[:, order, :]
    stats = np.full((x.shape[0], len(codes) + 1, x.shape[2]), np.nan)  # last row: no group
    # A loop over groups (tens), not units: each iteration is vectorised over units.
    for g, (lo, hi) in enumerate(zip(bounds[:-1], bounds[1:])):
        stats[:, g, :] = stat(grouped[:, lo:hi, :])
    slot = np.where(groups >= 0, np.searchsorted(codes, groups), len(codes))
    return stats[:, slot, :]


@register("impute", "none")
def none(x: np.ndarray) -> np.ndarray:
    """Leave missing values missing; later steps work on available cases."""
    return x


@register("impute", "mean")
def mean(x: np.ndarray) -> np.ndarray:
    """Replace a missing value by the mean of the observed values of its column."""
    return _fill(x, _nan.col_mean(x)[:, None, :])


@register("impute", "median")
def median(x: np.ndarray) -> np.ndarray:
    """Replace a missing value by the median of the observed values of its column."""
    return _fill(x, _nan.col_median(x)[:, None, :])


@register("impute", "group_mean", inputs=("groups",), attribute_param="group", group=Param(Text(), required=True, help="unit attribute defining groups"))
def group_mean(x: np.ndarray, *, groups: np.ndarray, group: str = "") -> np.ndarray:
    """Replace a missing value by the mean of its column over units of the same group.

    COINr ``i_mean_grp``.  A unit in a group where the column is entirely
    missing (or in no group) stays missing.
    """
    return _fill(x, _group_stat(x, groups, _nan.col_mean))


@register("impute", "group_median", inputs=("groups",), attribute_param="group", group=Param(Text(), required=True, help="unit attribute defining groups"))
def group_median(x: np.ndarray, *, groups: np.ndarray, group: str = "") -> np.ndarray:
    """Replace a missing value by the median of its column over units of the same group (COINr ``i_median_grp``)."""
    return _fill(x, _group_stat(x, groups, _nan.col_median))


# --- Model-based imputation ----------------------------------------------------

_RIDGE = 1e-9  # added to covariance diagonals (standardised scale) so collinear data stay solvable


def _standardise(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Columns centred and scaled by their observed mean and sd.

    Returns ``(z, mu, sd, active)``: ``active`` (shape ``(B, p)``) marks the
    columns that take part in a model, those with at least two observed values
    and some spread.  Inactive columns are zero in ``z`` and are later filled
    with their mean (missing when the column is all-missing).
    """
    mu, sd = _nan.col_mean(x), _nan.col_std(x)
    active = np.isfinite(sd) & (sd > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (x - mu[:, None, :]) / np.where(active, sd, 1.0)[:, None, :]
    z = np.where(active[:, None, :], z, 0.0)
    return z, mu, sd, active


def _unstandardise(x: np.ndarray, z: np.ndarray, mu: np.ndarray, sd: np.ndarray, active: np.ndarray) -> np.ndarray:
    filled = np.where(active[:, None, :], z * np.where(active, sd, 1.0)[:, None, :] + mu[:, None, :], mu[:, None, :])
    return _fill(x, filled)


def _conditional(z: np.ndarray, miss: np.ndarray, mu: np.ndarray, cov: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """E-step of the multivariate normal model, for every unit at once, from the precision matrix.

    With ``Q = S^-1`` (one ``p x p`` inverse per variant), a unit with
    observed part ``o`` and missing part ``m`` has
    ``E[z_m | z_o] = mu_m - Q_mm^-1 Q_mo (z_o - mu_o)`` and
    ``Cov[z_m | z_o] = Q_mm^-1`` (the Schur complement identity; equal to
    ``mu_m + S_mo S_oo^-1 (z_o - mu_o)`` and ``S_mm - S_mo S_oo^-1 S_om``).
    ``Q_mo (z_o - mu_o)`` for all units is one batched product; the small
    ``|m| x |m|`` systems are solved in batches of units with the same number
    of missing values (a loop over counts, not units).  No ``p x p`` inverse
    per unit.  Returns the completed data and the summed conditional covariances.
    """
    B, n, p = z.shape
    precision = np.linalg.inv(cov)
    resid = np.where(miss, 0.0, z - mu[:, None, :])
    pull = resid @ precision  # (B, n, p); Q is symmetric, so row m of Q r is (r Q)_m = Q_mo r_o
    zhat = z.copy()
    ccov = np.zeros((B, p, p))
    counts = miss.sum(axis=2)
    for c in np.unique(counts[counts > 0]):
        b, i = np.nonzero(counts == c)
        cols = np.nonzero(miss[b, i])[1].reshape(-1, c)  # (units, c) missing columns, ascending
        q_mm = precision[b[:, None, None], cols[:, :, None], cols[:, None, :]]
        inv_mm = np.linalg.inv(q_mm)  # (units, c, c): the conditional covariances
        shift = np.matmul(inv_mm, pull[b[:, None], i[:, None], cols][..., None])[..., 0]
        zhat[b[:, None], i[:, None], cols] = mu[b[:, None], cols] - shift
        np.add.at(ccov, (b[:, None, None], cols[:, :, None], cols[:, None, :]), inv_mm)
    return zhat, ccov


def _fitting_grams(design: np.ndarray, fit: np.ndarray) -> np.ndarray:
    """``G_j = D^T diag(fit[:, j]) D`` for every target column ``j``: shape ``(B, p, q, q)``.

    ``fit`` (``(B, n, p)``, 0 or 1) marks the units that fit column ``j``'s
    regression.  ``G_j = D^T D - sum_{i not fitting j} d_i d_i^T``: one full
    product per variant and a correction ``R^T R`` from the few non-fitting
    units ``R`` of each ``(b, j)``, instead of ``p`` products over all units.
    """
    B, n, q = design.shape
    p = fit.shape[2]
    full = np.swapaxes(design, 1, 2) @ design  # (B, q, q)
    grams = np.broadcast_to(full[:, None], (B, p, q, q)).copy()
    b, j, i = np.nonzero(np.swapaxes(fit, 1, 2) == 0)  # sorted by (b, j)
    bounds = np.flatnonzero(np.r_[True, (b[1:] != b[:-1]) | (j[1:] != j[:-1]), True]) if b.size else []
    for start, stop in zip(bounds[:-1], bounds[1:]):  # one small product per (variant, column), not per unit
        rows = design[b[start], i[start:stop]]
        grams[b[start], j[start]] -= rows.T @ rows
    return grams


def _stopping(tol: float | np.ndarray, max_iter: int | np.ndarray, b: int) -> tuple[np.ndarray, np.ndarray]:
    """Per-variant tolerance and iteration limit, each of shape ``(B,)``."""
    return (
        np.broadcast_to(np.asarray(tol, dtype=float), (b,)),
        np.broadcast_to(np.asarray(max_iter, dtype=int), (b,)),
    )


@register(
    "impute",
    "em",
    max_iter=Param(Interval(Integral, 1, None), 100, "most EM iterations"),
    tol=Param(Interval(low=0, closed="neither"), 1e-6, "stop when mean and covariance change less than this"),
)
def em(x: np.ndarray, *, max_iter: int = 100, tol: float = 1e-6) -> np.ndarray:
    """Expectation-maximisation under a multivariate normal model.

    Columns are standardised by their observed mean and sd.  Starting from the
    observed means and the covariance of the mean-imputed data, each iteration
    replaces every missing value by its conditional expectation given the
    unit's observed values, ``E[x_m | x_o] = mu_m + S_mo S_oo^-1 (x_o - mu_o)``
    (E-step), and re-estimates ``mu = mean(x_hat)`` and
    ``S = mean((x_hat - mu)(x_hat - mu)^T) + mean(Cov[x_m | x_o])`` (M-step),
    until the largest change in ``mu`` or ``S`` is below ``tol`` (standardised
    scale) or after ``max_iter`` iterations.  Missing values get the final
    conditional expectations.

    Notes
    -----
    Observed values are never changed.  Columns with fewer than two observed
    values or no spread do not enter the model; their missing values get the
    column mean (and stay missing for an all-missing column).  A unit with
    every value missing gets the estimated means.  A tiny ridge (1e-9 on the
    standardised diagonal) keeps collinear indicators solvable.  Each
    iteration costs one ``p x p`` inverse per variant and, per unit, a solve of
    the size of its missing part (:func:`_conditional`): memory ``O(B n p)``.
    Variants iterate together; a converged variant is frozen, so batch and
    one-by-one results agree.

    References
    ----------
    Dempster, A. P., Laird, N. M. and Rubin, D. B. (1977) Maximum likelihood
    from incomplete data via the EM algorithm. *J. R. Stat. Soc. B* 39(1), 1-38.
    Little, R. J. A. and Rubin, D. B. (2002) *Statistical Analysis with Missing
    Data*, 2nd ed., section 11.2.  OECD/JRC (2008) Handbook, section 3.
    """
    x = np.asarray(x, dtype=float)
    z, mu0, sd0, active = _standardise(x)
    miss = np.isnan(z) & active[:, None, :]
    z = np.where(np.isnan(z), 0.0, z)
    n, p = z.shape[1], z.shape[2]
    eye = np.eye(p) * _RIDGE
    off = ~(active[:, :, None] & active[:, None, :])
    mu = z.mean(axis=1)
    d = z - mu[:, None, :]
    cov = np.swapaxes(d, 1, 2) @ d / n
    tol_b, iters = _stopping(tol, max_iter, z.shape[0])
    running = iters > 0
    for it in range(int(iters.max())):
        # Inactive columns: unit variance, no covariance, so they never inform others.
        zhat, ccov = _conditional(z, miss, mu, np.where(off, np.eye(p), cov) + eye)
        mu_new = zhat.mean(axis=1)
        d = zhat - mu_new[:, None, :]
        cov_new = (np.swapaxes(d, 1, 2) @ d + ccov) / n
        change = np.maximum(np.abs(mu_new - mu).max(axis=-1), np.abs(cov_new - cov).max(axis=(-2, -1)))
        # A variant that has converged (or used its iterations) is frozen, so a
        # batch gives each variant exactly the result it would get alone.
        mu = np.where(running[:, None], mu_new, mu)
        cov = np.where(running[:, None, None], cov_new, cov)
        running = running & (change >= tol_b) & (it + 1 < iters)
        if not running.any():
            break
    zhat, _ = _conditional(z, miss, mu, np.where(off, np.eye(p), cov) + eye)
    return _unstandardise(x, zhat, mu0, sd0, active)


@register(
    "impute",
    "regression",
    max_iter=Param(Interval(Integral, 1, None), 50, "most sweeps of regressions"),
    tol=Param(Interval(low=0, closed="neither"), 1e-6, "stop when imputed values change less than this"),
)
def regression(x: np.ndarray, *, max_iter: int = 50, tol: float = 1e-6) -> np.ndarray:
    """Iterative linear-regression imputation (chained equations without noise).

    Columns are standardised; missing values start at the column mean.  Each
    sweep fits, for every column ``j`` at once, the least-squares regression of
    ``x_j`` on all other columns (plus an intercept) over the units where
    ``x_j`` is observed, using the current completed values of the
    predictors, ``beta_j = (X_j^T X_j + r I)^-1 X_j^T y_j``, and replaces the
    missing values of ``x_j`` by the predictions ``X_j beta_j``.  Sweeps
    repeat until the largest change of an imputed value is below ``tol``
    (standardised scale) or after ``max_iter`` sweeps.

    Notes
    -----
    All columns are updated simultaneously from the previous sweep (a Jacobi
    sweep), so the result does not depend on column order.  Observed values
    are never changed.  Columns with fewer than two observed values or no
    spread are neither predicted nor predictors; their missing values get the
    column mean (missing for an all-missing column).  ``r = 1e-9 n`` is a
    tiny ridge keeping collinear predictors solvable.  Per sweep: one
    ``D^T D`` product, a correction per missing cell (:func:`_fitting_grams`)
    and ``p`` solves of size ``p + 1``: ``O(B (n p^2 + m p^2 + p^4))`` for ``m``
    missing cells, instead of ``O(B n p^3)``.

    References
    ----------
    van Buuren, S. and Groothuis-Oudshoorn, K. (2011) mice: Multivariate
    imputation by chained equations in R. *J. Stat. Softw.* 45(3).
    OECD/JRC (2008) Handbook, section 3 (regression imputation).
    """
    x = np.asarray(x, dtype=float)
    z, mu0, sd0, active = _standardise(x)
    miss = np.isnan(z) & active[:, None, :]
    z = np.where(np.isnan(z), 0.0, z)
    B, n, p = z.shape
    w = (~np.isnan(x) & active[:, None, :]).astype(float)  # fitting units per target column
    keep = np.concatenate([active, np.ones((B, 1), dtype=bool)], axis=1)  # predictors + intercept
    # own[j, k]: predictor k is column j itself (excluded from its own regression).
    own = np.zeros((p, p + 1), dtype=bool)
    own[np.arange(p), np.arange(p)] = True
    use = keep[:, None, :] & ~own[None]  # (B, p targets, p + 1 predictors)
    ridge = _RIDGE * max(n, 1) * np.eye(p + 1)
    tol_b, iters = _stopping(tol, max_iter, B)
    running = iters > 0
    for it in range(int(iters.max())):
        design = np.concatenate([z, np.ones((B, n, 1))], axis=2)
        gram = _fitting_grams(design, w) * use[..., :, None] * use[..., None, :] + ridge
        rhs = np.matmul(np.swapaxes(w * z, 1, 2), design) * use
        beta = np.linalg.solve(gram, rhs[..., None])[..., 0]  # (B, p, p + 1)
        pred = np.matmul(design, np.swapaxes(beta, 1, 2))
        z_new = np.where(miss & running[:, None, None], pred, z)
        change = np.abs(z_new - z).max(axis=(1, 2)) if n and p else np.zeros(B)
        z = z_new
        # Converged variants are frozen: batch results equal one-by-one results.
        running = running & (change >= tol_b) & (it + 1 < iters)
        if not running.any():
            break
    return _unstandardise(x, z, mu0, sd0, active)
