"""Downloads of exactly the rows a page shows, as CSV or XLSX, with formula cells escaped.

A cell beginning with ``=``, ``+``, ``-``, ``@``, tab or carriage return is
read as a formula by spreadsheet programs (OWASP "CSV injection"): text
cells starting so get a leading apostrophe in CSV and are written as strings
in XLSX.  Numbers stay numbers.
"""

from __future__ import annotations

import io

import pandas as pd
from openpyxl import Workbook

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def escape_text(value: object) -> object:
    """Prefix a text cell that a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def to_csv(frame: pd.DataFrame) -> bytes:
    """UTF-8 with BOM (Excel reads the Chinese), formula text escaped."""
    safe = frame.map(escape_text) if len(frame) else frame
    safe.columns = [escape_text(c) for c in frame.columns]
    return safe.to_csv(index=False).encode("utf-8-sig")


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def to_xlsx(frame: pd.DataFrame, sheet: str = "排名") -> bytes:
    """One sheet; every text cell is stored as a string (data type ``s``), never as a formula."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet[:31]
    ws.append([str(c) for c in frame.columns])
    for row in frame.itertuples(index=False):
        ws.append([None if _missing(v) else v.item() if hasattr(v, "item") else v for v in row])
    for row in ws.iter_rows(min_row=1):
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # openpyxl would otherwise mark "=..." as a formula
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
