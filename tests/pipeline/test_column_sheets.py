"""The sheet-XML writer of ``write_column_sheets`` gives the bytes of XlsxWriter's own per-cell ``write``."""

from __future__ import annotations

import zipfile
from functools import partial

import numpy as np
import pytest
from xlsxwriter import Workbook

from baiqiang.pipeline.export import (_TEXT_STAYS_TEXT, WORKBOOK_CREATED, Integers, _quote_formula_like,
                                      write_column_sheets)


def per_cell_reference(path, sheets) -> None:
    """The writer as it was: one XlsxWriter ``write`` per cell (empty cells skipped)."""
    book = Workbook(str(path), _TEXT_STAYS_TEXT)
    book.set_properties({"created": WORKBOOK_CREATED})
    as_text = book.add_format({"quote_prefix": True})
    for name, columns in sheets.items():
        sheet = book.add_worksheet(name[:31])
        sheet.add_write_handler(str, partial(_quote_formula_like, as_text))
        for j, (label, values) in enumerate(columns):
            sheet.write(0, j, label)
            if isinstance(values, Integers):
                cells = np.where(values.missing, None, values.values).tolist()
            elif values.dtype.kind == "f":
                cells = np.where(np.isnan(values), None, values).tolist()
            else:
                cells = list(values)
            for i, cell in enumerate(cells, start=1):
                if cell is not None:
                    sheet.write(i, j, cell)
    book.close()


def members(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def tricky_sheets() -> dict:
    n = 40  # more than two blocks of 16 rows, so several `spans`
    rng = np.random.default_rng(7)
    floats = rng.normal(size=n) * 10.0 ** rng.integers(-12, 15, n)
    floats[[3, 17, 18]] = np.nan
    floats[5] = 0.1 + 0.2  # 17 significant digits: written with XlsxWriter's 16
    texts = np.array([None, "", "=SUM(A1)", "+1", "-x", "@a", "\tt", "\rr", "永康市", "a<b&c>\"'"] * 4, dtype=object)
    mixed = np.array([True, False, 3, 2.5, np.float64(1.25), np.int64(-7), np.bool_(True), None, "t", 10**17] * 4,
                     dtype=object)
    sparse = np.full(n, None, dtype=object)
    sparse[33] = "only row 35"
    ranks = Integers(np.arange(n, dtype=np.int64), np.arange(n) % 3 == 0)
    return {"一": [("得分", floats), ("=名称", texts), (7, mixed), ("", sparse), ("排名", ranks)],
            "a sheet name longer than thirty-one characters": [("x", np.array([], dtype=float))],
            "empty": [], "late": [("", sparse)]}


def test_column_writer_gives_the_per_cell_writers_bytes(tmp_path):
    sheets = tricky_sheets()
    write_column_sheets(tmp_path / "columns.xlsx", sheets)
    per_cell_reference(tmp_path / "cells.xlsx", sheets)
    assert members(tmp_path / "columns.xlsx") == members(tmp_path / "cells.xlsx")


def test_nan_in_a_text_column_and_infinity_are_errors_naming_the_sheet(tmp_path):
    with pytest.raises(TypeError, match="“s”第 A 列第 3 行"):
        write_column_sheets(tmp_path / "x.xlsx", {"s": [("a", np.array(["t", float("nan")], dtype=object))]})
    with pytest.raises(TypeError, match="“s”第 A 列"):
        write_column_sheets(tmp_path / "x.xlsx", {"s": [("a", np.array([1.0, np.inf]))]})


def test_small_workbooks_are_assembled_in_memory_large_ones_through_temporary_files(tmp_path, monkeypatch):
    import tempfile

    import baiqiang.pipeline.export as export

    made = []
    real_mkstemp = tempfile.mkstemp
    monkeypatch.setattr(tempfile, "mkstemp", lambda *a, **k: made.append(1) or real_mkstemp(*a, **k))
    sheets = tricky_sheets()
    write_column_sheets(tmp_path / "small.xlsx", sheets)
    assert made == []
    monkeypatch.setattr(export, "IN_MEMORY_CELLS", 10)
    write_column_sheets(tmp_path / "large.xlsx", sheets)
    assert len(made) > 5  # one per part
    assert members(tmp_path / "small.xlsx") == members(tmp_path / "large.xlsx")
