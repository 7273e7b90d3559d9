"""Source precedence on a real DuckDB store, and the rankings outputs of `baiqiang build`."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml
from openpyxl import load_workbook
from typer.testing import CliRunner

from baiqiang.cli.main import app
from baiqiang.data.precedence import choose, store_panel
from baiqiang.data.store import Indicator, Store

from .conftest import BASE, COUNTIES, DATA

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[2]


def make_store(path: Path) -> Path:
    """The six test counties in a store: 2023 values from two sources for some cells, 2022 from one."""
    counties = pd.read_csv(COUNTIES)
    with Store(path) as s:
        s.add_units(counties.rename(columns={"unit_code": "code", "unit_name": "name"}).assign(level="county", status="current")
                    [["code", "name", "type", "prefecture", "province", "level", "status"]])
        s.upsert_indicators([Indicator("gdp", "地区生产总值", unit="亿元"), Indicator("revenue", "一般公共预算收入", unit="亿元"),
                             Indicator("patents", "专利授权数", unit="件")])
        for year, file in ((2023, COUNTIES), (2022, DATA / "counties_base.csv")):
            wide = pd.read_csv(file)
            long = wide.melt(id_vars="unit_code", value_vars=["gdp", "revenue", "patents"], var_name="indicator").assign(year=year)
            s.add_observations(long, source=f"年鉴 {year + 1}")
        # The 2023 bulletin (统计公报) gives a different GDP for A, imported later; an extracted fact for B.
        s.add_observations(pd.DataFrame({"unit_code": ["A"], "indicator": ["gdp"], "year": [2023], "value": [1100.0]}), source="统计公报 2023")
        s.add_observations(pd.DataFrame({"unit_code": ["B"], "indicator": ["gdp"], "year": [2023], "value": [900.0],
                                         "provenance": ["政府工作报告 第 2 段"]}), source="extract:乙县政府工作报告")
    return path


def test_precedence_picks_the_preferred_source_of_every_cell(tmp_path):
    store = make_store(tmp_path / "t.duckdb")
    frame, cells = store_panel(store, 2023, ["年鉴*", "统计公报*"])
    assert frame.set_index("code").loc[["A", "B"], "gdp"].tolist() == [1000.0, 800.0]
    a = cells.set_index(["unit_code", "indicator"]).loc[("A", "gdp")]
    assert a["source"] == "年鉴 2024" and a["alternatives"] == 2 and a["version"] == 1
    frame, cells = store_panel(store, 2023, ["统计公报*", "extract:*", "年鉴*"])
    assert frame.set_index("code").loc[["A", "B", "C"], "gdp"].tolist() == [1100.0, 900.0, 600.0]
    assert cells.set_index(["unit_code", "indicator"]).loc[("B", "gdp"), "provenance"] == "政府工作报告 第 2 段"
    assert len(cells) == 18


def test_pinned_version_wins_and_unlisted_sources_come_last():
    obs = pd.DataFrame({"unit_code": ["A"] * 3, "indicator": ["x"] * 3, "year": [2023] * 3, "value": [1.0, 2.0, 3.0],
                        "source": ["用户导入", "年鉴", "年鉴"], "version": [1, 2, 3], "provenance": [""] * 3,
                        "pinned": [False, False, False]})
    assert choose(obs, ["年鉴"])["value"].tolist() == [3.0]  # latest of the preferred source
    assert choose(obs, ["统计公报"])["value"].tolist() == [3.0]  # none listed: latest version
    obs.loc[0, "pinned"] = True
    assert choose(obs, ["年鉴"])["value"].tolist() == [1.0]


def write_framework(tmp_path: Path, **sections) -> Path:
    raw = {**BASE, "universe": {"code_column": "code", "name_column": "name"}, **sections}
    path = tmp_path / "fw.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def test_build_from_store_records_sources_progress_and_lists(tmp_path):
    store = make_store(tmp_path / "t.duckdb")
    fw = write_framework(tmp_path, sources={"precedence": ["统计公报*", "年鉴*"]}, rankings={
        "gates": [{"id": "saidi", "name": "赛迪", "when": {"column": "gdp", "op": ">=", "value": 600}}],
        "lists": [{"id": "top", "name": "百强县", "gates": ["saidi"]},
                  {"id": "rise", "name": "进步县", "score": "progress.rank_rise"}],
        "progress": {"base_year": 2022, "typology": {}},
        "group_ranks": {"by": ["province"]},
    })
    out = tmp_path / "out"
    result = runner.invoke(app, ["build", str(fw), "--store", str(store), "--year", "2023", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "百强县：入选 3，未达门槛 3" in result.output
    record = json.loads((out / "method.json").read_text(encoding="utf-8"))
    assert record["sources"]["cells"]["gdp"]["A"] == "统计公报 2023 v2"
    assert record["sources"]["cells"]["gdp"]["B"] == "年鉴 2024 v1"  # the extracted fact is not listed: it comes last
    # With A's bulletin GDP 1100: gdp_n B = 600/900, so B (econ 33.3, innov 100) leads A (100, 20).
    assert record["rankings"]["lists"]["top"]["listed"] == ["B", "A", "C"]
    assert record["rankings"]["lists"]["top"]["gated_out"]["F"] == "未达赛迪门槛：gdp 200 < 600"
    table = pd.read_csv(out / "rankings.csv")
    assert set(table["list_id"]) == {"top", "rise"} and list(table.columns[:4]) == ["list_id", "list_name", "rank", "unit_code"]
    sheets = load_workbook(out / "results.xlsx", read_only=True).sheetnames
    assert {"百强县", "进步县", "分组排名", "门槛_saidi", "进步", "数据来源"} <= set(sheets) and sheets[0] == "总指数"
    groups = pd.read_excel(out / "results.xlsx", sheet_name="分组排名").set_index("单位代码")
    # econ in P2 with gdp_n over 200..1100: D (33.3 + 20) / 2, E (22.2 + 60) / 2, F (0 + 80) / 2 -> E, F, D.
    assert groups.loc["B", "综合得分·排名"] == 1 and groups.loc["B", "综合得分·省内排名"] == 1
    assert groups.loc[["E", "F", "D"], "经济实力·省内排名"].tolist() == [1, 2, 3]
    sources = pd.read_csv(out / "sources.csv")
    assert len(sources) == 18


def test_progress_from_a_file_is_a_clear_error(tmp_path):
    fw = write_framework(tmp_path, universe={"code_column": "unit_code", "name_column": "unit_name"},
                         rankings={"progress": {"base_year": 2022}})
    result = runner.invoke(app, ["build", str(fw), str(COUNTIES), "-o", str(tmp_path / "o")])
    assert result.exit_code == 1 and "进步排名需要两个年份的数据" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "o").exists()


EXAMPLES = sorted((ROOT / "examples").glob("*/rankings_*.yaml"))


def test_every_feature_has_an_example():
    assert len(EXAMPLES) >= 4


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.parent.name)
def test_example_frameworks_build(example, tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(app, ["build", str(example), str(ROOT / "examples/county_demo/counties.csv"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert len(pd.read_csv(out / "rankings.csv")) > 0 and "rankings" in json.loads((out / "method.json").read_text(encoding="utf-8"))


def test_progress_example_builds_from_a_two_year_store(tmp_path):
    demo = ROOT / "examples/county_demo"
    columns = ["gdp", "revenue", "income", "industry_va", "industry_share", "rd_intensity", "patents", "forest", "energy_intensity"]
    counties = pd.read_csv(demo / "counties.csv")
    store = tmp_path / "demo.duckdb"
    with Store(store) as s:
        s.add_units(counties.rename(columns={"unit_code": "code", "unit_name": "name"})[["code", "name", "type", "prefecture", "province"]])
        s.upsert_indicators([Indicator(c, c) for c in columns])
        for year, name in ((2023, "counties.csv"), (2022, "counties_2022.csv")):
            wide = pd.read_csv(demo / name)
            s.add_observations(wide.melt(id_vars="unit_code", value_vars=columns, var_name="indicator").assign(year=year), source=name)
    out = tmp_path / "out"
    result = runner.invoke(app, ["build", str(ROOT / "examples/ccid/progress_ccid.yaml"), "--store", str(store), "--year", "2023", "-o", str(out)])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "rankings.csv")
    rise = table[(table["list_id"] == "progress_counties") & (table["status"] == "入选")]
    assert 20 <= len(rise) <= 25 and rise["score"].is_monotonic_decreasing
    progress = pd.read_excel(out / "results.xlsx", sheet_name="进步")
    assert set(progress["类型"].dropna()) == {"标杆型", "潜力型", "衰退型", "后进型"}
    assert (progress["名次上升"] == progress["基期排名"] - progress["本期排名"]).all()


def test_outputs_keep_formula_like_names_as_text_and_do_not_replace_build_sheets(tmp_path):
    data = tmp_path / "c.csv"
    data.write_text(COUNTIES.read_text(encoding="utf-8").replace("甲县", "=HYPERLINK(1)"), encoding="utf-8")
    fw = write_framework(tmp_path, universe={"code_column": "unit_code", "name_column": "unit_name"},
                         rankings={"lists": [{"id": "l", "name": "综合得分"}, {"id": "m", "name": "总指数"}]})
    BASE_LEVELS = BASE["level_names"]
    out = tmp_path / "out"
    result = runner.invoke(app, ["build", str(fw), str(data), "-o", str(out)])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "rankings.csv")
    assert "'=HYPERLINK(1)" in set(table["unit_name"])
    book = load_workbook(out / "results.xlsx")
    assert BASE_LEVELS[-1] == "总指数" and "榜单_总指数" in book.sheetnames and "综合得分" in book.sheetnames
    assert book["总指数"]["A1"].value == "单位代码"  # the build's own top sheet is intact
    cells = [c for row in book["综合得分"].iter_rows() for c in row if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert cells and all(c.data_type == "s" for c in cells)
