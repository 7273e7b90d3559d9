"""Read CSV (UTF-8 or GBK, detected), XLSX and Parquet files into raw cell grids.

A *raw grid* is a DataFrame of ``object`` cells with a default RangeIndex and
no header interpretation: row 0 is the first row of the file.  Header
detection and cleaning happen in :mod:`baiqiang.data.importers.yearbook`.
Every failure raises :class:`DataError` naming the file (and sheet).
"""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

from baiqiang.errors import DataError, Problem

SUPPORTED = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".parquet")


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file's bytes: recorded with every import batch and build, so results trace to inputs.

    Here, not in :mod:`baiqiang.data.store` (which loads DuckDB and pandas and re-exports it):
    ``baiqiang build`` on a CSV file records it without importing either.
    """
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def detect_encoding(data: bytes) -> str:
    """Encoding of CSV bytes: ``utf-8`` (with or without BOM) or ``gb18030``.

    UTF-8 is tried first because a successful strict UTF-8 decode of Chinese
    text is practically never a false positive, then GB18030; charset-normalizer
    decides only for bytes neither decodes (its guess on short Chinese text in
    GBK is unreliable: it may answer a Latin code page).
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    for encoding in ("utf-8", "gb18030"):
        # Strict decoding: GB18030 (a superset of GBK/GB2312) rejects most
        # non-Chinese byte soup, and statistical tables come in one of these two.
        try:
            data.decode(encoding)
            return encoding
        except UnicodeDecodeError:
            pass
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000]).best()
    return best.encoding.lower() if best else "gb18030"


def read_raw(path: str | Path, *, sheet: str | int | None = None) -> pd.DataFrame:
    """Read ``path`` into a raw grid (see module docstring).

    ``sheet`` selects an XLSX sheet by name or 0-based position (default: first).
    """
    path = Path(path)
    if not path.exists():
        raise DataError.single(str(path), "文件不存在", "file_missing")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise DataError.single(str(path), f"不支持的文件类型 {suffix!r}（支持 CSV、XLSX、Parquet）", "unsupported")
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, sheet)
    if suffix == ".parquet":
        return _read_parquet(path)
    return _read_csv(path)


def _read_csv(path: Path) -> pd.DataFrame:
    import pandas as pd

    cells, enc = _csv_cells(path)
    grid = pd.DataFrame(cells, dtype=object)
    grid.attrs["encoding"] = enc
    return grid


def read_grid(path: str | Path) -> np.ndarray:
    """``path`` as a 2-D ``object`` array of cells (row 0 = the file's first row), ``None`` for an empty cell.

    CSV files are read without pandas (``baiqiang build`` never imports it); XLSX and
    Parquet go through :func:`read_raw`.
    """
    path = Path(path)
    if path.exists() and path.suffix.lower() in (".csv", ".txt", ".tsv"):
        return _csv_cells(path)[0]
    return read_raw(path).to_numpy(dtype=object)


def _csv_cells(path: Path) -> tuple[np.ndarray, str]:
    """The cells of a CSV file as a 2-D ``object`` array (``None`` for ``""``), and the encoding it was read in."""
    data = path.read_bytes()
    if b"\x00" in data[:4096]:
        raise DataError.single(str(path), "不是文本 CSV 文件（含二进制字节）", "corrupt")
    enc = detect_encoding(data)
    try:
        text = data.decode(enc)
    except (UnicodeDecodeError, LookupError) as exc:
        raise DataError.single(str(path), f"无法按 {enc} 解码：{exc}", "encoding") from None
    delim = sniff_delimiter(text[:10_000], path.suffix)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delim))
    except csv.Error as exc:
        raise DataError.single(str(path), f"CSV 格式错误：{exc}", "corrupt") from None
    _check_ragged(path, rows)
    width = max((len(r) for r in rows), default=0)
    grid = np.empty((len(rows), width), dtype=object)
    grid[...] = [r + [""] * (width - len(r)) for r in rows]
    grid[grid == ""] = None
    return grid, enc


def sniff_delimiter(sample: str, suffix: str) -> str:
    """The field delimiter of a CSV from its first 10,000 characters: comma, tab or semicolon."""
    try:
        return csv.Sniffer().sniff(sample, delimiters=",\t;").delimiter
    except csv.Error:
        return "\t" if suffix.lower() == ".tsv" else ","


def _check_ragged(path: Path, rows: list[list[str]]) -> None:
    """Refuse rows with more or fewer fields than the header (the first row of two or more fields).

    Padding a short row or dropping a long row's tail would shift or lose
    values silently.  Rows of at most one field (titles, notes, blank lines)
    and trailing empty fields are allowed.
    """
    header = next((r for r in rows if len(r) >= 2), None)
    if header is None:
        return
    width = len(header)
    problems = []
    for i, r in enumerate(rows, start=1):
        n = len(r)
        while n > width and not r[n - 1].strip():
            n -= 1
        if len(r) >= 2 and n != width:
            problems.append(Problem(f"{path.name}: 第 {i} 行", f"有 {n} 个字段，表头有 {width} 个（行不齐：缺少或多出逗号）",
                                    "ragged"))
    if problems:
        raise DataError(problems[:50], summary=f"{path}: {len(problems)} 行的字段数与表头不同")


def _read_xlsx(path: Path, sheet: str | int | None) -> pd.DataFrame:
    import openpyxl
    import pandas as pd

    if not zipfile.is_zipfile(path):
        raise DataError.single(str(path), "不是有效的 XLSX 文件（文件损坏或格式不符）", "corrupt")
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many unrelated types for bad files
        raise DataError.single(str(path), f"无法打开 XLSX：{exc}", "corrupt") from None
    try:
        if sheet is None:
            ws = wb.worksheets[0]
        elif isinstance(sheet, int):
            if not 0 <= sheet < len(wb.worksheets):
                raise DataError.single(str(path), f"工作表序号 {sheet} 不存在（共 {len(wb.worksheets)} 个）", "sheet")
            ws = wb.worksheets[sheet]
        else:
            if sheet not in wb.sheetnames:
                raise DataError.single(
                    str(path), f"工作表 {sheet!r} 不存在；现有：{', '.join(wb.sheetnames)}", "sheet"
                )
            ws = wb[sheet]
        rows = [list(r) for r in ws.iter_rows(values_only=True)]
        title = ws.title
    finally:
        wb.close()
    width = max((len(r) for r in rows), default=0)
    grid = pd.DataFrame([r + [None] * (width - len(r)) for r in rows], dtype=object)
    grid.attrs["sheet"] = title
    return grid


def _read_parquet(path: Path) -> pd.DataFrame:
    import pandas as pd

    try:
        df = pd.read_parquet(path)
    except Exception as exc:
        raise DataError.single(str(path), f"无法读取 Parquet：{exc}", "corrupt") from None
    header = pd.DataFrame([list(map(str, df.columns))], dtype=object)
    body = df.astype(object).where(df.notna(), None)
    body.columns = range(len(df.columns))
    return pd.concat([header, body], ignore_index=True)
