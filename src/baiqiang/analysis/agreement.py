"""Agreement of a ranking with a published list, with paired bootstrap intervals.

Three measures, fixed in docs/indicators.md §1.4 before any were computed:

* **hit rate**: the share of the list's ranked units that fall in our top ``k``;
* **Spearman**: the rank correlation between our rank and the published rank
  over the list's ranked units (average ranks for ties, as in
  :func:`scipy.stats.spearmanr`);
* **province-seat error**: half the L1 distance between the province counts of
  our top ``k`` and the published province counts, i.e. the number of seats
  given to the wrong province: ``E = ½ Σ_p |o_p − c_p|``.

Intervals are percentile bootstrap intervals (Efron & Tibshirani 1993, ch. 13).
Hit rate and Spearman resample the list's units; the seat error, a sum over
provinces, resamples provinces.  Candidates are compared **paired**: every
candidate is scored on the same resamples, and the interval of the difference
to a baseline says whether the gap is larger than the sampling noise of a
short, incomplete published list.  All resamples are evaluated at once as
``(B, m)`` arrays; no loop over resamples or units.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from baiqiang.framework.spec import Framework

if TYPE_CHECKING:
    from baiqiang.data.resolve import Resolver

METRICS = ("hit_rate", "spearman", "seat_error")
METRIC_NAMES_ZH = {"hit_rate": "命中率", "spearman": "Spearman", "seat_error": "分省席位误差"}


@dataclass(frozen=True)
class PublishedList:
    """One published list, resolved to unit codes.

    ``ranks`` maps unit code → published rank (ranked members only);
    ``seats`` maps province → number of seats in the published top ``k``,
    when the publisher states them for every province (else ``None``).
    """

    name: str
    ranks: pd.Series
    seats: pd.Series | None = None


def _average_ranks(x: np.ndarray) -> np.ndarray:
    """Ascending ranks along axis 1, ties given the mean of their ranks: ``scipy.stats.rankdata(x, axis=1)``.

    The lowest rank of a tie is ``1 + #{j: x_j < x_i}`` (competition rank of ``-x``),
    the highest ``m - #{j: x_j > x_i}``; without SciPy, whose import costs ~0.5 s.  Rows of whole
    numbers spanning at most ``2 m`` values (ranks of ``m`` units, as the agreement bootstrap resamples
    them) are ranked by counting (:func:`_average_ranks_by_counting`), the same numbers.
    """
    from baiqiang.methods.rank import competition_rank

    if x.size and x.ndim == 2:
        lo, hi = float(x.min()), float(x.max())
        # Counting costs one bin per value and row: only when that is about the size of x itself.
        if np.isfinite(lo) and np.isfinite(hi) and hi - lo < 2 * x.shape[1] and np.array_equal(x, np.floor(x)):
            return _average_ranks_by_counting((x - lo).astype(np.int64), int(hi - lo) + 1)
    return (competition_rank(-x) + x.shape[1] + 1.0 - competition_rank(x)) / 2.0


def _average_ranks_by_counting(codes: np.ndarray, k: int) -> np.ndarray:
    """Average ranks along axis 1 of whole numbers ``0 <= codes < k``: ``#{j: x_j < x_i} + (#{j: x_j = x_i} + 1) / 2``.

    Per row, the count of each value and the running count below it, gathered back: one pass
    instead of two sorts (8,004 resamples of 100 ranks, full of ties: 40 → 8.6 ms with the CLI's
    malloc settings; :func:`evaluate` of the demo's three lists 0.09–0.105 → 0.055 s CPU), exact
    (whole and half numbers).
    """
    rows = codes.shape[0]
    flat = codes + (np.arange(rows, dtype=np.int64) * k)[:, None]
    equal = np.bincount(flat.ravel(), minlength=rows * k)
    below = np.cumsum(equal.reshape(rows, k), axis=1).ravel() - equal
    return (below + (equal + 1) / 2.0)[flat]  # each (row, value)'s rank, then gathered: one gather


def _spearman_rows(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Spearman's rho of each row pair of ``(B, m)`` arrays: Pearson of average ranks."""
    return _pearson_of_centred(_centred_ranks(x), _centred_ranks(y))


def _centred_ranks(x: np.ndarray) -> np.ndarray:
    """Average ranks along axis 1 (:func:`_average_ranks`) minus each row's mean."""
    r = _average_ranks(x)
    r -= r.mean(axis=1, keepdims=True)
    return r


def _pearson_of_centred(rx: np.ndarray, ry: np.ndarray) -> np.ndarray:
    """Pearson's r of each pair of rows (last axis) of centred arrays; ``ry`` may broadcast over leading axes."""
    den = np.sqrt((rx * rx).sum(axis=-1) * (ry * ry).sum(axis=-1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, (rx * ry).sum(axis=-1) / den, np.nan)


def _seat_counts(ours: pd.DataFrame, top: int, provinces: pd.Index) -> np.ndarray:
    in_top = ours.loc[ours["rank"] <= top, "province"]
    return in_top.value_counts().reindex(provinces, fill_value=0).to_numpy(dtype=float)


def evaluate(
    candidates: Mapping[str, pd.DataFrame],
    published: PublishedList,
    *,
    top: int = 100,
    n_boot: int = 2000,
    seed: int = 0,
) -> dict[str, np.ndarray]:
    """Bootstrap replicates of each measure for each candidate ranking.

    ``candidates`` maps a name to a frame indexed by unit code with columns
    ``rank`` (1 = best; units outside the ranking are simply absent) and
    ``province``.  Returns ``{metric: array (C, 1 + B)}``: column 0 is the
    point estimate on the full list, columns 1.. are the replicates.  A listed
    unit absent from a candidate's ranking counts as a miss and takes the rank
    after the candidate's last.
    """
    names = list(candidates)
    codes = published.ranks.index
    pub = published.ranks.to_numpy(dtype=float)
    rng = np.random.default_rng(seed)
    m = len(codes)
    idx = np.vstack([np.arange(m), rng.integers(0, m, size=(n_boot, m))])  # (1 + B, m)
    our = np.vstack([candidates[n]["rank"].reindex(codes).fillna(len(candidates[n]) + 1).to_numpy(dtype=float)
                     for n in names])  # (C, m)
    hits = (our <= top).astype(float)
    # Ranks depend only on the order of the values: each candidate's ranks replaced by their order among its
    # listed units (0, 1, ... with ties kept) give every resample the same average ranks, from values < m.
    order = np.vstack([np.unique(row, return_inverse=True)[1] for row in our]).astype(float)
    out = {
        "hit_rate": hits[:, idx].mean(axis=2),
        # The published ranks of each resample are ranked once, every candidate's in one block.
        "spearman": _pearson_of_centred(_centred_ranks(order[:, idx].reshape(-1, m)).reshape(len(names), *idx.shape),
                                        _centred_ranks(pub[idx])),
    }
    if published.seats is not None:
        provinces = published.seats.index.union(
            pd.Index(sorted({p for n in names for p in candidates[n]["province"].dropna().unique()})))
        target = published.seats.reindex(provinces, fill_value=0).to_numpy(dtype=float)
        gaps = np.abs(np.vstack([_seat_counts(candidates[n], top, provinces) for n in names]) - target)  # (C, P)
        p = len(provinces)
        pidx = np.vstack([np.arange(p), rng.integers(0, p, size=(n_boot, p))])
        out["seat_error"] = 0.5 * gaps[:, pidx].sum(axis=2)
    return out


def summarise(
    replicates: dict[str, np.ndarray],
    names: list[str],
    *,
    baseline: str,
    level: float = 0.95,
) -> pd.DataFrame:
    """One row per (candidate, metric): estimate, interval, and the paired difference to ``baseline``.

    ``better`` is True when the whole interval of the difference lies on the
    good side of zero (higher hit rate and Spearman, lower seat error).
    """
    lo_q, hi_q = (1 - level) / 2, 1 - (1 - level) / 2
    b = names.index(baseline)
    rows = []
    for metric, rep in replicates.items():
        sign = -1.0 if metric == "seat_error" else 1.0
        for c, name in enumerate(names):
            diff = rep[c] - rep[b]
            d_lo, d_hi = np.nanquantile(diff[1:], [lo_q, hi_q])
            rows.append({
                "candidate": name, "metric": metric, "estimate": rep[c, 0],
                "low": np.nanquantile(rep[c, 1:], lo_q), "high": np.nanquantile(rep[c, 1:], hi_q),
                "diff_vs_baseline": diff[0], "diff_low": d_lo, "diff_high": d_hi,
                "better_than_baseline": bool(c != b and min(sign * d_lo, sign * d_hi) > 0),
            })
    return pd.DataFrame(rows)


def caict_lists(kind: str, ranked_codes: set[str], *, seats_year: int | None = 2018,
                resolver: "Resolver | None" = None) -> list[PublishedList]:
    """The bundled CAICT lists (``kind`` = ``county`` or ``district``), one per list year, resolved to codes.

    Names are resolved as the sources wrote them (historical units keep their
    old code) and then carried to their single successor among
    ``ranked_codes`` through the crosswalk; unresolved or ambiguous names are
    left out.  The province seats of ``seats_year`` (complete only for 2014,
    2016 and 2018, see the bundled README) are attached to every county list.
    ``resolver`` (``prefer_current=False``) is the caller's, when it has one: building
    one indexes the whole registry again.
    """
    from baiqiang.data.crosswalk import load_crosswalk, successor_among, successor_links
    from baiqiang.data.registry import Registry, resource_path
    from baiqiang.data.resolve import Resolver

    if resolver is None:
        resolver = Resolver(Registry.load(), prefer_current=False)
    elif resolver.prefer_current:
        raise ValueError("caict_lists resolves names as the sources wrote them: pass a resolver with prefer_current=False")
    links = successor_links(load_crosswalk())  # indexed once, not once per name
    column = "county" if kind == "county" else "district"
    fname = "caict_industrial_top100.csv" if kind == "county" else "caict_industrial_top100_districts.csv"
    rows = pd.read_csv(resource_path("rankings", fname), dtype={"rank": "Int64"}).dropna(subset=["rank"])
    seats = None
    if kind == "county" and seats_year is not None:
        s = pd.read_csv(resource_path("rankings", "caict_province_seats.csv"))
        seats = s[s["year"] == seats_year].set_index("province")["seats"]

    def to_code(name: str, province: str, prefecture: str) -> str:
        res = resolver.resolve(name, province=province, prefecture=prefecture)
        return successor_among(links, res.code, ranked_codes, until=2020) if res.status == "matched" else ""

    rows["code"] = [to_code(n, p, f) for n, p, f in zip(rows[column], rows["province"], rows["prefecture"])]
    lists = []
    for year, grp in rows[rows["code"] != ""].groupby("year"):
        ranks = grp.drop_duplicates("code").set_index("code")["rank"].astype(int)
        lists.append(PublishedList(f"{year}", ranks, seats))
    return lists


def single_column_ranking(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """The one-column baseline: units ranked by ``column`` alone, largest first (competition ranks).

    ``frame`` has ``code``, ``province`` and ``column``; units without a value are left out.
    """
    f = frame.dropna(subset=[column]).set_index("code")
    return pd.DataFrame({"rank": f[column].rank(ascending=False, method="min").astype(int), "province": f["province"]})


def equal_weights(framework: Framework) -> Framework:
    """The "all indicators at equal weight" baseline: the same indicators and methodology, one flat level."""
    data = framework.model_dump()
    root = next(a for a in data["aggregates"] if a["parent"] is None)
    data["indicators"] = [{**i, "parent": root["code"], "weight": 1.0} for i in data["indicators"]]
    data["aggregates"] = [root]
    data["methodology"] = [s for s in data["methodology"] if not s.get("levels") and not s.get("aggregates")]
    return Framework.model_validate(data)
