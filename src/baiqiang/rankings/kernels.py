"""Pure, vectorised kernels of the rankings layer (leading batch axis where it applies).

Each function states its formula and cites where it comes from.
"""

from __future__ import annotations

import numpy as np

COUPLING_GRADES = (
    "极度失调", "严重失调", "中度失调", "轻度失调", "濒临失调",
    "勉强协调", "初级协调", "中级协调", "良好协调", "优质协调",
)
"""The ten grades of the coupling coordination degree D, for D in [0, 0.1), [0.1, 0.2), ..., [0.9, 1]."""

TYPOLOGY = ("标杆型", "潜力型", "衰退型", "后进型")
"""Quadrants: high level & high speed, low & high, high & low, low & low."""


def coupling_coordination(u: np.ndarray, weights: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Coupling degree C, composite development T and coordination degree D of ``u`` ``(..., m)``.

    ``C = m * [prod_i U_i / (sum_i U_i)^m]^(1/m)`` (= geometric mean / arithmetic
    mean, in [0, 1]), ``T = sum_i a_i U_i`` (equal ``a_i`` by default) and
    ``D = sqrt(C * T)``.  Where every ``U_i`` is 0, C is 0 (no development, no
    coupling).  Source: 廖重斌 (1999) 环境与经济协调发展的定量评判及其分类体系,
    热带地理 19(2): 171-177; the n-subsystem form as corrected in 王淑佳 等 (2021)
    国内耦合协调度模型的误区及修正, 自然资源学报 36(3): 793-810.
    """
    u = np.asarray(u, dtype=float)
    m = u.shape[-1]
    a = np.full(m, 1.0 / m) if weights is None else np.asarray(weights, dtype=float)
    total = u.sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        geometric = np.exp(np.log(u).mean(axis=-1))
        c = np.where(total > 0, m * geometric / total, 0.0)
    c = np.where(np.isnan(total), np.nan, c)
    t = u @ a
    return c, t, np.sqrt(c * t)


def coupling_grade(d: np.ndarray) -> np.ndarray:
    """Index into :data:`COUPLING_GRADES` (-1 where D is missing): ``floor(10 D)``, with D = 1 in the top grade."""
    d = np.asarray(d, dtype=float)
    grade = np.clip(np.floor(np.nan_to_num(d, nan=0.0) * 10), 0, 9).astype(int)
    return np.where(np.isnan(d), -1, grade)


def grade_index(scores: np.ndarray, minimums: np.ndarray) -> np.ndarray:
    """Index of the first grade whose minimum the score reaches (grades best first, minimums descending).

    A unit gets grade ``k`` when ``minimums[k] <= score < minimums[k-1]``; below the
    last minimum it gets the fallback grade ``len(minimums)``; missing scores get -1.
    """
    s = np.asarray(scores, dtype=float)
    k = np.searchsorted(-np.asarray(minimums, dtype=float), -np.nan_to_num(s, nan=-np.inf), side="left")
    return np.where(np.isnan(s), -1, k)


def veto(grades: np.ndarray, components: np.ndarray, trigger: int, steps: int, worst: int) -> np.ndarray:
    """One-vote rule: drop ``grades`` ``(..., n)`` by ``steps`` where any component grade ``(..., n, c)`` is ``trigger`` or worse.

    Grades are indices (0 = best, ``worst`` = the fallback grade); a missing grade (-1) stays missing.
    Source: 中郡县域经济研究所, 县域经济基本竞争力评价 (A+/A/A-/B grades, 一票否决).
    """
    hit = (np.asarray(components) >= trigger).any(axis=-1)
    dropped = np.minimum(grades + steps, worst)
    return np.where(hit & (grades >= 0), dropped, grades)


def quadrant(level: np.ndarray, speed: np.ndarray, level_ref: np.ndarray, speed_ref: np.ndarray) -> np.ndarray:
    """Index into :data:`TYPOLOGY`: level and speed at or above their reference (mean) are "high"; -1 where missing.

    Source: the level x speed typology of regional development studies (e.g. 标杆型/潜力型/衰退型/后进型
    in 中国县域经济发展报告 series); ties with the mean count as high.
    """
    high_level = level >= level_ref
    high_speed = speed >= speed_ref
    out = np.where(high_level, np.where(high_speed, 0, 2), np.where(high_speed, 1, 3))
    missing = np.isnan(level) | np.isnan(speed) | np.isnan(level_ref) | np.isnan(speed_ref)
    return np.where(missing, -1, out)


def jenks_tiers(scores: np.ndarray, classes: int) -> tuple[np.ndarray, list[float]]:
    """Tier (1 = highest class) of each score by Jenks natural breaks, and the breaks (lowest first).

    Jenks (1967) minimises the within-class sum of squared deviations; the
    breaks come from ``jenkspy`` (Fisher's exact dynamic programme).  Class
    ``j`` holds ``breaks[j] < x <= breaks[j+1]`` (the lowest class includes its
    minimum); missing scores get tier 0.
    """
    import jenkspy

    s = np.asarray(scores, dtype=float)
    values = s[~np.isnan(s)]
    breaks = [float(b) for b in jenkspy.jenks_breaks(values, n_classes=classes)]
    cls = np.searchsorted(np.asarray(breaks[1:-1]), np.nan_to_num(s, nan=-np.inf), side="left")
    return np.where(np.isnan(s), 0, classes - cls), breaks
