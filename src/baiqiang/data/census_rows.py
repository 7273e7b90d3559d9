"""Row structure of the bundled 2010 and 2020 county census tables.

The two tables interleave units with totals and subtotals and use different
layouts.  :func:`census_rows` returns one record per body row of a table with
the code, the clean name, the enclosing province and prefecture and a
*structural* kind:

``total`` (全国), ``province``, ``prefecture`` (a prefecture subtotal),
``subtotal`` (市辖区 / 县 / 省直辖县级行政区划 groups), ``unit`` (a
county-level row with an administrative code), ``non_admin`` (a statistical
area: a code in the xx71–xx79 range, or a named row without a code).

Which ``unit`` rows are registry units and which are crosswalk entries is
decided later against the registry (:mod:`baiqiang.data.census`).
"""

from __future__ import annotations

import pandas as pd

from baiqiang.data import names as nm
from baiqiang.data.importers.yearbook import Sheet
from baiqiang.data.registry import resource_path

CENSUS_FILES: dict[int, str] = {
    2010: "census_county_2010_v1.xlsx",
    2020: "census_county_2020_v1.xlsx",
}
SUBTOTAL_NAMES = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划", "全国", "合计", "总计"})


def census_path(year: int) -> str:
    return str(resource_path(CENSUS_FILES[year]))


def read_census_grid(year: int) -> pd.DataFrame:
    """The raw cell grid of the bundled census table of ``year``, from its Parquet copy.

    The same cells as ``read_raw(census_path(year))`` (tests/data/test_census_parquet.py),
    without parsing the workbook's XML (8 s for both tables with openpyxl).
    """
    from baiqiang.data.census_parquet import parquet_path, read_grid
    from baiqiang.data.store import file_sha256

    return read_grid(parquet_path(census_path(year)), workbook_sha256=file_sha256(census_path(year)))


NAME_COLUMNS = frozenset({"地区", "区划代码", "省", "市", "区县"})
"""The columns of the census tables that name a row (:func:`census_rows` reads them); the rest hold numbers."""


def read_census_sheet(year: int, *, numbers_as_floats: bool = False) -> Sheet:
    """The bundled census table of ``year`` (2010 or 2020), parsed: ``parse_sheet`` of its grid.

    Its structure is read with the Parquet copy (found by ``parse_sheet`` when the
    copy was made; tests/data/test_census_parquet.py checks it against a fresh parse).
    With ``numbers_as_floats`` every column but :data:`NAME_COLUMNS` is ``float64``, as
    ``pd.to_numeric(errors="coerce")`` reads it (:func:`~baiqiang.data.census_parquet.read_sheet`).
    """
    from baiqiang.data.census_parquet import parquet_path, read_sheet
    from baiqiang.data.store import file_sha256

    return read_sheet(parquet_path(census_path(year)), workbook_sha256=file_sha256(census_path(year)),
                      text_columns=NAME_COLUMNS if numbers_as_floats else None)


def _normalised(values) -> list[str]:  # type: ignore[no-untyped-def]
    """:func:`names.normalise` of each value, computed once per distinct value (names repeat on every row)."""
    done: dict[object, str] = {}
    return [done[v] if v in done else done.setdefault(v, nm.normalise(v)) for v in values]


def _code(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return "" if v != v else str(int(v))
    s = str(v).strip()
    return s if s.isdigit() else ""


def is_non_admin_code(code: str) -> bool:
    """xx71–xx79: statistical areas (开发区, 管理区, 新区) in NBS code lists."""
    return len(code) == 6 and code[4] == "7" and code[5] != "0"


def census_rows(year: int, sheet: Sheet | None = None) -> pd.DataFrame:
    """Structural classification of every body row (see module docstring)."""
    sheet = sheet or read_census_sheet(year)
    d = sheet.data
    if year == 2010:
        return _rows_2010(d)
    return _rows_2020(d)


def _children(codes: list[str]) -> set[str]:
    return {c[:4] for c in codes if c and not c.endswith("00")}


def _rows_2010(d: pd.DataFrame) -> pd.DataFrame:
    codes = [_code(v) for v in d["区划代码"]]
    prefixes = _children(codes)
    out = []
    province = prefecture = ""
    for row, name, code in zip(d.index, _normalised(d["地区"]), codes):
        kind = "unit"
        if code.endswith("0000"):
            kind, province, prefecture = "province", name, ""
        elif code.endswith("00") and code[:4] in prefixes:
            kind, prefecture = "prefecture", name
        elif code.endswith("00"):
            kind = "unit"  # 不设区地级市 such as 东莞市
        elif not code:
            if name in SUBTOTAL_NAMES:
                kind = "subtotal"
                prefecture = province if name in ("市辖区", "县") else name
            else:
                kind = "non_admin"
        elif is_non_admin_code(code):
            kind = "non_admin"
        out.append((int(row), code, name, province, prefecture, kind))
    return pd.DataFrame(out, columns=["row", "code", "name", "province", "prefecture", "kind"])


def _rows_2020(d: pd.DataFrame) -> pd.DataFrame:
    codes = [_code(v) for v in d["区划代码"]]
    prefixes = _children(codes)
    out = []
    for row, code, prov, pref, name in zip(d.index, codes, _normalised(d["省"]), _normalised(d["市"]),
                                           _normalised(d["区县"])):
        if name == "全国":
            kind = "total"
        elif code.endswith("0000") and name == prov:
            kind = "province"
        elif name in SUBTOTAL_NAMES:
            kind = "subtotal"
        elif code.endswith("00") and code[:4] in prefixes:
            kind = "prefecture"
        elif not code or is_non_admin_code(code):
            kind = "non_admin"
        else:
            kind = "unit"
        out.append((int(row), code, name, prov, pref, kind))
    return pd.DataFrame(out, columns=["row", "code", "name", "province", "prefecture", "kind"])
