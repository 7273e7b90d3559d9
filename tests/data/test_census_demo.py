"""The bundled census import and the demo, end to end (one run, ~20 s)."""

from __future__ import annotations

import filecmp
from pathlib import Path

import openpyxl
import pytest

from baiqiang.report.demo import run_demo, write_demo


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    result = run_demo(out / "census.duckdb")
    write_demo(result, out)
    return result, out


def test_every_row_classified(demo):
    result, _ = demo
    c = result.tables["row_classification_counts"].set_index("year")
    assert c.loc[2010, ["unit", "crosswalk", "non_admin", "subtotal"]].tolist() == [2507, 354, 11, 376]
    assert c.loc[2020, ["unit", "crosswalk", "non_admin", "subtotal"]].tolist() == [2826, 22, 142, 368]
    rows = result.classification
    assert rows["category"].notna().all()
    assert not rows[(rows["category"] == "unit") & (rows["name"] == "市辖区")].size


def test_values_and_derived(demo):
    result, _ = demo
    c20 = result.tables["county_2020_all"].set_index("code")
    assert c20.at["330784", "name"] == "永康市"
    assert result.tables["top100_county_2020"]["rank"].max() <= 100
    assert set(result.tables["top100_county_2020"]["type"]) <= {"县", "县级市", "自治县", "旗", "自治旗", "特区", "林区"}
    assert set(result.tables["top100_district_2020"]["type"]) == {"市辖区"}
    assert result.dropped_indicators[2010] == ["car_rate", "elevator_rate"]


def test_files_and_workbook(demo):
    _, out = demo
    for f in ("top100_county_2020.csv", "top100_district_2020.csv", "top100_county_2010.csv",
              "top100_district_2010.csv", "caict_comparison.csv", "baiqiang_demo.xlsx"):
        assert (out / f).exists()
    wb = openpyxl.load_workbook(out / "baiqiang_demo.xlsx", read_only=True)
    assert "百强县2020" in wb.sheetnames and "与信通院对比" in wb.sheetnames


def test_packaged_framework_matches_repo():
    root = Path(__file__).resolve().parents[2]
    pkg = root / "src" / "baiqiang" / "data" / "resources" / "frameworks" / "census_industrial_base.yaml"
    assert filecmp.cmp(root / "frameworks" / "census_industrial_base.yaml", pkg, shallow=False)
