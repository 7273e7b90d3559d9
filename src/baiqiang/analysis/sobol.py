"""Variance-based (Sobol) sensitivity indices, vectorised over many outputs.

The design is the radial/Saltelli design of Saltelli et al. (2010): two
independent ``(N, d)`` matrices ``A`` and ``B`` of U(0, 1) numbers and, for every
factor ``i``, the matrix ``AB_i`` equal to ``A`` with column ``i`` taken from ``B``;
``N (d + 2)`` model runs in all.  Uniform numbers are mapped to factor values
afterwards (categories by equal-width bins), so categorical choices such as
"min-max or z-score" are ordinary factors; see :mod:`baiqiang.analysis.spec`.

Estimators (per output column ``y``):

* first order, Saltelli et al. (2010) eq. (b) of Table 2::

      S_i  = mean(y_B * (y_ABi - y_A)) / V

* total order, Jansen (1999)::

      ST_i = mean((y_A - y_ABi)^2) / (2 V)

with ``V = var(concat(y_A, y_B))``.  COINr's ``get_sensitivity`` uses the same
two estimators with the unbiased variance (``ddof = 1``); SALib's
``analyze.sobol`` uses ``ddof = 0``.  The default here is ``ddof = 1`` so that
indices computed from COINr's runs reproduce COINr's table exactly.

References
----------
Saltelli, A., Annoni, P., Azzini, I., Campolongo, F., Ratto, M., Tarantola, S.
(2010). Variance based sensitivity analysis of model output. Design and
estimator for the total sensitivity index. Computer Physics Communications
181(2), 259-270. doi:10.1016/j.cpc.2009.09.018

Jansen, M. J. W. (1999). Analysis of variance designs for model output.
Computer Physics Communications 117, 35-43. doi:10.1016/S0010-4655(98)00154-4
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["SaltelliDesign", "SobolResult", "saltelli_design", "sobol_indices"]


@dataclass(frozen=True)
class SaltelliDesign:
    """The ``A``, ``B``, ``AB_i`` matrices of a Saltelli design.

    Attributes
    ----------
    A, B : ndarray, shape (N, d)
        Independent base samples in ``[0, 1)``.
    """

    A: np.ndarray
    B: np.ndarray

    @property
    def n(self) -> int:
        return int(self.A.shape[0])

    @property
    def d(self) -> int:
        return int(self.A.shape[1])

    def stacked(self) -> np.ndarray:
        """All runs as one ``(N (d + 2), d)`` matrix: ``A``, ``B``, ``AB_1`` .. ``AB_d``.

        This is COINr's run order (its runs ``r_1 .. r_N`` are ``A``, the next
        ``N`` are ``B``, then one block of ``N`` per factor).
        """
        blocks = [self.A, self.B]
        for i in range(self.d):
            ab = self.A.copy()
            ab[:, i] = self.B[:, i]
            blocks.append(ab)
        return np.vstack(blocks)

    def split(self, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Split outputs of :meth:`stacked` runs into ``y_A (N, m)``, ``y_B (N, m)``, ``y_AB (d, N, m)``."""
        return split_outputs(y, self.n, self.d)


def split_outputs(y: np.ndarray, n: int, d: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Split ``(N (d + 2), ...)`` outputs in ``A, B, AB_1..AB_d`` order."""
    y = np.asarray(y, dtype=float)
    if y.shape[0] != n * (d + 2):
        raise ValueError(f"expected {n * (d + 2)} outputs (N (d + 2)), got {y.shape[0]}")
    y2 = y.reshape(n * (d + 2), -1)
    return y2[:n], y2[n : 2 * n], y2[2 * n :].reshape(d, n, -1)


def saltelli_design(
    d: int,
    n: int,
    *,
    seed: int | np.random.Generator | None = None,
    sequence: str = "sobol",
) -> SaltelliDesign:
    """Draw the base matrices of a Saltelli design.

    Parameters
    ----------
    d : int
        Number of factors.
    n : int
        Base sample size ``N`` (a power of two keeps the Sobol' sequence balanced).
    seed : int, Generator or None
        Seeds the scrambling (``sequence="sobol"``) or the draws (``"random"``).
    sequence : {"sobol", "random"}
        ``"sobol"`` uses SALib's scrambled Sobol' sampler
        (``SALib.sample.sobol.sample`` with ``calc_second_order=False``), whose
        rows come as ``[A_j, AB_j^1 .. AB_j^d, B_j]``; ``A`` and ``B`` are read off
        it.  ``"random"`` draws ``A`` and ``B`` as independent U(0, 1) numbers,
        as COINr does.

    Returns
    -------
    SaltelliDesign
    """
    if d < 1 or n < 2:
        raise ValueError("need at least one factor and N >= 2")
    if sequence == "random":
        rng = np.random.default_rng(seed)
        return SaltelliDesign(A=rng.random((n, d)), B=rng.random((n, d)))
    if sequence != "sobol":
        raise ValueError(f"sequence must be 'sobol' or 'random', got {sequence!r}")
    import warnings

    from SALib.sample import sobol as salib_sobol

    problem = {"num_vars": d, "names": [f"x{i}" for i in range(d)], "bounds": [[0.0, 1.0]] * d}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SALib warns when N is not a power of 2
        raw = salib_sobol.sample(problem, n, calc_second_order=False, scramble=True, seed=seed)
    blocks = raw.reshape(n, d + 2, d)
    # Exactly 1.0 cannot occur for a scrambled Sobol' point, but guard the bins.
    a = np.minimum(blocks[:, 0, :], np.nextafter(1.0, 0.0))
    b = np.minimum(blocks[:, -1, :], np.nextafter(1.0, 0.0))
    return SaltelliDesign(A=a, B=b)


@dataclass(frozen=True)
class SobolResult:
    """First-order and total indices, with bootstrap percentile intervals.

    Arrays have shape ``(d, m)``: one row per factor, one column per output.
    ``*_low`` / ``*_high`` are the bootstrap quantiles at ``conf`` (default 5% and
    95%, as COINr reports); they are ``NaN`` when ``n_boot == 0``.
    """

    S1: np.ndarray
    ST: np.ndarray
    S1_low: np.ndarray
    S1_high: np.ndarray
    ST_low: np.ndarray
    ST_high: np.ndarray
    variance: np.ndarray


def _estimate(yA: np.ndarray, yB: np.ndarray, yAB: np.ndarray, ddof: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Core estimators on arrays with a leading batch axis.

    ``yA, yB``: ``(..., N, m)``; ``yAB``: ``(..., d, N, m)``.  Returns S1, ST ``(..., d, m)``
    and ``V (..., m)``.
    """
    v = np.var(np.concatenate([yA, yB], axis=-2), axis=-2, ddof=ddof)
    with np.errstate(invalid="ignore", divide="ignore"):
        s1 = np.mean(yB[..., None, :, :] * (yAB - yA[..., None, :, :]), axis=-2) / v[..., None, :]
        st = np.mean((yA[..., None, :, :] - yAB) ** 2, axis=-2) / (2.0 * v[..., None, :])
    zero = v[..., None, :] == 0
    s1 = np.where(zero, np.nan, s1)
    st = np.where(zero, np.nan, st)
    return s1, st, v


def sobol_indices(
    yA: np.ndarray,
    yB: np.ndarray,
    yAB: np.ndarray,
    *,
    n_boot: int = 100,
    conf: tuple[float, float] = (0.05, 0.95),
    ddof: int = 1,
    seed: int | np.random.Generator | None = None,
    boot_chunk_bytes: int = 256 * 2**20,
) -> SobolResult:
    """Estimate first-order and total Sobol indices for many outputs at once.

    Parameters
    ----------
    yA, yB : ndarray, shape (N,) or (N, m)
        Outputs of the runs on ``A`` and ``B``.
    yAB : ndarray, shape (d, N) or (d, N, m)
        Outputs of the runs on ``AB_i``.
    n_boot : int
        Bootstrap resamples of the ``N`` base rows (rows resampled jointly across
        ``A``, ``B`` and every ``AB_i``, as SALib and COINr do); 0 disables.
    conf : (float, float)
        Quantile levels of the percentile bootstrap interval.
    ddof : int
        Delta degrees of freedom of the output variance ``V`` (1 = COINr, 0 = SALib).
    seed : int, Generator or None
        Seeds the bootstrap.
    boot_chunk_bytes : int
        Memory budget for one block of bootstrap resamples.

    Returns
    -------
    SobolResult

    Notes
    -----
    An output with zero variance (e.g. a unit whose rank never changes) has
    undefined indices and gets ``NaN``.  Estimates can fall slightly outside
    ``[0, 1]`` at small ``N``: that is Monte Carlo error, not a bug.
    """
    yA = np.asarray(yA, dtype=float)
    yB = np.asarray(yB, dtype=float)
    yAB = np.asarray(yAB, dtype=float)
    vector = yA.ndim == 1
    if vector:
        yA, yB, yAB = yA[:, None], yB[:, None], yAB[..., None]
    n, m = yA.shape
    if yB.shape != (n, m) or yAB.ndim != 3 or yAB.shape[1:] != (n, m):
        raise ValueError("yA, yB must be (N, m) and yAB (d, N, m)")
    d = yAB.shape[0]
    s1, st, v = _estimate(yA, yB, yAB, ddof)
    nan = np.full((d, m), np.nan)
    lo1, hi1, lot, hit = nan, nan.copy(), nan.copy(), nan.copy()
    if n_boot > 0:
        rng = np.random.default_rng(seed)
        idx = rng.integers(0, n, size=(n_boot, n))
        per_boot = (d + 2) * n * m * 8 * 3
        step = max(1, boot_chunk_bytes // max(per_boot, 1))
        b1 = np.empty((n_boot, d, m))
        bt = np.empty((n_boot, d, m))
        for s in range(0, n_boot, step):
            ii = idx[s : s + step]
            b1[s : s + step], bt[s : s + step], _ = _estimate(yA[ii], yB[ii], yAB[:, ii].transpose(1, 0, 2, 3), ddof)
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            lo1, hi1 = np.nanquantile(b1, conf, axis=0)
            lot, hit = np.nanquantile(bt, conf, axis=0)
    return SobolResult(S1=s1, ST=st, S1_low=lo1, S1_high=hi1, ST_low=lot, ST_high=hit, variance=v)
