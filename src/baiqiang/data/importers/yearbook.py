"""Statistical-yearbook sheet quirks: titles, multi-row headers, units, blanks.

Turns a raw grid (:func:`baiqiang.data.importers.read.read_raw`) into a
:class:`Sheet`: one clean header per column (line breaks removed, the unit in
brackets split off), body rows with their original 1-based file row numbers,
and footnote rows set aside.  Rules:

* **Title rows**: leading rows with at most one filled cell are titles.
* **Header rows**: the rows between the title and the first *data row* (the
  first row with a number in it; pass ``header_rows`` when headers hold years).  Several header rows
  are joined top-down with ``-`` after filling merged cells to the right.
* **Units**: a trailing bracket ``（万元）`` / ``(%)`` whose content is a unit is
  split off; other brackets (``0岁（男）``) stay in the name.
* **Missing**: blanks, ``—``, ``–``, ``-``, ``…``, ``...``, ``NA``, ``/`` and
  ``×`` become missing.
* **Footnotes**: rows after the data whose first cell starts with 注/说明/资料来源/
  数据来源/* or that have text but no numbers at the end of the table.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from baiqiang.data.units import is_unit

MISSING_TOKENS: frozenset[str] = frozenset(
    {"", "—", "——", "–", "-", "--", "…", "……", "...", "..", "NA", "N/A", "na", "nan", "NaN", "NAN", "/", "×", "x", "*", "NULL", "null"}
)
FOOTNOTE_PREFIXES: tuple[str, ...] = ("注", "说明", "资料来源", "数据来源", "来源", "*", "#", "首发", "Note", "Source")

_BRACKET = re.compile(r"[（(]([^（）()]*)[）)]")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def clean_header(text: object) -> tuple[str, str]:
    """Split a header cell into ``(label, unit)``.

    >>> clean_header("性别比\\n（女=100）")
    ('性别比', '女=100')
    >>> clean_header("人均住房\\n建筑面积\\n（平方米/人）")
    ('人均住房建筑面积', '平方米/人')
    >>> clean_header("0岁（男）")
    ('0岁（男）', '')
    """
    s = "" if text is None else unicodedata.normalize("NFKC", str(text))
    s = re.sub(r"[\s\u3000]+", "", s)
    unit = ""
    for m in list(_BRACKET.finditer(s)):
        content = m.group(1)
        if is_unit(content):
            unit = content
            s = s[: m.start()] + s[m.end():]
            break
    s = s.replace("(", "（").replace(")", "）")
    return s.strip("-_ "), unit


def parse_number(cell: object) -> tuple[float, bool]:
    """Parse one cell: ``(value, ok)``; missing tokens give ``(nan, True)``.

    ``ok`` is False for text that is neither a number nor a missing token.
    """
    if cell is None:
        return float("nan"), True
    if isinstance(cell, bool):
        return float("nan"), False
    if isinstance(cell, (int, float, np.integer, np.floating)):
        return float(cell), True
    s = unicodedata.normalize("NFKC", str(cell)).strip().replace(",", "").replace(" ", "")
    if s in MISSING_TOKENS:
        return float("nan"), True
    pct = s.endswith("%")
    if pct:
        s = s[:-1]
    if _NUMBER.match(s):
        return float(s), True
    return float("nan"), False


def _cell_kinds(flat: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, pd.Series]:
    """Classify a flat array of cells at once: ``(null, numeric_type, boolean, text)``.

    ``null``: None or NaN; ``numeric_type``: int/float (bool excluded);
    ``boolean``: bool cells; ``text``: ``str(cell)`` of every other non-null
    cell (booleans included), indexed by flat position.
    """
    series = pd.Series(flat, dtype=object)
    kinds = series.map(type)
    uniq = kinds.unique()
    is_bool_t = {t: issubclass(t, (bool, np.bool_)) for t in uniq}
    is_num_t = {t: issubclass(t, (int, float, np.integer, np.floating)) and not is_bool_t[t] for t in uniq}
    null = series.isna().to_numpy()
    num_type = kinds.map(is_num_t).to_numpy(dtype=bool) & ~null
    boolean = kinds.map(is_bool_t).to_numpy(dtype=bool)
    return null, num_type, boolean, series[~null & ~num_type].astype(str)


def _clean_text(text: pd.Series) -> pd.Series:
    """NFKC, strip, drop thousands separators (as :func:`parse_number` does before matching)."""
    return text.str.normalize("NFKC").str.strip().str.replace(",", "", regex=False)


def parse_numbers(cells: np.ndarray | pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised :func:`parse_number` over a block of cells: ``(values, ok)`` of the same shape.

    Same rules cell by cell: None/NaN and missing tokens give NaN (ok),
    numbers pass through, ``1,234.5`` and ``12%`` (the sign dropped, not
    scaled) parse, booleans and other text are not ok.
    """
    arr = cells.to_numpy(dtype=object) if isinstance(cells, pd.DataFrame) else np.asarray(cells, dtype=object)
    flat = arr.ravel()
    values = np.full(flat.size, np.nan)
    ok = np.ones(flat.size, dtype=bool)
    if flat.size:
        null, num_type, boolean, text = _cell_kinds(flat)
        values[num_type] = flat[num_type].astype(float)
        ok[boolean] = False
        text = text[~boolean[text.index.to_numpy()]]
        if len(text):
            t = _clean_text(text).str.replace(" ", "", regex=False)
            t = t[~t.isin(MISSING_TOKENS)]
            t = t.where(~t.str.endswith("%"), t.str[:-1])
            good = t.str.match(_NUMBER.pattern).to_numpy(dtype=bool)
            idx = t.index.to_numpy()
            values[idx[good]] = t[good].astype(float).to_numpy()
            ok[idx[~good]] = False
    return values.reshape(arr.shape), ok.reshape(arr.shape)


def _masks(cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised :func:`_filled` and :func:`_is_number` over a 2-D grid."""
    flat = cells.ravel()
    null, num_type, boolean, text = _cell_kinds(flat)
    filled = ~null
    numeric = num_type.copy()
    if len(text):
        idx = text.index.to_numpy()
        filled[idx] = (text.str.strip() != "").to_numpy()
        numeric[idx] = _clean_text(text).str.match(_NUMBER.pattern).to_numpy(dtype=bool) & ~boolean[idx]
    return filled.reshape(cells.shape), numeric.reshape(cells.shape)


def _is_number(cell: object) -> bool:
    if cell is None or isinstance(cell, bool):
        return False
    if isinstance(cell, (int, float, np.integer, np.floating)):
        return not (isinstance(cell, float) and np.isnan(cell))
    s = unicodedata.normalize("NFKC", str(cell)).strip().replace(",", "")
    return bool(_NUMBER.match(s))


def _filled(cell: object) -> bool:
    if cell is None:
        return False
    if isinstance(cell, float) and np.isnan(cell):
        return False
    return str(cell).strip() != ""


@dataclass
class Sheet:
    """A parsed yearbook sheet.

    ``data`` has one column per cleaned header label (object cells, untouched)
    and is indexed by 1-based row number in the file; ``units`` maps label →
    unit found in the header; ``footnotes`` holds ``(row, text)`` pairs;
    ``header_rows``/``title_rows`` are 1-based row numbers.
    """

    data: pd.DataFrame
    units: dict[str, str]
    original_headers: dict[str, str]
    footnotes: list[tuple[int, str]] = field(default_factory=list)
    title_rows: list[int] = field(default_factory=list)
    header_rows: list[int] = field(default_factory=list)


def parse_sheet(grid: pd.DataFrame, *, header_rows: int | None = None) -> Sheet:
    """Find titles, headers, data and footnotes in a raw grid (see module doc).

    ``header_rows`` forces the number of header rows after the title rows.
    """
    cells = grid.to_numpy(dtype=object)
    n = len(cells)
    filled, numeric = _masks(cells.reshape(n, -1))
    start = 0
    while start < n and filled[start].sum() <= 1:
        start += 1
    if start >= n:
        return Sheet(pd.DataFrame(), {}, {})
    if header_rows is None:
        first_data = start + 1
        while first_data < n:
            if numeric[first_data].any():  # header cells are text; the first number starts the data
                break
            first_data += 1
        header_rows = max(1, first_data - start)
    hdr = cells[start : start + header_rows]
    labels = _flatten_headers(hdr)
    cleaned: list[str] = []
    units: dict[str, str] = {}
    original: dict[str, str] = {}
    for j, lab in enumerate(labels):
        label, unit = clean_header(lab)
        if not label:
            label = f"列{j + 1}"
        base, k = label, 2
        while label in original:
            label, k = f"{base}_{k}", k + 1
        cleaned.append(label)
        units[label] = unit
        original[label] = lab
    body_start = start + header_rows
    body = cells[body_start:]
    row_numbers = np.arange(body_start + 1, n + 1)
    keep = filled[body_start:].any(axis=1)
    # Footnotes: text rows without numbers after the last numeric row, or prefixed rows.
    has_num = numeric[body_start:].any(axis=1)
    last_numeric = int(np.nonzero(has_num)[0].max()) if has_num.any() else -1
    footnotes: list[tuple[int, str]] = []
    for i in np.nonzero(keep & ~has_num)[0]:  # footnotes never hold numbers: only these rows are candidates
        row = body[i]
        text = " ".join(str(c).strip() for c in row if _filled(c))
        first = next((str(c).strip() for c in row if _filled(c)), "")
        if i > last_numeric or (first.startswith(FOOTNOTE_PREFIXES) and filled[body_start + i].sum() <= 2):
            footnotes.append((int(row_numbers[i]), text))
            keep[i] = False
    data = pd.DataFrame(body[keep], columns=cleaned, index=row_numbers[keep], dtype=object)
    data.index.name = "row"
    return Sheet(
        data, units, original, footnotes,
        title_rows=list(range(1, start + 1)),
        header_rows=list(range(start + 1, start + header_rows + 1)),
    )


def _flatten_headers(hdr: np.ndarray) -> list[str]:
    """Join multi-row headers top-down; merged (blank) upper cells fill rightwards."""
    rows = [list(r) for r in hdr]
    for r in rows[:-1]:  # fill merged group headers to the right
        last = None
        for j, c in enumerate(r):
            if _filled(c):
                last = c
            elif last is not None:
                r[j] = last
    width = len(rows[0]) if rows else 0
    out: list[str] = []
    for j in range(width):
        parts: list[str] = []
        for r in rows:
            c = r[j]
            if _filled(c):
                s = str(c).strip()
                if not parts or parts[-1] != s:
                    parts.append(s)
        out.append("-".join(parts))
    return out
