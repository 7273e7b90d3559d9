"""The bundled census import and the demo, end to end (one run, ~20 s)."""

from __future__ import annotations

import filecmp
from pathlib import Path

import openpyxl
import pandas as pd
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
    assert result.dropped_indicators == {}          # the default frameworks use no 2020-only column


def test_comparability_gate(demo):
    result, _ = demo
    c20 = result.tables["county_2020_all"].set_index("code")
    mangya, shihezi = c20.loc["632803"], c20.loc["659001"]    # 茫崖市 (18,856 residents), 石河子市 (92.6% urban)
    assert pd.isna(mangya["rank"]) and "常住人口" in mangya["reason"]
    assert pd.isna(shihezi["rank"]) and "城镇化率" in shihezi["reason"]
    top = result.tables["top100_county_2020"]
    assert len(top) == 100 and top["rank"].is_monotonic_increasing and top["score"].is_monotonic_decreasing


def test_agreement_table_matches_the_ranking(demo):
    from baiqiang.analysis.agreement import caict_lists

    result, _ = demo
    agr = result.tables["agreement_county_2020"]
    assert len(agr) == 3 * 3 * 4                                   # lists × measures × candidates
    base = agr[agr["candidate"] == "制造业就业人数（单列）"]
    assert (base["diff_vs_baseline"] == 0).all() and not base["better_than_baseline"].any()
    # Recompute the 2019 hit rate of the default ranking from the published table by hand.
    c20 = result.tables["county_2020_all"].set_index("code")
    list2019 = next(pl for pl in caict_lists("county", set(c20.index)) if pl.name == "2019")
    hits = sum(1 for code in list2019.ranks.index if c20.at[code, "rank"] <= 100)
    row = agr[(agr["list"].str.contains("2019")) & (agr["metric"] == "命中率") & (agr["candidate"] == "第二版框架（默认）")]
    assert row["estimate"].item() == pytest.approx(hits / 36)
    assert (agr["low"] <= agr["estimate"] + 1e-12).all() and (agr["estimate"] <= agr["high"] + 1e-12).all()


def test_rank_intervals_of_the_top_100(demo):
    result, _ = demo
    rb = result.tables["robustness_county_2020"].set_index("code")
    assert len(rb) == 100
    assert ((rb["q_low"] <= rb["median"]) & (rb["median"] <= rb["q_high"])).all()
    assert rb.at["320583", "p_top_10"] == 1.0                     # 昆山市 is first in every sample's top 10
    assert rb["p_top_100"].between(0, 1).all()


def test_files_and_workbook(demo):
    _, out = demo
    for f in ("top100_county_2020.csv", "top100_district_2020.csv", "top100_county_2010.csv",
              "top100_district_2010.csv", "caict_comparison.csv", "baiqiang_demo.xlsx"):
        assert (out / f).exists()
    wb = openpyxl.load_workbook(out / "baiqiang_demo.xlsx", read_only=True)
    assert "百强县2020" in wb.sheetnames and "与信通院对比" in wb.sheetnames


@pytest.mark.parametrize("name", ["census_industrial_base.yaml", "census_industrial_county.yaml",
                                  "census_industrial_district.yaml"])
def test_packaged_framework_matches_repo(name):
    root = Path(__file__).resolve().parents[2]
    pkg = root / "src" / "baiqiang" / "data" / "resources" / "frameworks" / name
    assert filecmp.cmp(root / "frameworks" / name, pkg, shallow=False)
