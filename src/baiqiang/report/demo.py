"""The census demo (the README's main job): import both census years, rank counties and districts, compare with CAICT.

:func:`run_demo` does everything and returns a :class:`DemoResult` of tables;
:func:`write_demo` writes them (CSV files plus one XLSX workbook).  The CLI
(``baiqiang demo``) only prints and calls these.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import spearmanr

from baiqiang.data import names as nm
from baiqiang.data.census import import_census
from baiqiang.data.crosswalk import load_crosswalk, successors
from baiqiang.data.registry import Registry, resource_path
from baiqiang.data.resolve import Resolver
from baiqiang.data.store import Store
from baiqiang.framework import load_framework
from baiqiang.framework.spec import Framework, Universe
from baiqiang.pipeline import Results, run
from baiqiang.pipeline.panel import panel_for

YEARS = (2020, 2010)
COUNTY_TYPES = list(nm.COUNTY_TYPES)
FRAMEWORK_FILE = "census_industrial_base.yaml"


@dataclass
class DemoResult:
    """Every table the demo prints or writes, keyed by output name."""

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    classification: pd.DataFrame = field(default_factory=pd.DataFrame)
    dropped_indicators: dict[int, list[str]] = field(default_factory=dict)
    results: dict[tuple[str, int], Results] = field(default_factory=dict)
    seconds: float = 0.0


def _for_year(fw: Framework, panel: pd.DataFrame) -> tuple[Framework, list[str]]:
    """Drop indicators that have no value at all in this year's panel (car, elevator in 2010)."""
    empty = [i.code for i in fw.indicators if i.code not in panel.columns or panel[i.code].notna().sum() == 0]
    if not empty:
        return fw, []
    return fw.model_copy(update={"indicators": [i for i in fw.indicators if i.code not in empty]}), empty


def _rank(fw: Framework, frame: pd.DataFrame, types: list[str], source: str):
    fw = fw.model_copy(update={"universe": Universe(code_column="code", name_column="name",
                                                    attribute="type", include=types)})
    return run(fw, panel_for(frame, fw, source=source))


def _table(results, panel: pd.DataFrame, pillars: list[str]) -> pd.DataFrame:
    h = results.hierarchy
    t = results.table().set_index("unit_code")
    attrs = panel.set_index("code")[["name", "type", "prefecture", "province", "region"]]
    out = attrs.join(t[[h.root, "rank", *pillars]], how="inner")
    out["tier"] = results.tiers.reindex(out.index).astype(int)
    for p in pillars:
        out[f"{p}_rank"] = results.ranks[p].reindex(out.index).astype("Int64")
    out = out.rename(columns={h.root: "score"}).sort_values(["rank", "score"], ascending=[True, False])
    out.index.name = "code"
    return out.reset_index()


def run_demo(store_path: str | Path) -> DemoResult:
    """Import the census into a fresh store at ``store_path`` and build every demo table."""
    t0 = time.perf_counter()
    result = DemoResult()
    registry = Registry.load()
    # The package's copy, so a wheel install behaves like a checkout
    # (tests/data checks it equals frameworks/census_industrial_base.yaml).
    fw_all = load_framework(resource_path("frameworks", FRAMEWORK_FILE))
    pillars = [a.code for a in fw_all.aggregates if a.parent is not None]
    with Store(store_path) as store:
        store.load_registry(registry.units)
        imports = {y: import_census(store, y, registry=registry) for y in YEARS}
        panels = {y: store.panel(y) for y in YEARS}
    cls = []
    for y, imp in imports.items():
        cls.append(imp.rows.assign(year=y))
    result.classification = pd.concat(cls, ignore_index=True)
    counts = (result.classification.groupby(["year", "category"]).size().unstack(fill_value=0))
    for y, imp in imports.items():
        counts.loc[y, "footnote"] = imp.counts.get("footnote", 0)
    result.tables["row_classification_counts"] = counts.reset_index()
    ranked: dict[tuple[str, int], pd.DataFrame] = {}
    for y in YEARS:
        panel = panels[y]
        fw, dropped = _for_year(fw_all, panel)
        result.dropped_indicators[y] = dropped
        for kind, types in (("county", COUNTY_TYPES), ("district", list(nm.DISTRICT_TYPES))):
            res = _rank(fw, panel, types, f"census {y}")
            result.results[(kind, y)] = res
            full = _table(res, panel, pillars)
            ranked[(kind, y)] = full
            result.tables[f"{kind}_{y}_all"] = full
            result.tables[f"top100_{kind}_{y}"] = full[full["rank"] <= 100]
        na = panel[panel["status"] == "non_admin"][["code", "name", "prefecture", "province"]]
        result.tables[f"non_admin_{y}"] = na.assign(note="非行政统计区（开发区/管理区/新区等），不参与排名")
    # Pillar sub-rankings (2020, top 20 per pillar).
    for kind in ("county", "district"):
        full = ranked[(kind, 2020)]
        parts = []
        for p in pillars:
            top = full.sort_values(f"{p}_rank").head(20)
            parts.append(pd.DataFrame({"pillar": p, "pillar_rank": top[f"{p}_rank"].to_numpy(),
                                       "code": top["code"].to_numpy(), "name": top["name"].to_numpy(),
                                       "province": top["province"].to_numpy(), "pillar_score": top[p].to_numpy()}))
        result.tables[f"pillars_{kind}_2020"] = pd.concat(parts, ignore_index=True)
        top100 = result.tables[f"top100_{kind}_2020"]
        result.tables[f"tiers_{kind}_2020"] = (top100.groupby("tier").size().rename("units").reset_index())
        for col in ("province", "region"):
            c20 = top100.groupby(col).size().rename("2020")
            c10 = result.tables[f"top100_{kind}_2010"].groupby(col).size().rename("2010")
            result.tables[f"by_{col}_{kind}"] = (pd.concat([c20, c10], axis=1).fillna(0).astype(int)
                                                 .sort_values("2020", ascending=False).reset_index())
    crosswalk = load_crosswalk()
    for kind in ("county", "district"):
        result.tables[f"movers_{kind}"] = _movers(ranked[(kind, 2010)], ranked[(kind, 2020)], crosswalk)
    result.tables["caict_comparison"], result.tables["caict_matches"] = _caict(ranked, registry, crosswalk)
    result.seconds = time.perf_counter() - t0
    return result


def _to_2020(code: str, codes_2020: set[str], crosswalk: pd.DataFrame) -> str:
    if code in codes_2020:
        return code
    nxt = [c for c in successors(crosswalk, code, until=2020) if c in codes_2020]
    return nxt[0] if len(nxt) == 1 else ""


def _movers(r10: pd.DataFrame, r20: pd.DataFrame, crosswalk: pd.DataFrame) -> pd.DataFrame:
    """Rank change 2010 → 2020 for units ranked in the same group both years (one-to-one links)."""
    codes20 = set(r20["code"])
    m = r10[["code", "name", "rank"]].rename(columns={"code": "code_2010", "name": "name_2010", "rank": "rank_2010"})
    m["code"] = [_to_2020(c, codes20, crosswalk) for c in m["code_2010"]]
    m = m[m["code"] != ""].drop_duplicates("code", keep=False)
    m = m.merge(r20[["code", "name", "province", "rank"]].rename(columns={"rank": "rank_2020"}), on="code")
    m["change"] = m["rank_2010"].astype(int) - m["rank_2020"].astype(int)
    m = m[(m["rank_2010"] <= 300) | (m["rank_2020"] <= 300)]
    up = m.sort_values("change", ascending=False).head(20).assign(direction="上升")
    down = m.sort_values("change").head(20).assign(direction="下降")
    return pd.concat([up, down], ignore_index=True)


def _caict(ranked: dict[tuple[str, int], pd.DataFrame], registry: Registry, crosswalk: pd.DataFrame):
    resolver = Resolver(registry, prefer_current=False)
    rows, matches = [], []
    for kind, fname, col in (("county", "caict_industrial_top100.csv", "county"),
                             ("district", "caict_industrial_top100_districts.csv", "district")):
        lists = pd.read_csv(resource_path("rankings", fname), dtype={"rank": "Int64"})
        ours = ranked[(kind, 2020)].set_index("code")
        codes20 = set(ours.index) | set(ranked[("county" if kind == "district" else "district", 2020)]["code"])
        for year, grp in lists.groupby("year"):
            shared = []
            n_resolved = 0
            for r in grp.itertuples(index=False):
                res = resolver.resolve(getattr(r, col), province=r.province, prefecture=r.prefecture)
                code = _to_2020(res.code, codes20, crosswalk) if res.status == "matched" else ""
                n_resolved += bool(code)
                our_rank = ours.at[code, "rank"] if code in ours.index else pd.NA
                matches.append({"list": kind, "year": year, "published_rank": r.rank, "name": getattr(r, col),
                                "province": r.province, "status": res.status, "code_2020": code,
                                "our_rank_2020": our_rank, "note": res.note or ("" if code in ours.index else
                                                                              "2020 年不在本组排名中（类型已变化）" if code else "")})
                if code in ours.index and pd.notna(r.rank):
                    shared.append((int(r.rank), int(our_rank)))
            in_top = sum(1 for m in matches if m["list"] == kind and m["year"] == year
                         and pd.notna(m["our_rank_2020"]) and m["our_rank_2020"] <= 100)
            rho = spearmanr([a for a, _ in shared], [b for _, b in shared]).statistic if len(shared) >= 3 else np.nan
            rows.append({"list": "工业百强县" if kind == "county" else "工业百强区", "year": int(year),
                         "published_units": len(grp), "resolved": n_resolved, "in_our_top100_2020": in_top,
                         "shared_with_rank": len(shared), "spearman": rho})
    return pd.DataFrame(rows), pd.DataFrame(matches)


SHEET_NAMES = {
    "row_classification_counts": "行分类统计", "top100_county_2020": "百强县2020", "top100_district_2020": "百强区2020",
    "top100_county_2010": "百强县2010", "top100_district_2010": "百强区2010", "pillars_county_2020": "支柱排名县2020",
    "pillars_district_2020": "支柱排名区2020", "tiers_county_2020": "梯队县2020", "tiers_district_2020": "梯队区2020",
    "by_province_county": "分省县", "by_region_county": "分区域县", "by_province_district": "分省区",
    "by_region_district": "分区域区", "movers_county": "升降县", "movers_district": "升降区",
    "caict_comparison": "与信通院对比", "caict_matches": "信通院名单匹配", "non_admin_2020": "非行政区2020",
    "non_admin_2010": "非行政区2010",
}


HEADERS_ZH = {
    "code": "代码", "name": "名称", "type": "类型", "prefecture": "地级市", "province": "省份", "region": "区域",
    "score": "得分", "rank": "排名", "tier": "梯队", "pillar": "支柱", "pillar_score": "支柱得分", "pillar_rank": "支柱排名",
    "code_2010": "2010年代码", "code_2020": "2020年代码", "name_2010": "2010年名称", "rank_2010": "2010年排名",
    "rank_2020": "2020年排名", "change": "名次变化", "direction": "方向", "list": "榜单", "year": "年份",
    "published_units": "公布单位数", "published_rank": "公布名次", "our_rank_2020": "本指数2020年名次",
    "in_our_top100_2020": "进入本指数前100", "shared_with_rank": "有名次的共同单位", "spearman": "Spearman 相关系数",
    "resolved": "已匹配", "units": "单位数", "category": "类别", "kind": "类型", "status": "状态", "note": "说明",
    "row": "行号", "unit": "现行单位", "crosswalk": "对照表（代码已变更）", "non_admin": "非行政统计区", "subtotal": "合计/小计",
    "footnote": "脚注", "stored_code": "入库代码",
}
"""Column headers of the workbook (the CSV files keep the English names scripts rely on)."""


def _chinese_headers(frame: pd.DataFrame, pillar_names: dict[str, str]) -> pd.DataFrame:
    names = {**HEADERS_ZH, **pillar_names, **{f"{c}_rank": f"{n}排名" for c, n in pillar_names.items()}}
    return frame.rename(columns=lambda c: names.get(c, c))


def write_demo(result: DemoResult, outdir: Path) -> list[str]:
    """Write the CSV files and ``baiqiang_demo.xlsx`` (Chinese headers); returns file names."""
    written = []
    for name in SHEET_NAMES:
        df = result.tables[name]
        df.to_csv(outdir / f"{name}.csv", index=False, encoding="utf-8-sig")
        written.append(f"{name}.csv")
    result.classification.to_csv(outdir / "row_classification.csv", index=False, encoding="utf-8-sig")
    written.append("row_classification.csv")
    fw = load_framework(resource_path("frameworks", FRAMEWORK_FILE))
    pillars = {a.code: a.name.zh for a in fw.aggregates if a.parent is not None}
    with pd.ExcelWriter(outdir / "baiqiang_demo.xlsx", engine="openpyxl") as xw:
        for name, sheet in SHEET_NAMES.items():
            _chinese_headers(result.tables[name], pillars).to_excel(xw, sheet_name=sheet, index=False)
        _chinese_headers(result.classification, pillars).to_excel(xw, sheet_name="行分类明细", index=False)
    written.append("baiqiang_demo.xlsx")
    return written


PROFILE_UNIT = "330784"
"""永康市 (金华市, 浙江省): the demo's county profile."""


def write_publication(result: DemoResult, outdir: Path, *, pdf: bool = True) -> dict[str, float]:
    """The 2020 county white paper (2010 as previous) and the 永康市 profile, in ``outdir``; seconds per part."""
    from baiqiang.report.content import build_report
    from baiqiang.report.profile import build_profile
    from baiqiang.report.render import write_profile, write_report

    t0 = time.perf_counter()
    res, prev = result.results[("county", 2020)], result.results[("county", 2010)]
    method = res.method_record()
    method["previous"] = {"source": prev.panel.source, "sha256": prev.panel.checksum}
    content = build_report(res, prev, method=method, year="2020", previous_year="2010")
    seconds = {"content": time.perf_counter() - t0}
    seconds.update({f"report_{k}": v for k, v in write_report(content, outdir, pdf=pdf).items()})
    t0 = time.perf_counter()
    prof = build_profile(content, res, PROFILE_UNIT, prev)
    seconds["profile_content"] = time.perf_counter() - t0
    seconds.update({f"profile_{k}": v for k, v in write_profile(content, prof, outdir, pdf=pdf).items()})
    return seconds
