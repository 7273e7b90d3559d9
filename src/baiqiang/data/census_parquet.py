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
from collections.abc import Collection
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
    cells, meta = _read(Path(path), workbook_sha256)
    out = pd.DataFrame(_object_grid(cells, np.arange(meta["shape"][0]), meta["shape"]), dtype=object)
    out.attrs.update(meta["attrs"])
    return out


def read_sheet(path: str | Path, *, workbook_sha256: str, text_columns: Collection[str] | None = None) -> "Sheet":
    """``parse_sheet(read_grid(path))``, its structure taken from the file (see the module docstring).

    With ``text_columns`` every other column comes as ``float64``: what ``pd.to_numeric(column,
    errors="coerce")`` gives for its cells (NaN for an empty cell or a text that is no number,
    such as ``NA``), without creating a Python object per cell (the census importer reads the
    numbers so; integers are exact up to 2**53).  The ``text_columns`` keep their cells as they are.
    """
    from baiqiang.data.importers.yearbook import Sheet

    path = Path(path)
    cells, meta = _read(path, workbook_sha256)
    st = meta.get("sheet")
    if st is None:
        raise DataError.single(str(path), f"列式文件缺少表结构（旧版本）；{REBUILD_HINT}", "stale")
    rows = np.asarray(st["rows"], dtype=np.int64)
    columns, shape = st["columns"], tuple(meta["shape"])
    index = pd.Index(rows, name="row")
    if text_columns is None or len(set(columns)) < len(columns):
        data = pd.DataFrame(_object_grid(cells, rows - 1, shape), columns=columns, index=index, dtype=object)
    else:
        is_text = np.isin(np.asarray(columns, dtype=object), list(text_columns))
        text_at = np.flatnonzero(is_text)
        objects = _object_grid(cells, rows - 1, shape, only_columns=text_at)
        data = pd.DataFrame(_float_grid(cells, rows - 1, shape, skip=is_text), columns=columns, index=index)
        for k, j in enumerate(text_at):  # a few name columns; dtype object (strings alone would become "str")
            data.isetitem(int(j), pd.Series(objects[:, k], index=index, dtype=object))
    return Sheet(data, st["units"], st["original_headers"], [(r, t) for r, t in st["footnotes"]],
                 title_rows=st["title_rows"], header_rows=st["header_rows"])


Cells = dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]
"""Per cell kind (``text``, ``integer``, ``number``): grid rows, grid columns and values of its cells."""


def _read(path: Path, workbook_sha256: str) -> tuple[Cells, dict]:
    """The cells and the metadata of a file written by :func:`write_grid` (checked as :func:`read_grid` says)."""
    import pyarrow.parquet as pq

    if not path.exists():
        raise DataError.single(str(path), f"缺少普查表的列式文件；{REBUILD_HINT}", "file_missing")
    try:
        # One file: ParquetFile, not read_table (which imports pyarrow.dataset for partitioned datasets).
        table = pq.ParquetFile(str(path)).read()
        meta = json.loads(table.schema.metadata[METADATA_KEY])
    except Exception as exc:  # pyarrow raises several types for a damaged file
        raise DataError.single(str(path), f"无法读取：{exc}；{REBUILD_HINT}", "corrupt") from None
    if meta["workbook_sha256"] != workbook_sha256:
        raise DataError.single(str(path), f"与原始工作簿不一致（工作簿已更改）；{REBUILD_HINT}", "stale")
    rows = table.column("row").to_numpy()
    cols = table.column("col").to_numpy()
    cells: Cells = {}
    for name in ("text", "integer", "number"):
        column = table.column(name)
        present = column.is_valid().to_numpy(zero_copy_only=False)
        cells[name] = (rows[present], cols[present], column.drop_null().to_numpy(zero_copy_only=False))
    return cells, meta


def _body_positions(cells: Cells, grid_rows: np.ndarray, n_rows: int) -> dict[str, np.ndarray]:
    """Per cell kind: each cell's position among ``grid_rows`` (-1 for a cell on another row)."""
    position = np.full(n_rows, -1, dtype=np.int64)
    position[grid_rows] = np.arange(len(grid_rows))
    return {kind: position[r] for kind, (r, _, _) in cells.items()}


def _object_grid(cells: Cells, grid_rows: np.ndarray, shape: tuple[int, int], *,
                 only_columns: np.ndarray | None = None) -> np.ndarray:
    """The cells of ``grid_rows`` (and ``only_columns``, default all) of a ``shape`` grid as Python objects.

    ``None`` where a cell is empty; int64/float64 values are stored as Python ``int``/``float``
    (NumPy's cast to ``object``), the types openpyxl gives.
    """
    n_rows, n_cols = shape
    columns = np.arange(n_cols) if only_columns is None else only_columns
    column_position = np.full(n_cols, -1, dtype=np.int64)
    column_position[columns] = np.arange(len(columns))
    body = _body_positions(cells, grid_rows, n_rows)
    grid = np.full((len(grid_rows), len(columns)), None, dtype=object)
    for kind, (_, cols, values) in cells.items():
        j = column_position[cols]
        inside = (body[kind] >= 0) & (j >= 0)
        grid[body[kind][inside], j[inside]] = values[inside]
    return grid


def _float_grid(cells: Cells, grid_rows: np.ndarray, shape: tuple[int, int], *, skip: np.ndarray) -> np.ndarray:
    """The cells of ``grid_rows`` as ``pd.to_numeric(errors="coerce")`` reads them: floats, NaN where empty or no number.

    Columns where ``skip`` is true are left NaN.
    """
    body = _body_positions(cells, grid_rows, shape[0])
    out = np.full((len(grid_rows), shape[1]), np.nan)
    for kind, (_, cols, values) in cells.items():
        inside = (body[kind] >= 0) & ~skip[cols]
        if kind == "text":  # the few texts in number columns (NA, —): parsed as pandas parses a column of them
            values = pd.to_numeric(values[inside], errors="coerce").astype(float) if inside.any() else values[inside]
        else:
            values = values[inside]
        out[body[kind][inside], cols[inside]] = values
    return out
