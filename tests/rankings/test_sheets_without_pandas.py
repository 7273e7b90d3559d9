"""A ranking's sheets go into results.xlsx through the build's array writer: cell for cell what pandas wrote."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from baiqiang.pipeline.export import frame_columns, write_column_sheets, write_sheets
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
    write_sheets(tmp_path / "pandas.xlsx", tables)
    write_column_sheets(tmp_path / "columns.xlsx", {name: frame_columns(df) for name, df in tables.items()})
    assert workbook_cells(tmp_path / "columns.xlsx") == workbook_cells(tmp_path / "pandas.xlsx")
