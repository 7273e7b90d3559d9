"""What the pages show, read from the store: rankings, profiles, comparisons, methodology.

Each ranking is a framework run over one year's active observations, for
one universe of unit types (county-level units; districts), as the demo does:
by default the demo's two frameworks (the county and the district index, each
with its named lists such as ``top100``); with ``--framework FILE`` that one
framework for both universes.  The framework's ``rankings`` section
(:func:`baiqiang.rankings.apply`) gives each ranking its named lists (gates,
length, tiers).  Results are built once per (store version, ranking, year)
and kept until the next write (keyed by :attr:`Database.version`), so a
confirmed import or an accepted fact shows on the next page view.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import pandas as pd

from baiqiang import rankings as lists_
from baiqiang.data import names as nm
from baiqiang.data.registry import Registry, resource_path
from baiqiang.data.resolve import Resolver
from baiqiang.errors import BaiqiangError, DataError
from baiqiang.framework import load_framework
from baiqiang.framework.spec import Framework, Universe
from baiqiang.pipeline import run
from baiqiang.pipeline.panel import panel_for
from baiqiang.pipeline.results import Results
from baiqiang.rankings.apply import STATUS_LISTED, RankingOutcome
from baiqiang.web.database import Database
from baiqiang.web.writes import _records

UNIT_COLUMNS = ("code", "name", "short_name", "type", "prefecture", "province", "region")
FILTERS = ("province", "prefecture", "type", "region", "tier")
MAX_COMPARE = 5


@dataclass(frozen=True)
class RankingDef:
    """A ranking: a framework over one set of unit types (``framework``: its bundled file, used by default)."""

    id: str
    name_zh: str
    name_en: str
    types: tuple[str, ...]
    framework: str

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_zh


RANKINGS = (
    RankingDef("county", "县域（县、县级市、旗）", "Counties (counties, county-level cities, banners)", nm.COUNTY_TYPES,
               "census_industrial_county.yaml"),
    RankingDef("district", "市辖区", "Urban districts", nm.DISTRICT_TYPES, "census_industrial_district.yaml"),
)


@dataclass(frozen=True)
class Ranked:
    """One ranking in one year: the table the pages filter, and the build behind it."""

    ranking: RankingDef
    year: int
    table: pd.DataFrame  # one row per ranked unit, best first
    results: Results
    dropped: tuple[str, ...]  # framework indicators with no value this year
    outcome: RankingOutcome | None = None  # the framework's named lists, when it declares any
    list_problem: str | None = None  # why the lists could not be made this year (the ranking itself stands)

    @property
    def pillars(self) -> list[str]:
        root = self.results.root
        return [a.code for a in self.results.framework.aggregates if a.parent == root]

    @cached_property
    def rows(self) -> dict[str, dict[str, Any]]:
        """Each unit's row as a plain dict (built once per ranking and version: a profile reads a few fields)."""
        return dict(zip(self.table["code"].astype(str), _records(self.table), strict=True))

    @cached_property
    def position(self) -> dict[str, int]:
        """Unit code -> row number in :attr:`table` (best first)."""
        return {c: i for i, c in enumerate(self.table["code"].astype(str))}

    @cached_property
    def codes(self) -> frozenset[str]:
        return frozenset(self.table["code"].astype(object).tolist())

    @cached_property
    def group_sizes(self) -> dict[str, dict[str, int]]:
        return {g: self.table[g].value_counts().to_dict() for g in ("province", "prefecture")}

    @property
    def list_specs(self) -> list[Any]:
        """The framework's named lists (``rankings.lists``), in declared order."""
        spec = self.results.framework.rankings
        return list(spec.lists) if spec is not None else []

    def list_spec(self, list_id: str) -> Any:
        for lst in self.list_specs:
            if lst.id == list_id:
                if self.list_problem:
                    raise DataError.single(f"list {list_id}", self.list_problem, "list_unavailable")
                return lst
        known = "、".join(x.id for x in self.list_specs) or "（本框架没有命名榜单）"
        raise not_found("list", f"未知榜单 {list_id!r}；可选：{known}")

    @cached_property
    def list_tables(self) -> dict[str, pd.DataFrame]:
        """Per named list, its listed units as rows of :attr:`table`, best first.

        ``rank``, ``score`` and ``tier`` are the list's (gates applied, cut
        after ``top``, the list's tiers); ``tier_name`` when the list names
        its tiers; province and prefecture ranks are recounted within the list.
        """
        out: dict[str, pd.DataFrame] = {}
        for lst in self.list_specs if self.outcome is not None else []:
            full = self.outcome.lists[lst.id]
            listed = full[full["status"] == STATUS_LISTED].set_index("unit_code")
            t = self.table[self.table["code"].isin(listed.index)].copy()
            t["rank"] = listed["rank"].reindex(t["code"]).to_numpy()
            t["score"] = listed["score"].reindex(t["code"]).to_numpy(dtype=float)
            t["tier"] = listed["tier"].reindex(t["code"]).to_numpy()
            if "tier_name" in listed.columns:
                t["tier_name"] = listed["tier_name"].reindex(t["code"]).to_numpy()
            t["province_rank"] = _within(t, "score", "province")
            t["prefecture_rank"] = _within(t, "score", "prefecture")
            out[lst.id] = t.sort_values(["rank", "code"], kind="stable").reset_index(drop=True)
        return out

    @cached_property
    def list_status(self) -> dict[str, pd.DataFrame]:
        """Per named list, every unit of its universe: rank, tier, status (入选, 未入选, 未达门槛 ...) and reason."""
        if self.outcome is None:
            return {}
        return {k: v.set_index("unit_code") for k, v in self.outcome.lists.items()}

    def view(self, list_id: str | None) -> pd.DataFrame:
        """The whole ranking (``None``) or one named list's rows."""
        if not list_id:
            return self.table
        self.list_spec(list_id)
        return self.list_tables[list_id]

    @cached_property
    def geo(self) -> pd.Series:
        """The bundled polygon (adcode) drawn for each unit, '' where none (report.geometry's crosswalk rule)."""
        from baiqiang.report.geometry import polygon_keys

        return polygon_keys(self.table["code"].astype(str).tolist())


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
        # One framework for both universes when given (its universe narrowed to each ranking's unit
        # types); else each ranking's own bundled framework, universe as written.
        self.override_universe = framework_path is not None
        self.frameworks: dict[str, Framework] = {
            r.id: load_framework(Path(framework_path) if framework_path else resource_path("frameworks", r.framework))
            for r in RANKINGS}
        self.framework = self.frameworks[RANKINGS[0].id]
        self.registry = Registry.load()
        self.resolver = Resolver(self.registry, prefer_current=True)
        self.uncertainty = self._read_uncertainty(uncertainty_path)
        self._cache: dict[tuple[str, int, int], Ranked | BaiqiangError] = {}
        self._years: tuple[int, list[int]] | None = None
        self._memo: dict[tuple[Any, ...], Any] = {}
        self._memo_locks: dict[tuple[Any, ...], threading.Lock] = {}
        self._memo_version = -1
        self._memo_guard = threading.Lock()
        self._lock = threading.Lock()

    def memo(self, key: tuple[Any, ...], build: Any) -> Any:
        """``build()`` once per key until the next write (bounded: cleared when it grows past 4,096).

        One build per key even when many requests miss at once: the first
        builds under the key's lock, the others wait for its result.
        """
        version = self.db.version
        with self._memo_guard:
            if version != self._memo_version or len(self._memo) > 4096:
                self._memo, self._memo_locks, self._memo_version = {}, {}, version
            if key in self._memo:
                return self._memo[key]
            memo, lock = self._memo, self._memo_locks.setdefault(key, threading.Lock())
        with lock:
            if key not in memo:
                memo[key] = build()
            return memo[key]

    # -- framework ------------------------------------------------------------------
    def node_name(self, code: str, lang: str) -> str:
        for fw in self.frameworks.values():
            for node in fw.nodes:
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

    def year_or_latest(self, year: int | None, ranking_id: str | None = None) -> int:
        """``year`` if the store has it; else the latest complete year: its ranking builds with every indicator.

        A year holding only a few new cells (an accepted bulletin fact for a
        year not yet imported) is no ranking to open on: the pages open on the
        latest complete year (else the latest that builds), and the sparse
        year is still there to choose.
        """
        years = self.years()
        if not years:
            raise not_found(self.db.path, "数据库中还没有观测值（先导入数据）")
        if year is None:
            ranking = self.ranking(ranking_id or RANKINGS[0].id)
            built = {y: self._attempt(ranking, y) for y in reversed(years)}
            complete = [y for y, r in built.items() if isinstance(r, Ranked) and not r.dropped]
            return (complete or [y for y, r in built.items() if isinstance(r, Ranked)] or [years[-1]])[0]
        if year not in years:
            raise not_found("year", f"数据库中没有 {year} 年的数据；已有：{'、'.join(map(str, years))}")
        return year

    def warm(self) -> None:
        """Build every ranking of every year now (the server calls this in the background at start-up)."""
        try:
            for year in reversed(self.years()):  # the latest year first: what most pages show
                for r in RANKINGS:
                    self._attempt(r, year)
                self._cells(year)
        except BaiqiangError:
            pass  # an empty store: the pages say what is missing when asked

    # -- rankings -------------------------------------------------------------------
    def ranked(self, ranking_id: str, year: int | None = None) -> Ranked:
        """One ranking in one year (default: the latest year it can be built), built once per store version."""
        ranking = self.ranking(ranking_id)
        built = self._attempt(ranking, self.year_or_latest(year, ranking.id))
        if isinstance(built, BaiqiangError):
            raise built
        return built

    def _attempt(self, ranking: RankingDef, year: int) -> Ranked | BaiqiangError:
        """The build, or the error that stopped it (kept too, so a sparse year is not rebuilt on every request)."""
        key = (ranking.id, year, self.db.version)
        with self._lock:  # one build per key, even under concurrent first requests
            if key not in self._cache:
                self._cache = {k: v for k, v in self._cache.items() if k[2] == self.db.version}
                try:
                    self._cache[key] = self._build(ranking, year)
                except BaiqiangError as exc:
                    self._cache[key] = exc
                except (ValueError, KeyError, IndexError) as exc:  # the engine on a year too sparse to rank
                    self._cache[key] = DataError.single(f"{ranking.id} {year}", f"{year} 年的数据无法构建排名：{exc}",
                                                        "build_failed")
            return self._cache[key]

    def _build(self, ranking: RankingDef, year: int) -> Ranked:
        with self.db.read() as store:
            panel = store.panel(year)
            fw, dropped = _years_framework(self.frameworks[ranking.id], panel)
            progress = fw.rankings.progress if fw.rankings is not None else None
            base = store.panel(progress.base_year) if progress is not None and progress.base_year in store.years() \
                else None
        if self.override_universe:
            fw = fw.model_copy(update={"universe": Universe(code_column="code", name_column="name",
                                                            attribute="type", include=list(ranking.types))})
        built = panel_for(panel, fw, source=f"{self.db.path}（{year} 年）")
        results = run(fw, built)
        outcome, problem = None, None
        if fw.rankings is not None and fw.rankings.lists:
            try:
                outcome = lists_.apply(results, fw, built, base_panel=None if base is None
                                       else panel_for(base, fw, source=f"{progress.base_year} 年"))
            except BaiqiangError as exc:  # e.g. a gate's column missing this year: the ranking stands, lists say why
                problem = f"{year} 年无法编制榜单：{exc}"
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
        return Ranked(ranking, year, table, results, dropped, outcome, problem)

    def columns(self, ranked: Ranked, list_id: str | None = None) -> list[str]:
        """Every column a user may sort by, in display order (a list that names its tiers adds ``tier_name``)."""
        tier = ["tier", "tier_name"] if list_id and "tier_name" in ranked.view(list_id).columns else ["tier"]
        return ["rank", "name", "province", "prefecture", "type", "region", "score", *tier, "province_rank",
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
                 sort: str = "rank", order: str = "asc", list_id: str | None = None) -> pd.DataFrame:
        """The rows (of the whole ranking, or of one named list) matching the filters and search, sorted.

        The download writes exactly these.
        """
        t = ranked.view(list_id)
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
        cols = self.columns(ranked, list_id)
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

    def facets(self, ranked: Ranked, list_id: str | None = None) -> dict[str, list[str]]:
        """The values each filter can take in this ranking or list (for the select boxes)."""
        t = ranked.view(list_id)
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

    def placement(self, code: str, year: int) -> Ranked | None:
        """The ranking (if any) that ranks ``code`` in ``year`` (a ranking that cannot be built that year ranks no one)."""
        for r in RANKINGS:
            ranked = self._attempt(r, year)
            if isinstance(ranked, Ranked) and code in ranked.codes:
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
                               "ranking": None, "pillars": [], "indicators": [], "peers": [], "lists": [],
                               "history": []}
        cells, rows_of = self._cells(year)
        active = cells.iloc[rows_of.get(code, [])].set_index("indicator")
        units = self._indicator_units()
        fw = self.framework
        if ranked is not None:
            fw = self.frameworks[ranked.ranking.id]
            row = ranked.rows[code]
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
            out["lists"] = self._lists_of(ranked, code)
            out["lists_problem"] = ranked.list_problem
        for ind in fw.indicators:
            c = active.loc[ind.code] if ind.code in active.index else None
            out["indicators"].append({
                "code": ind.code, "name": ind.name.text(lang), "parent": ind.parent,
                "unit": units.get(ind.code) or ind.unit or "",
                "value": None if c is None or pd.isna(c["value"]) else float(c["value"]),
                "source": "" if c is None else str(c["source"] or ""),
                "provenance": "" if c is None else str(c["provenance"] or ""),
                "version": None if c is None else int(c["version"]), "versions": 0 if c is None else int(c["n_versions"]),
                "batch_id": None if c is None or pd.isna(c["batch_id"]) else int(c["batch_id"]),
                "pinned": False if c is None else bool(c["pinned"])})
        for y in self.years():
            r = self.placement(code, y)
            if r is not None:
                row = r.rows[code]
                out["history"].append({"year": y, "ranking": r.ranking.id, "rank": int(row["rank"]),
                                       "of": len(r.table), "score": float(row["score"]), "tier": int(row["tier"]),
                                       "lists": {x["id"]: x["rank"] for x in self._lists_of(r, code)}})
        return out

    def _cells(self, year: int) -> tuple[pd.DataFrame, dict[str, Any]]:
        """Every active cell of ``year`` with its provenance and version count, and each unit's row positions.

        One query per (store version, year) instead of one per profile: a profile then picks its rows.
        """
        def build() -> tuple[pd.DataFrame, dict[str, Any]]:
            codes = sorted({i.code for fw in self.frameworks.values() for i in fw.indicators})
            with self.db.read() as store:
                cells = store.con.execute(
                    "SELECT unit_code, indicator, value, source, provenance, version, batch_id, pinned, n_versions "
                    "FROM (SELECT *, count(*) OVER (PARTITION BY unit_code, indicator) AS n_versions "
                    "      FROM observations WHERE year = ? AND list_contains(?, indicator)) WHERE active",
                    [year, codes]).df()
            return cells, cells.groupby("unit_code").indices

        return self.memo(("cells", year), build)

    def _indicator_units(self) -> dict[str, str]:
        def build() -> dict[str, str]:
            with self.db.read() as store:
                return dict(store.con.execute("SELECT code, unit FROM indicators").fetchall())

        return self.memo(("indicator-units",), build)

    def _lists_of(self, ranked: Ranked, code: str) -> list[dict[str, Any]]:
        """The unit's place on each named list: rank and tier when listed, else its status and the reason."""
        out = []
        for lst in ranked.list_specs if ranked.outcome is not None else []:
            table = ranked.list_status[lst.id]
            if code not in table.index:
                continue
            r = table.loc[code]
            out.append({"id": lst.id, "name": lst.name, "top": lst.top, "status": str(r["status"]),
                        "rank": None if pd.isna(r["rank"]) else int(r["rank"]),
                        "tier": int(r["tier"]), "tier_name": str(r.get("tier_name") or "") or None,
                        "reason": str(r["reason"] or "")})
        return out

    def report_content(self, ranked: Ranked) -> Any:
        """The white paper's content (:func:`report.content.build_report`) for one ranking and year, built once per version.

        It follows the framework's first named list (gates, scores, tiers) when
        there is one, and compares with the latest earlier year in the store.
        """
        from baiqiang.report.content import build_report

        def build() -> Any:
            prev = self._previous(ranked)
            first = ranked.list_specs[0].id if ranked.list_specs and ranked.outcome is not None else None
            return build_report(ranked.results, prev.results if prev is not None else None,
                                year=str(ranked.year), previous_year=str(prev.year) if prev is not None else None,
                                ranked_list=ranked.outcome.lists[first] if first else None,
                                previous_list=prev.outcome.lists[first] if first and prev is not None
                                and prev.outcome is not None else None)

        return self.memo(("report-content", ranked.ranking.id, ranked.year), build)

    def _previous(self, ranked: Ranked) -> Ranked | None:
        """The same ranking in the latest earlier year that can be built, if any."""
        for y in reversed([y for y in self.years() if y < ranked.year]):
            prev = self._attempt(ranked.ranking, y)
            if isinstance(prev, Ranked):
                return prev
        return None

    def analysis(self, query: str, year: int | None = None, *, target: bool = False) -> dict[str, Any]:
        """The report's county profile (:func:`report.profile.build_profile`), the same content as the printed one.

        Strengths and weaknesses (indicator ranks), obstacle degrees, change
        since the previous year with its main drivers, nearest peers, and with
        ``target`` the smallest improvement that reaches the next tier.
        """
        from baiqiang.report.profile import build_profile

        code = str(self.unit(query).name)
        ranked = self.placement(code, self.year_or_latest(year))
        if ranked is None:
            raise not_found(code, "该单位这一年未参与排名，没有画像分析")
        content = self.report_content(ranked)
        prev = self._previous(ranked)
        previous = prev.results if prev is not None else None
        try:
            prof = build_profile(content, ranked.results, code, previous, target=target)
        except BaiqiangError as exc:  # a unit the list's gates leave out has no place in the report
            raise not_found(code, f"该单位不在{content.title}的参评单位中（未达准入门槛），没有画像分析") from exc
        frames = ("strengths", "weaknesses", "obstacles", "peers", "indicators")
        return {"code": code, "year": ranked.year, "ranking": ranked.ranking.id, "title": content.title,
                "previous_year": content.previous_year, "facts": prof["facts"], "pillars": prof["pillars"],
                **{k: _records(prof[k]) for k in frames},
                "target": None if prof["target"] is None else _records(prof["target"])}

    def _peers(self, ranked: Ranked, code: str, k: int = 4) -> list[dict[str, Any]]:
        """The units ranked just above and below (nearest by rank)."""
        i = ranked.position[code]
        keys = ("code", "name", "province", "rank", "score")
        near = [ranked.rows[c] for c in ranked.table["code"].iloc[max(0, i - k // 2):i + k // 2 + 1] if c != code]
        return [{key: r[key] for key in keys} for r in near]

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
    def map_units(self, ranking_id: str, year: int | None, measure: str) -> tuple[Ranked, pd.DataFrame]:
        """Ranked units that have a polygon, with its key (``geo``) and the chosen measure (the score or a pillar)."""
        ranked = self.ranked(ranking_id, year)
        if measure not in ("score", *ranked.pillars):
            raise DataError.single("measure", f"未知指标层级 {measure!r}；可选：score、{'、'.join(ranked.pillars)}",
                                   "bad_measure")
        t = ranked.table[["code", "name", "province", "rank"]].copy()
        t["value"] = ranked.table[measure].to_numpy()
        t["geo"] = ranked.geo.reindex(t["code"].astype(str)).to_numpy()
        return ranked, t[t["geo"] != ""]


def error_where(exc: BaiqiangError) -> list[dict[str, str]]:
    """The problems of an error as the API's ``errors`` list."""
    return [{"where": p.where, "message": p.message, "code": p.code} for p in exc.problems]
