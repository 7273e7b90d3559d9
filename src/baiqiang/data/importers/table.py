"""Import a user table (CSV/XLSX/Parquet, wide or long) into a :class:`Store`.

Wide layout: one row per unit, one column per indicator (``year`` given as an
argument or a 年份/year column).  Long layout: columns for unit, year,
indicator and value.  Columns map to indicators through the catalog's codes,
Chinese names and aliases; unmapped columns are reported.  Header units are
converted to the indicator's declared unit (万元 → 亿元, ‰ → %).

Each body row gets a report line: ``imported``, ``subtotal`` (全国, a
province, a prefecture, 市辖区: never a unit), ``ambiguous`` / ``unmatched``
(not imported; candidates listed).  Non-numeric cells and duplicate units are
errors: the import raises :class:`DataError` listing them all and the store
is unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from baiqiang.data import names as nm
from baiqiang.data.importers.read import read_raw
from baiqiang.data.importers.yearbook import convert_unit, parse_number, parse_numbers, parse_sheet
from baiqiang.data.registry import Registry
from baiqiang.data.resolve import Resolver
from baiqiang.data.store import BatchResult, Store, file_sha256
from baiqiang.errors import DataError, Problem

CODE_COLUMNS = ("区划代码", "行政区划代码", "代码", "code", "adcode", "unit_code")
NAME_COLUMNS = ("地区", "区县", "县", "县市", "县区", "县（市、区）", "县市区", "名称", "单位", "name", "unit", "unit_name", "county")
PROVINCE_COLUMNS = ("省", "省份", "province")
PREFECTURE_COLUMNS = ("市", "地级市", "地市", "prefecture")
YEAR_COLUMNS = ("年份", "年", "year")
INDICATOR_COLUMNS = ("指标", "indicator")
VALUE_COLUMNS = ("数值", "值", "value")
SUBTOTAL_NAMES = frozenset({"全国", "合计", "总计", "市辖区", "县", "全省", "全市", "小计",
                            "省直辖县级行政区划", "自治区直辖县级行政区划"})


@dataclass
class ImportReport:
    """What happened to every row and column of one file."""

    file: str
    rows: pd.DataFrame  # row, name, status, code, candidates, note
    unmapped_columns: list[str] = field(default_factory=list)
    footnotes: list[tuple[int, str]] = field(default_factory=list)
    batch: BatchResult | None = None

    def counts(self) -> dict[str, int]:
        return {str(k): int(v) for k, v in self.rows["status"].value_counts().items()}

    def problems(self) -> pd.DataFrame:
        """Rows that did not import cleanly (the resolution report)."""
        return self.rows[~self.rows["status"].isin(["imported", "subtotal"])]


def _find(columns: list[str], options: tuple[str, ...]) -> str | None:
    low = {c.lower(): c for c in columns}
    for o in options:
        if o.lower() in low:
            return low[o.lower()]
    return None


def import_file(
    store: Store, path: str | Path, *, year: int | None = None, sheet: str | int | None = None,
    source: str | None = None, registry: Registry | None = None, header_rows: int | None = None,
    layout: str = "auto",
) -> ImportReport:
    """Import ``path`` into ``store`` (see module docstring).

    ``layout`` is ``auto`` (long when indicator and value columns exist),
    ``wide`` or ``long`` (a long layout is then required).
    """
    if layout not in ("auto", "wide", "long"):
        raise ValueError(f"layout must be auto, wide or long, not {layout!r}")
    path = Path(path)
    fname = path.name
    sh = parse_sheet(read_raw(path, sheet=sheet), header_rows=header_rows)
    data = sh.data
    cols = list(data.columns)
    if not cols:
        raise DataError.single(fname, "表中没有数据", "empty")
    store.ensure_registry()
    store.ensure_catalog()
    registry = registry or Registry.load()
    resolver = Resolver(registry, prefer_current=False)
    catalog = store.indicators()
    lookup: dict[str, tuple[str, str]] = {}
    for ind in catalog:
        for key in (ind.code, ind.name_zh, *ind.aliases):
            lookup[nm.normalise(key).lower()] = (ind.code, ind.unit)
    code_col, name_col = _find(cols, CODE_COLUMNS), _find(cols, NAME_COLUMNS)
    prov_col, pref_col = _find(cols, PROVINCE_COLUMNS), _find(cols, PREFECTURE_COLUMNS)
    year_col = _find(cols, YEAR_COLUMNS)
    ind_col, val_col = _find(cols, INDICATOR_COLUMNS), _find(cols, VALUE_COLUMNS)
    if code_col is None and name_col is None:
        raise DataError.single(fname, f"找不到单位列（需要其一：{'、'.join(CODE_COLUMNS[:3] + NAME_COLUMNS[:3])}）", "missing_column")
    if year is None and year_col is None:
        raise DataError.single(fname, "没有年份：请给出 --year 或提供“年份”列", "missing_year")
    key_cols = {c for c in (code_col, name_col, prov_col, pref_col, year_col) if c}
    long = ind_col is not None and val_col is not None and layout != "wide"
    if layout == "long" and not long:
        raise DataError.single(fname, f"长表需要指标列（{'、'.join(INDICATOR_COLUMNS)}）与数值列（"
                               f"{'、'.join(VALUE_COLUMNS)}）；表头为：{'、'.join(cols)}", "missing_column")
    mapped: dict[str, tuple[str, str]] = {}
    unmapped: list[str] = []
    if not long:
        for c in cols:
            if c in key_cols:
                continue
            hit = lookup.get(nm.normalise(c).lower())
            if hit:
                mapped[c] = hit
            else:
                unmapped.append(sh.original_headers.get(c, c))
    prov_names = {nm.place_stem(n) for n in registry.units.loc[registry.units["level"] != "county", "name"]}
    report_rows: list[dict[str, object]] = []
    imported: list[tuple[object, str, object]] = []  # (file row, unit code, year)
    for row, r in data.iterrows():
        name = r[name_col] if name_col else None
        nname = nm.normalise(name) if name is not None else ""
        code = str(r[code_col]).strip() if code_col and r[code_col] is not None else ""
        code = code[:-2] if code.endswith(".0") else code
        base = {"row": row, "name": nname or code}
        if nname in SUBTOTAL_NAMES or (nname and nm.place_stem(nname) in prov_names and not code) or (
                code.isdigit() and len(code) == 6 and code.endswith("00")):
            report_rows.append({**base, "status": "subtotal", "code": code, "candidates": "", "note": "合计/小计行，不作为单位"})
            continue
        res = resolver.resolve(code if code.isdigit() else name,
                               province=r[prov_col] if prov_col else None,
                               prefecture=r[pref_col] if pref_col else None)
        if res.status != "matched" and code.isdigit() and name is not None:
            res = resolver.resolve(name, province=r[prov_col] if prov_col else None,
                                   prefecture=r[pref_col] if pref_col else None)
        if res.status != "matched":
            report_rows.append({**base, "status": res.status, "code": "", "candidates": "；".join(res.candidates),
                                "note": res.note})
            continue
        report_rows.append({**base, "status": "imported", "code": res.code, "candidates": "", "note": res.note})
        yr = year if year is not None else parse_number(r[year_col])[0]
        imported.append((row, res.code, yr))
    # Cells of the imported rows are parsed at once; problems keep row-major order.
    keyed: list[tuple[int, int, Problem]] = []
    obs = pd.DataFrame(columns=["unit_code", "indicator", "year", "value", "provenance"])
    if imported:
        rows_ = [i[0] for i in imported]
        codes = np.array([i[1] for i in imported], dtype=object)
        years = np.array([i[2] for i in imported], dtype=object)
        if long:
            labels = [str(v) for v in data.loc[rows_, ind_col]]
            hits = [lookup.get(nm.normalise(lb).lower()) for lb in labels]
            cells = data.loc[rows_, [val_col]].to_numpy(dtype=object)
            values, ok = parse_numbers(cells)
            known = np.array([h is not None for h in hits], dtype=bool)
            for i in np.nonzero(~known)[0]:
                keyed.append((i, 0, Problem(f"{fname}: 第 {rows_[i]} 行, 列 {ind_col}",
                                            f"指标 {labels[i]!r} 不在指标目录中", "unknown_indicator")))
            col_names = [val_col]
            ind_codes = np.array([h[0] if h else "" for h in hits], dtype=object)[:, None]
            use = known[:, None] & ok
        else:
            col_names = list(mapped)
            cells = data.loc[rows_, col_names].to_numpy(dtype=object)
            values, ok = parse_numbers(cells)
            use = ok.copy()
            for j, col in enumerate(col_names):
                try:
                    values[:, j] = convert_unit(values[:, j], sh.units.get(col, ""), mapped[col][1])
                except ValueError as exc:
                    keyed.extend((int(i), j, Problem(f"{fname}: 列 {col}", str(exc), "unit"))
                                 for i in np.nonzero(ok[:, j])[0])
                    use[:, j] = False
            ind_codes = np.array([[mapped[c][0] for c in col_names]], dtype=object).repeat(len(rows_), axis=0)
            known = np.ones(len(rows_), dtype=bool)
        for i, j in zip(*np.nonzero(~ok & known[:, None])):
            col = col_names[j]
            where = f"{fname}: 第 {rows_[i]} 行, 列 {sh.original_headers.get(col, col)!r}".replace("\n", " ")
            keyed.append((int(i), int(j), Problem(where, f"不是数字：{cells[i, j]!r}", "non_numeric")))
        ii, jj = np.nonzero(use)
        obs = pd.DataFrame({
            "unit_code": codes[ii], "indicator": ind_codes[ii, jj], "year": years[ii],
            "value": values[ii, jj].astype(float),
            "provenance": [f"{fname} 第 {rows_[i]} 行 列「{col_names[j]}」" for i, j in zip(ii, jj)],
        })
    problems = [p for _, _, p in sorted(keyed, key=lambda k: (k[0], k[1]))]
    report = pd.DataFrame(report_rows, columns=["row", "name", "status", "code", "candidates", "note"])
    if len(obs):
        o = obs
        dup = o.duplicated(["unit_code", "indicator", "year"], keep=False)
        for (u, ind, y), g in o[dup].groupby(["unit_code", "indicator", "year"]):
            rows_ = "、".join(sorted({p.split(" 第 ")[1].split(" 行")[0] for p in g["provenance"]}))
            problems.append(Problem(f"{fname}: 第 {rows_} 行", f"单位 {u} 的 {ind}（{int(y)} 年）重复出现", "duplicate"))
    if problems:
        raise DataError(problems, summary=f"{fname}: 导入失败，{len(problems)} 处问题，数据库未改动")
    batch = None
    if len(obs):
        batch = store.add_observations(obs, source=source or fname, file=str(path),
                                       sha256=file_sha256(path))
    return ImportReport(fname, report, unmapped, sh.footnotes, batch)
