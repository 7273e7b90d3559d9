"""Import the bundled 2010 and 2020 county census tables into a store.

Both tables map to one indicator catalog (:data:`CENSUS_INDICATORS`) through
header aliases (the two years name the same quantity differently).  Derived
indicators (shares, scaled counts) are computed here, from the raw columns,
and stored with a provenance naming their formula.

Every body row is classified (:func:`import_census` returns the counts):

``unit``       a current registry unit
``crosswalk``  a code that no longer exists (2010 吴江市 320584); its
               successor(s) are in the crosswalk; stored under the old code
``non_admin``  a statistical area (开发区, 管理区, 新区; codes xx71–xx79 or no code)
``subtotal``   全国, province, prefecture, 市辖区/县 groups: never units
``footnote``   text rows after the table

Blank-means-zero: the tables leave a category blank where nobody was counted
(采矿业 in 68 counties of 2020).  A blank part of a breakdown is stored as 0 only
where the row's filled parts add up exactly to its total (:func:`fill_blank_parts`);
otherwise it stays missing.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from baiqiang.data import names as nm
from baiqiang.data.census_rows import CENSUS_FILES, NAME_COLUMNS, census_path, census_rows, read_census_sheet
from baiqiang.data.registry import Registry
from baiqiang.data.store import BatchResult, Indicator, Store, file_sha256
from baiqiang.errors import DataError

if TYPE_CHECKING:
    import duckdb

SOURCE = "第六次/第七次全国人口普查分县资料（leiii/census, Lei Dong et al., MIT）"

# code, name_zh, name_en, unit, definition, aliases (2010 and 2020 headers after cleaning)
_RAW: list[tuple[str, str, str, str, str, tuple[str, ...]]] = [
    ("pop_total", "常住人口", "Resident population", "人", "普查常住人口合计", ("合计", "人口数_合计")),
    ("pop_urban", "城镇人口", "Urban population", "人", "常住人口中的城镇人口", ("城镇人口",)),
    ("age_15_64_pct", "15-64岁人口比重", "Working-age share", "%", "15-64 岁人口占常住人口比重",
     ("15-64岁", "人口比重_15-64岁")),
    ("edu_years", "平均受教育年限", "Mean years of schooling", "年", "6 岁及以上人口平均受教育年限",
     ("平均受教育年限-合计", "平均受教育年限_合计")),
    ("college_m", "大学本科及以上（男）", "Bachelor+ (male)", "人", "", ("大学本科及以上-男", "本科及以上_男")),
    ("college_f", "大学本科及以上（女）", "Bachelor+ (female)", "人", "", ("大学本科及以上-女", "本科及以上_女")),
    ("junior_college_m", "大学专科（男）", "Junior college (male)", "人", "", ("大学专科-男", "大学专科_男")),
    ("junior_college_f", "大学专科（女）", "Junior college (female)", "人", "", ("大学专科-女", "大学专科_女")),
    ("mig_same_county", "外乡镇街道人口：本县", "Registered elsewhere: same county", "人",
     "户口登记地在本县（市、区）其他乡镇街道的人口", ("迁入人口-本县（市）/本市市区", "户口登记地在外乡镇街道人口_本县")),
    ("mig_other_county", "外乡镇街道人口：本省其他县", "Registered elsewhere: other county", "人",
     "户口登记地在本省其他县（市、区）的人口", ("迁入人口-本省其他县（市）、市区", "户口登记地在外乡镇街道人口_本省其他县")),
    ("mig_other_province", "外乡镇街道人口：省外", "Registered in another province", "人",
     "户口登记地在外省的常住人口", ("迁入人口-外省", "户口登记地在外乡镇街道人口_省外")),
    ("occ_total", "各种职业人口总计（长表）", "Employed by occupation (sample)", "人", "长表抽样数",
     ("各种职业人口总计",)),
    ("occ_professional", "专业技术人员（长表）", "Professional and technical (sample)", "人", "长表抽样数",
     ("专业技术人员",)),
    ("occ_production", "生产制造及有关人员（长表）", "Production workers (sample)", "人", "长表抽样数",
     ("生产、运输设备操作人员及有关人员", "生产制造及有关人员")),
    ("ind_total", "各种行业人口总计（长表）", "Employed by industry (sample)", "人", "长表抽样数", ("各种行业人口总计",)),
    ("ind_agriculture", "农林牧渔业（长表）", "Agriculture (sample)", "人", "长表抽样数", ("农林牧渔业",)),
    ("ind_mining", "采矿业（长表）", "Mining (sample)", "人", "长表抽样数", ("采矿业",)),
    ("ind_manufacturing", "制造业（长表）", "Manufacturing (sample)", "人", "长表抽样数", ("制造业",)),
    ("ind_utilities", "电力燃气水（长表）", "Utilities (sample)", "人", "长表抽样数",
     ("电力、燃气及水的生产和供应业", "电力热力燃气及水生产和供应业")),
    ("ind_construction", "建筑业（长表）", "Construction (sample)", "人", "长表抽样数", ("建筑业",)),
    ("ind_research", "科学研究和技术服务业（长表）", "Research and technical services (sample)", "人", "长表抽样数",
     ("科学研究、技术服务和地质勘察业", "科学研究和技术服务业")),
    ("hh_all", "家庭户户数（全部）", "Family households (full count)", "户", "", ("全部数据-家庭户", "家庭户户数")),
    ("hh_long", "家庭户户数（长表）", "Family households (long form)", "户", "", ("长表数据-家庭户", "家庭户户数_长表")),
    ("housing_area_pc", "人均住房建筑面积", "Floor area per person", "平方米/人", "家庭户人均住房建筑面积",
     ("人均住房建筑面积",)),
    ("hh_tapwater", "住房内有管道自来水户数（长表）", "Households with tap water (sample)", "户", "",
     ("住房内有无管道自来水-有", "住房内有管道自来水")),
    ("hh_elevator", "住房所在建筑有电梯户数（长表）", "Households with elevator (sample)", "户", "仅 2020 年",
     ("住房所在建筑有电梯",)),
    ("hh_car", "拥有家用汽车户数（长表）", "Households owning a car (sample)", "户", "仅 2020 年", ("拥有家用汽车",)),
]

# code, name_zh, name_en, unit, formula (documented in docs/indicators.md)
_DERIVED: list[tuple[str, str, str, str, str]] = [
    ("mfg_emp_share", "制造业就业占比", "Manufacturing employment share", "%", "ind_manufacturing / ind_total × 100"),
    ("secondary_emp_share", "第二产业就业占比", "Secondary-industry employment share", "%",
     "(ind_mining + ind_manufacturing + ind_utilities + ind_construction) / ind_total × 100"),
    ("mfg_emp_est", "制造业就业人数（推算）", "Manufacturing employment (estimated)", "人",
     "ind_manufacturing × hh_all / hh_long"),
    ("secondary_emp_est", "第二产业就业人数（推算）", "Secondary-industry employment (estimated)", "人",
     "(ind_mining + ind_manufacturing + ind_utilities + ind_construction) × hh_all / hh_long"),
    ("production_worker_share", "生产制造人员占比", "Production-worker share", "%", "occ_production / occ_total × 100"),
    ("professional_share", "专业技术人员占比", "Professional/technical share", "%", "occ_professional / occ_total × 100"),
    ("research_emp_share", "科研技术服务业就业占比", "Research services employment share", "%",
     "ind_research / ind_total × 100"),
    ("college_share", "大专及以上人口比重", "Tertiary-educated share", "%",
     "(college_m + college_f + junior_college_m + junior_college_f) / pop_total × 100"),
    ("inter_province_share", "省外人口比重", "Out-of-province residents share", "%", "mig_other_province / pop_total × 100"),
    ("urban_share", "城镇化率", "Urbanisation rate", "%", "pop_urban / pop_total × 100"),
    ("car_rate", "家庭汽车拥有率", "Household car ownership", "%", "hh_car / hh_long × 100"),
    ("elevator_rate", "电梯住房比例", "Households in buildings with elevators", "%", "hh_elevator / hh_long × 100"),
    ("industry_emp_est", "工业从业人数（推算）", "Industrial employment (estimated)", "人",
     "(ind_mining + ind_manufacturing + ind_utilities) × hh_all / hh_long"),
    ("production_worker_est", "生产制造及有关人员数（推算）", "Production workers (estimated)", "人",
     "occ_production × hh_all / hh_long"),
    ("industry_emp_share", "工业就业占比", "Industrial employment share", "%",
     "(ind_mining + ind_manufacturing + ind_utilities) / ind_total × 100"),
    ("nonagri_emp_share", "非农就业占比", "Non-agricultural employment share", "%",
     "(ind_total - ind_agriculture) / ind_total × 100"),
    ("nonlocal_share", "外来常住人口占比", "Residents registered in another county", "%",
     "(mig_other_county + mig_other_province) / pop_total × 100"),
    ("tapwater_rate", "管道自来水住房比例", "Households with tap water", "%", "hh_tapwater / hh_long × 100"),
]


def census_indicators() -> list[Indicator]:
    """The census catalog: raw columns and derived indicators."""
    out = [Indicator(c, zh, en, unit, d, al) for c, zh, en, unit, d, al in _RAW]
    out += [Indicator(c, zh, en, unit, f"派生：{f}", ()) for c, zh, en, unit, f in _DERIVED]
    return out


CENSUS_INDICATORS = census_indicators()
DERIVED_FORMULAS: dict[str, str] = {c: f for c, _, _, _, f in _DERIVED}


@dataclass
class CensusImport:
    """Result of importing one census year."""

    year: int
    rows: pd.DataFrame  # row, code, name, province, prefecture, kind, category, stored_code
    counts: dict[str, int]
    unmapped_columns: list[str]
    n_observations: int
    batch_id: int | None


#: Breakdowns whose parts add up to a total: (total header, header of the last part).
#: The parts are the columns between them, in both census years.
PART_GROUPS: tuple[tuple[str, str], ...] = (
    ("各种行业人口总计", "国际组织"),
    ("各种职业人口总计", "不便分类"),
)
ZERO_NOTE = "空白按 0 计（其余分项之和等于合计）"


def part_columns(columns: list[str], total: str, last_prefix: str) -> list[str]:
    """The part columns of a breakdown: after ``total`` up to the first starting with ``last_prefix``."""
    if total not in columns:
        return []
    start = columns.index(total) + 1
    for j in range(start, len(columns)):
        if columns[j].startswith(last_prefix):
            return columns[start : j + 1]
    return []


def fill_blank_parts(body: pd.DataFrame, total: str, parts: list[str]) -> tuple[pd.DataFrame, np.ndarray]:
    """Blank parts set to 0 in rows whose filled parts sum exactly to the total; and which cells were set.

    A census breakdown (employment by industry) leaves a category blank where
    it counted nobody.  The blank is a true zero exactly when the other parts
    already make up the total: sum(filled parts) == total (counts, so to
    within 0.5).  Rows with a missing total, or parts that fall short, keep
    their blanks as missing.  ``body`` holds numbers (NaN for blanks).
    """
    block = body[parts].to_numpy(dtype=float)
    blank = np.isnan(block)
    tot = body[total].to_numpy(dtype=float)
    adds_up = np.isfinite(tot) & (np.abs(np.nansum(block, axis=1) - tot) < 0.5)
    filled = blank & adds_up[:, None]
    out = body.copy()
    out[parts] = np.where(filled, 0.0, block)
    return out, filled


RANGE_NOTE = "超出 0–100% 的合理范围，请核对原表"


def out_of_range(derived: pd.DataFrame) -> pd.DataFrame:
    """Per derived value: a share (unit %) outside 0–100, which a correct table cannot produce.

    Such a value is stored as computed and flagged in its provenance (and
    counted in :attr:`CensusImport.counts` as ``out_of_range``), never silently kept.
    """
    units = {c: u for c, _, _, u, _ in _DERIVED}
    shares = [c for c in derived.columns if units.get(c) == "%"]
    flags = pd.DataFrame(False, index=derived.index, columns=derived.columns)
    flags[shares] = (derived[shares] < 0) | (derived[shares] > 100)
    return flags


def _derive(wide: pd.DataFrame) -> pd.DataFrame:
    def col(c: str) -> pd.Series:
        return wide[c] if c in wide.columns else pd.Series(np.nan, index=wide.index)

    with np.errstate(divide="ignore", invalid="ignore"):
        sec = col("ind_mining") + col("ind_manufacturing") + col("ind_utilities") + col("ind_construction")
        scale = col("hh_all") / col("hh_long")
        d = pd.DataFrame(index=wide.index)
        d["mfg_emp_share"] = col("ind_manufacturing") / col("ind_total") * 100
        d["secondary_emp_share"] = sec / col("ind_total") * 100
        d["mfg_emp_est"] = col("ind_manufacturing") * scale
        d["secondary_emp_est"] = sec * scale
        d["production_worker_share"] = col("occ_production") / col("occ_total") * 100
        d["professional_share"] = col("occ_professional") / col("occ_total") * 100
        d["research_emp_share"] = col("ind_research") / col("ind_total") * 100
        d["college_share"] = (col("college_m") + col("college_f") + col("junior_college_m")
                              + col("junior_college_f")) / col("pop_total") * 100
        d["inter_province_share"] = col("mig_other_province") / col("pop_total") * 100
        d["urban_share"] = col("pop_urban") / col("pop_total") * 100
        d["car_rate"] = col("hh_car") / col("hh_long") * 100
        d["elevator_rate"] = col("hh_elevator") / col("hh_long") * 100
        industry = col("ind_mining") + col("ind_manufacturing") + col("ind_utilities")
        d["industry_emp_est"] = industry * scale
        d["production_worker_est"] = col("occ_production") * scale
        d["industry_emp_share"] = industry / col("ind_total") * 100
        d["nonagri_emp_share"] = (col("ind_total") - col("ind_agriculture")) / col("ind_total") * 100
        d["nonlocal_share"] = (col("mig_other_county") + col("mig_other_province")) / col("pop_total") * 100
        d["tapwater_rate"] = col("hh_tapwater") / col("hh_long") * 100
    return d.replace([np.inf, -np.inf], np.nan)


def import_census(store: Store, year: int, *, registry: Registry | None = None) -> CensusImport:
    """Import the bundled census table of ``year`` (2010 or 2020) into ``store``."""
    if year not in CENSUS_FILES:
        raise DataError.single(f"census {year}", "只有 2010 与 2020 年普查表", "bad_year")
    registry = registry or Registry.load()
    store.ensure_registry()
    store.upsert_indicators(CENSUS_INDICATORS)
    sheet = read_census_sheet(year, numbers_as_floats=True)  # numbers stay NumPy floats, never Python objects
    rows = census_rows(year, sheet)
    units = registry.units
    prov_codes: dict[str, str] = {}
    for c, n, k in zip(rows["code"].tolist(), rows["name"].tolist(), rows["kind"].tolist()):  # lists: fast to iterate
        if k == "province":
            prov_codes.setdefault(n, c)
    # Category of every row at once: structural rows are subtotals, unit rows take their registry status.
    structural = rows["kind"].isin(["province", "prefecture", "subtotal", "total"]).to_numpy()
    is_unit = (rows["kind"] == "unit").to_numpy()
    status = rows["code"].map(units["status"])
    unknown = is_unit & status.isna().to_numpy()
    if unknown.any():
        r = rows[unknown].iloc[0]
        raise DataError.single(f"{CENSUS_FILES[year]} 第 {r.row} 行", f"代码 {r.code} 既不在单位表也不在对照表", "unknown_unit")
    by_status = status.map({"current": "unit", "historical": "crosswalk", "non_admin": "non_admin"}).to_numpy(dtype=object)
    cats = np.where(structural, "subtotal", np.where(is_unit, by_status, rows["kind"].to_numpy(dtype=object)))
    stored = np.where(structural, "", rows["code"].to_numpy(dtype=object))
    extra_units = []
    for i in np.flatnonzero((cats == "non_admin") & ~rows["code"].isin(units.index).to_numpy()):
        r = rows.iloc[i]
        stored[i] = r.code or f"NA{year}{r.row:05d}"  # synthetic code for uncoded statistical areas
        extra_units.append(_non_admin_unit(stored[i], r["name"], r.province, r.prefecture, prov_codes))
    rows = rows.assign(category=list(cats), stored_code=list(stored))
    if extra_units:
        store.add_units(pd.DataFrame(extra_units))
    # Map columns through aliases.
    alias = {nm.normalise(a): ind.code for ind in CENSUS_INDICATORS for a in ind.aliases}
    colmap = {c: alias[nm.normalise(c)] for c in sheet.data.columns if nm.normalise(c) in alias}
    unmapped = [sheet.original_headers[c] for c in sheet.data.columns if c not in colmap and c not in NAME_COLUMNS]
    keep = rows[rows["category"].isin(["unit", "crosswalk", "non_admin"])]
    groups = [(total, cols) for total, last in PART_GROUPS
              if (cols := part_columns(list(sheet.data.columns), total, last))]
    # Only the columns stored or needed to fill blank parts are read as numbers (not the name columns).
    used = {*colmap, *(c for total, cols in groups for c in (total, *cols))}
    numbers = (sheet.data.loc[keep["row"].to_numpy(), [c for c in sheet.data.columns if c in used]]
               .apply(pd.to_numeric, errors="coerce"))
    zeroed = np.zeros((len(numbers), len(numbers.columns)), dtype=bool)
    for total, part_cols in groups:
        numbers, filled = fill_blank_parts(numbers, total, part_cols)
        zeroed[:, [numbers.columns.get_loc(c) for c in part_cols]] |= filled
    zeroed_cells = pd.DataFrame(zeroed, columns=numbers.columns)[list(colmap)].rename(columns=colmap)
    wide = numbers[list(colmap)].rename(columns=colmap)
    wide.index = keep["stored_code"].to_numpy()
    derived = _derive(wide)
    fname = CENSUS_FILES[year]
    col_of = {v: k for k, v in colmap.items()}
    outside = out_of_range(derived)
    kept_derived = [c for c in derived.columns if derived[c].notna().any()]
    # Per column: the provenance text after "第 <row> 行" and the note its flagged cells add.
    labels = ([(ind, f" 列「{sheet.original_headers[col_of[ind]]}」", ZERO_NOTE) for ind in wide.columns]
              + [(ind, f"；派生：{DERIVED_FORMULAS[ind]}", RANGE_NOTE) for ind in kept_derived])
    values = np.hstack([wide.to_numpy(dtype=float), derived[kept_derived].to_numpy(dtype=float)])
    flagged = np.hstack([zeroed_cells.to_numpy(dtype=bool), outside[kept_derived].to_numpy(dtype=bool)])
    obs = _long_observations(wide.index.to_numpy(dtype=object), keep["row"].to_numpy(), [c for c, _, _ in labels],
                             values, flagged)
    res = _add_census_batch(store, obs, pd.DataFrame(labels, columns=["indicator", "label", "note"]), year=year,
                            fname=fname, sha256=file_sha256(census_path(year)))
    counts = rows["category"].value_counts().to_dict()
    counts["footnote"] = len(sheet.footnotes)
    counts["out_of_range"] = int(outside.to_numpy().sum())
    return CensusImport(year, rows, {k: int(v) for k, v in counts.items()}, unmapped, len(obs), res.batch_id)


def _long_observations(codes: np.ndarray, rows: np.ndarray, indicators: list[str], values: np.ndarray,
                       flagged: np.ndarray) -> pd.DataFrame:
    """One row per (unit, indicator) cell of the ``units × indicators`` blocks, indicator by indicator.

    ``rows`` are the units' file rows (for the provenance), ``flagged`` marks the
    cells whose provenance carries their column's note.
    """
    n, m = values.shape
    return pd.DataFrame({
        "unit_code": np.tile(codes, m), "indicator": np.repeat(np.array(indicators, dtype=object), n),
        "value": values.ravel(order="F"), "row": np.tile(rows.astype(np.int64), m), "flagged": flagged.ravel(order="F"),
    })


def _sql_text(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _add_census_batch(store: Store, obs: pd.DataFrame, labels: pd.DataFrame, *, year: int, fname: str,
                      sha256: str) -> BatchResult:
    """Add one year's observations as one batch, the provenance texts built in SQL.

    ``<file> 第 <row> 行<label>[；<note>]`` is concatenated by DuckDB for all
    cells at once, so the quarter million texts never pass through Python.  The
    store's checks (every unit known, one row per cell, finite values) run in
    SQL first; should any fail, the rows go through :meth:`Store.add_observations`,
    which reports every offending row by file and row.
    """
    con = store.con
    con.register("_census_long", obs)
    con.register("_census_labels", labels)
    view = (f"SELECT o.unit_code, o.indicator, CAST({int(year)} AS INTEGER) AS year, "
            "CASE WHEN isnan(o.value) THEN NULL ELSE o.value END AS value, "
            f"{_sql_text(SOURCE)} AS source, {_sql_text(fname + ' 第 ')} || o.row || ' 行' || l.label "
            "|| CASE WHEN o.flagged THEN '；' || l.note ELSE '' END AS provenance "
            "FROM _census_long o JOIN _census_labels l USING (indicator)")
    note = f"{year} 年人口普查分县表"
    try:
        con.execute(f"CREATE OR REPLACE TEMP VIEW _census_obs AS {view}")
        with _one_thread(con):
            unknown, duplicated, infinite = con.execute(
                "SELECT (SELECT count(*) FROM _census_long WHERE unit_code NOT IN (SELECT code FROM units)), "
                "(SELECT count(*) - count(DISTINCT (unit_code, indicator)) FROM _census_long), "
                "(SELECT count(*) FROM _census_long WHERE isinf(value))").fetchall()[0]
        if unknown or duplicated or infinite:
            return store.add_observations(con.execute("SELECT * FROM _census_obs").df(), source=SOURCE, file=fname,
                                          sha256=sha256, note=note)
        return store.add_validated("_census_obs", source=SOURCE, file=fname, sha256=sha256, note=note)
    finally:
        import duckdb

        # After a failed statement inside an open transaction DuckDB accepts only its rollback (which drops the
        # view): the clean-up must not replace the error being raised.
        with contextlib.suppress(duckdb.Error):
            con.execute("DROP VIEW IF EXISTS _census_obs")
            con.unregister("_census_long")
            con.unregister("_census_labels")


@contextlib.contextmanager
def _one_thread(con: "duckdb.DuckDBPyConnection") -> Iterator[None]:
    """DuckDB on one thread inside the block, its thread count as it was after it.

    For the census batch's checks (~135,000 cells): 23 ms on one thread against 34 ms on DuckDB's
    default two on this 2-core machine (2026-12-04, statement by statement).  The insert itself stays
    on DuckDB's threads: on one it takes 0.045 s instead of 0.14 s, but its rows are then written at
    the COMMIT, 0.09 → 0.17 s, which the demo runs on a thread beside its ranking.  Should restoring
    fail (only after a failed statement, which the transaction's rollback follows), the error being
    raised is kept and the connection stays on one thread.
    """
    import duckdb

    (threads,), = con.execute("SELECT current_setting('threads')").fetchall()
    con.execute("SET threads = 1")
    try:
        yield
    finally:
        with contextlib.suppress(duckdb.Error):
            con.execute(f"SET threads = {int(threads)}")


def _non_admin_unit(code: str, name: str, province: str, prefecture: str,
                    prov_codes: dict[str, str]) -> dict[str, object]:
    prov_code = prov_codes.get(province, "")
    return {
        "code": code, "name": name, "short_name": name, "type": nm.NON_ADMIN, "level": "county",
        "prefecture_code": code[:4] + "00" if code[:1].isdigit() else "", "prefecture": prefecture,
        "province_code": prov_code, "province": province, "region": nm.REGIONS.get(prov_code[:2], ""),
        "longitude": np.nan, "latitude": np.nan, "status": "non_admin", "valid_until": pd.NA, "successors": "",
    }
