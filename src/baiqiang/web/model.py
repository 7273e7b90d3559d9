"""What the pages show, read from the store: rankings, profiles, comparisons, methodology.

Each ranking is the framework run over one year's active observations, for
one universe of unit types (county-level units; districts), as the demo does.
Results are cached per (ranking, year) and recomputed after any write (the
cache is keyed by :attr:`Database.version`), so a confirmed import or an
accepted fact shows on the next page view.

When the framework's own named rankings land (``baiqiang.rankings``), only
:data:`RANKINGS` and :meth:`Book._build` change.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import pandas as pd

from baiqiang.data import names as nm
from baiqiang.data.registry import Registry, resource_path
from baiqiang.data.resolve import Resolver
from baiqiang.errors import BaiqiangError, DataError
from baiqiang.framework import load_framework
from baiqiang.framework.spec import Framework, Universe
from baiqiang.pipeline import run
from baiqiang.pipeline.panel import panel_for
from baiqiang.pipeline.results import Results
from baiqiang.web.database import Database

DEFAULT_FRAMEWORK = "census_industrial_base.yaml"
UNIT_COLUMNS = ("code", "name", "short_name", "type", "prefecture", "province", "region")
FILTERS = ("province", "prefecture", "type", "region", "tier")
MAX_COMPARE = 5


@dataclass(frozen=True)
class RankingDef:
    """A named ranking: the framework over one set of unit types."""

    id: str
    name_zh: str
    name_en: str
    types: tuple[str, ...]

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_zh


RANKINGS = (
    RankingDef("county", "县域（县、县级市、旗）", "Counties (counties, county-level cities, banners)", nm.COUNTY_TYPES),
    RankingDef("district", "市辖区", "Urban districts", nm.DISTRICT_TYPES),
)


@dataclass(frozen=True)
class Ranked:
    """One ranking in one year: the table the pages filter, and the build behind it."""

    ranking: RankingDef
    year: int
    table: pd.DataFrame  # one row per ranked unit, best first
    results: Results
    dropped: tuple[str, ...]  # framework indicators with no value this year

    @property
    def pillars(self) -> list[str]:
        root = self.results.root
        return [a.code for a in self.results.framework.aggregates if a.parent == root]

    @cached_property
    def by_code(self) -> pd.DataFrame:
        """The table indexed by unit code (built once: profiles look units up often)."""
        return self.table.set_index("code")

    @cached_property
    def codes(self) -> frozenset[str]:
        return frozenset(self.table["code"].astype(object).tolist())

    @cached_property
    def group_sizes(self) -> dict[str, dict[str, int]]:
        return {g: self.table[g].value_counts().to_dict() for g in ("province", "prefecture")}


@dataclass(frozen=True)
class Page:
    """One page of rows and how many rows match."""

    rows: pd.DataFrame
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def not_found(where: str, message: str) -> DataError:
    return DataError.single(where, message, "not_found")


def _years_framework(framework: Framework, panel: pd.DataFrame) -> tuple[Framework, tuple[str, ...]]:
    """Drop indicators without any value in this year's panel (a census year may lack one)."""
    empty = tuple(i.code for i in framework.indicators
                  if i.code not in panel.columns or panel[i.code].notna().sum() == 0)
    if not empty:
        return framework, ()
    kept = [i for i in framework.indicators if i.code not in empty]
    return framework.model_copy(update={"indicators": kept}), empty


def _within(table: pd.DataFrame, score: str, group: str) -> pd.Series:
    """Competition rank of ``score`` within each ``group`` (1 = best), vectorised by pandas."""
    return table.groupby(group)[score].rank(method="min", ascending=False).astype("Int64")


class Book:
    """Rankings, profiles and comparisons over one store and one framework."""

    def __init__(self, db: Database, framework_path: Path | None = None,
                 uncertainty_path: Path | None = None) -> None:
        self.db = db
        self.framework_path = Path(framework_path or resource_path("frameworks", DEFAULT_FRAMEWORK))
        self.framework = load_framework(self.framework_path)
        self.registry = Registry.load()
        self.resolver = Resolver(self.registry, prefer_current=True)
        self.uncertainty = self._read_uncertainty(uncertainty_path)
        self._cache: dict[tuple[str, int, int], Ranked] = {}
        self._years: tuple[int, list[int]] | None = None
        self._memo: dict[tuple[Any, ...], Any] = {}
        self._memo_version = -1
        self._lock = threading.Lock()

    def memo(self, key: tuple[Any, ...], build: Any) -> Any:
        """``build()`` once per key until the next write (bounded: cleared when it grows past 4,096)."""
        version = self.db.version
        if version != self._memo_version or len(self._memo) > 4096:
            self._memo, self._memo_version = {}, version
        if key not in self._memo:
            self._memo[key] = build()
        return self._memo[key]

    # -- framework ------------------------------------------------------------------
    def node_name(self, code: str, lang: str) -> str:
        for node in self.framework.nodes:
            if node.code == code:
                return node.name.text(lang)
        return code

    def ranking(self, ranking_id: str) -> RankingDef:
        for r in RANKINGS:
            if r.id == ranking_id:
                return r
        raise not_found("ranking", f"未知排名 {ranking_id!r}；可选：{'、'.join(r.id for r in RANKINGS)}")

    def years(self) -> list[int]:
        """Years with observations (cached until the next write)."""
        version = self.db.version
        if self._years is None or self._years[0] != version:
            with self.db.read() as store:
                self._years = (version, store.years())
        return list(self._years[1])

    def year_or_latest(self, year: int | None) -> int:
        years = self.years()
        if not years:
            raise not_found(self.db.path, "数据库中还没有观测值（先导入数据）")
        if year is None:
            return years[-1]
        if year not in years:
            raise not_found("year", f"数据库中没有 {year} 年的数据；已有：{'、'.join(map(str, years))}")
        return year

    def warm(self) -> None:
        """Build every ranking of every year now (the server calls this in the background at start-up)."""
        try:
            for year in self.years():
                for r in RANKINGS:
                    self.ranked(r.id, year)
        except BaiqiangError:
            pass  # an empty or partial store: the pages say what is missing when asked

    # -- rankings -------------------------------------------------------------------
    def ranked(self, ranking_id: str, year: int | None = None) -> Ranked:
        ranking = self.ranking(ranking_id)
        year = self.year_or_latest(year)
        key = (ranking.id, year, self.db.version)
        with self._lock:  # one build per key, even under concurrent first requests
            if key not in self._cache:
                self._cache = {k: v for k, v in self._cache.items() if k[2] == self.db.version}
                self._cache[key] = self._build(ranking, year)
            return self._cache[key]

    def _build(self, ranking: RankingDef, year: int) -> Ranked:
        with self.db.read() as store:
            panel = store.panel(year)
        fw, dropped = _years_framework(self.framework, panel)
        fw = fw.model_copy(update={"universe": Universe(code_column="code", name_column="name",
                                                        attribute="type", include=list(ranking.types))})
        results = run(fw, panel_for(panel, fw, source=f"{self.db.path}（{year} 年）"))
        root = results.root
        pillars = [a.code for a in fw.aggregates if a.parent == root]
        table = panel.set_index("code").reindex(results.scores.index)
        table = table[[c for c in UNIT_COLUMNS[1:] if c in table.columns]].copy()
        table["short_name"] = self.registry.units["short_name"].reindex(table.index).fillna(table["name"])
        table["score"] = results.scores[root]
        table["rank"] = results.ranks[root].astype("Int64")
        table["tier"] = results.tiers.reindex(table.index).fillna(0).astype(int)
        for p in pillars:
            table[p] = results.scores[p]
            table[f"{p}_rank"] = results.ranks[p].astype("Int64")
        table = table[table["score"].notna()]
        table["province_rank"] = _within(table, "score", "province")
        table["prefecture_rank"] = _within(table, "score", "prefecture")
        table.index.name = "code"
        table = table.reset_index().sort_values(["rank", "code"], kind="stable").reset_index(drop=True)
        return Ranked(ranking, year, table, results, dropped)

    def columns(self, ranked: Ranked) -> list[str]:
        """Every column a user may sort by, in display order."""
        return ["rank", "name", "province", "prefecture", "type", "region", "score", "tier", "province_rank",
                *[c for p in ranked.pillars for c in (p, f"{p}_rank")]]

    def search(self, query: str) -> set[str]:
        """Unit codes a query means: the shared resolver (name, short or old name, code), else a substring."""
        query = query.strip()
        if not query:
            return set()
        res = self.resolver.resolve(query)
        if res.status == "matched":
            return {res.code}
        if res.status == "ambiguous":
            return {c.split(" ", 1)[0] for c in res.candidates}
        u = self.registry.units
        hit = u["name"].str.contains(query, regex=False) | u["short_name"].fillna("").str.contains(query, regex=False)
        return set(u.index[hit & (u["level"] == "county")])

    def filtered(self, ranked: Ranked, *, filters: dict[str, str] | None = None, q: str = "",
                 sort: str = "rank", order: str = "asc") -> pd.DataFrame:
        """The rows matching the filters and search, sorted; the download writes exactly these."""
        t = ranked.table
        mask = np.ones(len(t), dtype=bool)
        for key, value in (filters or {}).items():
            if key not in FILTERS:
                raise DataError.single(f"filter.{key}", f"未知筛选条件；可选：{'、'.join(FILTERS)}", "bad_filter")
            if value in ("", None):
                continue
            if key == "tier":
                if not str(value).isdigit():
                    raise DataError.single("filter.tier", f"梯队必须是整数，收到 {value!r}", "bad_filter")
                mask &= (t["tier"] == int(value)).to_numpy()
            else:
                mask &= (t[key].astype(str) == str(value)).to_numpy()
        if q.strip():
            mask &= t["code"].isin(self.search(q)).to_numpy()
        cols = self.columns(ranked)
        if sort not in cols:
            raise DataError.single("sort", f"不能按 {sort!r} 排序；可选：{'、'.join(cols)}", "bad_sort")
        if order not in ("asc", "desc"):
            raise DataError.single("order", "排序方向必须是 asc 或 desc", "bad_sort")
        out = t[mask]
        return out.sort_values([sort, "rank"], ascending=[order == "asc", True], kind="stable", na_position="last")

    def page(self, rows: pd.DataFrame, page: int, page_size: int) -> Page:
        if page < 1 or not 1 <= page_size <= 500:
            raise DataError.single("page", "页码从 1 开始，每页 1–500 行", "bad_page")
        start = (page - 1) * page_size
        return Page(rows.iloc[start:start + page_size], len(rows), page, page_size)

    def facets(self, ranked: Ranked) -> dict[str, list[str]]:
        """The values each filter can take in this ranking (for the select boxes)."""
        t = ranked.table
        out = {k: sorted(t[k].dropna().astype(str).unique().tolist()) for k in FILTERS if k != "tier"}
        out["tier"] = [str(x) for x in sorted(t["tier"].unique().tolist())]
        return out

    # -- units ----------------------------------------------------------------------
    def unit(self, query: str) -> pd.Series:
        """The registry row of a unit given by code or any name the resolver knows."""
        u = self.registry.units
        if query in u.index:
            return u.loc[query]
        res = self.resolver.resolve(query)
        if res.status == "matched":
            return u.loc[res.code]
        if res.status == "ambiguous":
            raise DataError.single(query, "多个单位同名：" + "；".join(res.candidates), "ambiguous")
        raise not_found(query, "找不到这个单位" + (f"（{res.note}）" if res.note else ""))

    def placement(self, code: str, year: int | None = None) -> Ranked | None:
        """The ranking (if any) that ranks ``code`` in ``year``."""
        for r in RANKINGS:
            ranked = self.ranked(r.id, year)
            if code in ranked.codes:
                return ranked
        return None

    def profile(self, query: str, year: int | None = None, lang: str = "zh") -> dict[str, Any]:
        """A unit's ranks, pillars, indicators with provenance, peers and history across years."""
        unit = self.unit(query)
        code = str(unit.name)
        year = self.year_or_latest(year)
        ranked = self.placement(code, year)
        out: dict[str, Any] = {"code": code, "name": unit["name"], "short_name": unit["short_name"],
                               "type": unit["type"], "prefecture": unit["prefecture"], "province": unit["province"],
                               "region": unit["region"], "status": unit["status"], "year": year,
                               "ranking": None, "pillars": [], "indicators": [], "peers": [], "history": []}
        with self.db.read() as store:
            cells = store.con.execute(
                "SELECT indicator, value, source, provenance, version, batch_id, pinned, active, "
                "count(*) OVER (PARTITION BY indicator) AS n_versions FROM observations "
                "WHERE unit_code = ? AND year = ?", [code, year]).fetchall()
            units = dict(store.con.execute("SELECT code, unit FROM indicators").fetchall())
        active = {c[0]: c for c in cells if c[7]}
        if ranked is not None:
            row = ranked.by_code.loc[code]
            sizes = ranked.group_sizes
            out["ranking"] = {"id": ranked.ranking.id, "name": ranked.ranking.name(lang), "rank": int(row["rank"]),
                              "of": len(ranked.table), "score": float(row["score"]), "tier": int(row["tier"]),
                              "province_rank": int(row["province_rank"]),
                              "province_of": int(sizes["province"][row["province"]]),
                              "prefecture_rank": int(row["prefecture_rank"]),
                              "prefecture_of": int(sizes["prefecture"][row["prefecture"]])}
            out["pillars"] = [{"code": p, "name": self.node_name(p, lang), "score": float(row[p]),
                               "rank": int(row[f"{p}_rank"])} for p in ranked.pillars]
            out["peers"] = self._peers(ranked, code)
        for ind in self.framework.indicators:
            c = active.get(ind.code)
            out["indicators"].append({
                "code": ind.code, "name": ind.name.text(lang), "parent": ind.parent,
                "unit": units.get(ind.code) or ind.unit or "",
                "value": None if c is None or c[1] is None else float(c[1]),
                "source": "" if c is None else str(c[2] or ""), "provenance": "" if c is None else str(c[3] or ""),
                "version": None if c is None else int(c[4]), "versions": 0 if c is None else int(c[8]),
                "batch_id": None if c is None else int(c[5]), "pinned": False if c is None else bool(c[6])})
        for y in self.years():
            r = self.placement(code, y)
            if r is not None:
                row = r.by_code.loc[code]
                out["history"].append({"year": y, "ranking": r.ranking.id, "rank": int(row["rank"]),
                                       "of": len(r.table), "score": float(row["score"]), "tier": int(row["tier"])})
        return out

    def _peers(self, ranked: Ranked, code: str, k: int = 4) -> list[dict[str, Any]]:
        """The units ranked just above and below (nearest by rank)."""
        t = ranked.table
        i = ranked.by_code.index.get_loc(code)
        lo, hi = max(0, i - k // 2), min(len(t), i + k // 2 + 1)
        near = t.iloc[lo:hi]
        near = near[near["code"] != code]
        return [{"code": r.code, "name": r.name, "province": r.province, "rank": int(r.rank), "score": float(r.score)}
                for r in near.itertuples(index=False)]

    def cell_history(self, code: str, indicator: str) -> pd.DataFrame:
        """Every version of one unit's indicator across years, with its import batch."""
        self.unit(code)
        with self.db.read() as store:
            return store.versions(code, indicator)

    def compare(self, queries: Sequence[str], year: int | None = None, lang: str = "zh") -> dict[str, Any]:
        """2–5 units side by side: score, ranks, pillars and raw indicators."""
        queries = [q for q in dict.fromkeys(q.strip() for q in queries) if q]
        if not 2 <= len(queries) <= MAX_COMPARE:
            raise DataError.single("units", f"请选择 2–{MAX_COMPARE} 个单位进行比较（收到 {len(queries)} 个）",
                                   "bad_compare")
        year = self.year_or_latest(year)
        profiles = [self.profile(q, year, lang) for q in queries]
        with self.db.read() as store:
            panel = store.panel(year)
        raw = panel.set_index("code")
        codes = [p["code"] for p in profiles]
        indicators = [{"code": i.code, "name": i.name.text(lang),
                       "values": [None if c not in raw.index or i.code not in raw.columns or pd.isna(raw.at[c, i.code])
                                  else float(raw.at[c, i.code]) for c in codes]}
                      for i in self.framework.indicators]
        return {"year": year, "units": profiles, "indicators": indicators}

    # -- methodology ----------------------------------------------------------------
    def methodology(self, ranking_id: str = "county", year: int | None = None, lang: str = "zh") -> dict[str, Any]:
        """The indicator tree with declared, within-parent and in-index weights, and the method steps."""
        ranked = self.ranked(ranking_id, year)
        w = ranked.results.weights
        fw = ranked.results.framework

        def node(code: str) -> dict[str, Any]:
            children = [c for c in w.index if w.at[c, "parent"] == code]
            return {"code": code, "name": self.node_name(code, lang),
                    "declared": float(w.at[code, "declared"]), "within_parent": float(w.at[code, "within_parent"]),
                    "in_index": float(w.at[code, "in_index"]), "children": [node(c) for c in children]}

        steps = [{"step": s.step, "id": s.key, "method": s.method or "", "params": s.params} for s in fw.methodology]
        return {"framework": {"id": fw.id, "version": fw.version, "name": fw.name.text(lang),
                              "description": fw.description},
                "ranking": ranked.ranking.id, "year": ranked.year, "dropped": list(ranked.dropped),
                "tree": node(ranked.results.root), "steps": steps,
                "uncertainty": self._intervals(ranked)}

    def _read_uncertainty(self, path: Path | None) -> pd.DataFrame | None:
        """``rank_summary.csv`` of ``baiqiang uncertainty -o DIR`` (a file or its folder)."""
        if path is None:
            return None
        path = Path(path)
        if path.is_dir():
            path = path / "rank_summary.csv"
        if not path.is_file():
            raise DataError.single(str(path), "找不到不确定性分析结果 rank_summary.csv", "file_missing")
        table = pd.read_csv(path, dtype={0: str}, index_col=0)
        missing = [c for c in ("nominal", "q_low", "q_high") if c not in table.columns]
        if missing:
            raise DataError.single(str(path), f"缺少列：{'、'.join(missing)}", "missing_column")
        table.index = table.index.astype(str)
        return table

    def _intervals(self, ranked: Ranked) -> list[dict[str, Any]] | None:
        if self.uncertainty is None:
            return None
        t = ranked.table.set_index("code")
        u = self.uncertainty[self.uncertainty.index.isin(t.index)]
        if u.empty:
            return None
        p_cols = [c for c in u.columns if c.startswith("p_top_")]
        return [{"code": c, "name": t.at[c, "name"], "nominal": float(r["nominal"]), "q_low": float(r["q_low"]),
                 "q_high": float(r["q_high"]), **{k: float(r[k]) for k in p_cols}}
                for c, r in u.sort_values("nominal").iterrows()]

    # -- map ------------------------------------------------------------------------
    def map_points(self, ranking_id: str, year: int | None, measure: str) -> tuple[Ranked, pd.DataFrame]:
        """Ranked units with their coordinates and the chosen measure (the score or a pillar)."""
        ranked = self.ranked(ranking_id, year)
        if measure not in ("score", *ranked.pillars):
            raise DataError.single("measure", f"未知指标层级 {measure!r}；可选：score、{'、'.join(ranked.pillars)}",
                                   "bad_measure")
        u = self.registry.units
        t = ranked.table.copy()
        t["longitude"] = u["longitude"].reindex(t["code"]).to_numpy()
        t["latitude"] = u["latitude"].reindex(t["code"]).to_numpy()
        t["value"] = t[measure]
        return ranked, t[t["longitude"].notna() & t["latitude"].notna()]


def error_where(exc: BaiqiangError) -> list[dict[str, str]]:
    """The problems of an error as the API's ``errors`` list."""
    return [{"where": p.where, "message": p.message, "code": p.code} for p in exc.problems]
