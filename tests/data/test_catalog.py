"""The default indicator catalog: yearbook headers map without set-up, and it covers fact extraction."""

from __future__ import annotations

import openpyxl
import pytest
import yaml

from baiqiang.data.catalog import default_catalog, read_catalog
from baiqiang.data.importers.table import import_file
from baiqiang.data.store import Store
from baiqiang.errors import DataError


def test_yearbook_sheet_maps_through_the_default_catalog_with_unit_conversion(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["2023年各县主要经济指标"])
    ws.append(["地区", "地区生产总值\n（亿元）", "年末常住人口（万人）", "一般公共预算收入（万元）"])
    ws.append(["永康市", 745.6, 96.5, 612345])
    ws.append(["义乌市", 1835.4, 189.0, "—"])
    path = tmp_path / "t.xlsx"
    wb.save(path)
    with Store(tmp_path / "s.duckdb") as store:
        report = import_file(store, path, year=2023)
        assert not report.unmapped_columns
        got = dict(store.con.execute(
            "SELECT indicator, value FROM observations WHERE unit_code = '330784' AND active").fetchall())
    # 612,345 万元 = 61.2345 亿元, the catalog's unit for general_budget_revenue
    assert got == {"gdp": 745.6, "population": 96.5, "general_budget_revenue": 61.2345}


def test_import_keeps_a_users_own_catalog_entry(tmp_path):
    from baiqiang.data.store import Indicator

    with Store(tmp_path / "s.duckdb") as store:
        store.upsert_indicators([Indicator("gdp", "我的地区生产总值", unit="万元")])
        store.ensure_catalog()
        mine = {i.code: i for i in store.indicators()}["gdp"]
    assert mine.name_zh == "我的地区生产总值" and mine.unit == "万元"


def test_every_code_fact_extraction_maps_to_is_in_the_default_catalog():
    from importlib.resources import files

    lexicon = yaml.safe_load(files("baiqiang.extract").joinpath("lexicon/indicators.yaml").read_text(encoding="utf-8"))
    codes = {i.code for i in default_catalog()}
    assert set(lexicon["indicators"]) <= codes


def test_bad_catalog_rows_are_all_reported(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("code,name_zh\ngdp,地区生产总值\n,缺代码\nx,\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        read_catalog(path)
    assert [p.where for p in info.value.problems] == ["c.csv: 第 3 行", "c.csv: 第 4 行"]


def test_a_unit_that_cannot_be_converted_is_one_problem_per_column(tmp_path):
    path = tmp_path / "u.csv"
    path.write_text("地区,地区生产总值（万人）,常住人口（亿元）\n永康市,1,2\n义乌市,3,4\n沛县,5,6\n", encoding="utf-8")
    with Store(tmp_path / "s.duckdb") as store, pytest.raises(DataError) as info:
        import_file(store, path, year=2023)
    problems = [str(p) for p in info.value.problems]
    assert problems == ["u.csv: 列 地区生产总值（万人）: 指标 gdp：单位“万人”（人数）不能换算为“亿元”（金额）",
                        "u.csv: 列 常住人口（亿元）: 指标 population：单位“亿元”（金额）不能换算为“万人”（人数）"]
