"""Recipes on the hand-made data set: every measure and derivation against values worked out by hand."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from baiqiang.errors import DataError
from baiqiang.firms.engines import connect
from baiqiang.firms.census import census_panel
from baiqiang.firms.indicators import run_recipes
from baiqiang.firms.recipes import load_recipes, parse_recipes

from .conftest import RECIPES

BOOK = yaml.safe_load("""
years: [2022, 2023]
recipes:
  - {code: gs_firms, name: {zh: 规上企业数}, source: enterprise_years, where: [{column: above_scale, eq: true}], measure: count}
  - {code: gs_output, name: {zh: 规上产值}, source: enterprise_years, where: [{column: above_scale, eq: true}],
     measure: sum, column: output, scale: 0.0001}
  - {code: growth, name: {zh: 增速}, derive: growth, of: gs_output, scale: 100}
  - {code: big, name: {zh: 10亿以上}, source: enterprise_years, where: [{column: revenue, ge: 100000}], measure: count}
  - {code: active, name: {zh: 存续}, source: enterprises, when: active, measure: count}
  - {code: new, name: {zh: 新登记}, source: enterprises, when: registered, measure: count}
  - {code: industrial, name: {zh: 工业企业}, source: enterprises, where: [{column: section, in: [B, C, D]}], measure: count}
  - {code: xjr, name: {zh: 小巨人}, source: designations, where: [{column: type, eq: 专精特新小巨人}], measure: count}
  - {code: hnte, name: {zh: 高新}, source: designations, where: [{column: type, eq: 高新技术企业}], measure: count}
  - {code: hnte_new, name: {zh: 新高新}, source: designations, where: [{column: type, eq: 高新技术企业}], when: granted,
     measure: count}
  - {code: mfg, name: {zh: 制造业产值}, source: enterprise_years, where: [{column: above_scale, eq: true},
     {column: section, eq: C}], measure: sum, column: output}
  - {code: hitech, name: {zh: 高技术产值}, source: enterprise_years, where: [{column: above_scale, eq: true},
     {column: industry, prefix: '@hightech_manufacturing'}], measure: sum, column: output}
  - {code: hitech_share, name: {zh: 高技术占比}, derive: ratio, numerator: hitech, denominator: mfg, scale: 100}
  - {code: hhi, name: {zh: HHI}, source: enterprise_years, where: [{column: above_scale, eq: true}], measure: hhi,
     column: output, by: division}
  - {code: nev, name: {zh: 新能源汽车链}, source: enterprises, measure: coverage, chain: 新能源汽车}
  - {code: inventions, name: {zh: 发明专利}, source: patents, measure: sum, column: invention}
  - {code: pop, name: {zh: 人口}, source: census, column: pop_total}
  - {code: inventions_pc, name: {zh: 每万人发明专利}, derive: per_capita, of: inventions, population: pop, scale: 10000}
  - {code: project_firms, name: {zh: 有项目企业}, source: projects, measure: count_distinct, column: uscc}
  - {code: exporters, name: {zh: 出口企业}, source: enterprise_years, where: [{column: exports, gt: 0}], measure: count}
""")


@pytest.fixture(scope="module")
def values(tiny_dataset: Path) -> dict[tuple[str, int, str], float]:
    engine = connect("duckdb")
    try:
        result = run_recipes(parse_recipes(BOOK), tiny_dataset, engine, [2022, 2023])
    finally:
        engine.close()
    return {(r.county, r.year, r.code): r.value for r in result.values.itertuples()}


ZJG, CX = "320582", "330282"  # 张家港市, 慈溪市


@pytest.mark.parametrize(("county", "year", "code", "expected"), [
    (ZJG, 2023, "gs_firms", 2), (CX, 2023, "gs_firms", 1),          # 戊 is not above scale
    (ZJG, 2023, "gs_output", 15.4), (CX, 2022, "gs_output", 5.0),   # 150000 + 4000 万元 = 15.4 亿元
    (ZJG, 2023, "growth", (154000 / 120000 - 1) * 100), (CX, 2023, "growth", 20.0),
    (ZJG, 2023, "big", 1), (ZJG, 2022, "big", 1), (CX, 2023, "big", 0),
    (ZJG, 2022, "active", 2), (ZJG, 2023, "active", 2),            # 丙 exits in 2023, 乙 registers in 2023
    (ZJG, 2022, "new", 0), (ZJG, 2023, "new", 1),
    (ZJG, 2023, "industrial", 2), (CX, 2023, "industrial", 2),
    (ZJG, 2023, "xjr", 1), (CX, 2023, "xjr", 0),
    (CX, 2022, "hnte", 1), (CX, 2023, "hnte", 0),                   # revoked in 2023
    (ZJG, 2023, "hnte_new", 1), (ZJG, 2022, "hnte_new", 0),
    (ZJG, 2023, "hitech_share", 4000 / 154000 * 100), (CX, 2023, "hitech_share", 100.0),
    (ZJG, 2023, "hhi", (150000**2 + 4000**2) / 154000**2), (CX, 2023, "hhi", 1.0),
    (ZJG, 2023, "nev", 2 / 6), (ZJG, 2022, "nev", 1 / 6), (CX, 2023, "nev", 0.0),
    (ZJG, 2023, "inventions", 5), (CX, 2023, "inventions", 2), (ZJG, 2022, "inventions", 0),
    (ZJG, 2023, "project_firms", 1),
    (ZJG, 2022, "exporters", 1), (ZJG, 2023, "exporters", 1), (CX, 2023, "exporters", 1),
])
def test_value(values: dict, county: str, year: int, code: str, expected: float) -> None:
    assert values[(county, year, code)] == pytest.approx(expected, rel=1e-12)


def test_growth_of_first_year_is_missing(values: dict) -> None:
    # 2021 is not computed, so 2022 growth has no base year.
    assert values[(ZJG, 2022, "growth")] != values[(ZJG, 2022, "growth")]


def test_per_capita_uses_census_population(values: dict) -> None:
    pop = census_panel().loc[ZJG, "pop_total"]
    assert values[(ZJG, 2023, "pop")] == pop
    assert values[(ZJG, 2023, "inventions_pc")] == pytest.approx(5 / pop * 10000, rel=1e-12)


def test_bundled_recipe_file_is_valid() -> None:
    book = load_recipes(RECIPES)
    assert len(book.recipes) >= 40
    assert {r.derive for r in book.recipes} >= {"growth", "ratio", "per_capita"}
    assert {r.measure for r in book.recipes} >= {"count", "sum", "hhi", "coverage"}


def test_recipe_problems_are_located() -> None:
    bad = {"recipes": [
        {"code": "a", "name": {"zh": "甲"}, "source": "enterprise_years", "measure": "sum", "column": "profit"},
        {"code": "b", "name": {"zh": "乙"}, "derive": "ratio", "numerator": "a", "denominator": "zzz"},
        {"code": "c", "name": {"zh": "丙"}, "source": "designations", "when": "registered", "measure": "count",
         "where": [{"column": "type", "eq": "x", "ne": "y"}]},
        {"code": "d", "name": {"zh": "丁"}, "source": "enterprises", "measure": "coverage", "chain": "造船"},
    ]}
    with pytest.raises(DataError) as exc:
        parse_recipes(bad, source="r.yaml")
    text = [str(p) for p in exc.value.problems]
    assert any(t.startswith("r.yaml: recipes[2].where[0]") and "恰好给出一个运算符" in t for t in text)
    bad["recipes"][2]["where"] = [{"column": "type", "eq": "x"}]
    with pytest.raises(DataError) as exc:
        parse_recipes(bad, source="r.yaml")
    text = [str(p) for p in exc.value.problems]
    assert any(t.startswith("r.yaml: recipes[0].column: enterprise_years 没有列 profit") for t in text)
    assert "r.yaml: recipes[1].of: 引用的配方 zzz 不存在" in text
    assert "r.yaml: recipes[2].when: designations 的 when 只能是 active/granted" in text
    assert any(t.startswith("r.yaml: recipes[3].chain: 产业链 '造船' 未定义") for t in text)
