"""Excel export of build results (one sheet per level, Chinese headers by default)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from baiqiang.pipeline.results import Results

HEADERS = {
    "zh": {"code": "单位代码", "name": "单位名称", "score": "得分", "rank": "排名", "level": "层级", "weights": "权重",
           "declared": "设定权重", "within_parent": "组内权重", "in_index": "总指数中权重", "parent": "上级", "excluded": "未参评单位", "reason": "原因",
           "group_rank": "内排名", "tier": "梯队"},
    "en": {"code": "unit code", "name": "unit name", "score": " score", "rank": " rank", "level": "Level", "weights": "Weights",
           "declared": "declared", "within_parent": "within parent", "in_index": "in index", "parent": "parent", "excluded": "Excluded", "reason": "reason",
           "group_rank": " rank", "tier": "tier"},
}


GROUP_RANK_ZH = {"province": "省内排名", "prefecture": "市内排名", "region": "区域内排名", "type": "同类型排名"}
"""Headers of the ranks within the usual group attributes."""


def level_sheet(results: "Results", level: int, lang: str) -> pd.DataFrame:
    h, t = results.hierarchy, HEADERS[lang]
    out = pd.DataFrame({t["code"]: results.scores.index, t["name"]: results.panel.names.reindex(results.scores.index).values})
    if level == 1:
        data = results.datasets["normalised"]
        for code in h.indicator_codes:
            out[h.name(code, lang)] = data[code].values
        return out
    for code in h.aggregates_at(level):
        out[h.name(code, lang) + t["score"]] = results.scores[code].values
        out[h.name(code, lang) + t["rank"]] = results.ranks[code].astype("Int64").values
    if level != h.top_level:
        return out
    rank_column = out.columns[-1]
    # The top sheet is the published list: add the ranks within each group and the tier.
    for group in results.group_ranks.columns:
        label = GROUP_RANK_ZH.get(group, group + t["group_rank"]) if lang == "zh" else group + t["group_rank"]
        out[label] = results.group_ranks[group].astype("Int64").values
    if (results.tiers > 0).any():
        out[t["tier"]] = results.tiers.values
    return out.sort_values(rank_column, na_position="last", kind="stable")


def write_workbook(results: "Results", path: Path, lang: str = "zh") -> None:
    h, t = results.hierarchy, HEADERS[lang]
    names = results.framework.level_names
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for level in range(h.top_level, 0, -1):
            title = names[level - 1].text(lang) if level - 1 < len(names) else f"{t['level']} {level}"
            level_sheet(results, level, lang).to_excel(writer, sheet_name=title[:31], index=False)
        weights = results.weights.rename(columns={k: t[k] for k in ("declared", "within_parent", "in_index", "parent", "level")})
        weights.to_excel(writer, sheet_name=t["weights"])
        if len(results.excluded):
            results.excluded.rename(columns={"reason": t["reason"]}).to_excel(writer, sheet_name=t["excluded"])
