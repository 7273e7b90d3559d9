"""What a white paper says: every table and figure of the report, computed from results.

:func:`build_report` turns a build (and optionally the previous year's build
and an uncertainty analysis) into a :class:`ReportContent`: plain data frames
and a flat dict of facts.  Charts, templates and the web app read only this;
nothing here renders.  Every number the report prints is in ``facts`` or in
one of the tables, so a test can trace each printed number to its source.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from baiqiang.analysis.explain import all_contributions
from baiqiang.data import names as nm
from baiqiang.data.crosswalk import load_crosswalk, successor_among, successor_links
from baiqiang.pipeline import Results
from baiqiang.report.geometry import polygon_keys

DEFAULT_TIERS = (6, 36, 80, 100)
"""CAICT's tiers (1–6, 7–36, 37–80, 81–100), used when the framework declares none."""

REGION_ORDER = ("东部", "中部", "西部", "东北")
POPULATION_COLUMNS = ("pop_total", "population", "常住人口", "总人口")
GDP_COLUMNS = ("gdp", "GDP", "地区生产总值")
ATTRIBUTES = ("type", "prefecture", "province", "region")


@dataclass
class ReportContent:
    """The report's data: tables (one row per unit, group or item) and facts (name → number or text)."""

    title: str
    year: str
    previous_year: str | None
    top_n: int
    tier_cuts: list[int]
    units: pd.DataFrame
    pillars: list[tuple[str, str]]
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)
    method: dict[str, Any] = field(default_factory=dict)

    @property
    def has_map(self) -> bool:
        """Whether any listed unit has a polygon (a framework of countries or towns gets no county map)."""
        return bool((self.top["geo"] != "").any())

    @property
    def top(self) -> pd.DataFrame:
        return self.units[self.units["rank"] <= self.top_n]


def tier_cuts(results: Results) -> list[int]:
    """The framework's tier cut-points, else :data:`DEFAULT_TIERS`."""
    step = results.framework.step("rank")
    cuts = list(step.params.get("tiers", [])) if step is not None else []
    return [int(c) for c in cuts] or list(DEFAULT_TIERS)


def unit_table(results: Results) -> pd.DataFrame:
    """Ranked units with attributes, score, rank, tier, pillar scores and ranks, group ranks; best first."""
    h = results.hierarchy
    root = h.root
    ranked = results.scores.index[results.scores[root].notna()]
    frame = results.panel.frame.reindex(ranked)
    out = pd.DataFrame({"code": ranked, "name": results.panel.names.reindex(ranked).to_numpy()}, index=ranked)
    for col in ATTRIBUTES:
        if col in frame.columns:
            out[col] = frame[col].astype(str).to_numpy()
    if "region" not in out.columns:
        out["region"] = [nm.REGIONS.get(str(c)[:2], "") for c in ranked]
    out["score"] = results.scores.loc[ranked, root].to_numpy()
    out["rank"] = results.ranks.loc[ranked, root].astype(int).to_numpy()
    from baiqiang.methods.rank import tiers

    out["tier"] = tiers(out["rank"].to_numpy(), tier_cuts(results)).astype(int)
    for g in results.group_ranks.columns:
        out[f"{g}_rank"] = results.group_ranks.loc[ranked, g].astype("Int64").to_numpy()
    for p in pillar_codes(results):
        out[f"{p}_score"] = results.scores.loc[ranked, p].to_numpy()
        out[f"{p}_rank"] = results.ranks.loc[ranked, p].astype(int).to_numpy()
    return out.sort_values(["rank", "code"], kind="stable").reset_index(drop=True)


def listed_units(units: pd.DataFrame, ranked_list: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, list[int]]:
    """Apply a named ranking list (:mod:`baiqiang.rankings`): its eligible units, scores, ranks and tiers.

    Units the list's gates leave out are dropped from the ranking and returned
    with their reason; the others are ranked by the list's score (competition
    ranks, as the list does) and so are their dimension ranks, so a report
    shows the same places as the list.  Returns (units, gated, tier cuts).
    """
    from baiqiang.methods.rank import competition_rank
    from baiqiang.rankings.apply import STATUS_BELOW, STATUS_GATED, STATUS_LISTED

    lst = ranked_list.set_index("unit_code")
    lst.index = lst.index.astype(str)
    eligible = lst.index[lst["status"].isin([STATUS_LISTED, STATUS_BELOW])]
    gated = lst.loc[lst["status"] == STATUS_GATED, ["unit_name", "reason"]].rename(columns={"unit_name": "name"})
    out = units[units["code"].isin(eligible)].copy()
    out["score"] = lst["score"].reindex(out["code"]).to_numpy(dtype=float)
    out["rank"] = competition_rank(out["score"].to_numpy()[None, :])[0].astype(int)
    out["tier"] = lst["tier"].reindex(out["code"]).fillna(0).astype(int).to_numpy()
    for col in [c for c in out.columns if c.endswith("_score")]:
        out[col.removesuffix("_score") + "_rank"] = competition_rank(out[col].to_numpy()[None, :])[0].astype(int)
    listed = lst[lst["status"] == STATUS_LISTED]
    cuts = [int(listed.loc[listed["tier"] == t, "rank"].max()) for t in sorted(set(listed["tier"]) - {0})]
    out = out.sort_values(["rank", "code"], kind="stable").reset_index(drop=True)
    return out, gated.reset_index().rename(columns={"unit_code": "code"}), cuts or [int(listed["rank"].max())]


def pillar_codes(results: Results) -> list[str]:
    """The aggregates directly below the root (the report's "dimensions")."""
    h = results.hierarchy
    return [a for a in h.aggregate_codes if h.parent_of[a] == h.root]


def map_codes(previous: pd.Index, current: pd.Index, crosswalk: pd.DataFrame | None = None) -> pd.Series:
    """Previous unit code → current code: the same code, else a one-to-one crosswalk successor."""
    links = successor_links(load_crosswalk() if crosswalk is None else crosswalk)
    have = set(current)
    s = pd.Series({code: successor_among(links, code, have) for code in previous}, dtype=object)
    s = s[s != ""]
    return s[~s.duplicated(keep=False)]


def build_report(
    results: Results,
    previous: Results | None = None,
    *,
    uncertainty: Any = None,
    method: dict[str, Any] | None = None,
    year: str | None = None,
    previous_year: str | None = None,
    movers: int = 10,
    ranked_list: pd.DataFrame | None = None,
    previous_list: pd.DataFrame | None = None,
) -> ReportContent:
    """Every table and fact of the white paper.

    ``ranked_list`` / ``previous_list``: a named list of a ranking outcome
    (``RankingOutcome.lists[id]``) whose gates, scores and tiers the report
    follows; without one, the build's own ranks and the rank step's tiers.
    """
    h = results.hierarchy
    units = unit_table(results)
    gated = None
    if ranked_list is not None:
        units, gated, cuts = listed_units(units, ranked_list)
    else:
        cuts = tier_cuts(results)
    top_n = cuts[-1]
    units["geo"] = polygon_keys(units["code"].tolist()).to_numpy()
    pillars = [(p, h.name(p)) for p in pillar_codes(results)]
    content = ReportContent(
        title=results.framework.name.zh, year=year or _year_of(results), top_n=top_n, tier_cuts=cuts,
        previous_year=(previous_year or _year_of(previous)) if previous is not None else None,
        units=units, pillars=pillars, method=method or results.method_record(),
    )
    if gated is not None:
        content.tables["gated"] = gated
    prev_units = None
    if previous is not None:
        prev_units = unit_table(previous)
        if previous_list is not None:
            prev_units = listed_units(prev_units, previous_list)[0]
        link = map_codes(pd.Index(prev_units["code"]), pd.Index(units["code"]))
        prev_units["current_code"] = prev_units["code"].map(link).fillna("")
        prev_rank = prev_units[prev_units["current_code"] != ""].set_index("current_code")["rank"]
        units["previous_rank"] = units["code"].map(prev_rank).astype("Int64")
        units["rank_change"] = (units["previous_rank"] - units["rank"]).astype("Int64")
        content.tables["movers"] = _movers(results, previous, units, link, top_n, movers)
        content.tables["turnover"] = _turnover(units, prev_units, [10, top_n])
    content.tables["list"] = content.top.copy()
    content.tables["by_region"] = _counts(units, prev_units, "region", top_n, order=REGION_ORDER)
    if "province" in units.columns:
        content.tables["by_province"] = _counts(units, prev_units, "province", top_n)
    content.tables["tiers"] = _tier_composition(units, cuts)
    content.tables["pillar_leaders"] = _pillar_leaders(units, pillars, 10)
    content.tables["no_polygon"] = units.loc[units["geo"] == "", ["code", "name"] + [c for c in ("province",) if c in units]]
    if uncertainty is not None:
        content.tables["robustness"] = _robustness(units, uncertainty, top_n)
    content.tables["indicators"] = _indicator_tree(results)
    content.tables["steps"] = _steps(results)
    content.facts = _facts(content, results, prev_units)
    return content


def _year_of(results: Results | None) -> str:
    if results is None:
        return ""
    digits = "".join(ch if ch.isdigit() else " " for ch in results.panel.source).split()
    years = [d for d in digits if len(d) == 4 and d[:2] in ("19", "20")]
    return years[-1] if years else ""


def _counts(units: pd.DataFrame, prev: pd.DataFrame | None, col: str, top_n: int, order: tuple[str, ...] = ()) -> pd.DataFrame:
    """Units of the top ``top_n`` per value of ``col``, this list and the previous one, and the change."""
    now = units[units["rank"] <= top_n].groupby(col).size().rename("count")
    out = now.to_frame()
    if prev is not None and col in prev.columns:
        before = prev[prev["rank"] <= top_n].groupby(col).size().rename("previous")
        out = out.join(before, how="outer")
        out = out.fillna(0).astype(int)
        out["change"] = out["count"] - out["previous"]
    out = out.fillna(0).astype(int)
    out.index.name = col
    if order:
        out = out.reindex([*order, *(i for i in out.index if i not in order)], fill_value=0)
    else:
        out = out.sort_values(["count", *(["previous"] if "previous" in out else [])], ascending=False, kind="stable")
    out["share"] = out["count"] / max(int(out["count"].sum()), 1)
    return out.reset_index()


def _tier_composition(units: pd.DataFrame, cuts: list[int]) -> pd.DataFrame:
    """Units per tier and region, with each tier's rank span (``1–6`` ...)."""
    tiered = units[units["tier"] > 0]
    table = tiered.groupby(["tier", "region"]).size().unstack(fill_value=0)
    table = table.reindex(columns=[*REGION_ORDER, *(c for c in table.columns if c not in REGION_ORDER)], fill_value=0)
    table["total"] = table.sum(axis=1)
    lows = [1, *(c + 1 for c in cuts[:-1])]
    table.insert(0, "ranks", [f"{lows[t - 1]}–{cuts[t - 1]}" for t in table.index])
    return table.reset_index()


def _pillar_leaders(units: pd.DataFrame, pillars: list[tuple[str, str]], k: int) -> pd.DataFrame:
    parts = []
    for code, name in pillars:
        top = units.sort_values([f"{code}_rank", "code"]).head(k)
        parts.append(pd.DataFrame({
            "pillar": code, "pillar_name": name, "pillar_rank": top[f"{code}_rank"].to_numpy(),
            "code": top["code"].to_numpy(), "name": top["name"].to_numpy(),
            "province": top["province"].to_numpy() if "province" in top else "",
            "score": top[f"{code}_score"].to_numpy(), "rank": top["rank"].to_numpy(),
        }))
    return pd.concat(parts, ignore_index=True)


def _movers(results: Results, previous: Results, units: pd.DataFrame, link: pd.Series, top_n: int, k: int) -> pd.DataFrame:
    """The ``k`` largest rises within this list and falls from the previous list, with their drivers.

    Drivers are the dimensions with the largest change of contribution to the
    score, ``c1_p - c0_p`` (eq. 1 of :mod:`baiqiang.analysis.change`); the
    contributions of all dimensions sum to the score change.
    """
    pillars = pillar_codes(results)
    c1 = all_contributions(results)[pillars]
    c0 = all_contributions(previous)[[p for p in pillars if p in previous.hierarchy.aggregate_codes]]
    c0 = c0.loc[c0.index.intersection(link.index)].rename(index=link).reindex(columns=pillars)
    both = units.dropna(subset=["previous_rank"]).set_index("code")
    if both.empty:
        return pd.DataFrame()
    prev_score = previous.scores[previous.root].rename(index=link)
    delta = (c1.loc[both.index] - c0.reindex(both.index)).fillna(0.0)
    order = np.argsort(-np.abs(delta.to_numpy()), axis=1, kind="stable")
    h = results.hierarchy
    out = both[["name", "rank", "previous_rank", "rank_change", "score"]].copy()
    out["previous_score"] = prev_score.reindex(both.index).to_numpy()
    for j in range(min(2, len(pillars))):
        cols = np.asarray(pillars, dtype=object)[order[:, j]]
        out[f"driver_{j + 1}"] = [h.name(c) for c in cols]
        out[f"driver_{j + 1}_value"] = np.take_along_axis(delta.to_numpy(), order[:, j : j + 1], axis=1)[:, 0]
    up = out[(out["rank_change"] > 0) & (out["rank"] <= top_n)].sort_values(["rank_change", "rank"], ascending=[False, True]).head(k).assign(direction="上升")
    down = out[(out["rank_change"] < 0) & (out["previous_rank"] <= top_n)].sort_values(["rank_change", "rank"], ascending=[True, True]).head(k).assign(direction="下降")
    return pd.concat([up, down]).reset_index()


def _turnover(units: pd.DataFrame, prev: pd.DataFrame, sizes: list[int]) -> pd.DataFrame:
    """Entrants and leavers of the top ``n`` lists (codes linked across years)."""
    rows = []
    for n in dict.fromkeys(sizes):
        now = units[units["rank"] <= n].set_index("code")
        before = prev[prev["rank"] <= n]
        before_codes = set(before["current_code"]) - {""}
        for code, r in now.iterrows():
            if code not in before_codes:
                rows.append({"list": n, "kind": "新进", "code": code, "name": r["name"], "rank": int(r["rank"]),
                             "previous_rank": r.get("previous_rank")})
        current_rank = units.set_index("code")["rank"]
        for r in before.itertuples(index=False):
            if r.current_code not in now.index:
                rows.append({"list": n, "kind": "退出", "code": r.current_code or r.code, "name": r.name,
                             "rank": current_rank.get(r.current_code, pd.NA), "previous_rank": int(r.rank)})
    out = pd.DataFrame(rows, columns=["list", "kind", "code", "name", "rank", "previous_rank"])
    out["rank"] = out["rank"].astype("Int64")
    out["previous_rank"] = out["previous_rank"].astype("Int64")
    return out.sort_values(["list", "kind", "rank", "previous_rank"], ascending=[True, False, True, True], kind="stable").reset_index(drop=True)


def _robustness(units: pd.DataFrame, ua: Any, top_n: int) -> pd.DataFrame:
    """Rank interval and P(top n) of the units in or near the list, from an uncertainty analysis."""
    s = ua.summary.table.copy()
    s.index = s.index.astype(str)
    ranks = pd.DataFrame(ua.ranks, columns=[str(u) for u in ua.units])
    p_top = (ranks <= top_n).mean(axis=0)
    lo, hi = ua.summary.quantiles if hasattr(ua.summary, "quantiles") else (0.05, 0.95)
    out = units.set_index("code")[["name", "rank"]].join(pd.DataFrame({
        "rank_low": ranks.quantile(lo, axis=0), "rank_median": ranks.median(axis=0), "rank_high": ranks.quantile(hi, axis=0),
        "p_top": p_top}), how="inner")
    out = out[(out["rank"] <= top_n) | (out["p_top"] > 0)]
    out["uncertain"] = (out["p_top"] > 0.05) & (out["p_top"] < 0.95)
    return out.sort_values(["rank"]).reset_index()


def _indicator_tree(results: Results) -> pd.DataFrame:
    """Every node with its level, parent, direction, declared and effective weight (pre-order)."""
    h = results.hierarchy
    fw = results.framework
    ind = {i.code: i for i in fw.indicators}
    rows = []

    def visit(code: str, depth: int) -> None:
        w = results.weights.loc[code]
        i = ind.get(code)
        rows.append({"code": code, "name": h.name(code), "depth": depth, "level": int(w["level"]),
                     "direction": ("正向" if i.direction == 1 else "逆向") if i else "",
                     "unit": (i.unit or "") if i else "", "declared": float(w["declared"]),
                     "within_parent": float(w["within_parent"]), "in_index": float(w["in_index"])})
        for k in h.children.get(code, []):
            visit(h.node_codes[k], depth + 1)

    visit(h.root, 0)
    return pd.DataFrame(rows)


def _steps(results: Results) -> pd.DataFrame:
    return pd.DataFrame([{"step": s.step, "id": s.key, "method": s.method or "", "params": _params_text(s.params)}
                         for s in results.framework.methodology])


def _params_text(params: dict[str, Any]) -> str:
    return "；".join(f"{k} = {v}" for k, v in params.items())


def _population(results: Results, codes: pd.Index) -> tuple[float, float] | None:
    """(population of ``codes``, population of every unit in the data) when the data has a population column."""
    frame = pd.concat([results.panel.frame, results.panel.excluded])
    col = next((c for c in POPULATION_COLUMNS if c in frame.columns), None)
    if col is None:
        return None
    values = pd.to_numeric(frame[col], errors="coerce")
    return float(values.reindex(codes).sum()), float(values.sum())


def _facts(content: ReportContent, results: Results, prev: pd.DataFrame | None) -> dict[str, Any]:
    """The flat facts the paragraphs quote (keys are stable names; values are computed numbers)."""
    units, top, n = content.units, content.top, content.top_n
    f: dict[str, Any] = {"year": content.year, "previous_year": content.previous_year or "", "top_n": n,
                         "n_ranked": len(units), "n_in_list": len(top)}
    first, last = top.iloc[0], top.iloc[-1]
    f.update({"first.name": first["name"], "first.score": round(float(first["score"]), 2),
              "last.name": last["name"], "last.score": round(float(last["score"]), 2)})
    if "type" in top.columns:
        for t, k in top["type"].value_counts().items():
            f[f"type.{t}"] = int(k)
    pop = _population(results, pd.Index(top["code"]))
    if pop is not None and pop[1] > 0:
        f["population.list_10k"] = round(pop[0] / 1e4)
        f["population.share_pct"] = round(100 * pop[0] / pop[1], 1)
    for r in content.tables["by_region"].itertuples(index=False):
        f[f"region.{r.region}.count"] = int(r.count)
        if prev is not None:
            f[f"region.{r.region}.change"] = int(r.change)
    if "by_province" in content.tables:
        bp = content.tables["by_province"]
        f["provinces.n"] = int((bp["count"] > 0).sum())
        for i, r in enumerate(bp.head(3).itertuples(index=False), start=1):
            f[f"province_top.{i}.name"] = r.province
            f[f"province_top.{i}.count"] = int(r.count)
            if prev is not None:
                f[f"province_top.{i}.change"] = int(r.change)
    for r in content.tables["tiers"].itertuples(index=False):
        f[f"tier.{r.tier}.tier"] = int(r.tier)
        f[f"tier.{r.tier}.total"] = int(r.total)
        f[f"tier.{r.tier}.ranks"] = r.ranks
        for region in REGION_ORDER:
            if hasattr(r, region):
                f[f"tier.{r.tier}.{region}"] = int(getattr(r, region))
    for code, name in content.pillars:
        lead = content.tables["pillar_leaders"]
        lead = lead[lead["pillar"] == code].iloc[0]
        f[f"pillar.{code}.name"] = name
        f[f"pillar.{code}.leader"] = lead["name"]
        f[f"pillar.{code}.leader_score"] = round(float(lead["score"]), 2)
    if prev is not None:
        turnover = content.tables["turnover"]
        f["top_small"] = 10
        for size in dict.fromkeys([10, n]):
            t = turnover[turnover["list"] == size]
            f[f"turnover.{size}.entrants"] = int((t["kind"] == "新进").sum())
            f[f"turnover.{size}.leavers"] = int((t["kind"] == "退出").sum())
        mv = content.tables["movers"]
        for direction, key in (("上升", "up"), ("下降", "down")):
            m = mv[mv["direction"] == direction]
            if len(m):
                r = m.iloc[0]
                f[f"mover.{key}.name"] = r["name"]
                f[f"mover.{key}.from"] = int(r["previous_rank"])
                f[f"mover.{key}.to"] = int(r["rank"])
                f[f"mover.{key}.driver"] = r["driver_1"]
                f[f"mover.{key}.driver_value"] = round(float(r["driver_1_value"]), 2)
    if "robustness" in content.tables:
        rb = content.tables["robustness"]
        f["ua.uncertain"] = int(rb["uncertain"].sum())
        f["ua.stable"] = int(((rb["p_top"] >= 0.95) & (rb["rank"] <= n)).sum())
    f["geo.missing"] = int((units["geo"] == "").sum())
    return f
