"""The Parquet copies of the bundled census workbooks: equal to a fresh parse, and never stale."""

from __future__ import annotations

import datetime

import numpy as np
import pandas as pd
import pytest

from baiqiang.data.census_parquet import parquet_path, read_grid, read_sheet, write_grid
from baiqiang.data.census_rows import CENSUS_FILES, NAME_COLUMNS, census_path, read_census_grid, read_census_sheet
from baiqiang.data.importers.read import read_raw
from baiqiang.data.importers.yearbook import parse_sheet
from baiqiang.errors import DataError


def assert_same_cells(got: pd.DataFrame, want: pd.DataFrame) -> None:
    """Equal shape, labels, attrs, values and Python type of every cell (``1`` is not ``1.0``)."""
    assert got.shape == want.shape
    assert got.attrs == want.attrs
    assert list(got.columns) == list(want.columns) and got.index.equals(want.index)
    assert got.map(type).equals(want.map(type))
    assert got.equals(want)


@pytest.mark.parametrize("year", sorted(CENSUS_FILES))
def test_bundled_parquet_equals_a_fresh_parse_of_the_workbook(year):
    # The workbook is the source: if this fails, run scripts/build_census_parquet.py.
    assert_same_cells(read_census_grid(year), read_raw(census_path(year)))


@pytest.mark.parametrize("year", sorted(CENSUS_FILES))
def test_bundled_sheet_structure_equals_a_fresh_parse_of_the_workbook(year):
    # The recorded structure must be what parse_sheet finds today (a change to its rules shows here).
    got, want = read_census_sheet(year), parse_sheet(read_raw(census_path(year)))
    assert_same_cells(got.data, want.data)
    assert got.data.index.name == want.data.index.name == "row"
    assert (got.units, got.original_headers, got.footnotes) == (want.units, want.original_headers, want.footnotes)
    assert (got.title_rows, got.header_rows) == (want.title_rows, want.header_rows)
    assert list(got.units) == list(want.units)  # column order of the units too


@pytest.mark.parametrize("year", sorted(CENSUS_FILES))
def test_numbers_as_floats_are_what_to_numeric_reads_from_the_cells(year):
    # The importer's read: name columns cell for cell, every other column float64 as pd.to_numeric reads it.
    cells, floats = read_census_sheet(year).data, read_census_sheet(year, numbers_as_floats=True).data
    names = [c for c in cells.columns if c in NAME_COLUMNS]
    numbers = [c for c in cells.columns if c not in NAME_COLUMNS]
    assert list(floats.columns) == list(cells.columns) and floats.index.equals(cells.index) and names
    assert_same_cells(floats[names], cells[names])
    assert (floats[numbers].dtypes == "float64").all()
    want = cells[numbers].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    assert np.array_equal(floats[numbers].to_numpy(), want, equal_nan=True)
    assert np.isnan(want).any() and (cells[numbers] == "NA").any().any() == (year == 2020)  # texts read as NaN


def test_text_columns_keep_their_cells_and_numbers_parse_texts(tmp_path):
    grid = pd.DataFrame([["地区", "人口", "比例"], ["永康市", 96, "NA"], [7, None, "0.5"], ["义乌市", 2**40, 0.7]],
                        dtype=object)
    write_grid(grid, tmp_path / "g.parquet", workbook_sha256="abc")
    data = read_sheet(tmp_path / "g.parquet", workbook_sha256="abc", text_columns={"地区"}).data
    assert list(data["地区"]) == ["永康市", 7, "义乌市"] and data["地区"].dtype == object
    assert data["人口"].tolist()[::2] == [96.0, 2.0**40] and np.isnan(data["人口"].iat[1])
    assert np.isnan(data["比例"].iat[0]) and data["比例"].tolist()[1:] == [0.5, 0.7]


def test_sheet_structure_round_trips_titles_headers_and_footnotes(tmp_path):
    grid = pd.DataFrame([["表 1 人口", None, None], ["地区", "人口（万人）", "比例（%）"], ["永康市", 96, 0.5],
                         ["义乌市", 186, 0.7], ["注：示例", None, None]], dtype=object)
    write_grid(grid, tmp_path / "g.parquet", workbook_sha256="abc")
    sheet = read_sheet(tmp_path / "g.parquet", workbook_sha256="abc")
    assert list(sheet.data.columns) == ["地区", "人口", "比例"] and sheet.units == {"地区": "", "人口": "万人", "比例": "%"}
    assert list(sheet.data.index) == [3, 4] and sheet.data.at[4, "人口"] == 186
    assert sheet.footnotes == [(5, "注：示例")] and sheet.title_rows == [1] and sheet.header_rows == [2]


def test_a_copy_without_the_sheet_structure_is_refused(tmp_path):
    import json

    import pyarrow.parquet as pq

    from baiqiang.data.census_parquet import METADATA_KEY

    write_grid(pd.DataFrame([["地区", "人口"], ["永康市", 1]], dtype=object), tmp_path / "g.parquet", workbook_sha256="x")
    table = pq.read_table(tmp_path / "g.parquet")
    meta = json.loads(table.schema.metadata[METADATA_KEY])
    del meta["sheet"]  # as written before the structure was recorded
    pq.write_table(table.replace_schema_metadata({METADATA_KEY: json.dumps(meta).encode()}), tmp_path / "g.parquet")
    with pytest.raises(DataError) as err:
        read_sheet(tmp_path / "g.parquet", workbook_sha256="x")
    assert err.value.problems[0].code == "stale" and "scripts/build_census_parquet.py" in str(err.value)


def test_round_trip_keeps_every_cell_type(tmp_path):
    grid = pd.DataFrame([["标题", None, None], ["地区", "人口", "比例"], ["永康市", 964203, 0.5],
                         [None, -7, 1e-300], ["", 2**62, float("inf")]], dtype=object)
    grid.attrs["sheet"] = "七普（年鉴）"
    write_grid(grid, tmp_path / "g.parquet", workbook_sha256="abc")
    back = read_grid(tmp_path / "g.parquet", workbook_sha256="abc")
    assert_same_cells(back, grid)
    assert back.iat[4, 1] == 2**62 and type(back.iat[4, 1]) is int  # exact, not through float


def test_a_stale_copy_is_refused_with_the_way_to_rebuild_it(tmp_path):
    write_grid(pd.DataFrame([[1, "a"]], dtype=object), tmp_path / "g.parquet", workbook_sha256="old")
    with pytest.raises(DataError) as err:
        read_grid(tmp_path / "g.parquet", workbook_sha256="new")
    assert err.value.problems[0].code == "stale"
    assert "scripts/build_census_parquet.py" in str(err.value)


def test_a_missing_copy_is_a_located_error(tmp_path):
    with pytest.raises(DataError) as err:
        read_grid(tmp_path / "none.parquet", workbook_sha256="x")
    assert err.value.problems[0].code == "file_missing"
    assert str(tmp_path / "none.parquet") in str(err.value)


def test_a_cell_type_the_layout_cannot_hold_is_refused_at_write_time(tmp_path):
    grid = pd.DataFrame([["a", 1], [None, datetime.date(2020, 11, 1)]], dtype=object)
    with pytest.raises(DataError) as err:
        write_grid(grid, tmp_path / "g.parquet", workbook_sha256="x")
    assert "第 2 行第 2 列" in str(err.value) and "date" in str(err.value)
    assert not (tmp_path / "g.parquet").exists()


def test_parquet_sits_beside_its_workbook():
    assert parquet_path(census_path(2020)).name == "census_county_2020_v1.parquet"
    assert parquet_path(census_path(2020)).exists()
