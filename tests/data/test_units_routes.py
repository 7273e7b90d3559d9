"""One canonical unit per indicator, whatever the route into the store (real files, the real CLI)."""

from __future__ import annotations

import openpyxl
import pytest
from typer.testing import CliRunner

from baiqiang.cli.main import app
from baiqiang.data.catalog import index_by_label, label_key
from baiqiang.data.store import Indicator, Store
from baiqiang.data.units import UnitError, convert, dimension

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_conversions_by_hand():
    assert convert(98.6, "万人", "人") == 986000.0
    assert convert(612345.0, "万元", "亿元") == 61.2345  # exactly, not 61.234500000000004
    assert convert(150.0, "亩", "公顷") == 10.0 and convert(2.0, "平方公里", "公顷") == 200.0
    assert convert(3.0, "万吨", "吨") == 30000.0 and convert(8.5, "‰", "%") == 0.85
    assert dimension("元/人") == "money/people" and dimension("%") == "share"
    for a, b in (("元", "人"), ("%", "个百分点"), ("美元", "元"), ("斤两", "元")):
        with pytest.raises(UnitError):
            convert(1.0, a, b)


def test_an_exact_code_wins_and_shared_aliases_map_to_nothing():
    inds = [Indicator("gdp", "地区生产总值", aliases=("GDP",)),
            Indicator("gdp_growth", "地区生产总值增速", aliases=("地区生产总值", "gdp", "增长")),
            Indicator("fai_growth", "固定资产投资增速", aliases=("增长",))]
    index = index_by_label(inds)
    assert index[label_key("地区生产总值")].code == "gdp" and index[label_key("gdp")].code == "gdp"
    assert label_key("增长") not in index  # two aliases: never guessed


def test_catalog_file_rejects_shared_labels_and_unknown_units(tmp_path):
    path = tmp_path / "cat.csv"
    path.write_text("code,name_zh,unit,aliases\ngdp,地区生产总值,亿元,GDP\ngrowth,增速,%,GDP\npop,人口,万口,\n",
                    encoding="utf-8")
    (tmp_path / "x.csv").write_text("地区,GDP\n永康市,1\n", encoding="utf-8")
    result = run("import", tmp_path / "x.csv", "--db", tmp_path / "s.duckdb", "--catalog", path, "--year", 2020)
    assert result.exit_code == 1
    assert "cat.csv: 第 3 行" in result.output and "已属于指标 gdp" in result.output
    assert "cat.csv: 第 4 行, 列 unit" in result.output and "万口" in result.output
    assert not (tmp_path / "s.duckdb").exists()


def _yearbook(path):
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in (["各县地区生产总值（2023年）"], ["地区", "地区生产总值", None, "常住人口"],
                [None, "总量（亿元）", "增速（%）", "（万人）"], ["永康市", 745.6, 6.1, 98.6], ["义乌市", 2055.5, 7.5, 189.9]):
        ws.append(row)
    wb.save(path)


def test_three_routes_one_unit(tmp_path):
    db = tmp_path / "s.duckdb"
    _yearbook(tmp_path / "yearbook.xlsx")
    assert run("import", tmp_path / "yearbook.xlsx", "--db", db, "--year", 2023).exit_code == 0
    long = tmp_path / "long.csv"
    long.write_text("地区,年份,指标,数值,单位\n永康市,2022,地区生产总值,6903000,万元\n"
                    "永康市,2022,常住人口,975000,人\n", encoding="utf-8")
    result = run("import", long, "--db", db)
    assert result.exit_code == 0, result.output
    doc = tmp_path / "report.txt"
    doc.write_text("2021年，全市实现地区生产总值650.3亿元，比上年增长9.8%。", encoding="utf-8")
    assert run("extract", doc, "--db", db, "--place", "永康市").exit_code == 0
    accepted = run("review", "accept", 1, "--db", db, "--reviewer", "t")
    assert accepted.exit_code == 0, accepted.output
    with Store(db, read_only=True) as s:
        units = {i.code: i.unit for i in s.indicators()}
        got = {(i, y): v for i, y, v in s.con.execute(
            "SELECT indicator, year, value FROM observations WHERE unit_code = '330784' AND active").fetchall()}
    assert units["gdp"] == "亿元" and units["population"] == "万人" and units["gdp_growth"] == "%"
    assert got[("gdp", 2023)] == 745.6 and got[("gdp_growth", 2023)] == 6.1 and got[("population", 2023)] == 98.6
    assert got[("gdp", 2022)] == 690.3 and got[("population", 2022)] == 97.5  # 万元 and 人, converted
    assert got[("gdp", 2021)] == pytest.approx(650.3)  # the fact's 65 030 000 000 元, in 亿元


def test_long_table_unit_of_another_dimension_is_refused_with_its_row(tmp_path):
    db = tmp_path / "s.duckdb"
    long = tmp_path / "long.csv"
    long.write_text("地区,年份,指标,数值,单位\n永康市,2022,地区生产总值,6903000,万元\n永康市,2022,常住人口,97,万吨\n",
                    encoding="utf-8")
    result = run("import", long, "--db", db)
    assert result.exit_code == 1
    assert "long.csv: 第 3 行, 列 单位" in result.output and "population" in result.output and "万吨" in result.output
    assert not db.exists()


def test_re_extraction_with_a_corrected_place_moves_the_candidates(tmp_path):
    db = tmp_path / "s.duckdb"
    doc = tmp_path / "report.txt"
    doc.write_text("2021年，全市实现地区生产总值650.3亿元。", encoding="utf-8")
    assert run("extract", doc, "--db", db, "--place", "义乌市").exit_code == 0
    again = run("extract", doc, "--db", db, "--place", "永康市")
    assert again.exit_code == 0 and "更正地点 1 条" in again.output
    with Store(db, read_only=True) as s:
        assert s.con.execute("SELECT place_code FROM fact_candidates").fetchall() == [("330784",)]
    assert run("review", "accept", 1, "--db", db, "--reviewer", "t").exit_code == 0
    with Store(db, read_only=True) as s:
        assert s.con.execute("SELECT unit_code, value FROM observations").fetchall() == [("330784", 650.3)]
