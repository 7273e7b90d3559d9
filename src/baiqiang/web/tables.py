"""Downloads of exactly the rows a page shows, as CSV or XLSX, with formula cells escaped.

A cell beginning with ``=``, ``+``, ``-``, ``@``, tab or carriage return is
read as a formula by spreadsheet programs (OWASP "CSV injection"): text
cells starting so get a leading apostrophe in CSV and are written as strings
in XLSX.  Numbers stay numbers.
"""

from __future__ import annotations

import io

import pandas as pd

from baiqiang.pipeline.export import escape_text, write_sheets


def to_csv(frame: pd.DataFrame) -> bytes:
    """UTF-8 with BOM (Excel reads the Chinese), formula text escaped."""
    safe = frame.map(escape_text) if len(frame) else frame
    safe.columns = [escape_text(c) for c in frame.columns]
    return safe.to_csv(index=False).encode("utf-8-sig")


def to_xlsx(frame: pd.DataFrame, sheet: str = "排名") -> bytes:
    """One sheet, written by the product's workbook writer: text cells are strings, never formulas."""
    buf = io.BytesIO()
    write_sheets(buf, {sheet: frame.set_axis([str(c) for c in frame.columns], axis=1)})
    return buf.getvalue()
