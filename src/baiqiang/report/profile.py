"""A county profile: one unit's place in the list, its strengths, obstacles, change and next target.

:func:`build_profile` returns a plain dict (facts and small tables) that the
profile template, the web app and tests read; every number in it comes from
the build (:mod:`baiqiang.analysis.explain`, :mod:`baiqiang.analysis.target`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from baiqiang.analysis.explain import all_contributions, explain_unit
from baiqiang.analysis.target import solve_target
from baiqiang.errors import BaiqiangError
from baiqiang.methods.rank import group_rank
from baiqiang.pipeline import Results
from baiqiang.report.content import ReportContent, map_codes, pillar_codes


def find_unit(content: ReportContent, unit: str) -> str:
    """The code of ``unit`` (a code, or a name exactly one ranked unit has)."""
    units = content.units
    if unit in set(units["code"]):
        return unit
    hits = units.loc[units["name"] == unit, "code"].tolist()
    if len(hits) == 1:
        return hits[0]
    if len(hits) > 1:
        raise BaiqiangError.single("UNIT", f"名称 {unit} 对应多个单位，请用代码：{'、'.join(hits)} / ambiguous name, give the code", "ambiguous_unit")
    raise BaiqiangError.single("UNIT", f"找不到参与排名的单位 {unit!r} / no ranked unit {unit!r}", "unknown_unit")


def _within(content: ReportContent, code: str, column: str) -> tuple[int, int] | None:
    """(rank, units) of ``code`` among the ranked units sharing its ``column`` value."""
    units = content.units
    if column not in units.columns:
        return None
    groups, _ = pd.factorize(units[column])
    r = group_rank(units["score"].to_numpy()[None, :], groups)[0]
    i = int(np.flatnonzero(units["code"].to_numpy() == code)[0])
    return int(r[i]), int((groups == groups[i]).sum())


def _next_target(content: ReportContent, rank: int, tier: int) -> int | None:
    """The rank that reaches the next tier up (the list itself from outside it); None at rank 1."""
    cuts = content.tier_cuts
    if tier == 0:
        return cuts[-1]
    if tier == 1:
        return 1 if rank > 1 else None
    return cuts[tier - 2]


def build_profile(
    content: ReportContent, results: Results, unit: str, previous: Results | None = None, *, target: bool = True,
) -> dict[str, Any]:
    """Facts and tables of one unit's profile."""
    code = find_unit(content, unit)
    u = content.units.set_index("code").loc[code]
    expl = explain_unit(results, code)
    f: dict[str, Any] = {"name": u["name"], "title": content.title, "year": content.year, "n_ranked": len(content.units),
                         "rank": int(u["rank"]), "score": round(float(u["score"]), 2), "tier": int(u["tier"]),
                         "top_n": content.top_n}
    for column, key in (("province", "province"), ("prefecture", "prefecture")):
        w = _within(content, code, column)
        if w is not None:
            f[f"{key}.name"] = u[column]
            f[f"{key}.rank"], f[f"{key}.units"] = w
    pillars = []
    for p, name in content.pillars:
        pillars.append({"code": p, "name": name, "score": round(float(u[f"{p}_score"]), 2), "rank": int(u[f"{p}_rank"])})
    for i, p in enumerate(sorted(pillars, key=lambda x: (x["rank"], x["code"])), start=1):
        f[f"pillar_best.{i}.name"], f[f"pillar_best.{i}.rank"] = p["name"], p["rank"]
    strengths = expl.strengths.head(3)
    weaknesses = expl.weaknesses.head(3)
    obstacles = expl.indicators.dropna(subset=["obstacle"]).sort_values("obstacle", ascending=False).head(5)
    for i, (c, r) in enumerate(strengths.iterrows(), start=1):
        f[f"strength.{i}.name"], f[f"strength.{i}.rank"] = r["name"], int(r["rank"])
    for i, (c, r) in enumerate(weaknesses.iterrows(), start=1):
        f[f"weakness.{i}.name"], f[f"weakness.{i}.rank"] = r["name"], int(r["rank"])
    for i, (c, r) in enumerate(obstacles.iterrows(), start=1):
        f[f"obstacle.{i}.name"], f[f"obstacle.{i}.pct"] = r["name"], round(100 * float(r["obstacle"]), 1)
    peers = expl.peers.copy()
    peers["score"] = peers["score"].round(2)
    peers["rank"] = peers["rank"].astype(int)
    if previous is not None and "previous_rank" in content.units and pd.notna(u.get("previous_rank")):
        _change(f, content, results, previous, code)
    target_table = None
    goal = _next_target(content, int(u["rank"]), int(u["tier"]))
    if target and goal is not None:
        # The goal is a rank in the profile's list (units through its gates); the table needs the joint plan only.
        tr = solve_target(results.framework, results.panel, code, goal, single=False,
                          among=pd.Index(content.units["code"]))
        f["target.rank"] = goal
        f["target.reachable"] = bool(tr.reachable)
        if tr.reachable:
            f["target.sd"] = round(float(tr.t), 2)
            target_table = tr.plan.reset_index()
    return {
        "code": code, "geo": u["geo"], "facts": f, "pillars": pillars,
        "strengths": expl.strengths.reset_index(), "weaknesses": expl.weaknesses.reset_index(),
        "obstacles": obstacles.reset_index(), "peers": peers.reset_index(), "target": target_table,
        "n_ranked": len(content.units), "indicators": expl.indicators.reset_index(),
    }


def _change(f: dict[str, Any], content: ReportContent, results: Results, previous: Results, code: str) -> None:
    """Previous rank and score, and the dimensions whose contribution changed most (eq. 1 of analysis.change)."""
    link = map_codes(previous.scores.index, results.scores.index)
    old = link.index[link == code]
    u = content.units.set_index("code").loc[code]
    f["previous_year"] = content.previous_year or ""
    f["previous_rank"] = int(u["previous_rank"])
    f["rank_change"] = int(u["rank_change"])
    pillars = pillar_codes(results)
    c1 = all_contributions(results).loc[code, pillars]
    c0 = all_contributions(previous).loc[old[0]].reindex(pillars).fillna(0.0)
    f["previous_score"] = round(float(previous.scores.loc[old[0], previous.root]), 2)
    delta = (c1 - c0).sort_values(key=np.abs, ascending=False)
    h = results.hierarchy
    for i, (p, v) in enumerate(delta.head(2).items(), start=1):
        f[f"driver.{i}.name"], f[f"driver.{i}.value"] = h.name(p), round(float(v), 2)
