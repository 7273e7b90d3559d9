"""Analytic test functions for Sobol estimators (shipped so users can check them).

Both functions take uniform numbers in ``[0, 1)^d`` (the form the design produces)
and rescale them internally.

References
----------
Ishigami, T., Homma, T. (1990). An importance quantification technique in
uncertainty analysis for computer models. ISUMA '90, 398-403.
doi:10.1109/ISUMA.1990.151285

Sobol', I. M. (1993/2001); analytic indices of the G function as given in
Saltelli et al. (2010), Comput. Phys. Commun. 181, 259-270, section 4.
"""

from __future__ import annotations

import numpy as np

__all__ = ["ishigami", "ishigami_indices", "sobol_g", "sobol_g_indices"]


def ishigami(u: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    """``f = sin x1 + a sin^2 x2 + b x3^4 sin x1`` with ``x_i = pi (2 u_i - 1)``."""
    x = np.pi * (2.0 * np.asarray(u, dtype=float) - 1.0)
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def ishigami_indices(a: float = 7.0, b: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """Analytic ``(S1, ST)`` of :func:`ishigami`.

    ``V1 = (1 + b pi^4 / 5)^2 / 2``, ``V2 = a^2 / 8``, ``V13 = 8 b^2 pi^8 / 225``,
    ``V = V1 + V2 + V13``.
    """
    v1 = 0.5 * (1.0 + b * np.pi**4 / 5.0) ** 2
    v2 = a**2 / 8.0
    v13 = 8.0 * b**2 * np.pi**8 / 225.0
    v = v1 + v2 + v13
    return np.array([v1, v2, 0.0]) / v, np.array([v1 + v13, v2, v13]) / v


def sobol_g(u: np.ndarray, a: np.ndarray) -> np.ndarray:
    """``G = prod_i (|4 u_i - 2| + a_i) / (1 + a_i)``."""
    u = np.asarray(u, dtype=float)
    a = np.asarray(a, dtype=float)
    return np.prod((np.abs(4.0 * u - 2.0) + a) / (1.0 + a), axis=1)


def sobol_g_indices(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Analytic ``(S1, ST)`` of :func:`sobol_g`.

    ``V_i = 1 / (3 (1 + a_i)^2)``, ``V = prod(1 + V_i) - 1``,
    ``S_i = V_i / V``, ``ST_i = V_i prod_{j != i}(1 + V_j) / V``.
    """
    a = np.asarray(a, dtype=float)
    vi = 1.0 / (3.0 * (1.0 + a) ** 2)
    v = np.prod(1.0 + vi) - 1.0
    st = vi * np.prod(1.0 + vi) / (1.0 + vi) / v
    return vi / v, st
