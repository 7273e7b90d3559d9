"""Weighting kernels: derive the weights of the children of one aggregate.

Signature: ``f(x, *, prior, **params) -> array`` with ``x`` of shape
``(B, n_units, k)`` (the children's values after normalisation, or their
scores for higher levels) and ``prior`` of shape ``(B, k)``: the weights the
framework declares (subjective weights).  The result has shape ``(B, k)`` and
sums to 1 along the last axis.

Reference: OECD/JRC (2008) *Handbook*, section 6.
"""

from __future__ import annotations

import functools
from numbers import Integral, Real
from typing import Any, Callable

import numpy as np

from baiqiang.methods import _nan
from baiqiang.methods.aggregate import CACHE_CELLS
from baiqiang.methods.registry import Flag, Interval, Matrix, OneOf, Param, per_variant, register


def normalised(w: np.ndarray) -> np.ndarray:
    """Scale weights to sum to 1 along the last axis (all-zero rows stay zero)."""
    total = w.sum(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, w / np.where(total > 0, total, 1.0), 0.0)


@register("weight", "manual")
def manual(x: np.ndarray, *, prior: np.ndarray) -> np.ndarray:
    """The weights declared in the framework, normalised to sum to 1."""
    return normalised(prior)


@register("weight", "equal")
def equal(x: np.ndarray, *, prior: np.ndarray) -> np.ndarray:
    """Equal weights ``1/k``."""
    return normalised(np.ones_like(prior))


# --- Objective (data-driven) weights -----------------------------------------


def _or_equal(w: np.ndarray) -> np.ndarray:
    """Normalise ``w``; a variant whose raw weights are all zero gets equal weights."""
    w = np.where(np.isfinite(w) & (w > 0), w, 0.0)
    dead = w.sum(axis=-1, keepdims=True) <= 0
    return normalised(np.where(dead, 1.0, w))


def in_cache_blocks(kernel: Callable[..., np.ndarray]) -> Callable[..., np.ndarray]:
    """Run a weighting kernel ``f(x, *, prior)`` on blocks of variants whose data fit in cache.

    As :func:`baiqiang.methods.aggregate.in_cache_blocks`: weights are derived
    per variant, so blocks join exactly, and a batch of distinct data sets
    larger than the cache would otherwise stream every ``(B, n, k)``
    temporary through memory and run slower than a loop over variants.
    """

    @functools.wraps(kernel)
    def blocked(x: np.ndarray, *, prior: np.ndarray) -> np.ndarray:
        B, cells = x.shape[0], x.shape[1] * x.shape[2]
        if B == 1 or x.strides[0] == 0 or B * cells <= CACHE_CELLS:
            return kernel(x, prior=prior)
        step = max(1, CACHE_CELLS // max(1, cells))
        return np.concatenate([kernel(x[s : s + step], prior=prior[s : s + step]) for s in range(0, B, step)])

    return blocked


def _column_means(x: np.ndarray) -> np.ndarray:
    """Column means ``(B, k)`` as one BLAS product ``1^T x / n`` (3x faster than ``x.sum(axis=1)``).

    A missing value makes its column's mean NaN, so callers test the ``(B, k)``
    means for NaN instead of making a separate pass over every cell.
    """
    n = x.shape[1]
    return np.matmul(np.ones(n), x) / max(n, 1)


def _has_missing(x: np.ndarray, mean: np.ndarray) -> bool:
    """Whether ``x`` has a missing value, given its :func:`_column_means`.

    No NaN mean means no NaN cell; a NaN mean can also come from ``inf - inf``,
    so only then are the cells themselves checked.
    """
    return bool(np.isnan(mean).any()) and bool(np.isnan(x).any())


def _complete_correlation(x: np.ndarray, mean: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`correlation` for data with no missing value, and the columns' sums of squared deviations.

    One product ``D^T D`` of the centred data (``D = x - mean``) gives every
    covariance; the spread test is the one :func:`correlation` applies.
    ``mean`` is :func:`_column_means` of ``x``.
    """
    n = x.shape[1]
    d = x - mean[:, None, :]
    gram = np.swapaxes(d, 1, 2) @ d
    ss = np.diagonal(gram, axis1=1, axis2=2)  # (B, k) sums of squared deviations
    sxx = ss + n * mean * mean  # sum of squares, for the relative spread threshold
    scale = np.maximum(sxx[:, :, None], sxx[:, None, :])
    ok = (n >= 2) & (ss[:, :, None] > 1e-12 * scale) & (ss[:, None, :] > 1e-12 * scale)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.where(ok, gram / np.sqrt(np.where(ok, ss[:, :, None] * ss[:, None, :], 1.0)), 0.0)
    return np.clip(r, -1.0, 1.0), ss


def correlation(x: np.ndarray) -> np.ndarray:
    """Pearson correlations between columns, pairwise-complete: shape ``(B, k, k)``.

    Each pair uses the units where both columns are observed.  A pair with
    fewer than two common units or no spread in either column has correlation
    0 off the diagonal; the diagonal is 1 for columns with spread, else 0.
    """
    mean = _column_means(x)
    if not _has_missing(x, mean):
        return _complete_correlation(x, mean)[0]
    m = (~np.isnan(x)).astype(float)
    v = np.where(np.isnan(x), 0.0, x)
    mt, vt = np.swapaxes(m, 1, 2), np.swapaxes(v, 1, 2)  # batched BLAS products (einsum would not use BLAS)
    n = mt @ m
    sx = vt @ m  # sum of x_j over units where k is observed
    sxx = np.swapaxes(v * v, 1, 2) @ m
    sxy = vt @ v
    with np.errstate(invalid="ignore", divide="ignore"):
        cov = sxy - sx * np.swapaxes(sx, 1, 2) / n
        vx = sxx - sx * sx / n
        vy = np.swapaxes(vx, 1, 2)
        # Relative threshold: a column constant up to rounding has no spread.
        scale = np.maximum(np.abs(sxx), np.abs(np.swapaxes(sxx, 1, 2)))
        ok = (n >= 2) & (vx > 1e-12 * scale) & (vy > 1e-12 * scale)
        r = np.where(ok, cov / np.sqrt(np.where(ok, vx * vy, 1.0)), 0.0)
    return np.clip(r, -1.0, 1.0)


def _complete_entropy(x: np.ndarray, lo: np.ndarray) -> np.ndarray:
    """Entropies ``e_j`` of :func:`entropy` for data with no missing value, ``(B, k)``; ``lo`` the column minima.

    With ``T_j = sum_i x_ij``: ``sum_i p_ij ln p_ij = (sum_i x_ij ln x_ij) / T_j - ln T_j``,
    so one pass of logarithms and one fused multiply-sum replace the division,
    logarithm and product over every cell.
    """
    n = x.shape[1]
    v = np.where((lo < 0)[:, None, :], x - lo[:, None, :], x) if (lo < 0).any() else x
    total = np.matmul(np.ones(n), v)  # a BLAS product, 3x faster than v.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        logs = np.log(v) if (lo > 0).all() else np.log(np.where(v > 0, v, 1.0))
        xlogx = np.einsum("bij,bij->bj", v, logs)
        e = -(xlogx / total - np.log(total)) / np.log(n)
    ok = np.isfinite(e) & (total > 0) & (n > 1)
    # A constant column has e = 1 up to rounding; only near-1 columns need the max to confirm it.
    near_one = np.flatnonzero((ok & (e > 1.0 - 1e-9)).any(axis=0))
    if near_one.size:
        ok[:, near_one] &= x[:, :, near_one].max(axis=1) > lo[:, near_one]
    return np.where(ok, np.clip(e, 0.0, 1.0), 1.0)


@register("weight", "entropy")
@in_cache_blocks
def entropy(x: np.ndarray, *, prior: np.ndarray) -> np.ndarray:
    """Entropy weights (熵权法): ``w_j = (1 - e_j) / sum_k (1 - e_k)``.

    ``p_ij = x_ij / sum_i x_ij`` and ``e_j = -1/ln(n_j) sum_i p_ij ln p_ij``
    (``0 ln 0 = 0``), over the ``n_j`` units where column ``j`` is observed.
    A column with a negative value is first shifted by its minimum
    (``x - min x``) so every ``p_ij >= 0``.

    Notes
    -----
    Expects normalised data (e.g. min-max).  Missing values are ignored
    (available cases per column).  A constant column has ``e_j = 1`` and so
    weight 0, as do all-zero and all-missing columns and columns with fewer
    than two observed units.  If every column has ``e_j = 1`` the weights are
    equal.  ``prior`` is not used.

    References
    ----------
    Shannon, C. E. (1948) A mathematical theory of communication.
    Zeleny, M. (1982) *Multiple Criteria Decision Making*, McGraw-Hill.
    Zou, Z., Yun, Y. and Sun, J. (2006) Entropy method for determination of
    weight of evaluating indicators in fuzzy synthetic evaluation for water
    quality assessment. *J. Environ. Sci.* 18(5), 1020-1023.
    """
    lo = _nan.column_reduce(np.minimum, x)  # NaN exactly for the columns with a missing value
    if not np.isnan(lo).any():
        return _or_equal(1.0 - _complete_entropy(x, lo))
    lo = _nan.col_min(x)[:, None, :]
    v = np.where(lo < 0, x - lo, x)
    total = np.nansum(v, axis=1, keepdims=True)
    n = _nan.col_count(x).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(np.isnan(v), 0.0, v) / np.where(total > 0, total, np.nan)
        plogp = np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0)
        e = -np.nansum(plogp, axis=1) / np.log(np.where(n > 1, n, np.nan))
    # A constant column carries no information: e = 1 exactly, not 1 - rounding.
    spread = _nan.col_max(x) > lo[:, 0, :]
    e = np.where(np.isfinite(e) & (total[:, 0, :] > 0) & spread, np.clip(e, 0.0, 1.0), 1.0)
    return _or_equal(1.0 - e)


@register("weight", "critic")
@in_cache_blocks
def critic(x: np.ndarray, *, prior: np.ndarray) -> np.ndarray:
    """CRITIC weights: ``C_j = sd_j * sum_k (1 - r_jk)``, ``w_j = C_j / sum_k C_k``.

    ``sd_j`` is the sample standard deviation of column ``j`` and ``r_jk``
    the Pearson correlation (:func:`correlation`): a column gets more weight
    when it varies more and conflicts more with the others.

    Notes
    -----
    Expects normalised data (the criteria importance is read off the scale of
    the data, so columns should share one scale).  Missing values: sd over
    observed units, correlations pairwise-complete.  A constant or
    all-missing column gets weight 0 (its ``sd`` is 0) and counts as
    uncorrelated with the others.  If every ``C_j`` is 0 the weights are
    equal.  ``prior`` is not used.

    References
    ----------
    Diakoulaki, D., Mavrotas, G. and Papayannakis, L. (1995) Determining
    objective weights in multiple criteria problems: the CRITIC method.
    *Comput. Oper. Res.* 22(7), 763-770.
    """
    mean = _column_means(x)
    if not _has_missing(x, mean):
        r, ss = _complete_correlation(x, mean)
        n = x.shape[1]
        sd = np.sqrt(ss / (n - 1)) if n > 1 else np.zeros_like(ss)
        return _or_equal(sd * (1.0 - r).sum(axis=-1))
    sd = np.nan_to_num(_nan.col_std(x))
    r = correlation(x)
    return _or_equal(sd * (1.0 - r).sum(axis=-1))


def _varimax(loadings: np.ndarray, max_iter: int = 1000, tol: float = 1e-13) -> np.ndarray:
    """Kaiser's varimax rotation of ``(B, k, m)`` loadings (batched SVD iteration).

    Each step works on the variants still running only: a converged variant
    keeps its rotation (so a batch gives each variant its one-by-one result)
    and costs nothing while the slowest one converges.
    """
    B, k, m = loadings.shape
    rot = np.broadcast_to(np.eye(m), (B, m, m)).copy()
    crit = np.zeros(B)
    running = np.arange(B)
    for _ in range(max_iter):
        lo = loadings[running]
        lam = lo @ rot[running]
        target = lam**3 - lam * (lam**2).sum(axis=1, keepdims=True) / k
        u, s, vt = np.linalg.svd(np.swapaxes(lo, 1, 2) @ target)
        rot[running] = u @ vt
        new = s.sum(axis=-1)
        converged = np.abs(new - crit[running]) <= tol * np.maximum(new, 1.0)
        crit[running] = new
        running = running[~converged]
        if not running.size:
            break
    return loadings @ rot


@register(
    "weight",
    "pca",
    n_components=Param(Interval(Integral, 1, None), None, "components kept; default: eigenvalue > 1 (Kaiser)"),
    rotate=Param(Flag(), True, "varimax-rotate the kept components"),
)
def pca(
    x: np.ndarray, *, prior: np.ndarray, n_components: int | np.ndarray | None = None, rotate: bool = True
) -> np.ndarray:
    """PCA weights from squared loadings (Nicoletti et al. 2000; OECD/JRC Handbook 6.1).

    1. Principal components of the correlation matrix ``R``; keep the ``m``
       with eigenvalue > 1 (Kaiser's rule; at least one), or ``n_components``.
    2. Loadings ``L = V sqrt(lambda)``, varimax-rotated when ``rotate``.
    3. Squared loadings scaled to unit sum per component:
       ``s_jf = L_jf^2 / sum_i L_if^2``; the explained variance of component
       ``f`` is ``EV_f = sum_i L_if^2``.
    4. Each indicator is assigned to the component where ``s_jf`` is largest
       and weighted ``w_j = s_jf* * EV_f* / sum_f EV_f``; then ``w`` is
       normalised to sum to 1.

    Notes
    -----
    Correlations are pairwise-complete (:func:`correlation`), so missing
    values are ignored.  A constant or all-missing column has no variance
    (its diagonal entry of ``R`` is 0) and gets weight 0.  With no variance
    anywhere the weights are equal.  Eigenvector signs do not matter (only
    squared loadings are used).  ``prior`` is not used.  Variants with
    different numbers of kept components are rotated group by group.

    References
    ----------
    Nicoletti, G., Scarpetta, S. and Boylaud, O. (2000) Summary indicators of
    product market regulation with an extension to employment protection
    legislation. OECD Economics Department Working Papers 226.
    OECD/JRC (2008) *Handbook on Constructing Composite Indicators*, section 6.1
    and Step 4 (factor analysis).
    """
    r = correlation(x)
    B, k = r.shape[0], r.shape[-1]
    evals, evecs = np.linalg.eigh(r)
    evals, evecs = evals[:, ::-1].clip(min=0.0), evecs[:, :, ::-1]
    loadings = evecs * np.sqrt(evals)[:, None, :]
    if n_components is None:
        m = np.maximum((evals > 1.0).sum(axis=-1), 1)
    else:
        m = np.broadcast_to(np.minimum(np.asarray(n_components, dtype=int), k), (B,))
    out = np.zeros((B, k))
    # A loop over the distinct numbers of kept components (at most k values).
    for mm in np.unique(m):
        sel = m == mm
        lo = loadings[sel][:, :, :mm]
        if rotate and mm > 1:
            lo = _varimax(lo)
        sq = lo**2
        ev = sq.sum(axis=1)  # (b, mm)
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(ev[:, None, :] > 0, sq / np.where(ev > 0, ev, 1.0)[:, None, :], 0.0)
        best = share.argmax(axis=-1)
        s_best = np.take_along_axis(share, best[..., None], axis=-1)[..., 0]
        ev_best = np.take_along_axis(ev, best, axis=-1)
        total = ev.sum(axis=-1, keepdims=True)
        out[sel] = s_best * ev_best / np.where(total > 0, total, 1.0)
    return _or_equal(out)


# --- Subjective (AHP) and combined weights -----------------------------------

RANDOM_INDEX = (0.0, 0.0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49, 1.51, 1.48, 1.56, 1.57, 1.59)
"""Saaty's random consistency index RI for matrices of size 1 to 15."""


def ahp_consistency(matrix: Any) -> tuple[np.ndarray, float, float]:
    """AHP priority weights and consistency of a pairwise comparison matrix.

    ``matrix[i][j]`` says how much more important criterion ``i`` is than
    ``j`` (Saaty's 1-9 scale) and must be reciprocal, ``a_ji = 1 / a_ij``
    (checked to 2%, so 0.33 for 1/3 is accepted).  The weights are the
    principal right eigenvector normalised to sum to 1;
    ``CI = (lambda_max - k) / (k - 1)`` and ``CR = CI / RI_k`` with Saaty's
    random index (:data:`RANDOM_INDEX`).  ``CR < 0.1`` is conventionally
    acceptable.  For ``k <= 2`` both are 0.

    Returns
    -------
    (weights, ci, cr) : tuple of ndarray of shape ``(k,)``, float, float

    Raises
    ------
    ValueError
        When the matrix is not square, not positive, larger than 15 x 15,
        not reciprocal or has a diagonal other than 1.

    References
    ----------
    Saaty, T. L. (1980) *The Analytic Hierarchy Process*, McGraw-Hill.
    Saaty, T. L. (1990) How to make a decision: the analytic hierarchy process.
    *Eur. J. Oper. Res.* 48(1), 9-26.
    """
    a = np.asarray(matrix, dtype=float)
    if a.ndim != 2 or a.shape[0] != a.shape[1] or a.size == 0:
        raise ValueError(f"the AHP matrix must be square; got shape {a.shape}")
    k = a.shape[0]
    if k > len(RANDOM_INDEX):
        raise ValueError(f"the AHP matrix may compare at most {len(RANDOM_INDEX)} criteria; got {k}")
    if not np.all(np.isfinite(a) & (a > 0)):
        raise ValueError("the AHP matrix must hold positive numbers")
    if not np.allclose(np.diag(a), 1.0):
        raise ValueError(f"the AHP matrix must have 1 on the diagonal; got {np.diag(a).tolist()}")
    bad = np.argwhere(np.abs(a * a.T - 1.0) > 0.02)
    if bad.size:
        i, j = bad[0]
        raise ValueError(
            f"the AHP matrix must be reciprocal (a[j][i] = 1 / a[i][j]); "
            f"a[{i}][{j}] = {a[i, j]:g} but a[{j}][{i}] = {a[j, i]:g}"
        )
    evals, evecs = np.linalg.eig(a)
    top = int(np.argmax(evals.real))
    lam = float(evals[top].real)
    w = np.abs(evecs[:, top].real)
    w = w / w.sum()
    if k <= 2:
        return w, 0.0, 0.0
    ci = (lam - k) / (k - 1)
    return w, float(ci), float(ci / RANDOM_INDEX[k - 1])


@register(
    "weight",
    "ahp",
    matrix=Param(Matrix(), required=True, help="pairwise comparison matrix (list of rows), children in framework order"),
)
def ahp(x: np.ndarray, *, prior: np.ndarray, matrix: Any) -> np.ndarray:
    """AHP weights: the principal eigenvector of the pairwise comparison matrix.

    See :func:`ahp_consistency` for the formula and the consistency ratio,
    which the pipeline reports.  The same weights are used for every variant.

    Notes
    -----
    The data are not used.  The matrix must have one row per child
    (``k x k``), else ``ValueError``.

    References
    ----------
    Saaty, T. L. (1980) *The Analytic Hierarchy Process*, McGraw-Hill;
    OECD/JRC (2008) Handbook, section 6.1.
    """
    k = prior.shape[-1]
    size = np.shape(matrix)
    if len(size) != 2 or size[0] != k or size[1] != k:
        raise ValueError(f"the AHP matrix must be {k} x {k} (one row per child); got {size[0]} x {size[-1]}")
    w, _, _ = ahp_consistency(matrix)
    return np.broadcast_to(w, prior.shape).copy()


_OBJECTIVE = {"entropy": entropy, "critic": critic, "pca": pca}


@register(
    "weight",
    "combined",
    objective=Param(OneOf(tuple(_OBJECTIVE)), "entropy", "objective weighting method"),
    alpha=Param(Interval(Real, 0, 1), 0.5, "share of the subjective (declared) weights in linear mode"),
    mode=Param(OneOf(("linear", "multiplicative")), "linear", "how subjective and objective weights combine"),
)
def combined(
    x: np.ndarray,
    *,
    prior: np.ndarray,
    objective: str = "entropy",
    alpha: float | np.ndarray = 0.5,
    mode: str = "linear",
) -> np.ndarray:
    """Combined subjective-objective weights (主客观组合赋权).

    ``linear``: ``w = alpha * s + (1 - alpha) * o``; ``multiplicative``:
    ``w_j = s_j o_j / sum_k s_k o_k``, where ``s`` is the declared ``prior``
    normalised to sum to 1 and ``o`` the objective weights (``entropy``,
    ``critic`` or ``pca``, computed on ``x``).  ``alpha`` may differ per
    variant and is not used in multiplicative mode.

    Notes
    -----
    Missing values are handled by the objective method.  In multiplicative
    mode, if no child has both a positive prior and a positive objective
    weight, the weights are equal.

    References
    ----------
    Ma, J., Fan, Z.-P. and Huang, L.-H. (1999) A subjective and objective
    integrated approach to determine attribute weights. *Eur. J. Oper. Res.*
    112(2), 397-404.
    """
    s = normalised(np.asarray(prior, dtype=float))
    o = _OBJECTIVE[objective](x, prior=prior)
    if mode == "multiplicative":
        return _or_equal(s * o)
    a = per_variant(alpha, 2)
    return normalised(a * s + (1.0 - a) * o)
