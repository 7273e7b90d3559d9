"""The census blank-means-zero rule: a blank part is 0 where the other parts add up to the total."""

from __future__ import annotations

import numpy as np
import pytest
import pandas as pd

from baiqiang.data.census import (PART_GROUPS, RANGE_NOTE, ZERO_NOTE, fill_blank_parts, import_census, out_of_range,
                                  part_columns)
from baiqiang.data.census_rows import census_rows, read_census_sheet
from baiqiang.data.registry import Registry
from baiqiang.data.store import Store

COUNTY_TYPES = ("县", "县级市", "自治县")


@pytest.fixture(scope="module")
def store_2020(tmp_path_factory):
    with Store(tmp_path_factory.mktemp("census") / "c.duckdb") as s:
        s.census_import = import_census(s, 2020)
        yield s


def test_rule_on_a_hand_made_block():
    body = pd.DataFrame({"total": [10.0, 10.0, np.nan, 10.0],
                         "a": [4.0, 4.0, 4.0, np.nan],
                         "b": [np.nan, np.nan, 6.0, np.nan],
                         "c": [6.0, 5.0, np.nan, 10.0]})
    out, filled = fill_blank_parts(body, "total", ["a", "b", "c"])
    # row 0: 4 + 6 = 10 -> b is 0; row 1: 4 + 5 = 9 != 10 -> b stays blank;
    # row 2: no total -> blanks stay; row 3: c alone is the total -> a and b are 0.
    assert out["b"].tolist()[:1] == [0.0] and np.isnan(out.at[1, "b"]) and np.isnan(out.at[2, "c"])
    assert out.loc[3, ["a", "b"]].tolist() == [0.0, 0.0]
    assert filled.tolist() == [[False, True, False], [False, False, False], [False, False, False],
                               [True, True, False]]


def test_part_columns_in_both_years():
    for year, n_industries in ((2010, 20), (2020, 20)):
        cols = list(read_census_sheet(year).data.columns)
        parts = part_columns(cols, *PART_GROUPS[0])
        assert parts[0] == "农林牧渔业" and parts[-1] == "国际组织" and len(parts) == n_industries
        assert part_columns(cols, *PART_GROUPS[1])[-1].startswith("不便分类")


def test_the_68_counties_get_industrial_employment(store_2020):
    """2020: 68 county rows (县/县级市/自治县) leave 采矿业 blank while the other industries add up."""
    sheet = read_census_sheet(2020)
    rows = census_rows(2020, sheet)
    types = Registry.load().units["type"]
    rows = rows[rows["kind"] == "unit"]
    county = rows[rows["code"].map(types).isin(COUNTY_TYPES).to_numpy()]
    mining = pd.to_numeric(sheet.data.loc[county["row"].to_numpy(), "采矿业"], errors="coerce")
    blank_codes = county["code"].to_numpy()[mining.isna().to_numpy()]
    assert len(blank_codes) == 68

    obs = store_2020.observations(year=2020)
    obs = obs[obs["unit_code"].isin(blank_codes)].pivot(index="unit_code", columns="indicator", values="value")
    assert (obs["ind_mining"] == 0).all()
    assert obs["industry_emp_est"].notna().all() and len(obs) == 68
    # industry_emp_est = (mining + manufacturing + utilities) x hh_all / hh_long, mining being 0.
    expected = (obs["ind_manufacturing"] + obs["ind_utilities"]) * obs["hh_all"] / obs["hh_long"]
    np.testing.assert_allclose(obs["industry_emp_est"], expected)


def test_zero_is_recorded_in_provenance(store_2020):
    s = store_2020
    mining = s.con.execute("SELECT value, provenance FROM observations WHERE indicator = 'ind_mining' "
                           "AND year = 2020 AND provenance LIKE '%' || ? || '%'", [ZERO_NOTE]).fetchall()
    short = s.con.execute("SELECT count(*) FROM observations WHERE indicator = 'ind_mining' AND value IS NULL "
                          "AND year = 2020").fetchone()[0]
    assert mining and all(v == 0 for v, _ in mining)
    assert short >= 1  # a row whose parts do not add up (or lack a total) keeps its blank


def test_shares_outside_0_100_are_flagged(store_2020):
    derived = pd.DataFrame({"urban_share": [50.0, 120.0, -1.0, np.nan], "mfg_emp_est": [1e9, 5.0, 1.0, 2.0]})
    assert out_of_range(derived)["urban_share"].tolist() == [False, True, True, False]
    assert not out_of_range(derived)["mfg_emp_est"].any()  # not a share
    flagged = store_2020.con.execute("SELECT value FROM observations WHERE provenance LIKE '%' || ? || '%'",
                                     [RANGE_NOTE]).fetchall()
    assert store_2020.census_import.counts["out_of_range"] == len(flagged)
    assert all(v < 0 or v > 100 for (v,) in flagged)
