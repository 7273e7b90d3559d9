"""The `baiqiang build` contract: outputs, their columns, errors and atomicity."""

from __future__ import annotations

import hashlib
import json

import pandas as pd
from openpyxl import load_workbook
from typer.testing import CliRunner

from baiqiang.cli.main import app

from .conftest import ASEM

runner = CliRunner()
FRAMEWORK = str(ASEM / "v1_default.yaml")
DATA = ASEM / "asem_data.csv"


def test_build_writes_scores_workbook_and_method_record(tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(app, ["build", FRAMEWORK, str(DATA), "-o", str(out)])
    assert result.exit_code == 0, result.output
    scores = pd.read_csv(out / "scores.csv")
    assert list(scores.columns[:2]) == ["unit_code", "unit_name"] and scores.columns[-1] == "rank"
    assert list(scores.columns[-2:]) == ["Index", "rank"] and len(scores.columns) == 2 + 11 + 1
    assert scores.loc[0, "unit_code"] == "CHE" and scores["rank"].tolist()[:3] == [1, 2, 3]
    record = json.loads((out / "method.json").read_text(encoding="utf-8"))
    assert record["data"]["sha256"] == hashlib.sha256(DATA.read_bytes()).hexdigest()
    assert record["framework"]["id"] == "asem_v1_default" and len(record["framework_sha256"]) == 64
    assert record["data"]["units_ranked"] == 51
    sheets = load_workbook(out / "results.xlsx", read_only=True).sheetnames
    assert sheets[:4] == ["总指数", "分指数", "支柱", "指标"] and "权重" in sheets
    top = pd.read_excel(out / "results.xlsx", sheet_name="总指数")
    assert list(top.columns) == ["单位代码", "单位名称", "Sustainable Connectivity得分", "Sustainable Connectivity排名",
                                 "EurAsia_group内排名", "GDP_group内排名"]


def test_xlsx_and_parquet_inputs_give_the_same_scores(tmp_path):
    frame = pd.read_csv(DATA)
    frame.to_excel(tmp_path / "d.xlsx", index=False)
    frame.to_parquet(tmp_path / "d.parquet")
    outputs = []
    for name in ["d.xlsx", "d.parquet"]:
        out = tmp_path / name.replace(".", "_")
        assert runner.invoke(app, ["build", FRAMEWORK, str(tmp_path / name), "-o", str(out)]).exit_code == 0
        outputs.append(pd.read_csv(out / "scores.csv"))
    pd.testing.assert_frame_equal(outputs[0], outputs[1])


def test_bad_data_fails_with_row_and_column_and_writes_nothing(tmp_path):
    frame = pd.read_csv(DATA)
    frame["LPI"] = frame["LPI"].astype(object)
    frame.loc[4, "LPI"] = "n/a?"
    frame = frame.drop(columns=["Flights"])
    bad = tmp_path / "bad.csv"
    frame.to_csv(bad, index=False)
    out = tmp_path / "out"
    out.mkdir()
    (out / "scores.csv").write_text("previous run\n", encoding="utf-8")
    result = runner.invoke(app, ["build", FRAMEWORK, str(bad), "-o", str(out)])
    assert result.exit_code == 1
    assert f"{bad}: row 6, column LPI: not a number: 'n/a?'" in result.output
    assert "the indicator column 'Flights' is missing from the data" in result.output
    assert (out / "scores.csv").read_text(encoding="utf-8") == "previous run\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv", "out"]  # no temporary left behind


def test_every_bad_cell_is_named_column_by_column_and_markers_are_missing_values(tmp_path):
    frame = pd.read_csv(DATA).astype(object)
    frame.loc[0, "LPI"] = "—"  # a missing marker, not a problem
    frame.loc[1, "LPI"] = "1,234.5"  # a thousands separator, read as 1234.5
    frame.loc[2, "Flights"], frame.loc[7, "Flights"], frame.loc[3, "LPI"] = "x", "y?", "z"
    bad = tmp_path / "bad.csv"
    frame.to_csv(bad, index=False)
    result = runner.invoke(app, ["build", FRAMEWORK, str(bad), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1
    named = [line.strip() for line in result.output.splitlines() if "not a number" in line]
    flights = [f"- {bad}: row 4, column Flights: not a number: 'x'", f"- {bad}: row 9, column Flights: not a number: 'y?'"]
    assert sorted(named) == sorted([f"- {bad}: row 5, column LPI: not a number: 'z'", *flights])
    assert [line for line in named if "Flights" in line] == flights  # rows in order within a column
    assert "1,234.5" not in result.output and "'—'" not in result.output


def test_gbk_csv_is_read(tmp_path):
    frame = pd.read_csv(DATA)
    frame["uName"] = "国家" + frame["uCode"]
    path = tmp_path / "gbk.csv"
    frame.to_csv(path, index=False, encoding="gbk")
    out = tmp_path / "out"
    assert runner.invoke(app, ["build", FRAMEWORK, str(path), "-o", str(out)]).exit_code == 0
    assert pd.read_csv(out / "scores.csv").loc[0, "unit_name"] == "国家CHE"


def test_invalid_framework_exits_non_zero_listing_problems(tmp_path):
    bad = tmp_path / "f.yaml"
    bad.write_text("id: x\nname: y\nindicators: []\n", encoding="utf-8")
    result = runner.invoke(app, ["build", str(bad), str(DATA), "-o", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert "indicators" in result.output and "aggregates" in result.output
    assert not (tmp_path / "o").exists()


def test_framework_check_and_schema_commands():
    assert "通过" in runner.invoke(app, ["framework", "check", FRAMEWORK]).output
    schema = json.loads(runner.invoke(app, ["framework", "schema"]).output)
    assert schema["title"] == "Baiqiang framework"


def test_build_reads_a_year_from_the_store(tmp_path):
    from baiqiang.data.store import Indicator, Store

    db = tmp_path / "s.duckdb"
    with Store(db) as store:
        store.ensure_registry()
        store.upsert_indicators([Indicator("gdp", "地区生产总值"), Indicator("pop", "常住人口")])
        obs = pd.DataFrame(
            {"unit_code": ["330784", "320583", "330282", "320281"] * 2, "indicator": ["gdp"] * 4 + ["pop"] * 4,
             "year": 2020, "value": [700.0, 4200.0, 2000.0, 4000.0, 96.0, 209.0, 183.0, 165.0]}
        )
        store.add_observations(obs, source="test")
    framework = tmp_path / "f.yaml"
    framework.write_text(
        "id: s\nname: 测试\nuniverse: {code_column: code, name_column: name}\n"
        "indicators:\n  - {code: gdp, name: 产值, parent: Index}\n  - {code: pop, name: 人口, parent: Index}\n"
        "aggregates:\n  - {code: Index, name: 总指数}\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = runner.invoke(app, ["build", str(framework), "--store", str(db), "--year", "2020", "-o", str(out)])
    assert result.exit_code == 0, result.output
    scores = pd.read_csv(out / "scores.csv", dtype={"unit_code": str})
    # No methodology steps: the raw values are averaged, so Kunshan (4200, 209) leads.
    assert scores.loc[0, "unit_code"] == "320583" and scores.loc[0, "unit_name"] == "昆山市"
    positional = runner.invoke(app, ["build", str(framework), str(db), "--year", "2020", "-o", str(tmp_path / "o2")])
    assert positional.exit_code == 0, positional.output
    pd.testing.assert_frame_equal(scores, pd.read_csv(tmp_path / "o2" / "scores.csv", dtype={"unit_code": str}))
    explained = runner.invoke(app, ["explain", str(framework), str(db), "昆山市", "--year", "2020"])
    assert explained.exit_code == 0 and "第 1 名" in explained.output, explained.output
    no_year = runner.invoke(app, ["explain", str(framework), str(db), "昆山市"])
    assert no_year.exit_code == 1 and "--year" in no_year.output
    missing_year = runner.invoke(app, ["build", str(framework), "--store", str(db), "--year", "2019", "-o", str(out)])
    assert missing_year.exit_code == 1 and "2019" in missing_year.output
    no_input = runner.invoke(app, ["build", str(framework), "-o", str(out)])
    assert no_input.exit_code == 1 and "--store" in no_input.output


def test_method_record_rebuilds_the_same_ranking(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    assert runner.invoke(app, ["build", FRAMEWORK, str(DATA), "-o", str(first)]).exit_code == 0
    result = runner.invoke(app, ["build", str(first / "method.json"), str(DATA), "-o", str(second)])
    assert result.exit_code == 0, result.output
    pd.testing.assert_frame_equal(pd.read_csv(first / "scores.csv"), pd.read_csv(second / "scores.csv"))
    records = [json.loads((d / "method.json").read_text(encoding="utf-8")) for d in (first, second)]
    assert records[0]["framework_sha256"] == records[1]["framework_sha256"]


def test_dry_run_prints_the_compiled_plan_and_writes_nothing(tmp_path):
    fw = tmp_path / "fw.yaml"
    fw.write_text(
        """
id: dry
name: {zh: 试算指数, en: Dry index}
groups: [province]
indicators:
  - {code: gdp, name: {zh: 地区生产总值, en: GDP}, parent: P1, weight: 3, transform: log}
  - {code: cost, name: 成本, parent: P1, direction: lower}
  - {code: jobs, name: 就业, parent: P2}
aggregates:
  - {code: P1, name: 规模, parent: Index}
  - {code: P2, name: 活力, parent: Index}
  - {code: Index, name: 总指数}
methodology:
  - {step: impute, method: group_median, params: {group: province}}
  - {step: normalise, method: minmax, params: {lower: 1, upper: 100}}
  - {step: weight, id: ahp, method: ahp, levels: [3], params: {matrix: [[1, 9], [0.111111, 1]]}}
  - {step: aggregate, id: geo, method: geometric, aggregates: [P1]}
  - {step: rank, params: {tiers: [10, 100]}}
""",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["build", str(fw), "--dry-run"])
    assert result.exit_code == 0, result.output
    text = result.output
    for expected in ("试算指数", "数据步骤", "变换: gdp → log", "impute.group_median", "输入: groups", "(province)",
                     "normalise.minmax (lower=1, upper=100)", "weight.ahp → aggregate.arithmetic",
                     "weight.manual → aggregate.geometric", "P2 活力", "快速路径", "逆向", "单位属性: province",
                     "AHP Index: CR = 0.000", "档次分界 [10, 100]"):
        assert expected in text, expected
    english = runner.invoke(app, ["build", str(fw), "--dry-run", "--lang", "en"])
    assert english.exit_code == 0 and "Dry index" in english.output and "data steps" in english.output
    assert "GDP" in english.output
    assert list(tmp_path.iterdir()) == [fw]


def test_build_without_output_directory_is_a_usage_error():
    result = runner.invoke(app, ["build", FRAMEWORK, str(DATA)])
    assert result.exit_code == 2 and "-o/--out" in result.output


def test_framework_check_names_a_missing_declared_input(tmp_path):
    fw = tmp_path / "goalposts.yaml"
    fw.write_text(
        """
id: gp
name: 目标值
indicators:
  - {code: gdp, name: 产值, parent: Index, goalposts: [0, 1000]}
  - {code: jobs, name: 就业, parent: Index}
aggregates:
  - {code: Index, name: 总指数}
methodology:
  - {step: normalise, method: goalposts}
""",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["framework", "check", str(fw)])
    assert result.exit_code == 1
    text = " ".join(result.output.split())
    assert "indicators[1].goalposts" in text and "normalise.goalposts (methodology[0]) needs `goalposts`" in text
    assert "'jobs' has none" in text and "Traceback" not in result.output
