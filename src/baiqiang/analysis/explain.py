"""Why a unit ranks where it does: contributions, strengths and weaknesses,
obstacle degree (障碍度), nearest peers and comparison within its group.

Everything here works on arrays laid out as the engine lays them out: node
values ``(n_units, n_nodes)`` with the indicators (normalised) first and then
the aggregates bottom-up (:class:`baiqiang.framework.structure.Hierarchy`
order), and each node's weight within its parent ``(n_nodes,)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping

import numpy as np
import pandas as pd

from baiqiang.analysis.ranks import rank_desc
from baiqiang.errors import BaiqiangError
from baiqiang.framework.plan import BoundStep, Plan
from baiqiang.framework.structure import Hierarchy
from baiqiang.pipeline import Results

__all__ = [
    "Explanation",
    "all_contributions",
    "contributions",
    "explain_unit",
    "shapley",
    "effective_weights",
    "group_comparison",
    "nearest_peers",
    "obstacle_degree",
    "strengths_weaknesses",
]


def _available_weights(y: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Per-unit weights over the available (non-missing) children, summing to 1."""
    wm = np.where(np.isnan(y), 0.0, w[None, :])
    tot = wm.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return wm / np.where(tot > 0, tot, np.nan)


EXACT_SHAPLEY_CHILDREN = 10
"""Up to this many children Shapley values are computed over all ``2^k`` coalitions."""

SHAPLEY_PERMUTATIONS = 512
"""Above it, over this many random orders of the children (seeded, so reproducible)."""


def contributions(plan: Plan, values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Contribution of every node to the root score, per unit, for any aggregation method.

    Parameters
    ----------
    plan : Plan
        The compiled framework: which bound kernel (method and parameters)
        forms every aggregate.
    values : ndarray, shape (n_units, n_nodes)
        Normalised indicators followed by aggregate scores (node order of the
        plan's hierarchy), for every unit of the build.
    weights : ndarray, shape (n_nodes,)
        Each node's weight within its parent, as the build used it (re-scaled
        over each unit's available children, as the aggregation does).

    Returns
    -------
    ndarray, shape (n_units, n_nodes)
        ``c[u, k]``: the part of unit ``u``'s root score attributed to node ``k``.
        For every aggregate the contributions of its children add up to its
        own, so the indicators' contributions add up to the root score (to
        floating-point rounding).  A missing child contributes ``NaN``.

    Notes
    -----
    Allocation is top-down from ``c_root = y_root``; aggregate ``a`` with score
    ``y_a`` and contribution ``c_a`` splits ``c_a`` among its children by the
    decomposition its method admits:

    * arithmetic (``y_a = sum_k w'_k y_k``): exact additive shares
      ``c_k = m_a w'_k y_k`` with the multiplier ``m_a = c_a / y_a`` carried down
      as a product of weights (``m_root = 1``), so in an all-arithmetic tree
      ``c_i`` is the effective weight times the normalised value (OECD/JRC 2008
      Handbook, s. 6);
    * geometric (``ln y_a = sum_k w'_k ln y_k``): log-shares
      ``c_k = c_a w'_k ln y_k / ln y_a``, with ``ln y_a`` taken as ``sum_k w'_k ln y_k``;
    * every other method (harmonic, generalised, median, TOPSIS,
      Mazziotta-Pareto, Copeland, a user's kernel): Shapley values of the game
      ``v(S)`` = the registered kernel's score with only the children in ``S``
      available (the others missing; ``v(S) = 0`` when the kernel gives no
      score for ``S``, e.g. the empty coalition),
      ``phi_k = sum_{S not containing k} |S|! (K - |S| - 1)! / K! (v(S + k) - v(S))``,
      which sum to ``v(N) = y_a`` (efficiency), and ``c_k = c_a phi_k / y_a``.
      Exact over all coalitions for ``K <= 10`` children; above that, the mean
      of marginal contributions over 512 seeded random orders, which still sums
      to ``y_a`` exactly (Shapley 1953; Castro, Gomez and Tejada 2009).

    Where a share's denominator is zero (``y_a = 0``, ``ln y_a = 0``) the
    children take plain weight shares ``w'_k``.
    """
    h = plan.hierarchy
    values = np.asarray(values, dtype=float)
    w = np.asarray(weights, dtype=float)
    c = np.full_like(values, np.nan)
    mult = np.full_like(values, np.nan)
    root = h.index[h.root]
    c[:, root] = values[:, root]
    mult[:, root] = 1.0
    for code in reversed(h.aggregate_codes):
        a = h.index[code]
        kids = h.children[code]
        y = values[:, kids]
        wn = _available_weights(y, w[kids])
        step = plan.aggregators[code]
        with np.errstate(invalid="ignore", divide="ignore"):
            if step.kernel.name == "arithmetic":
                ck, mk = _arithmetic_split(c[:, a], mult[:, a], values[:, a], y, wn)
            else:
                if step.kernel.name == "geometric":
                    # Divided by the sum of the parts, not by ln y_a: ln(exp(s)) loses the relative
                    # precision of a sum s near 0 (y_a = 1 + 1e-14), and the shares must sum to 1.
                    log_parts = wn * np.log(y)
                    share = _ratio(log_parts, np.nansum(log_parts, axis=1, keepdims=True), wn)
                else:
                    share = _ratio(shapley(step, y, w[kids]), values[:, a][:, None], wn)
                ck = c[:, a][:, None] * share
                mk = ck / y
        c[:, kids], mult[:, kids] = np.where(np.isnan(y), np.nan, ck), mk
    return c


def _ratio(part: np.ndarray, total: np.ndarray, fallback: np.ndarray) -> np.ndarray:
    """``part / total`` where the total is a non-zero number, else the fallback shares."""
    ok = np.isfinite(total) & (np.abs(total) > 0)
    return np.where(ok, part / np.where(ok, total, 1.0), fallback)


def _arithmetic_split(
    c_a: np.ndarray, m_a: np.ndarray, y_a: np.ndarray, y: np.ndarray, wn: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """``c_k = m_a w'_k y_k``; a missing multiplier is recovered as ``c_a / y_a``."""
    ma = np.where(np.isnan(m_a), c_a / y_a, m_a)[:, None]
    mk = ma * wn
    return mk * y, mk


def shapley(step: BoundStep, y: np.ndarray, w: np.ndarray, *, seed: int = 0) -> np.ndarray:
    """Shapley value of every child for every unit under ``step``'s kernel, ``(n_units, K)``.

    The game is ``v(S)`` = the kernel's score when only the children in ``S``
    are available (see :func:`contributions`); every unit's game is evaluated
    at once, coalitions along the kernel's batch axis.  Missing children are
    null players (available-case aggregation ignores them) and get 0.
    """
    n, k = y.shape
    if k <= EXACT_SHAPLEY_CHILDREN:
        masks = (np.arange(2**k)[:, None] >> np.arange(k)[None, :]) & 1  # (2^k, K): coalition membership
        v = _coalition_values(step, y, w, masks.astype(bool))  # (2^k, n)
        size = masks.sum(axis=1)
        coef = np.array([math.factorial(s) * math.factorial(k - s - 1) / math.factorial(k) for s in range(k)])
        phi = np.empty((n, k))
        for j in range(k):  # K terms, each over all coalitions and units at once
            without = np.flatnonzero(masks[:, j] == 0)
            phi[:, j] = (coef[size[without]][:, None] * (v[without | (1 << j)] - v[without])).sum(axis=0)
        return phi
    rng = np.random.default_rng(seed)
    orders = np.array([rng.permutation(k) for _ in range(SHAPLEY_PERMUTATIONS)])
    phi = np.zeros((n, k))
    for order in orders:
        prefix = np.zeros((k + 1, k), dtype=bool)
        for pos, j in enumerate(order):
            prefix[pos + 1 :, j] = True
        v = _coalition_values(step, y, w, prefix)
        phi[:, order] += (v[1:] - v[:-1]).T
    return phi / len(orders)


_COALITION_CELLS = 4_000_000


def _coalition_values(step: BoundStep, y: np.ndarray, w: np.ndarray, masks: np.ndarray) -> np.ndarray:
    """``v(S)`` for every coalition row of ``masks`` ``(M, K)`` and unit: ``(M, n)``; 0 where nothing is available."""
    n, k = y.shape
    out = np.empty((len(masks), n))
    block = max(1, _COALITION_CELLS // max(1, n * k))
    for start in range(0, len(masks), block):
        m = masks[start : start + block]
        x = np.where(m[:, None, :], y[None, :, :], np.nan)
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            scores = step.call(x, np.broadcast_to(w, m.shape).copy())
        # No available child, or a score the kernel leaves undefined for a sub-coalition: v = 0.
        out[start : start + block] = np.where(np.isnan(x).all(axis=2) | np.isnan(scores), 0.0, scores)
    return out


def effective_weights(h: Hierarchy, weights: np.ndarray) -> np.ndarray:
    """Weight of each node in the root: product of normalised weights on its path.

    ``weights`` are within-parent weights ``(n_nodes,)``; they are normalised
    within each parent first.  Returns ``(n_nodes,)`` with the root at 1.
    """
    w = np.asarray(weights, dtype=float)
    out = np.zeros_like(w)
    out[h.index[h.root]] = 1.0
    for code in reversed(h.aggregate_codes):
        kids = h.children[code]
        tot = w[kids].sum()
        out[kids] = out[h.index[code]] * (w[kids] / tot if tot > 0 else 0.0)
    return out


def obstacle_degree(normalised: np.ndarray, factor_weight: np.ndarray) -> np.ndarray:
    """Obstacle degree (障碍度) of every indicator for every unit.

    Parameters
    ----------
    normalised : ndarray, shape (n_units, p)
        Normalised indicators (any scale; higher is better).
    factor_weight : ndarray, shape (p,)
        Factor contribution ``F_j``: the indicator's effective weight in the index
        (its own weight times the weights of its ancestors).

    Returns
    -------
    ndarray, shape (n_units, p)
        ``O_ij = F_j I_ij / sum_j F_j I_ij`` (shares summing to 1 per unit), where
        ``I_ij = 1 - X_ij`` is the deviation of the standardised value
        ``X_ij = (x_ij - min_i x_ij) / (max_i x_ij - min_i x_ij)`` from the best.

    Notes
    -----
    The obstacle-degree model (障碍度模型: 因子贡献度 F, 指标偏离度 I, 障碍度 O)
    as commonly used in Chinese evaluation studies.  Missing values and
    constant columns (no spread) are left out (``NaN``); a unit that is best
    on every indicator has no obstacle (all ``NaN``).  The obstacle degree of a
    pillar is the sum over its indicators.
    """
    x = np.asarray(normalised, dtype=float)
    lo = np.nanmin(x, axis=0)
    span = np.nanmax(x, axis=0) - lo
    with np.errstate(invalid="ignore", divide="ignore"):
        std = (x - lo) / np.where(span > 0, span, np.nan)
        fi = np.asarray(factor_weight, dtype=float)[None, :] * (1.0 - std)
        tot = np.nansum(fi, axis=1, keepdims=True)
        return np.where(tot > 0, fi / tot, np.nan)


def strengths_weaknesses(
    normalised: np.ndarray,
    overall_rank: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Indicator ranks and the gap to the overall rank.

    Returns ``(indicator_rank, gap)``, both ``(n_units, p)``; ``gap = overall rank
    - indicator rank``: positive where the unit does better on the indicator
    than overall (a strength), negative for a weakness (COINr ``get_str_weak``
    ranks the same way: 1 = best, ties share the minimum).
    """
    ind_rank = rank_desc(np.asarray(normalised, dtype=float).T).T
    return ind_rank, np.asarray(overall_rank, dtype=float)[:, None] - ind_rank


def nearest_peers(normalised: np.ndarray, unit: int, k: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` units with the most similar indicator profile.

    Distance: root-mean-square difference of column-standardised (z-score)
    normalised indicators over the indicators both units have,
    ``d(u, v) = sqrt(mean_j (z_uj - z_vj)^2)``.  Returns ``(indices, distances)``
    sorted by distance, the unit itself excluded.
    """
    x = np.asarray(normalised, dtype=float)
    sd = np.nanstd(x, axis=0)
    z = (x - np.nanmean(x, axis=0)) / np.where(sd > 0, sd, 1.0)
    diff2 = (z - z[unit][None, :]) ** 2
    with np.errstate(invalid="ignore"):
        dist = np.sqrt(np.nanmean(np.where(np.isnan(diff2), np.nan, diff2), axis=1)) if diff2.size else np.array([])
    dist[unit] = np.inf
    dist = np.where(np.isnan(dist), np.inf, dist)
    order = np.argsort(dist, kind="stable")[: min(k, len(dist) - 1)]
    return order, dist[order]


def group_comparison(
    scores: pd.DataFrame,
    groups: pd.Series,
    unit: str,
) -> pd.DataFrame:
    """Compare a unit with the other members of its group (province, prefecture).

    Parameters
    ----------
    scores : DataFrame
        Units as rows, aggregate (or indicator) codes as columns.
    groups : Series
        Group label of every unit (same index as ``scores``).
    unit : str

    Returns
    -------
    DataFrame with one row per column of ``scores``: ``value``, ``group_mean``,
    ``group_median``, ``group_rank`` (1 = best within the group, ties min),
    ``group_size`` and ``diff_to_mean``.
    """
    label = groups.loc[unit]
    members = groups.index[groups == label]
    sub = scores.loc[members]
    ranks = rank_desc(sub.to_numpy(dtype=float).T).T
    pos = list(members).index(unit)
    out = pd.DataFrame(
        {
            "value": sub.loc[unit].to_numpy(dtype=float),
            "group_mean": sub.mean(axis=0).to_numpy(),
            "group_median": sub.median(axis=0).to_numpy(),
            "group_rank": ranks[pos],
            "group_size": sub.notna().sum(axis=0).to_numpy(),
        },
        index=pd.Index(scores.columns, name="code"),
    )
    out["diff_to_mean"] = out["value"] - out["group_mean"]
    out.attrs["group"] = label
    return out


def node_values(results: Results) -> np.ndarray:
    """Normalised indicators and aggregate scores, ``(n_units, n_nodes)`` in hierarchy order."""
    h = results.hierarchy
    return np.column_stack([
        results.datasets["normalised"][h.indicator_codes].to_numpy(dtype=float),
        results.scores[h.aggregate_codes].to_numpy(dtype=float),
    ])


def all_contributions(results: Results) -> pd.DataFrame:
    """Contribution of every node to the root score for every unit (units x node codes)."""
    h = results.hierarchy
    w = results.weights["within_parent"].reindex(h.node_codes).to_numpy(dtype=float)
    c = contributions(results.plan, node_values(results), w)
    return pd.DataFrame(c, index=results.scores.index, columns=h.node_codes)


@dataclass(frozen=True)
class Explanation:
    """Why one unit ranks where it does (tables with Chinese-ready columns).

    ``indicators``: per indicator its raw and normalised value, weight in the
    index, contribution, share of the score, rank, gap to the overall rank and
    obstacle degree; ``aggregates``: the same for pillars and sub-indices;
    ``strengths`` / ``weaknesses``: the indicators with the largest positive /
    negative gaps; ``peers``: nearest units by indicator profile; ``groups``:
    one comparison table per group attribute (province, prefecture ...).
    """

    unit: str
    name: str
    score: float
    rank: float
    n_ranked: int
    indicators: pd.DataFrame
    aggregates: pd.DataFrame
    strengths: pd.DataFrame
    weaknesses: pd.DataFrame
    peers: pd.DataFrame
    groups: dict[str, pd.DataFrame]

    def tables(self) -> dict[str, pd.DataFrame]:
        out = {"indicators": self.indicators, "aggregates": self.aggregates, "strengths": self.strengths,
               "weaknesses": self.weaknesses, "peers": self.peers}
        out.update({f"group_{g}": t for g, t in self.groups.items()})
        return out


def explain_unit(
    results: Results,
    unit: str,
    *,
    top: int = 5,
    n_peers: int = 5,
    group_columns: list[str] | None = None,
) -> Explanation:
    """Explain one unit of a build: contributions, strengths, obstacles, peers, groups.

    Parameters
    ----------
    results : Results
        A nominal build (:func:`baiqiang.pipeline.run`).
    unit : str
        Unit code (or exact unit name).
    top : int
        Strengths and weaknesses to list.
    n_peers : int
    group_columns : list of str, optional
        Unit attributes to compare within (default: the framework's ``groups``
        plus ``province`` / ``prefecture`` columns when present).
    """
    h = results.hierarchy
    root = h.root
    unit = _unit_code(results, unit)
    u = list(results.scores.index).index(unit)
    if np.isnan(results.scores[root].iloc[u]):
        raise BaiqiangError.single("unit", f"{unit} 未参与排名 / was not ranked (screened out)", "not_ranked")
    contrib = all_contributions(results).iloc[u]
    ranked = results.scores[root].notna().to_numpy()
    overall = results.ranks[root].to_numpy(dtype=float)
    score = float(results.scores[root].iloc[u])
    ind = _indicator_table(results, u, contrib, ranked, overall, score)
    agg_codes = [c for c in h.aggregate_codes if c != root]
    parent_obstacle = ind["obstacle"].groupby(ind["parent"]).sum()
    agg = _aggregate_table(results, u, agg_codes, contrib, overall[u], parent_obstacle)
    strengths, weaknesses = _strengths_and_weaknesses(ind, top)
    wanted = group_columns if group_columns is not None else _default_group_columns(results)
    return Explanation(
        unit=unit, name=str(results.panel.names.get(unit, unit)), score=score, rank=float(overall[u]),
        n_ranked=int(ranked.sum()), indicators=ind, aggregates=agg, strengths=strengths, weaknesses=weaknesses,
        peers=_peer_table(results, ranked, u, n_peers), groups=_group_tables(results, unit, ranked, agg_codes, wanted),
    )


#: Panel attributes compared within by default (after the framework's own groups).
_GROUP_ATTRIBUTES = ("province", "prefecture", "省", "市", "地级市")


def _unit_code(results: Results, unit: str) -> str:
    """The code of ``unit``, given as a code or as an exact name that exactly one unit has."""
    codes = list(results.scores.index)
    if unit in codes:
        return unit
    names = results.panel.names
    hits = [c for c in codes if names.get(c) == unit]
    if len(hits) != 1:
        raise BaiqiangError.single("unit", f"找不到单位 / unknown unit {unit!r}", "unknown_unit")
    return hits[0]


def _weight_in_index(results: Results) -> np.ndarray:
    """Every node's effective weight in the index, in hierarchy order."""
    return results.weights["in_index"].reindex(results.hierarchy.node_codes).to_numpy(dtype=float)


def _indicator_table(
    results: Results, u: int, contrib: pd.Series, ranked: np.ndarray, overall: np.ndarray, score: float,
) -> pd.DataFrame:
    """Unit ``u``'s indicators: values, weight, contribution, share, rank, gap and obstacle degree.

    Ranks and obstacle degrees are among the ranked units only: screened-out
    units must not move the others' ranks or the min-max span.
    """
    h = results.hierarchy
    p = len(h.indicator_codes)
    norm = results.datasets["normalised"][h.indicator_codes]
    ranked_norm = np.where(ranked[:, None], norm.to_numpy(dtype=float), np.nan)
    ind_rank, gap = strengths_weaknesses(ranked_norm, overall)
    in_index = _weight_in_index(results)[:p]
    od = obstacle_degree(ranked_norm, in_index)
    contribution = contrib.iloc[:p].to_numpy()
    return pd.DataFrame(
        {
            "name": [h.name(c) for c in h.indicator_codes],
            "parent": [h.parent_of[c] for c in h.indicator_codes],
            "raw": results.datasets["raw"][h.indicator_codes].iloc[u].to_numpy(dtype=float),
            "normalised": norm.iloc[u].to_numpy(dtype=float),
            "weight_in_index": in_index,
            "contribution": contribution,
            "share": contribution / score if score else np.nan,
            "rank": ind_rank[u],
            "gap": gap[u],
            "obstacle": od[u],
        },
        index=pd.Index(h.indicator_codes, name="code"),
    )


def _aggregate_table(
    results: Results, u: int, agg_codes: list[str], contrib: pd.Series, overall_rank: float, obstacle: pd.Series,
) -> pd.DataFrame:
    """Unit ``u``'s pillars and sub-indices; ``obstacle`` is the obstacle degree summed by parent."""
    h = results.hierarchy
    in_index = _weight_in_index(results)
    agg_rank = results.ranks[agg_codes].iloc[u].to_numpy(dtype=float)
    return pd.DataFrame(
        {
            "name": [h.name(c) for c in agg_codes],
            "level": [h.level_of[c] for c in agg_codes],
            "score": results.scores[agg_codes].iloc[u].to_numpy(dtype=float),
            "weight_in_index": [in_index[h.index[c]] for c in agg_codes],
            "contribution": contrib[agg_codes].to_numpy(),
            "rank": agg_rank,
            "gap": overall_rank - agg_rank,
            "obstacle": [obstacle.get(c, np.nan) for c in agg_codes],
        },
        index=pd.Index(agg_codes, name="code"),
    )


def _strengths_and_weaknesses(ind: pd.DataFrame, top: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ``top`` indicators with the largest positive gaps and the ``top`` with the largest negative ones."""
    strengths = ind[ind["gap"] > 0].sort_values(["gap", "rank"], ascending=[False, True]).head(top)
    weaknesses = ind[ind["gap"] < 0].sort_values(["gap", "rank"], ascending=[True, False]).head(top)
    return strengths, weaknesses


def _peer_table(results: Results, ranked: np.ndarray, u: int, n_peers: int) -> pd.DataFrame:
    """The ranked units nearest to unit ``u`` by indicator profile, with their score and rank."""
    h = results.hierarchy
    codes = list(results.scores.index)
    norm = results.datasets["normalised"][h.indicator_codes].to_numpy(dtype=float)
    ranked_idx = np.flatnonzero(ranked)
    pidx, pdist = nearest_peers(norm[ranked_idx], int(np.searchsorted(ranked_idx, u)), n_peers)
    peer_codes = [codes[ranked_idx[i]] for i in pidx]
    return pd.DataFrame(
        {
            "name": results.panel.names.reindex(peer_codes).to_numpy(),
            "distance": pdist,
            "score": results.scores[h.root].reindex(peer_codes).to_numpy(),
            "rank": results.ranks[h.root].reindex(peer_codes).to_numpy(),
        },
        index=pd.Index(peer_codes, name="code"),
    )


def _default_group_columns(results: Results) -> list[str]:
    """The framework's groups, then whichever province / prefecture columns the panel has (each once)."""
    frame = results.panel.frame
    return list(dict.fromkeys([*results.framework.groups, *[c for c in _GROUP_ATTRIBUTES if c in frame.columns]]))


def _group_tables(
    results: Results, unit: str, ranked: np.ndarray, agg_codes: list[str], columns: list[str],
) -> dict[str, pd.DataFrame]:
    """One :func:`group_comparison` of the ranked units per attribute in ``columns`` that ``unit`` has."""
    frame = results.panel.frame
    scores = results.scores.loc[ranked, [*agg_codes, results.hierarchy.root]]
    return {
        g: group_comparison(scores, frame[g].reindex(scores.index), unit)
        for g in columns
        if g in frame.columns and pd.notna(frame[g].get(unit))
    }
