"""Safe CSV and Excel writers, and the Excel export of build results (Chinese headers by default).

Every table the product writes goes through :func:`write_csv` or
:func:`write_sheets`, which neutralise spreadsheet formula injection (OWASP
"CSV Injection"): a text cell, header or index label beginning with ``=``,
``+``, ``-``, ``@``, tab or carriage return is prefixed with ``'`` in CSV and
stored as a text cell (quote-prefixed) in XLSX, so a unit named ``=HYPERLINK(...)``
is shown, never run.  Numbers are never touched (``-3.5`` stays a number).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Union

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

    from baiqiang.pipeline.results import Results



@dataclass(frozen=True)
class Integers:
    """Integer cells with gaps (ranks): ``values`` ``int64``, ``missing`` where a cell is empty.

    (NumPy's masked arrays would do, but importing ``numpy.ma`` costs more than a build.)
    """

    values: np.ndarray
    missing: np.ndarray


#: One column of a table written without pandas: its header and its values, as a float array (NaN = empty),
#: :class:`Integers` or an ``object`` array of text (``None`` = empty).
Column = tuple[str, Union[np.ndarray, Integers]]

HEADERS = {
    "zh": {"code": "单位代码", "name": "单位名称", "score": "得分", "rank": "排名", "level": "层级", "weights": "权重",
           "declared": "设定权重", "within_parent": "组内权重", "in_index": "总指数中权重", "parent": "上级", "excluded": "未参评单位", "reason": "原因",
           "group_rank": "内排名", "tier": "梯队"},
    "en": {"code": "unit code", "name": "unit name", "score": " score", "rank": " rank", "level": "Level", "weights": "Weights",
           "declared": "declared", "within_parent": "within parent", "in_index": "in index", "parent": "parent", "excluded": "Excluded", "reason": "reason",
           "group_rank": " rank", "tier": "tier"},
}


#: First characters that make a spreadsheet read a cell as a formula (OWASP).
FORMULA_TRIGGERS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")


def escape_text(value: object) -> object:
    """``value`` with a leading ``'`` when it is text a spreadsheet would run as a formula.

    >>> escape_text("=1+1"), escape_text("-x"), escape_text(-3.5), escape_text("永康市")
    ("'=1+1", "'-x", -3.5, '永康市')
    """
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _escape_labels(index: pd.Index) -> pd.Index:
    """Labels and level names of ``index``, escaped."""
    import pandas as pd

    names = [escape_text(n) for n in index.names]
    if isinstance(index, pd.MultiIndex):
        return index.set_levels([_escape_labels(lv) for lv in index.levels]).set_names(names)
    if index.dtype == object or pd.api.types.is_string_dtype(index):
        index = index.map(escape_text)
    return index.set_names(names)


def safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose text cells, column labels and index labels are escaped (:func:`escape_text`)."""
    import pandas as pd

    out = df.copy(deep=False)  # columns are replaced, never changed in place: no need to copy a big frame
    for j in range(out.shape[1]):
        col = out.iloc[:, j]
        if isinstance(col.dtype, pd.StringDtype):  # text only: one vectorised test (a million-row report)
            trigger = col.str.startswith(FORMULA_TRIGGERS).fillna(False).to_numpy(dtype=bool)
            if trigger.any():
                out.isetitem(j, col.where(~trigger, "'" + col))
        elif col.dtype == object or pd.api.types.is_string_dtype(col):
            out.isetitem(j, col.map(escape_text, na_action="ignore"))
    out.columns = _escape_labels(out.columns)
    out.index = _escape_labels(out.index)
    return out


def write_csv(df: pd.DataFrame, path: Path, *, index: bool = False, encoding: str = "utf-8-sig") -> None:
    """Write ``df`` as CSV with formula-like text escaped (UTF-8 with BOM by default, so Excel reads Chinese).

    Lines end in CRLF (RFC 4180, as Excel writes): Python's csv module quotes a
    field holding a bare CR only when CR is part of the line terminator, and an
    unquoted CR would split the row for every reader.
    """
    safe_frame(df).to_csv(path, index=index, encoding=encoding, lineterminator="\r\n")


def write_columns_csv(columns: list[Column], path: Path, *, encoding: str = "utf-8-sig") -> None:
    """Write a table given as columns (see :data:`Column`) as :func:`write_csv` writes a frame, without pandas.

    Cells are formatted as pandas' ``to_csv`` does: floats by NumPy's shortest round-trip
    repr, integers plainly, missing values as empty fields; text escaped (:func:`escape_text`).
    """
    import csv

    cells = np.column_stack([_csv_texts(values) for _, values in columns]) if columns else np.empty((0, 0), str)
    with open(path, "w", encoding=encoding, newline="") as f:
        writer = csv.writer(f, lineterminator="\r\n")
        writer.writerow([escape_text(name) for name, _ in columns])
        writer.writerows(cells.tolist())


def _csv_texts(values: np.ndarray) -> np.ndarray:
    """One column's CSV fields (see :func:`write_columns_csv`)."""
    if isinstance(values, Integers):
        return np.where(values.missing, "", values.values.astype(str)).astype(object)
    if values.dtype.kind == "f":
        return np.where(np.isnan(values), "", values.astype(str)).astype(object)
    missing = values == None  # noqa: E711 (elementwise)
    text = np.where(missing, "", values).astype(str)
    formula = np.zeros(len(text), dtype=bool)
    for trigger in FORMULA_TRIGGERS:
        formula |= np.char.startswith(text, trigger)
    return np.where(formula, np.char.add("'", text), text).astype(object)


#: The creation date stamped into every workbook, so that equal tables give equal bytes.
WORKBOOK_CREATED = datetime(2000, 1, 1, tzinfo=timezone.utc)

#: XlsxWriter's guesses turned off: text is always written as text, never as a formula, link or number.
_TEXT_STAYS_TEXT = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}


def write_sheets(path: Path | BinaryIO, sheets: Mapping[str, pd.DataFrame], *, index: bool = False) -> None:
    """Write one sheet per frame (names cut to Excel's 31 characters); formula-like text stays text.

    Workbooks are written with XlsxWriter (1.5–1.7× faster than openpyxl through pandas on
    the ASEM results workbook, and no openpyxl import) with its string guesses off, so
    ``=SUM(A1)`` is stored as a string, and every text cell starting with a formula trigger
    is quote-prefixed, as Excel marks typed text.

    Tables without an index, with one header row and plain columns (numbers, booleans, text) go
    through :func:`write_column_sheets`, cell for cell the same without ``to_excel``'s per-cell
    formatting (the demo workbook, 72,000 cells: 1.1 → 0.47 s); the others (an index, a column
    MultiIndex, dates, infinities) through pandas.
    """
    if not index and all(_plain_table(df) for df in sheets.values()):
        write_column_sheets(path, {name: frame_columns(df) for name, df in sheets.items()})
    else:
        write_sheets_with_pandas(path, sheets, index=index)


def write_sheets_with_pandas(path: Path | BinaryIO, sheets: Mapping[str, pd.DataFrame], *, index: bool = False) -> None:
    """:func:`write_sheets` through ``DataFrame.to_excel``: any index and column shape, one cell at a time."""
    import pandas as pd

    with pd.ExcelWriter(path, engine="xlsxwriter", engine_kwargs={"options": _TEXT_STAYS_TEXT}) as writer:
        book = writer.book
        book.set_properties({"created": WORKBOOK_CREATED})
        as_text = book.add_format({"quote_prefix": True})
        for name, df in sheets.items():
            book.add_worksheet(name[:31]).add_write_handler(str, partial(_quote_formula_like, as_text))
            df.to_excel(writer, sheet_name=name[:31], index=index)


def _plain_table(df: pd.DataFrame) -> bool:
    """Whether ``to_excel`` would write ``df`` as :func:`write_column_sheets` does: one header row, no infinities
    (pandas writes them as the text ``inf``), only number, boolean and text columns."""
    import pandas as pd

    if isinstance(df.columns, pd.MultiIndex) or not all(t.kind in "iufbO" for t in df.dtypes):
        return False
    floats = df.select_dtypes("floating").to_numpy(dtype=float, na_value=np.nan)
    return not np.isinf(floats).any()


def _quote_formula_like(as_text: Any, worksheet: Any, row: int, col: int, text: str, *_: Any) -> int | None:
    """XlsxWriter write handler: formula-like text as a quote-prefixed string; other text as usual (``None``)."""
    if text.startswith(FORMULA_TRIGGERS):
        return worksheet.write_string(row, col, text, as_text)
    return None


def write_column_sheets(path: Path | BinaryIO, sheets: Mapping[str, list[Column]]) -> None:
    """Write one sheet per table given as columns (see :data:`Column`), cell for cell as :func:`write_sheets`
    writes the same tables as frames (``index=False``), without pandas: a plain header row, empty values as
    no cell, formula-like text quote-prefixed.

    XlsxWriter writes the package (workbook, styles, shared strings); each sheet's cell XML is built here a
    column at a time with the cell type chosen once per column from its dtype (:func:`_column_cells`), the
    same XML XlsxWriter's per-cell ``write`` gives (the demo workbook, 72,570 cells: 0.40 → 0.12 s, the same bytes).
    It replaces XlsxWriter's private ``_write_sheet_data`` per sheet; tests/pipeline/test_column_sheets.py compares
    the bytes with XlsxWriter's own per-cell writer, so an XlsxWriter that changes this fails there.
    """
    from xlsxwriter import Workbook

    cells = sum(len(_values(values)) + 1 for columns in sheets.values() for _, values in columns)
    book = Workbook(str(path) if isinstance(path, Path) else path,
                    {**_TEXT_STAYS_TEXT, "in_memory": cells <= IN_MEMORY_CELLS})
    book.set_properties({"created": WORKBOOK_CREATED})
    as_text = book.add_format({"quote_prefix": True})
    for name, columns in sheets.items():
        _fill_sheet(book.add_worksheet(name[:31]), columns, as_text)
    book.close()


IN_MEMORY_CELLS = 2_000_000
"""Up to this many cells a workbook's parts are assembled in memory (XlsxWriter's ``in_memory``) instead of in
a temporary file each: the demo workbook's 31 temporary files cost 0.04 s of wall time on this machine's disk
(0.29 → 0.25 s, median of 8 interleaved pairs, the same CPU).  Larger ones keep the files: the sheet XML is
held once already, and memory would hold it twice more while zipped."""


#: Excel's sheet size (ECMA-376 Part 1, 18.3.1.73; XlsxWriter drops cells beyond it without a word).
MAX_ROWS, MAX_COLUMNS = 1_048_576, 16_384


def _fill_sheet(sheet: Any, columns: list[Column], as_text: Any) -> None:
    """Give ``sheet`` the cells of ``columns`` (header row first) as its ``<sheetData>`` XML.

    The shared strings are registered in XlsxWriter's write order (column by column, header first), and rows
    carry XlsxWriter's ``spans`` (first:last used column per block of 16 rows), so the file's bytes are
    those of the per-cell writer.
    """
    from xlsxwriter.utility import xl_col_to_name

    n = 1 + max((len(_values(values)) for _, values in columns), default=0)
    if n > MAX_ROWS or len(columns) > MAX_COLUMNS:
        raise ValueError(f"工作表“{sheet.name}”超出 Excel 的大小（{n} 行 × {len(columns)} 列）")
    cells = [_column_cells(sheet, xl_col_to_name(j), label, values, as_text) for j, (label, values) in enumerate(columns)]
    filled = np.array([[c != "" for c in column] for column in cells], dtype=bool).T.reshape(n, len(columns))
    used_rows, used_columns = np.flatnonzero(filled.any(axis=1)), np.flatnonzero(filled.any(axis=0))
    if not len(used_rows):
        return
    sheet.dim_rowmin, sheet.dim_rowmax = int(used_rows[0]), int(used_rows[-1])
    sheet.dim_colmin, sheet.dim_colmax = int(used_columns[0]), int(used_columns[-1])
    blocks = np.zeros((-(-n // 16) * 16, len(columns)), dtype=bool)
    blocks[:n] = filled
    blocks = blocks.reshape(-1, 16, len(columns)).any(axis=1)
    first, last = blocks.argmax(axis=1) + 1, len(columns) - blocks[:, ::-1].argmax(axis=1)
    rows = list(zip(*cells))
    xml = "".join(f'<row r="{i + 1}" spans="{first[i // 16]}:{last[i // 16]}">{"".join(rows[i])}</row>'
                  for i in used_rows.tolist())

    if not callable(getattr(type(sheet), "_write_sheet_data", None)):
        # Without it the override below would never run and every sheet would be written empty.
        raise RuntimeError(f"XlsxWriter {_xlsxwriter_version()} has no Worksheet._write_sheet_data: "
                           "baiqiang needs a version its tests were run with (pyproject.toml)")

    def write_sheet_data() -> None:  # replaces XlsxWriter's per-cell <sheetData> writer for this sheet
        sheet._xml_start_tag("sheetData")
        sheet.fh.write(xml)
        sheet._xml_end_tag("sheetData")

    sheet._write_sheet_data = write_sheet_data


def _xlsxwriter_version() -> str:
    import xlsxwriter

    return str(getattr(xlsxwriter, "__version__", "?"))


def _values(values: np.ndarray | Integers) -> np.ndarray:
    return values.values if isinstance(values, Integers) else values


def _column_cells(sheet: Any, letter: str, label: object, values: np.ndarray | Integers, as_text: Any) -> list[str]:
    """The ``<c>`` elements of one column (header first; ``""`` for an empty cell), as XlsxWriter writes them.

    Numbers as ``%.16G`` (XlsxWriter's format, so the same 16 significant digits), text as shared strings
    (formula-like text with the quote-prefix style), booleans as ``t="b"``; NaN and missing integers are no cell.
    """
    header = _object_cells(sheet, letter, 1, np.array([label], dtype=object), as_text)
    if isinstance(values, Integers):
        numbers = np.where(values.missing, None, values.values).tolist()
    elif values.dtype.kind in "fiu":
        if values.dtype.kind == "f" and np.isinf(values).any():
            raise TypeError(f"工作表“{sheet.name}”第 {letter} 列：无穷大不能写入 Excel")
        numbers = np.where(np.isnan(values), None, values).tolist() if values.dtype.kind == "f" else values.tolist()
    else:
        return header + _object_cells(sheet, letter, 2, values, as_text)
    return header + ["" if v is None else f'<c r="{letter}{i}"><v>{v:.16G}</v></c>' for i, v in enumerate(numbers, start=2)]


def _object_cells(sheet: Any, letter: str, start: int, values: np.ndarray, as_text: Any) -> list[str]:
    """Cells of an ``object`` column by XlsxWriter's ``write`` rules: None and "" are no cell, bool a boolean,
    a number a number (NaN or infinity is an error, as in XlsxWriter without ``nan_inf_to_errors``), text a
    shared string (over 32,767 UTF-16 units cut as XlsxWriter cuts it)."""
    from math import isfinite

    strings = sheet.str_table
    out = []
    for i, v in enumerate(values.tolist(), start=start):
        if v is None or v == "":
            out.append("")
        elif isinstance(v, str):
            if len(v) > 16_383:
                from xlsxwriter.worksheet import _utf16_len, _utf16_truncate

                v = _utf16_truncate(v, 32_767) if _utf16_len(v) > 32_767 else v
            style = f' s="{as_text._get_xf_index()}"' if v.startswith(FORMULA_TRIGGERS) else ""
            out.append(f'<c r="{letter}{i}"{style} t="s"><v>{strings._get_shared_string_index(v)}</v></c>')
        elif isinstance(v, bool):
            out.append(f'<c r="{letter}{i}" t="b"><v>{int(v)}</v></c>')
        else:
            number = float(v)
            if not isfinite(number):
                raise TypeError(f"工作表“{sheet.name}”第 {letter} 列第 {i} 行：NaN 或无穷大不能写入 Excel")
            out.append(f'<c r="{letter}{i}"><v>{number:.16G}</v></c>')
    return out


def frame_columns(df: pd.DataFrame) -> list[Column]:
    """The columns of a frame (its index dropped), for :func:`write_column_sheets`: integer columns
    (nullable or not) as :class:`Integers`, floats as floats, anything else as ``object`` cells."""
    out: list[Column] = []
    for j in range(df.shape[1]):
        col = df.iloc[:, j]
        missing = col.isna().to_numpy()
        if col.dtype.kind in "iu":
            values = Integers(col.to_numpy(dtype=np.int64, na_value=0), missing)
        elif col.dtype.kind == "f":
            values = col.to_numpy(dtype=float, na_value=np.nan)
        else:
            values = col.to_numpy(dtype=object, na_value=None)
        out.append((df.columns[j], values))
    return out


GROUP_RANK_ZH = {"province": "省内排名", "prefecture": "市内排名", "region": "区域内排名", "type": "同类型排名"}
"""Headers of the ranks within the usual group attributes."""


def level_columns(results: "Results", level: int, lang: str) -> list[Column]:
    """The columns of one level's sheet.

    Level 1: code, name, every normalised indicator, in panel order.  Higher levels: each
    aggregate's score and rank; the top level (the published list) adds the ranks within
    each group and the tier, and lists the units best first.
    """
    h, t = results.hierarchy, HEADERS[lang]
    if level == h.top_level:  # the published list: best first, unranked units last
        rank = results.rank_values[:, -1]
        order = np.argsort(np.where(np.isnan(rank), np.inf, rank), kind="stable")
    else:
        order = np.arange(len(results.panel))
    columns: list[Column] = [(t["code"], results.panel.unit_codes[order]), (t["name"], results.panel.unit_names[order])]
    if level == 1:
        data = results.dataset_values["normalised"]
        columns += [(h.name(code, lang), data[order, k]) for k, code in enumerate(h.indicator_codes)]
        return columns
    for code in h.aggregates_at(level):
        j = h.aggregate_codes.index(code)
        columns += [(h.name(code, lang) + t["score"], results.score_values[order, j]),
                    (h.name(code, lang) + t["rank"], integers(results.rank_values[order, j]))]
    if level != h.top_level:
        return columns
    for group, ranks in results.group_rank_values.items():
        label = GROUP_RANK_ZH.get(group, group + t["group_rank"]) if lang == "zh" else group + t["group_rank"]
        columns.append((label, integers(ranks[order])))
    if (results.tier_values > 0).any():
        columns.append((t["tier"], integers(results.tier_values[order])))
    return columns


def integers(values: np.ndarray) -> Integers:
    """Integer-valued numbers (ranks, NaN = unranked) as :class:`Integers`."""
    missing = np.isnan(values)
    return Integers(np.where(missing, 0, values).astype(np.int64), missing)


def write_workbook(results: "Results", path: Path, lang: str = "zh", extra: Mapping[str, pd.DataFrame] | None = None) -> None:
    """One sheet per level, then weights and excluded units, then the ``extra`` sheets (a ranking's lists...).

    An extra sheet named like a build sheet (a list called 总指数) must not replace it: it is written as ``榜单_<name>``.
    """
    h, t = results.hierarchy, HEADERS[lang]
    names = results.framework.level_names
    sheets: dict[str, list[Column]] = {}
    for level in range(h.top_level, 0, -1):
        title = names[level - 1].text(lang) if level - 1 < len(names) else f"{t['level']} {level}"
        sheets[title[:31]] = level_columns(results, level, lang)
    sheets[t["weights"]] = [(name if name == "code" else t[name], values) for name, values in results.weight_columns()]
    if results.excluded_codes:
        sheets[t["excluded"]] = [("unit_code", np.array(results.excluded_codes, dtype=object)),
                                 (t["reason"], np.array(results.excluded_reasons, dtype=object))]
    taken = set(sheets)
    sheets |= {(f"榜单_{name}" if name[:31] in taken else name): frame_columns(df) for name, df in (extra or {}).items()}
    write_column_sheets(path, sheets)


#: Headers of the analysis workbooks (explain, target, change, uncertainty, sensitivity): name → (zh, en).
TABLE_HEADERS: dict[str, tuple[str, str]] = {
    "code": ("代码", "code"), "name": ("名称", "name"), "unit": ("单位代码", "unit code"),
    "unit_name": ("单位名称", "unit name"), "parent": ("上级", "parent"), "level": ("层级", "level"),
    "raw": ("原始值", "raw value"), "normalised": ("标准化值", "normalised value"),
    "weight_in_index": ("总指数中权重", "weight in index"), "contribution": ("贡献", "contribution"),
    "share": ("贡献占得分比例", "share of score"), "rank": ("排名", "rank"), "gap": ("名次差", "rank gap"),
    "obstacle": ("障碍度", "obstacle degree"), "score": ("得分", "score"), "distance": ("距离", "distance"),
    "value": ("本单位值", "value"), "group_mean": ("组均值", "group mean"), "group_median": ("组中位数", "group median"),
    "group_rank": ("组内排名", "rank in group"), "group_size": ("组内单位数", "group size"),
    "diff_to_mean": ("与组均值之差", "difference to mean"), "nominal": ("名义排名", "nominal rank"),
    "mean": ("平均名次", "mean rank"), "median": ("名次中位数", "median rank"), "q_low": ("名次下限", "rank low"),
    "q_high": ("名次上限", "rank high"), "interval_width": ("区间宽度", "interval width"),
    "mean_abs_shift": ("平均名次绝对变动", "mean absolute rank shift"), "sample": ("样本", "sample"),
    "factor": ("不确定因素", "factor"), "S1": ("一阶指数 S1", "first-order index S1"),
    "ST": ("总效应指数 ST", "total-effect index ST"), "S1_low": ("S1 下限", "S1 low"), "S1_high": ("S1 上限", "S1 high"),
    "ST_low": ("ST 下限", "ST low"), "ST_high": ("ST 上限", "ST high"), "block": ("抽样块", "block"),
}
#: Sheet names of the analysis workbooks (``group_<attribute>`` sheets become 组内比较_<attribute>).
SHEET_NAMES: dict[str, tuple[str, str]] = {
    "indicators": ("指标", "indicators"), "aggregates": ("支柱与总指数", "aggregates"), "strengths": ("优势", "strengths"),
    "weaknesses": ("劣势", "weaknesses"), "peers": ("相似单位", "peers"), "rank_summary": ("名次分布", "rank summary"),
    "samples": ("抽样选择", "samples"), "sample_ranks": ("各次抽样名次", "sample ranks"),
    "sensitivity_indices": ("敏感性指数", "sensitivity indices"), "unit_first_order": ("各单位一阶指数", "unit first order"),
    "unit_total": ("各单位总效应指数", "unit total effect"), "plan": ("提升方案", "plan"), "single": ("单项提升", "single"),
}


def _header(name: object, lang: str) -> object:
    """The workbook header of a column or index name (``p_top_10`` → 前 10 名概率); others unchanged."""
    if not isinstance(name, str):
        return name
    if name.startswith("p_top_") and name[6:].isdigit():
        return f"前 {name[6:]} 名概率" if lang == "zh" else f"P(top {name[6:]})"
    pair = TABLE_HEADERS.get(name)
    return name if pair is None else pair[0 if lang == "zh" else 1]


def workbook_tables(tables: Mapping[str, pd.DataFrame], *, lang: str = "zh",
                    names: Mapping[str, str] | None = None) -> dict[str, pd.DataFrame]:
    """Copies of analysis tables for a workbook: Chinese headers and sheet names (English with ``lang="en"``).

    With ``names`` (unit code → name), a table indexed by unit (index name
    ``unit``) gets a name column beside the code, and unit-code columns (the
    ``sample_ranks`` table) are headed ``code name``.  The CSV files keep the
    plain column names, for scripts.
    """
    import pandas as pd

    i = 0 if lang == "zh" else 1
    out: dict[str, pd.DataFrame] = {}
    for sheet, df in tables.items():
        t = df.copy(deep=False)
        if names is not None and t.index.name == "unit" and "name" not in t.columns:
            t.insert(0, _header("unit_name", lang), [names.get(str(c), "") for c in t.index])
        if names is not None and t.columns.name == "unit":
            t.columns = pd.Index([f"{c} {names.get(str(c), '')}".strip() for c in t.columns])
        t = t.rename(columns=lambda c: _header(c, lang))
        t.index = t.index.rename(_header(t.index.name, lang))
        if sheet.startswith("group_"):
            label = ("组内比较_" if lang == "zh" else "group_") + sheet[6:]
        else:
            label = SHEET_NAMES.get(sheet, (sheet, sheet))[i]
        out[label] = t
    return out
