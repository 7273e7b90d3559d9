"""The census demo (the README's main job): import both census years, rank counties and districts, compare with CAICT.

:func:`run_demo` does everything and returns a :class:`DemoResult` of tables;
:func:`write_demo` writes them (CSV files plus one XLSX workbook).  The CLI
(``baiqiang demo``) only prints and calls these.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from baiqiang import rankings
from baiqiang.analysis import agreement
from baiqiang.analysis.agreement import _spearman_rows
from baiqiang.data.census import CensusImport, import_census
from baiqiang.data.crosswalk import load_crosswalk, successor_among, successor_links
from baiqiang.data.registry import Registry, resource_path
from baiqiang.data.resolve import Resolution, Resolver
from baiqiang.data.store import Store
from baiqiang.framework import load_framework
from baiqiang.framework.spec import Framework
from baiqiang.pipeline import Results, run
from baiqiang.pipeline.panel import Panel, panel_for
from baiqiang.rankings.apply import STATUS_GATED, RankingOutcome

YEARS = (2020, 2010)
KINDS = ("county", "district")
FRAMEWORK_FILES = {"county": "census_industrial_county.yaml", "district": "census_industrial_district.yaml"}
"""The default frameworks (docs/indicators.md §1.3), one per kind of unit; the package's copies."""
BASELINE_FILE = "census_industrial_base.yaml"
"""The first framework, kept as a named alternative and as a baseline of the agreement table."""
LIST_ID = "top100"
"""The named list of each framework that the demo's tables show (its rank passes the comparability gate)."""
AGREEMENT_LISTS = ("2018", "2019", "2020")
"""CAICT county lists compared with the 2020 census ranking (the closest years; see rankings/README.md)."""


@dataclass
class DemoResult:
    """Every table the demo prints or writes, keyed by output name."""

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    classification: pd.DataFrame = field(default_factory=pd.DataFrame)
    dropped_indicators: dict[int, list[str]] = field(default_factory=dict)
    results: dict[tuple[str, int], Results] = field(default_factory=dict)
    outcomes: dict[tuple[str, int], RankingOutcome] = field(default_factory=dict)
    seconds: float = 0.0


def _for_year(fw: Framework, panel: pd.DataFrame) -> tuple[Framework, list[str]]:
    """Drop indicators that have no value at all in this year's panel (car, elevator in 2010)."""
    empty = [i.code for i in fw.indicators if i.code not in panel.columns or panel[i.code].notna().sum() == 0]
    if not empty:
        return fw, []
    return fw.model_copy(update={"indicators": [i for i in fw.indicators if i.code not in empty]}), empty


def _rank(fw: Framework, frame: pd.DataFrame, source: str) -> tuple[Results, RankingOutcome, Panel]:
    """Build and rank ``fw`` on ``frame``; the panel too, for the rank intervals (built once)."""
    panel = panel_for(frame, fw, source=source)
    results = run(fw, panel)
    return results, rankings.apply(results, fw, panel), panel


def _table(results: Results, outcome: RankingOutcome, panel: pd.DataFrame, pillars: list[str]) -> pd.DataFrame:
    """Every scored unit: attributes, list rank and tier (blank when gated out, with the reason), pillar scores and ranks.

    Pillar ranks count only the units that pass the list's gates, like the list rank.
    """
    listed = outcome.lists[LIST_ID].set_index("unit_code")
    attrs = panel.set_index("code")[["name", "type", "prefecture", "province", "region"]]
    out = attrs.join(listed[["score", "tier", "status", "reason"]], how="inner")
    out = out.join(results.scores[pillars])
    # The list ranks its top 100 only; rank every unit that passes the gate the same way (ties share the best rank).
    eligible = out["status"] != STATUS_GATED
    out["rank"] = out["score"].where(eligible).rank(ascending=False, method="min").astype("Int64")
    for p in pillars:
        out[f"{p}_rank"] = out[p].where(eligible).rank(ascending=False, method="min").astype("Int64")
    out = out.sort_values(["rank", "score"], ascending=[True, False], na_position="last")
    out.index.name = "code"
    return out.reset_index()


def run_demo(store_path: str | Path) -> DemoResult:
    """Import the census into a fresh store at ``store_path`` and build every demo table."""
    t0 = time.perf_counter()
    result = DemoResult()
    registry = Registry.load()
    # The package's copies, so a wheel install behaves like a checkout
    # (tests/data checks they equal the files under frameworks/).
    frameworks = {kind: load_framework(resource_path("frameworks", f)) for kind, f in FRAMEWORK_FILES.items()}
    pillars = [a.code for a in frameworks["county"].aggregates if a.parent is not None]
    with ExitStack() as stack:
        store = stack.enter_context(Store(store_path))
        stack.enter_context(store.transaction())  # one commit (and checkpoint) for the whole store, not one per write
        store.load_registry(registry.units)
        imports = {y: import_census(store, y, registry=registry) for y in YEARS}
        panels = {y: store.panel(y) for y in YEARS}  # read in the transaction: its own writes
        finish = stack.pop_all()  # the COMMIT and the close, left to a thread (on an error above: rolled back here)
    # DuckDB releases the GIL while it commits and writes the file (~0.15 s), so the ranking goes on meanwhile.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="demo-store") as pool:
        committed = pool.submit(finish.close)
        try:
            _build_tables(result, registry, frameworks, pillars, imports, panels)
        finally:
            committed.result()  # the store is complete (or its failure raised) before anything is written beside it
    result.seconds = time.perf_counter() - t0
    return result


def _build_tables(result: DemoResult, registry: Registry, frameworks: dict[str, Framework], pillars: list[str],
                  imports: dict[int, CensusImport], panels: dict[int, pd.DataFrame]) -> None:
    """Every table of :func:`run_demo` from the imported census (``imports``) and its panels, into ``result``."""
    cls = []
    for y, imp in imports.items():
        cls.append(imp.rows.assign(year=y))
    result.classification = pd.concat(cls, ignore_index=True)
    counts = (result.classification.groupby(["year", "category"]).size().unstack(fill_value=0))
    for y, imp in imports.items():
        counts.loc[y, "footnote"] = imp.counts.get("footnote", 0)
    result.tables["row_classification_counts"] = counts.reset_index()
    ranked: dict[tuple[str, int], pd.DataFrame] = {}
    built: dict[tuple[str, int], tuple[Framework, Panel]] = {}
    for y in YEARS:
        panel = panels[y]
        for kind in KINDS:
            fw, dropped = _for_year(frameworks[kind], panel)
            if dropped:
                result.dropped_indicators[y] = dropped
            res, outcome, built_panel = _rank(fw, panel, f"census {y}")
            built[(kind, y)] = (fw, built_panel)
            result.results[(kind, y)] = res
            result.outcomes[(kind, y)] = outcome
            full = _table(res, outcome, panel, pillars)
            ranked[(kind, y)] = full
            result.tables[f"{kind}_{y}_all"] = full
            result.tables[f"top100_{kind}_{y}"] = full[full["rank"] <= 100]
        na = panel[panel["status"] == "non_admin"][["code", "name", "prefecture", "province"]]
        result.tables[f"non_admin_{y}"] = na.assign(note="非行政统计区（开发区/管理区/新区等），不参与排名")
    # Pillar sub-rankings (2020, top 20 per pillar).
    for kind in KINDS:
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
    resolver = Resolver(registry, prefer_current=False)  # names as the lists wrote them; indexed once for both uses
    result.tables["caict_comparison"], result.tables["caict_matches"] = _caict(ranked, resolver, crosswalk)
    result.tables["agreement_county_2020"] = _agreement(ranked[("county", 2020)], panels[2020], resolver)
    result.tables["robustness_county_2020"] = _rank_intervals(*built[("county", 2020)], ranked[("county", 2020)])


CANDIDATES_ZH = {
    "v2": "第二版框架（默认）", "v1": "第一版框架", "v1_equal": "第一版 15 个指标等权", "mfg_emp": "制造业就业人数（单列）",
}


def _ranked_by(fw: Framework, frame: pd.DataFrame) -> pd.DataFrame:
    """Rank and province of every unit ``fw`` ranks in ``frame`` (2020 census)."""
    t = run(fw, panel_for(frame, fw, source="census 2020")).table().set_index("unit_code")
    return t[["rank"]].join(frame.set_index("code")["province"])


def _agreement(ours: pd.DataFrame, panel: pd.DataFrame, resolver: Resolver) -> pd.DataFrame:
    """The default ranking against CAICT's lists, beside the baselines fixed in docs/indicators.md §1.4.

    Baselines rank the same comparable units (those passing the gate), so the
    gaps come from the scoring, not the universe; the first framework is
    ranked as it was (its own universe).  Paired bootstrap, 2,000 resamples,
    95%; the difference is to the one-column baseline.
    """
    comparable = panel[panel["code"].isin(ours.loc[ours["rank"].notna(), "code"])]
    v1, _ = _for_year(load_framework(resource_path("frameworks", BASELINE_FILE)), panel)  # its own county universe
    candidates = {
        "v2": ours.dropna(subset=["rank"]).set_index("code")[["rank", "province"]],
        "v1": _ranked_by(v1, panel),
        "v1_equal": _ranked_by(agreement.equal_weights(v1), comparable),
        "mfg_emp": agreement.single_column_ranking(comparable, "mfg_emp_est"),
    }
    codes = set(panel["code"])
    tables = []
    for published in agreement.caict_lists("county", codes, resolver=resolver):
        if published.name not in AGREEMENT_LISTS:
            continue
        reps = agreement.evaluate(candidates, published, n_boot=2000, seed=2020)
        tab = agreement.summarise(reps, list(candidates), baseline="mfg_emp")
        tables.append(tab.assign(list=f"信通院 {published.name} 年榜（{len(published.ranks)} 个有名次单位）"))
    out = pd.concat(tables, ignore_index=True)
    out["candidate"] = out["candidate"].map(CANDIDATES_ZH)
    out["metric"] = out["metric"].map(agreement.METRIC_NAMES_ZH)
    return out[["list", "metric", "candidate", "estimate", "low", "high", "diff_vs_baseline", "diff_low", "diff_high",
                "better_than_baseline"]]


UA_SPEC_FILE = "census_industrial_county_ua.yaml"
UA_SAMPLES = 1000


def _rank_intervals(fw: Framework, panel: Panel, ours: pd.DataFrame) -> pd.DataFrame:
    """Rank intervals (5%–95%) and P(top 10/100) of the top 100 under the framework's uncertainty spec.

    Every sample's scores are ranked among the units that pass the gate, as
    the list ranks them, so the nominal rank equals the list rank.
    """
    from baiqiang.analysis.ranks import rank_summary
    from baiqiang.analysis.spec import load_spec
    from baiqiang.analysis.uncertainty import run_uncertainty
    from baiqiang.methods.rank import competition_rank

    spec = load_spec(resource_path("frameworks", UA_SPEC_FILE))
    ua = run_uncertainty(fw, panel, spec, n=UA_SAMPLES, seed=2020)
    eligible = ours.loc[ours["rank"].notna(), "code"]
    cols = pd.Index(ua.units).get_indexer(eligible)
    summary = rank_summary(competition_rank(ua.scores[:, cols]), competition_rank(ua.nominal_scores[cols])[0],
                           units=list(eligible), top_k=(10, 100), quantiles=(0.05, 0.95)).table
    top = ours[ours["rank"] <= 100].set_index("code")[["name", "province", "rank"]]
    out = top.join(summary[["median", "q_low", "q_high", "p_top_10", "p_top_100"]])
    out.index.name = "code"
    return out.reset_index()


def _movers(r10: pd.DataFrame, r20: pd.DataFrame, crosswalk: pd.DataFrame) -> pd.DataFrame:
    """Rank change 2010 → 2020 for units ranked in the same group both years (one-to-one links)."""
    r10, r20 = r10[r10["rank"].notna()], r20[r20["rank"].notna()]  # units that pass the gate in both years
    codes20 = set(r20["code"])
    m = r10[["code", "name", "rank"]].rename(columns={"code": "code_2010", "name": "name_2010", "rank": "rank_2010"})
    links = successor_links(crosswalk)
    m["code"] = [successor_among(links, c, codes20, until=2020) for c in m["code_2010"]]
    m = m[m["code"] != ""].drop_duplicates("code", keep=False)
    m = m.merge(r20[["code", "name", "province", "rank"]].rename(columns={"rank": "rank_2020"}), on="code")
    m["change"] = m["rank_2010"].astype(int) - m["rank_2020"].astype(int)
    m = m[(m["rank_2010"] <= 300) | (m["rank_2020"] <= 300)]
    up = m.sort_values("change", ascending=False).head(20).assign(direction="上升")
    down = m.sort_values("change").head(20).assign(direction="下降")
    return pd.concat([up, down], ignore_index=True)


def _caict(ranked: dict[tuple[str, int], pd.DataFrame], resolver: Resolver, crosswalk: pd.DataFrame):
    links = successor_links(crosswalk)
    rows, matches = [], []
    resolved: dict[tuple[object, object, object], Resolution] = {}
    for kind, fname, col in (("county", "caict_industrial_top100.csv", "county"),
                             ("district", "caict_industrial_top100_districts.csv", "district")):
        lists = pd.read_csv(resource_path("rankings", fname), dtype={"rank": "Int64"})
        ours = ranked[(kind, 2020)].set_index("code")
        codes20 = set(ours.index) | set(ranked[("county" if kind == "district" else "district", 2020)]["code"])
        for year, grp in lists.groupby("year"):
            shared = []
            n_resolved = 0
            for r in grp.itertuples(index=False):
                key = (getattr(r, col), r.province, r.prefecture)
                if key not in resolved:  # most units are on the list of several years: resolve each once
                    resolved[key] = resolver.resolve(key[0], province=key[1], prefecture=key[2])
                res = resolved[key]
                code = successor_among(links, res.code, codes20, until=2020) if res.status == "matched" else ""
                n_resolved += bool(code)
                our_rank = ours.at[code, "rank"] if code in ours.index else pd.NA
                matches.append({"list": kind, "year": year, "published_rank": r.rank, "name": getattr(r, col),
                                "province": r.province, "status": res.status, "code_2020": code,
                                "our_rank_2020": our_rank, "note": res.note or _match_note(code, ours)})
                if pd.notna(our_rank) and pd.notna(r.rank):
                    shared.append((int(r.rank), int(our_rank)))
            in_top = sum(1 for m in matches if m["list"] == kind and m["year"] == year
                         and pd.notna(m["our_rank_2020"]) and m["our_rank_2020"] <= 100)
            rho = _spearman_rows(*np.array(shared, dtype=float).T[:, None, :])[0] if len(shared) >= 3 else np.nan
            rows.append({"list": "工业百强县" if kind == "county" else "工业百强区", "year": int(year),
                         "published_units": len(grp), "resolved": n_resolved, "in_our_top100_2020": in_top,
                         "shared_with_rank": len(shared), "spearman": rho})
    return pd.DataFrame(rows), pd.DataFrame(matches)


def _match_note(code: str, ours: pd.DataFrame) -> str:
    if not code:
        return ""
    if code not in ours.index:
        return "2020 年不在本组排名中（类型已变化）"
    return ours.at[code, "reason"] if pd.isna(ours.at[code, "rank"]) else ""


SHEET_NAMES = {
    "row_classification_counts": "行分类统计", "top100_county_2020": "百强县2020", "top100_district_2020": "百强区2020",
    "top100_county_2010": "百强县2010", "top100_district_2010": "百强区2010", "pillars_county_2020": "支柱排名县2020",
    "pillars_district_2020": "支柱排名区2020", "tiers_county_2020": "梯队县2020", "tiers_district_2020": "梯队区2020",
    "by_province_county": "分省县", "by_region_county": "分区域县", "by_province_district": "分省区",
    "by_region_district": "分区域区", "movers_county": "升降县", "movers_district": "升降区",
    "caict_comparison": "与信通院对比", "caict_matches": "信通院名单匹配", "agreement_county_2020": "一致性与基线", "robustness_county_2020": "名次区间县2020", "non_admin_2020": "非行政区2020",
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
    "candidate": "排名方案", "metric": "指标", "estimate": "估计值", "low": "95%区间下限", "high": "95%区间上限",
    "diff_vs_baseline": "与单列基线之差", "diff_low": "差的区间下限", "diff_high": "差的区间上限",
    "better_than_baseline": "显著优于单列基线", "median": "名次中位数", "q_low": "名次5%分位", "q_high": "名次95%分位",
    "p_top_10": "进入前10概率", "p_top_100": "进入前100概率", "reason": "未入选原因",
}
"""Column headers of the workbook (the CSV files keep the English names scripts rely on)."""


def _chinese_headers(frame: pd.DataFrame, pillar_names: dict[str, str]) -> pd.DataFrame:
    names = {**HEADERS_ZH, **pillar_names, **{f"{c}_rank": f"{n}排名" for c, n in pillar_names.items()}}
    return frame.rename(columns=lambda c: names.get(c, c))


def write_demo(result: DemoResult, outdir: Path) -> list[str]:
    """Write the CSV files and ``baiqiang_demo.xlsx`` (Chinese headers); returns file names."""
    from baiqiang.pipeline.export import write_csv, write_sheets

    written = []
    for name in SHEET_NAMES:
        write_csv(result.tables[name], outdir / f"{name}.csv")
        written.append(f"{name}.csv")
    write_csv(result.classification, outdir / "row_classification.csv")
    written.append("row_classification.csv")
    fw = result.results[("county", 2020)].framework  # the default framework as built (its pillars are not dropped)
    pillars = {a.code: a.name.zh for a in fw.aggregates if a.parent is not None}
    sheets = {sheet: _chinese_headers(result.tables[name], pillars) for name, sheet in SHEET_NAMES.items()}
    sheets["行分类明细"] = _chinese_headers(result.classification, pillars)
    write_sheets(outdir / "baiqiang_demo.xlsx", sheets)
    written.append("baiqiang_demo.xlsx")
    return written


PROFILE_UNIT = "330784"
"""永康市 (金华市, 浙江省): the demo's county profile."""


def write_publication(result: DemoResult, outdir: Path, *, pdf: bool = True) -> dict[str, float]:
    """The 2020 county white paper (2010 as previous) and the 永康市 profile, in ``outdir``; seconds per part."""
    from baiqiang.report.content import build_report
    from baiqiang.report.profile import build_profile
    from baiqiang.report.render import pdf_worker, start_workers, write_profile, write_report

    start_workers(pdf=pdf)  # idempotent: the demo starts them first, so their imports overlap its core
    t0 = time.perf_counter()
    res, prev = result.results[("county", 2020)], result.results[("county", 2010)]
    method = res.method_record()
    method["previous"] = {"source": prev.panel.source, "sha256": prev.panel.checksum}
    content = build_report(res, prev, method=method, year="2020", previous_year="2010",
                           ranked_list=result.outcomes[("county", 2020)].lists[LIST_ID],
                           previous_list=result.outcomes[("county", 2010)].lists[LIST_ID])
    seconds = {"content": time.perf_counter() - t0}
    # The profile is built and laid out (by a PDF worker of its own) while report.pdf is laid out;
    # this worker's wait (not a fresh worker's, should it die) is what reports a failed report.pdf.
    worker = pdf_worker() if pdf else None
    seconds.update({f"report_{k}": v for k, v in write_report(content, outdir, pdf=pdf, wait=False).items()})
    try:
        t0 = time.perf_counter()
        prof = build_profile(content, res, PROFILE_UNIT, prev)
        seconds["profile_content"] = time.perf_counter() - t0
        seconds.update({f"profile_{k}": v for k, v in write_profile(content, prof, outdir, pdf=pdf).items()})
    finally:
        if worker is not None:
            worker.wait()  # report.pdf complete (or its error raised) even when the profile failed
    return seconds
