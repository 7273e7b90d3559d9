"""The bundled census workbooks' cell grids in Parquet: the same cells, read 30× faster.

The original workbooks (``census_county_{2010,2020}_v1.xlsx``) stay bundled and
are the source: ``scripts/build_census_parquet.py`` reads each one with
:func:`baiqiang.data.importers.read.read_raw` (openpyxl) and writes its raw grid
here with :func:`write_grid`; :func:`read_grid` gives back a grid equal cell for
cell, Python type included (``int``, ``float``, ``str``, ``None``), to
``read_raw`` of the workbook.  ``tests/data/test_census_parquet.py`` checks that
equality on both tables, so the two cannot drift, and every read checks that the
Parquet file was made from the bundled workbook's exact bytes (SHA-256 recorded
in the file's metadata).

Layout: one row per non-empty cell, ``row`` and ``col`` (0-based grid
position) and the value in exactly one of ``text`` (string), ``integer``
(int64) or ``number`` (float64).  The grid's shape, sheet title and the
workbook's SHA-256 are schema metadata, and so is the sheet's structure as
:func:`baiqiang.data.importers.yearbook.parse_sheet` finds it (title, header and
footnote rows, clean headers with their units, the body rows): :func:`read_sheet`
gives back ``parse_sheet`` of the grid without classifying its cells again
(more than half of the read's time, measured; header units need the pint registry, 0.2–0.3 s to build).
The same test checks that structure against a fresh ``parse_sheet`` of the workbook.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from baiqiang.errors import DataError

if TYPE_CHECKING:
    from baiqiang.data.importers.yearbook import Sheet

METADATA_KEY = b"baiqiang.census_grid"
REBUILD_HINT = "请运行 python scripts/build_census_parquet.py 重新生成（由原始工作簿导出）"
TEXT, INTEGER, NUMBER = 1, 2, 3
"""Cell kinds of the layout (0 = empty)."""


def parquet_path(workbook: str | Path) -> Path:
    """The Parquet file beside a bundled workbook: ``x.xlsx`` → ``x.parquet``."""
    return Path(workbook).with_suffix(".parquet")


def write_grid(grid: pd.DataFrame, path: str | Path, *, workbook_sha256: str) -> None:
    """Write a raw grid (``read_raw`` output: cells ``None``/``int``/``float``/``str``) as Parquet.

    Any other cell type (a date, a boolean) is refused: the reader could not give it back.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    cells = grid.to_numpy(dtype=object)
    # One Python call per cell: this runs in scripts/build_census_parquet.py only, once per workbook.
    kind = np.vectorize(_kind, otypes=[np.int8])(cells) if cells.size else np.zeros(cells.shape, np.int8)
    if (kind < 0).any():
        r, c = np.argwhere(kind < 0)[0]
        raise DataError.single(f"{path}: 第 {r + 1} 行第 {c + 1} 列", f"单元格类型 {type(cells[r, c]).__name__} 无法写入列式文件",
                               "unsupported_cell")
    rows, cols = np.nonzero(kind)
    values, k = cells[rows, cols], kind[rows, cols]
    table = pa.table({
        "row": pa.array(rows, pa.int32()),
        "col": pa.array(cols, pa.int32()),
        "text": pa.array(np.where(k == TEXT, values, None), pa.string()),
        "integer": pa.array(np.where(k == INTEGER, values, None), pa.int64()),
        "number": pa.array(np.where(k == NUMBER, values, None), pa.float64()),
    })
    meta = {"shape": list(grid.shape), "attrs": dict(grid.attrs), "workbook_sha256": workbook_sha256,
            "sheet": _structure(grid)}
    table = table.replace_schema_metadata({METADATA_KEY: json.dumps(meta, ensure_ascii=False).encode()})
    pq.write_table(table, str(path), compression="zstd")



def _structure(grid: pd.DataFrame) -> dict[str, object]:
    """What :func:`parse_sheet` finds in ``grid``, as JSON: everything of its :class:`Sheet` but the body cells."""
    from baiqiang.data.importers.yearbook import parse_sheet

    sheet = parse_sheet(grid)
    return {"columns": list(sheet.data.columns), "rows": [int(r) for r in sheet.data.index],
            "units": sheet.units, "original_headers": sheet.original_headers,
            "footnotes": [[int(r), t] for r, t in sheet.footnotes],
            "title_rows": sheet.title_rows, "header_rows": sheet.header_rows}


def _kind(v: object) -> int:
    """0 empty, 1 text, 2 integer, 3 float, -1 a type the Parquet layout does not hold."""
    if v is None:
        return 0
    t = type(v)
    return TEXT if t is str else INTEGER if t is int else NUMBER if t is float else -1


def read_grid(path: str | Path, *, workbook_sha256: str) -> pd.DataFrame:
    """The raw grid written by :func:`write_grid`, after checking it was made from the workbook with ``workbook_sha256``.

    A missing, unreadable or stale file is a located error naming the script that rebuilds it.
    """
    return _read(Path(path), workbook_sha256)[0]


def read_sheet(path: str | Path, *, workbook_sha256: str) -> "Sheet":
    """``parse_sheet(read_grid(path))``, its structure taken from the file (see the module docstring)."""
    from baiqiang.data.importers.yearbook import Sheet

    path = Path(path)
    grid, meta = _read(path, workbook_sha256)
    st = meta.get("sheet")
    if st is None:
        raise DataError.single(str(path), f"列式文件缺少表结构（旧版本）；{REBUILD_HINT}", "stale")
    rows = np.asarray(st["rows"], dtype=np.int64)
    data = pd.DataFrame(grid.to_numpy(dtype=object)[rows - 1], columns=st["columns"], index=rows, dtype=object)
    data.index.name = "row"
    return Sheet(data, st["units"], st["original_headers"], [(r, t) for r, t in st["footnotes"]],
                 title_rows=st["title_rows"], header_rows=st["header_rows"])


def _read(path: Path, workbook_sha256: str) -> tuple[pd.DataFrame, dict]:
    """The grid and the metadata of a file written by :func:`write_grid` (checked as :func:`read_grid` says)."""
    import pyarrow.parquet as pq

    if not path.exists():
        raise DataError.single(str(path), f"缺少普查表的列式文件；{REBUILD_HINT}", "file_missing")
    try:
        table = pq.read_table(str(path))
        meta = json.loads(table.schema.metadata[METADATA_KEY])
    except Exception as exc:  # pyarrow raises several types for a damaged file
        raise DataError.single(str(path), f"无法读取：{exc}；{REBUILD_HINT}", "corrupt") from None
    if meta["workbook_sha256"] != workbook_sha256:
        raise DataError.single(str(path), f"与原始工作簿不一致（工作簿已更改）；{REBUILD_HINT}", "stale")
    rows = table.column("row").to_numpy()
    cols = table.column("col").to_numpy()
    grid = np.full(tuple(meta["shape"]), None, dtype=object)
    for name, cast in (("text", None), ("integer", np.int64), ("number", np.float64)):
        column = table.column(name)
        present = column.is_valid().to_numpy(zero_copy_only=False)
        values = column.drop_null().to_numpy(zero_copy_only=False)
        # astype(object) turns int64/float64 into Python int/float, the types openpyxl gives.
        grid[rows[present], cols[present]] = values if cast is None else values.astype(cast).astype(object)
    out = pd.DataFrame(grid, dtype=object)
    out.attrs.update(meta["attrs"])
    return out, meta
