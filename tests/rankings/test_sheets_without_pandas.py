"""A ranking's sheets go into results.xlsx through the build's array writer: cell for cell what pandas wrote."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from openpyxl import load_workbook

from baiqiang.pipeline.export import frame_columns, write_column_sheets, write_sheets, write_sheets_with_pandas
from baiqiang.rankings import sheets

from .conftest import build, framework
from .test_gates_grades_lists import ZHONGJUN


def workbook_cells(path: Path) -> dict[str, list[list[object]]]:
    """Every sheet's cells as (value, quote prefix, bold)."""
    wb = load_workbook(path)
    return {ws.title: [[(c.value, c.quotePrefix, c.font.b) for c in row] for row in ws.iter_rows()] for ws in wb.worksheets}


def test_ranking_sheets_written_from_columns_equal_pandas_to_excel(tmp_path):
    outcome = build(framework(rankings={
        "gates": [{"id": "big", "name": "规模门槛", "when": {"column": "gdp", "op": ">=", "value": 300}}],
        "grades": [ZHONGJUN],
        "lists": [{"id": "top", "name": "百强县", "gates": ["big"]}, {"id": "all", "name": "全部"}],
    }))
    tables = sheets(outcome)
    assert len(tables) >= 3 and any(df.isna().any().any() for df in tables.values())  # gaps are exercised
    write_sheets_with_pandas(tmp_path / "pandas.xlsx", tables)
    write_column_sheets(tmp_path / "columns.xlsx", {name: frame_columns(df) for name, df in tables.items()})
    assert workbook_cells(tmp_path / "columns.xlsx") == workbook_cells(tmp_path / "pandas.xlsx")


def test_write_sheets_takes_the_column_writer_for_plain_tables_and_pandas_for_the_rest(tmp_path):
    plain = pd.DataFrame({"得分": [1.5, np.nan, 3.0], "名称": ["甲", "=SUM(A1)", None], "排名": pd.array([1, None, 2], dtype="Int64"),
                          "达标": [True, False, True], 7: ["p", "q", "r"]})
    dated = plain.assign(日期=pd.to_datetime(["2024-01-01", "2024-06-30", None]))
    infinite = plain.assign(得分=[1.5, np.inf, 3.0])
    for name, df, index in [("plain", plain, False), ("indexed", plain.set_index("名称"), True), ("dated", dated, False),
                            ("infinite", infinite, False)]:
        write_sheets(tmp_path / f"{name}.xlsx", {"s": df}, index=index)
        write_sheets_with_pandas(tmp_path / f"{name}_pandas.xlsx", {"s": df}, index=index)
        assert workbook_cells(tmp_path / f"{name}.xlsx") == workbook_cells(tmp_path / f"{name}_pandas.xlsx"), name
    assert workbook_cells(tmp_path / "plain.xlsx")["s"][2] == [(None, False, False), ("=SUM(A1)", True, False), (None, False, False),
                                                              (False, False, False), ("q", False, False)]
    assert workbook_cells(tmp_path / "infinite.xlsx")["s"][2][0] == ("inf", False, False)
