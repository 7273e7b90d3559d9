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
from typing import Any

import numpy as np
import pandas as pd

from baiqiang.data import names as nm
from baiqiang.data.catalog import index_by_label, label_key
from baiqiang.data.importers.fast import PLAIN_SUFFIXES, Progress, import_plain_csv
from baiqiang.data.importers.read import read_raw
from baiqiang.data.importers.yearbook import Sheet, parse_numbers, parse_sheet
from baiqiang.data.registry import Registry
from baiqiang.data.resolve import Resolution, Resolver
from baiqiang.data.store import BatchResult, Store, file_sha256
from baiqiang.data.units import UnitError, convert, is_unit, normalise as normalise_unit
from baiqiang.errors import DataError, Problem

CODE_COLUMNS = ("区划代码", "行政区划代码", "代码", "code", "adcode", "unit_code")
NAME_COLUMNS = ("地区", "区县", "县", "县市", "县区", "县（市、区）", "县市区", "名称", "单位", "name", "unit", "unit_name", "county")
PROVINCE_COLUMNS = ("省", "省份", "province")
PREFECTURE_COLUMNS = ("市", "地级市", "地市", "prefecture")
YEAR_COLUMNS = ("年份", "年", "year")
INDICATOR_COLUMNS = ("指标", "indicator")
VALUE_COLUMNS = ("数值", "值", "value")
#: A long table's unit of measure column (单位 is also a name column: it is the unit column only
#: when every filled cell in it is a unit of measure).
MEASURE_COLUMNS = ("计量单位", "单位", "unit")
#: Second header rows under an indicator (地区生产总值 / 总量（亿元）/ 增速（%）): the level, and the growth.
LEVEL_SUBHEADERS = ("总量", "绝对额", "绝对数", "绝对值", "数值", "金额", "数量", "合计", "本年", "本期")
GROWTH_SUBHEADERS = ("增速", "增长", "增长率", "比上年增长", "同比增长", "比上年增减", "增幅", "比上年增长率")
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
    warnings: list[str] = field(default_factory=list)  # plausibility, located
    #: The set-based path's report lines (``row,name,…\r\n`` each, in row order): written as they are.
    csv_lines: Any = field(default=None, repr=False)

    def write_rows(self, path: Path) -> None:
        """Write the row report as CSV, byte for byte as ``write_csv(self.rows, path)`` would."""
        from baiqiang.pipeline.export import write_csv

        if self.csv_lines is None:
            write_csv(self.rows, path)
            return
        import pyarrow as pa

        from baiqiang.data.importers.fast import csv_tail

        header = csv_tail(list(self.rows.columns[1:]))
        with open(path, "wb") as f:
            f.write(("\ufeff" + str(self.rows.columns[0]) + header).encode("utf-8"))
            for chunk in self.csv_lines.cast(pa.large_string()).chunks:  # the lines' bytes, back to back
                offsets = np.frombuffer(chunk.buffers()[1], dtype=np.int64)[chunk.offset: chunk.offset + len(chunk) + 1]
                if len(chunk):
                    f.write(memoryview(chunk.buffers()[2])[offsets[0]: offsets[-1]])

    def counts(self) -> dict[str, int]:
        return {str(k): int(v) for k, v in self.rows["status"].value_counts().items()}

    def problems(self) -> pd.DataFrame:
        """Rows that did not import cleanly (the resolution report)."""
        return self.rows[~self.rows["status"].isin(["imported", "subtotal"])]


def find_column(columns: list[str], options: tuple[str, ...]) -> str | None:
    """The first of ``options`` present in ``columns`` (case-insensitive), as spelt there."""
    low = {c.lower(): c for c in columns}
    for o in options:
        if o.lower() in low:
            return low[o.lower()]
    return None


_OBS_COLUMNS = ["unit_code", "indicator", "year", "value", "provenance"]
_REPORT_COLUMNS = ["row", "name", "status", "code", "candidates", "note"]
#: A cell problem keyed by (imported-row index, value-column index) for row-major ordering.
_Keyed = tuple[int, int, Problem]


@dataclass(frozen=True)
class _KeyColumns:
    """Header labels of the non-indicator columns (``None`` where the sheet has none)."""

    code: str | None
    name: str | None
    province: str | None
    prefecture: str | None
    year: str | None
    indicator: str | None
    value: str | None
    measure: str | None = None

    @classmethod
    def find(cls, columns: list[str], data: pd.DataFrame | None = None) -> _KeyColumns:
        """Look every key column up by its known spellings (``data`` tells a 单位 column of units of measure)."""
        name = find_column(columns, NAME_COLUMNS)
        measure = next((c for c in (find_column(columns, (m,)) for m in MEASURE_COLUMNS)
                        if c is not None and data is not None and _is_measure_column(data[c], c == name)), None)
        names = [c for c in columns if c != measure]
        return cls(
            find_column(columns, CODE_COLUMNS), find_column(names, NAME_COLUMNS), find_column(columns, PROVINCE_COLUMNS),
            find_column(columns, PREFECTURE_COLUMNS), find_column(columns, YEAR_COLUMNS),
            find_column(columns, INDICATOR_COLUMNS), find_column(columns, VALUE_COLUMNS), measure,
        )

    def row_keys(self) -> set[str]:
        """Columns that identify a row's unit and year, so are never indicators of a wide table."""
        return {c for c in (self.code, self.name, self.province, self.prefecture, self.year, self.measure) if c}


def _is_measure_column(column: pd.Series, is_only_name_column: bool) -> bool:
    """Whether a 单位/unit column holds units of measure rather than unit (place) names.

    When it is the only name column, every filled cell must be a unit of measure;
    otherwise one is enough, and the others are then reported as unknown units.
    """
    filled = {str(v) for v in column if v is not None and str(v).strip()}
    known = [is_unit(v) for v in filled]
    return bool(filled) and (all(known) if is_only_name_column else any(known))


@dataclass
class _Cells:
    """The value cells of the imported rows, parsed: one row per imported row."""

    columns: list[str]  # value column labels
    raw: np.ndarray  # the cells as read, for error messages
    values: np.ndarray  # parsed numbers, in the indicator's unit
    ok: np.ndarray  # cell is a number or a missing token
    use: np.ndarray  # cell becomes an observation
    indicators: np.ndarray  # indicator code of every cell
    known: np.ndarray  # per row: its indicator is in the catalog (always true when wide)


def _indicator_lookup(store: Store) -> dict[str, tuple[str, str]]:
    """``(code, unit)`` of every catalog indicator, by the label key of its code, Chinese name and aliases."""
    return {key: (ind.code, ind.unit) for key, ind in index_by_label(store.indicators()).items()}


def _check_columns(fname: str, columns: list[str], keys: _KeyColumns, year: int | None, layout: str) -> bool:
    """Raise if the sheet lacks a unit column, a year or a required long layout; return whether it is long."""
    if keys.code is None and keys.name is None:
        raise DataError.single(fname, f"找不到单位列（需要其一：{'、'.join(CODE_COLUMNS[:3] + NAME_COLUMNS[:3])}）", "missing_column")
    if year is None and keys.year is None:
        raise DataError.single(fname, "没有年份：请给出 --year 或提供“年份”列", "missing_year")
    long = keys.indicator is not None and keys.value is not None and layout != "wide"
    if layout == "long" and not long:
        raise DataError.single(fname, f"长表需要指标列（{'、'.join(INDICATOR_COLUMNS)}）与数值列（"
                               f"{'、'.join(VALUE_COLUMNS)}）；表头为：{'、'.join(columns)}", "missing_column")
    return long


def _map_columns(
    sh: Sheet, keys: _KeyColumns, lookup: dict[str, tuple[str, str]],
) -> tuple[dict[str, tuple[str, str]], list[str]]:
    """Wide layout: ``(code, unit)`` of each indicator column, and the unmapped headers as written."""
    mapped: dict[str, tuple[str, str]] = {}
    unmapped: list[str] = []
    row_keys = keys.row_keys()
    for c in sh.data.columns:
        if c in row_keys:
            continue
        hit = _lookup_header(c, lookup)
        if hit:
            mapped[c] = hit
        else:
            unmapped.append(sh.original_headers.get(c, c))
    return mapped, unmapped


def _column_problems(fname: str, sh: Sheet, mapped: dict[str, tuple[str, str]]) -> list[Problem]:
    """Two columns with one header, or two columns for one indicator: which to import is not ours to guess."""
    problems: list[Problem] = []
    by_header: dict[str, list[str]] = {}
    for c in sh.data.columns:
        by_header.setdefault(sh.original_headers.get(c, c).replace("\n", " "), []).append(c)
    for header, cols in by_header.items():
        if len(cols) > 1 and header.strip():
            problems.append(Problem(f"{fname}: 表头", f"列名“{header}”出现 {len(cols)} 次", "duplicate_column"))
    by_code: dict[str, list[str]] = {}
    for c, (code, _) in mapped.items():
        by_code.setdefault(code, []).append(c)
    for code, cols in by_code.items():
        if len(cols) > 1 and len({sh.original_headers.get(c, c) for c in cols}) > 1:
            names = "、".join(f"“{sh.original_headers.get(c, c)}”" for c in cols)
            problems.append(Problem(f"{fname}: 表头", f"列 {names} 都对应同一指标 {code}", "duplicate_column"))
    return problems


def _lookup_header(label: str, lookup: dict[str, tuple[str, str]]) -> tuple[str, str] | None:
    """The indicator of a cleaned header; ``A-总量`` is indicator ``A`` and ``A-增速`` its growth (``A增速``).

    Yearbooks put the level and the growth of one indicator under a merged
    header (地区生产总值 / 总量（亿元）/ 增速（%）), which the sheet parser joins
    as ``地区生产总值-总量`` and ``地区生产总值-增速``.
    """
    hit = lookup.get(label_key(label))
    if hit or "-" not in label:
        return hit
    head, _, tail = label.rpartition("-")
    if tail in LEVEL_SUBHEADERS:
        return lookup.get(label_key(head))
    if tail in GROWTH_SUBHEADERS:
        for word in ("增速", "增长", "增长率"):
            hit = lookup.get(label_key(head + word))
            if hit:
                return hit
    return None


@dataclass(frozen=True)
class _Regions:
    """What tells a subtotal row from a unit row.

    ``stems``: name stems of provinces and prefectures (a row so named, without a
    code, is a subtotal); ``unit_codes``: county-level codes, among them the
    ``xxxx00`` codes of 不设区的地级市 (东莞 441900, 中山 442000, 儋州, 嘉峪关, 三沙),
    which are units although their codes end in 00.
    """

    stems: frozenset[str]
    unit_codes: frozenset[str]

    @classmethod
    def of(cls, registry: Registry) -> _Regions:
        u = registry.units
        county = u["level"] == "county"
        return cls(frozenset(nm.place_stem(n) for n in u.loc[~county, "name"]), frozenset(u.loc[county, "code"]))


def _code_text(cell: object) -> str:
    """A code cell as text (spreadsheets read 330784 as the float 330784.0)."""
    code = "" if cell is None else str(cell).strip()
    return code[:-2] if code.endswith(".0") else code


def _is_subtotal(name: str, code: str, regions: _Regions) -> bool:
    """Whether a row is a total (全国, 合计 ...), a province or prefecture, or has an ``xxxx00`` code.

    An ``xxxx00`` code of a county-level unit (不设区的地级市) is a unit, not a subtotal.
    """
    if code in regions.unit_codes:
        return False
    return name in SUBTOTAL_NAMES or (bool(name) and nm.place_stem(name) in regions.stems and not code) or (
        code.isdigit() and len(code) == 6 and code.endswith("00"))


def _resolve_unit(resolver: Resolver, keys: _KeyColumns, r: dict, name: object, code: str) -> Resolution:
    """Resolve a row by its code, else its name; the name also when the code does not match (stale codes)."""
    hints = {"province": r[keys.province] if keys.province else None,
             "prefecture": r[keys.prefecture] if keys.prefecture else None}
    res = resolver.resolve(code if code.isdigit() else name, **hints)
    if res.status != "matched" and code.isdigit() and name is not None:
        res = resolver.resolve(name, **hints)
    return res


def _report_line(
    resolver: Resolver, regions: _Regions, keys: _KeyColumns, row: object, r: dict,
) -> dict[str, object]:
    """The report line of one body row: subtotal, imported (with its unit code), ambiguous or unmatched."""
    name = r[keys.name] if keys.name else None
    nname = nm.normalise(name) if name is not None else ""
    code = _code_text(r[keys.code]) if keys.code else ""
    base = {"row": row, "name": nname or code}
    if _is_subtotal(nname, code, regions):
        return {**base, "status": "subtotal", "code": code, "candidates": "", "note": "合计/小计行，不作为单位"}
    res = _resolve_unit(resolver, keys, r, name, code)
    if res.status != "matched":
        return {**base, "status": res.status, "code": "", "candidates": "；".join(res.candidates), "note": res.note}
    return {**base, "status": "imported", "code": res.code, "candidates": "", "note": res.note}


def _resolve_rows(
    data: pd.DataFrame, keys: _KeyColumns, resolver: Resolver, year: int | None,
) -> tuple[list[dict[str, object]], list[tuple[object, str, object]]]:
    """Report line of every body row, and ``(file row, unit code, year)`` of each row to import.

    A long table repeats each unit on many rows: every distinct (code, name,
    province, prefecture) is resolved once and the outcome shared.
    """
    regions = _Regions.of(resolver.registry)
    key_cols = [c for c in (keys.code, keys.name, keys.province, keys.prefecture) if c]
    columns = [[None if v is None or v != v else v for v in data[c].tolist()] for c in key_cols]
    groups = list(zip(*columns)) if columns else []
    outcome: dict[tuple, dict[str, object]] = {}
    for key in dict.fromkeys(groups):
        outcome[key] = _report_line(resolver, regions, keys, None, dict(zip(key_cols, key)))
    years = (np.full(len(data), year, dtype=object) if year is not None
             else parse_numbers(data[[keys.year]])[0][:, 0].astype(object))
    report_rows: list[dict[str, object]] = []
    imported: list[tuple[object, str, object]] = []
    for row, key, yr in zip(data.index, groups, years, strict=True):
        line = {**outcome[key], "row": row}
        report_rows.append(line)
        if line["status"] == "imported":
            imported.append((row, line["code"], yr))
    return report_rows, imported


def _long_cells(
    fname: str, data: pd.DataFrame, rows: list[object], keys: _KeyColumns, lookup: dict[str, tuple[str, str]],
) -> tuple[_Cells, list[_Keyed]]:
    """Long layout: parse the value column; a row whose indicator is not in the catalog is a problem."""
    labels = [str(v) for v in data.loc[rows, keys.indicator]]
    hit_of = {lb: lookup.get(label_key(lb)) for lb in set(labels)}  # a long table repeats a few labels
    hits = [hit_of[lb] for lb in labels]
    cells = data.loc[rows, [keys.value]].to_numpy(dtype=object)
    values, ok = parse_numbers(cells)
    known = np.array([h is not None for h in hits], dtype=bool)
    keyed: list[_Keyed] = [
        (i, 0, Problem(f"{fname}: 第 {rows[i]} 行, 列 {keys.indicator}", f"指标 {labels[i]!r} 不在指标目录中",
                       "unknown_indicator"))
        for i in np.nonzero(~known)[0]
    ]
    use = known[:, None] & ok
    if keys.measure is not None:
        given = [normalise_unit(v) for v in data.loc[rows, keys.measure]]
        canonical = [h[1] if h else "" for h in hits]
        for (src, dst), idx in pd.Series(range(len(rows))).groupby([given, canonical]).groups.items():
            idx = np.asarray(idx)
            try:
                values[idx, 0] = convert(values[idx, 0], src, dst)
            except UnitError as exc:
                use[idx, 0] = False
                for i in idx[known[idx]]:
                    keyed.append((int(i), 0, Problem(f"{fname}: 第 {rows[i]} 行, 列 {keys.measure}",
                                                     f"指标 {hits[i][0]}：{exc}", "unit")))
    ind_codes = np.array([h[0] if h else "" for h in hits], dtype=object)[:, None]
    return _Cells([keys.value], cells, values, ok, use, ind_codes, known), keyed


def _wide_cells(
    fname: str, sh: Sheet, rows: list[object], mapped: dict[str, tuple[str, str]],
) -> tuple[_Cells, list[_Keyed]]:
    """Wide layout: parse the mapped columns into the catalog's units; an unconvertible unit voids its column."""
    col_names = list(mapped)
    cells = sh.data.loc[rows, col_names].to_numpy(dtype=object)
    values, ok = parse_numbers(cells)
    use = ok.copy()
    keyed: list[_Keyed] = []
    for j, col in enumerate(col_names):
        try:
            values[:, j] = convert(values[:, j], sh.units.get(col, ""), mapped[col][1])
        except UnitError as exc:
            # One problem per column (it is the header's unit that is wrong), ordered at its first number.
            numbers = np.nonzero(ok[:, j])[0]
            if numbers.size:
                header = sh.original_headers.get(col, col).replace("\n", " ")
                keyed.append((int(numbers[0]), j, Problem(f"{fname}: 列 {header}", f"指标 {mapped[col][0]}：{exc}",
                                                          "unit")))
            use[:, j] = False
    ind_codes = np.array([[mapped[c][0] for c in col_names]], dtype=object).repeat(len(rows), axis=0)
    return _Cells(col_names, cells, values, ok, use, ind_codes, np.ones(len(rows), dtype=bool)), keyed


def _non_numeric_problems(fname: str, sh: Sheet, rows: list[object], cells: _Cells) -> list[_Keyed]:
    """A problem for every cell that is neither a number nor a missing token (known indicators only)."""
    keyed: list[_Keyed] = []
    for i, j in zip(*np.nonzero(~cells.ok & cells.known[:, None]), strict=True):
        col = cells.columns[j]
        where = f"{fname}: 第 {rows[i]} 行, 列 {sh.original_headers.get(col, col)!r}".replace("\n", " ")
        keyed.append((int(i), int(j), Problem(where, f"不是数字：{cells.raw[i, j]!r}", "non_numeric")))
    return keyed


def _observation_frame(fname: str, imported: list[tuple[object, str, object]], cells: _Cells) -> pd.DataFrame:
    """One observation per usable cell, with its file row and column as provenance."""
    rows = [i[0] for i in imported]
    codes = np.array([i[1] for i in imported], dtype=object)
    years = np.array([i[2] for i in imported], dtype=object)
    ii, jj = np.nonzero(cells.use)
    return pd.DataFrame({
        "unit_code": codes[ii], "indicator": cells.indicators[ii, jj], "year": years[ii],
        "value": cells.values[ii, jj].astype(float),
        "provenance": [f"{fname} 第 {rows[i]} 行 列「{cells.columns[j]}」" for i, j in zip(ii, jj, strict=True)],
    })


def _observations(
    fname: str, sh: Sheet, imported: list[tuple[object, str, object]], keys: _KeyColumns, long: bool,
    lookup: dict[str, tuple[str, str]], mapped: dict[str, tuple[str, str]],
) -> tuple[pd.DataFrame, list[Problem]]:
    """Observations of the imported rows and their cell problems, in row-major order."""
    if not imported:
        return pd.DataFrame(columns=_OBS_COLUMNS), []
    rows = [i[0] for i in imported]
    if long:
        cells, keyed = _long_cells(fname, sh.data, rows, keys, lookup)
    else:
        cells, keyed = _wide_cells(fname, sh, rows, mapped)
    keyed += _non_numeric_problems(fname, sh, rows, cells)
    problems = [p for _, _, p in sorted(keyed, key=lambda k: (k[0], k[1]))]
    return _observation_frame(fname, imported, cells), problems


def _duplicate_problems(fname: str, obs: pd.DataFrame) -> list[Problem]:
    """A problem for every (unit, indicator, year) given more than once, naming its file rows."""
    if not len(obs):
        return []
    problems: list[Problem] = []
    dup = obs.duplicated(["unit_code", "indicator", "year"], keep=False)
    for (u, ind, y), g in obs[dup].groupby(["unit_code", "indicator", "year"]):
        rows = "、".join(sorted({p.split(" 第 ")[1].split(" 行")[0] for p in g["provenance"]}))
        problems.append(Problem(f"{fname}: 第 {rows} 行", f"单位 {u} 的 {ind}（{int(y)} 年）重复出现", "duplicate"))
    return problems


def import_file(
    store: Store, path: str | Path, *, year: int | None = None, sheet: str | int | None = None,
    source: str | None = None, registry: Registry | None = None, header_rows: int | None = None,
    layout: str = "auto", progress: Progress | None = None, fast: bool = True,
) -> ImportReport:
    """Import ``path`` into ``store`` (see module docstring).

    ``layout`` is ``auto`` (long when indicator and value columns exist),
    ``wide`` or ``long`` (a long layout is then required).  A plain CSV takes
    the set-based path of :mod:`baiqiang.data.importers.fast` (same outcome;
    ``fast=False`` forces the generic path); ``progress(stage)`` is told each
    stage of it.
    """
    if layout not in ("auto", "wide", "long"):
        raise ValueError(f"layout must be auto, wide or long, not {layout!r}")
    path = Path(path)
    fname = path.name
    if fast and header_rows in (None, 1) and path.suffix.lower() in PLAIN_SUFFIXES and path.is_file():
        store.ensure_registry()
        store.ensure_catalog()
        registry = registry or Registry.load()
        fast = import_plain_csv(store, path, year=year, source=source, registry=registry, layout=layout,
                                progress=progress)
        if fast is not None:
            return fast
    grid = read_raw(path, sheet=sheet)
    if grid.empty or not grid.notna().to_numpy().any():
        raise DataError.single(fname, "表中没有数据（文件为空）", "empty")
    sh = parse_sheet(grid, header_rows=header_rows)
    cols = list(sh.data.columns)
    if not cols:
        raise DataError.single(fname, "表中没有数据", "empty")
    store.ensure_registry()
    store.ensure_catalog()
    registry = registry or Registry.load()
    resolver = Resolver(registry, prefer_current=False)
    lookup = _indicator_lookup(store)
    keys = _KeyColumns.find(cols, sh.data)
    long = _check_columns(fname, cols, keys, year, layout)
    mapped, unmapped = ({}, []) if long else _map_columns(sh, keys, lookup)
    column_problems = _column_problems(fname, sh, mapped)
    if column_problems:
        raise DataError(column_problems, summary=f"{fname}: 导入失败，表头有 {len(column_problems)} 处问题，数据库未改动")
    if sh.data.empty:
        raise DataError.single(fname, "只有表头，没有数据行", "empty")
    report_rows, imported = _resolve_rows(sh.data, keys, resolver, year)
    bad_years = [Problem(f"{fname}: 第 {row} 行, 列 {keys.year}", f"年份不是数字：{sh.data.at[row, keys.year]!r}",
                         "bad_year") for row, _, yr in imported if not (yr == yr and float(yr).is_integer())]
    if bad_years:
        raise DataError(bad_years[:50], summary=f"{fname}: 导入失败，{len(bad_years)} 行的年份有误，数据库未改动")
    obs, problems = _observations(fname, sh, imported, keys, long, lookup, mapped)
    problems += _duplicate_problems(fname, obs)
    if problems:
        raise DataError(problems, summary=f"{fname}: 导入失败，{len(problems)} 处问题，数据库未改动")
    batch = None
    warnings = plausibility_warnings(store, obs) if len(obs) else []
    if len(obs):
        batch = store.add_observations(obs, source=source or fname, file=str(path), sha256=file_sha256(path))
    report = pd.DataFrame(report_rows, columns=_REPORT_COLUMNS)
    return ImportReport(fname, report, unmapped, sh.footnotes, batch, warnings)


#: Dimensions whose values cannot be negative.
NON_NEGATIVE = frozenset({"money", "people", "households", "enterprises", "count", "area", "mass", "energy",
                          "vehicles", "institutions", "rooms", "beds", "items"})
#: A value more than this many times (or less than its inverse) the previous year's is flagged.
JUMP_FACTOR = 10.0


def plausibility_warnings(store: Store, obs: pd.DataFrame, *, limit: int = 50) -> list[str]:
    """:func:`plausibility_table_warnings` of an observation frame (in its row order)."""
    frame = pd.DataFrame({
        "unit_code": obs["unit_code"].astype(str), "indicator": obs["indicator"].astype(str),
        "year": obs["year"].astype(float).astype("int64"),
        "value": pd.array(obs["value"].astype(float).to_numpy(), dtype="Float64"),  # NaN → NULL, never compared
        "provenance": obs["provenance"].astype(str), "_row": np.arange(len(obs)), "_col": 0})
    store.con.register("_plausible_obs", frame)
    try:
        return plausibility_table_warnings(store, "_plausible_obs", limit=limit)
    finally:
        store.con.unregister("_plausible_obs")


def plausibility_table_warnings(store: Store, table: str, *, limit: int = 50) -> list[str]:
    """Located warnings for implausible values: a negative amount, a share outside 0–100 %, a >10× jump.

    ``table`` (in the store's connection) has unit_code, indicator, year,
    value (NULL when missing), provenance and the order columns ``_row, _col``.
    The jump compares each value with the store's active value of the same unit
    and indicator in the previous year.  Warnings never stop an import; at
    most ``limit`` are returned, negatives first, then shares, then jumps.
    """
    from baiqiang.data.units import UnitError, dimension

    con = store.con
    units = dict(con.execute("SELECT code, unit FROM indicators").fetchall())
    codes = [c for (c,) in con.execute(f"SELECT DISTINCT indicator FROM {table}").fetchall()]
    dims = []
    for code in codes:
        try:
            dim = dimension(units.get(code) or "")
        except UnitError:
            dim = ""
        dims.append((code, dim in NON_NEGATIVE, units.get(code) in ("%", "％")))
    con.register("_plausible_dims", pd.DataFrame(dims, columns=["code", "non_negative", "share"]).astype(
        {"code": object, "non_negative": bool, "share": bool}))
    try:
        base = f"FROM {table} t JOIN _plausible_dims d ON t.indicator = d.code"
        order = f"ORDER BY t._row, t._col LIMIT {int(limit)}"
        negative = con.execute(f"SELECT provenance, indicator, value {base} WHERE d.non_negative AND value < 0 "
                               f"{order}").fetchall()
        outside = con.execute(
            f"SELECT provenance, indicator, value {base} WHERE d.share AND ((value > 100 OR value < 0) "
            f"AND NOT contains(indicator, 'growth') OR value < -100) {order}").fetchall()
        # previous = 0 gives an infinite ratio for a positive value (as NumPy divides), never NaN > 10.
        jumps = con.execute(
            f"SELECT t.provenance, t.indicator, t.value, t.year, o.value {base} JOIN observations o "
            f"ON o.active AND o.value IS NOT NULL AND o.unit_code = t.unit_code AND o.indicator = t.indicator "
            f"AND o.year + 1 = t.year WHERE CASE WHEN o.value = 0 THEN t.value > 0 ELSE t.value / o.value > "
            f"{JUMP_FACTOR} OR (t.value / o.value < {1 / JUMP_FACTOR} AND t.value / o.value > 0) END {order}").fetchall()
    finally:
        con.unregister("_plausible_dims")
    out = [f"{p}：{ind} 为负数 {x:g}" for p, ind, x in negative]
    out += [f"{p}：{ind} = {x:g}%，不在合理范围内（比重 0–100%，增速不低于 -100%）" for p, ind, x in outside]
    with np.errstate(divide="ignore"):
        out += [f"{p}：{ind} = {x:g}，是上一年（{y - 1} 年 {q:g}）的 {float(np.float64(x) / q):.3g} 倍，请检查单位"
                for p, ind, x, y, q in jumps]
    return out[:limit]
