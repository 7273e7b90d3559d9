"""The Parquet copies of the bundled census workbooks: equal to a fresh parse, and never stale."""

from __future__ import annotations

import datetime

import pandas as pd
import pytest

from baiqiang.data.census_parquet import parquet_path, read_grid, write_grid
from baiqiang.data.census_rows import CENSUS_FILES, census_path, read_census_grid
from baiqiang.data.importers.read import read_raw
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
