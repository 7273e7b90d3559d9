"""Writing a :class:`RankingOutcome`: ``rankings.csv``, sheets in ``results.xlsx``, the ``rankings`` part of ``method.json``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from baiqiang.framework.plan import Plan
from baiqiang.pipeline.export import GROUP_RANK_ZH, write_csv
from baiqiang.rankings.apply import STATUS_GATED, STATUS_LISTED, RankingOutcome

LIST_HEADERS = {"rank": "排名", "unit_code": "单位代码", "unit_name": "单位名称", "score": "得分", "tier": "梯队",
                "tier_name": "梯队名称", "grade": "等级", "status": "状态", "reason": "原因"}
PROGRESS_HEADERS = {"score": "本期得分", "base_score": "基期得分", "score_change": "得分变化", "rank": "本期排名",
                    "base_rank": "基期排名", "rank_rise": "名次上升", "level_mean": "水平参照均值", "speed_mean": "速度参照均值", "type": "类型"}
COUPLING_HEADERS = {"C": "耦合度C", "T": "综合发展指数T", "D": "耦合协调度D", "grade": "协调等级"}
GRADE_HEADERS = {"grade_before_veto": "否决前等级", "grade": "等级", "veto": "否决原因"}


def rankings_table(outcome: RankingOutcome) -> pd.DataFrame:
    """``rankings.csv``: one row per unit of each named list, listed units first."""
    parts = [t.assign(list_id=lst.id, list_name=lst.name) for lst in outcome.spec.lists for t in [outcome.lists[lst.id]]]
    if not parts:
        return pd.DataFrame(columns=["list_id", "list_name", *LIST_HEADERS])
    table = pd.concat(parts, ignore_index=True)
    return table[["list_id", "list_name", *[c for c in LIST_HEADERS if c in table.columns]]]


def summary(outcome: RankingOutcome) -> list[str]:
    """One line per named list for the terminal: how many units have each status."""
    lines = []
    for lst in outcome.spec.lists:
        counts = outcome.lists[lst.id]["status"].value_counts()
        lines.append(f"{lst.name}：" + "，".join(f"{status} {n}" for status, n in counts.items()))
    return lines


def method_record(outcome: RankingOutcome) -> dict[str, Any]:
    """The ``rankings`` part of ``method.json``: what each rule decided, unit by unit where it excluded or graded."""
    spec = outcome.spec
    record: dict[str, Any] = {"units_scored": int(outcome.scores.notna().any(axis=1).sum())}
    if spec.unit_groups is not None:
        record["unit_groups"] = {g.code: {"name": g.name, "members": g.members} for g in spec.unit_groups.groups}
    if spec.classes is not None:
        record["classes"] = {"attribute": spec.classes.attribute, "weights": spec.classes.weights}
    record["gates"] = {
        gid: {"passed": int(g["passed"].sum()), "failed": {c: r for c, r in g.loc[~g["passed"], "reason"].items()}}
        for gid, g in outcome.gates.items()
    }
    record["grades"] = {
        gid: {"counts": {str(k): int(v) for k, v in g["grade"].value_counts().items()},
              "vetoed": {c: r for c, r in g.loc[g["veto"] != "", "veto"].items()}}
        for gid, g in outcome.grades.items()
    }
    record["lists"] = {}
    for lst in spec.lists:
        t = outcome.lists[lst.id]
        listed = t[t["status"] == STATUS_LISTED]
        record["lists"][lst.id] = {
            "name": lst.name, "listed": listed["unit_code"].tolist(),
            "gated_out": dict(zip(t.loc[t["status"] == STATUS_GATED, "unit_code"], t.loc[t["status"] == STATUS_GATED, "reason"])),
            **({"jenks_breaks": outcome.breaks[lst.id]} if lst.id in outcome.breaks else {}),
        }
    if outcome.progress is not None and "type" in outcome.progress:
        record["typology"] = {str(k): int(v) for k, v in outcome.progress["type"].value_counts().items()}
    if outcome.coupling is not None:
        record["coupling"] = {str(k): int(v) for k, v in outcome.coupling["grade"].value_counts().items()}
    if outcome.group_ranks:
        record["group_ranks"] = sorted(outcome.group_ranks)
    return record


def sources_record(outcome: RankingOutcome) -> dict[str, Any] | None:
    """``method.json`` ``sources``: the precedence and, for every cell, the source and version used."""
    if outcome.cells is None:
        return None
    fw = outcome.framework
    cells = outcome.cells
    used: dict[str, dict[str, str]] = {}
    for ind, part in cells.groupby("indicator", sort=True):
        used[str(ind)] = dict(zip(part["unit_code"], part["source"] + " v" + part["version"].astype(str)))
    counts = cells.groupby(["indicator", "source"]).size()
    return {
        "precedence": fw.sources.precedence if fw.sources else [],
        "cells_by_source": {f"{i} / {s}": int(n) for (i, s), n in counts.items()},
        "cells": used,
    }


def write(outcome: RankingOutcome, outdir: Path) -> None:
    """Add the rankings outputs to a build directory already written by ``Results.write``.

    The workbook sheets (:func:`sheets`) are not written here: pass them to ``Results.write`` as
    ``extra_sheets``, so ``results.xlsx`` is written once.
    """
    outdir = Path(outdir)
    write_csv(rankings_table(outcome), outdir / "rankings.csv", encoding="utf-8")
    if outcome.cells is not None:
        write_csv(outcome.cells, outdir / "sources.csv", encoding="utf-8")
    method = outdir / "method.json"
    record = json.loads(method.read_text(encoding="utf-8")) if method.exists() else {}
    record["rankings"] = method_record(outcome)
    sources = sources_record(outcome)
    if sources is not None:
        record["sources"] = sources
    method.write_text(json.dumps(record, ensure_ascii=False, indent=2), encoding="utf-8")


def sheets(outcome: RankingOutcome) -> dict[str, pd.DataFrame]:
    """The workbook sheets (Chinese headers): each list, then group ranks, gates, grades, progress, coupling, sources."""
    h = Plan.of(outcome.framework).hierarchy
    out: dict[str, pd.DataFrame] = {}
    for lst in outcome.spec.lists:
        out[lst.name] = outcome.lists[lst.id].rename(columns=LIST_HEADERS)
    ident = pd.DataFrame({"单位代码": outcome.scores.index, "单位名称": outcome.names.to_numpy()}, index=outcome.scores.index)
    if outcome.group_ranks:
        cols = {f"{h.name(code)}·排名": outcome.ranks[code].astype("Int64") for code in h.aggregate_codes}
        cols |= {f"{h.name(code)}·{GROUP_RANK_ZH.get(g, g + '内排名')}": r[code].astype("Int64")
                 for g, r in outcome.group_ranks.items() for code in h.aggregate_codes}
        out["分组排名"] = pd.concat([ident, pd.DataFrame(cols, index=outcome.scores.index)], axis=1)
    for gid, g in outcome.gates.items():
        out[f"门槛_{gid}"] = pd.concat([ident, g.rename(columns={"passed": "通过", "reason": "原因"})], axis=1)
    for gid, g in outcome.grades.items():
        out[f"等级_{gid}"] = pd.concat([ident, g.rename(columns=GRADE_HEADERS)], axis=1)
    if outcome.progress is not None:
        out["进步"] = pd.concat([ident, outcome.progress.rename(columns=PROGRESS_HEADERS)], axis=1)
    if outcome.coupling is not None:
        out["耦合协调度"] = pd.concat([ident, outcome.coupling.rename(columns=COUPLING_HEADERS)], axis=1)
    if outcome.cells is not None:
        out["数据来源"] = outcome.cells.rename(columns={"unit_code": "单位代码", "indicator": "指标", "year": "年份", "value": "数值",
                                                      "source": "来源", "version": "版本", "provenance": "出处", "alternatives": "候选值个数"})
    return out
