"""Rankings, search, profile and compare read from a real store, checked against hand-computed values."""

from __future__ import annotations

import pytest

from baiqiang.errors import DataError
from baiqiang.web.database import Database
from baiqiang.web.model import Book

from .conftest import FRAMEWORK

# min-max over the eight county-level units (2023): gdp 100..5000, revenue 10..450, income 40000..90000.
# 永康市: gdp (800-100)/4900 = 14.2857, revenue 50/440 = 11.3636 -> scale 12.8247; income 30000/50000 = 60
#         -> index (12.8247 + 60) / 2 = 36.4123
# 东阳市: 600/4900 = 12.2449, 45/440 = 10.2273 -> 11.2361; 32000/50000 = 64 -> 37.6180
YONGKANG_INDEX = ((700 / 4900 * 100 + 50 / 440 * 100) / 2 + 60) / 2
DONGYANG_INDEX = ((600 / 4900 * 100 + 45 / 440 * 100) / 2 + 64) / 2
ORDER_2023 = ["320583", "330782", "330783", "330784", "330781", "330723", "330726", "330727"]


@pytest.fixture()
def book(store_path):
    db = Database(store_path)
    yield Book(db, FRAMEWORK)
    db.close()


def test_county_ranking_by_hand(book):
    ranked = book.ranked("county", 2023)
    t = ranked.table.set_index("code")
    assert ranked.table["code"].tolist() == ORDER_2023
    assert t.at["330784", "score"] == pytest.approx(YONGKANG_INDEX, abs=1e-9)
    assert t.at["330783", "score"] == pytest.approx(DONGYANG_INDEX, abs=1e-9)
    assert t.at["330784", "scale"] == pytest.approx((700 / 4900 + 50 / 440) * 50, abs=1e-9)
    assert t["tier"].tolist() == [1, 2, 2, 0, 0, 0, 0, 0]
    # 浙江: 义乌 1, 东阳 2, 永康 3; 金华市 has all seven Zhejiang units
    assert t.at["330784", "province_rank"] == 3 and t.at["320583", "province_rank"] == 1
    assert "330702" not in t.index  # districts are a ranking of their own


def test_district_ranking_and_latest_year(book):
    ranked = book.ranked("district")
    assert ranked.year == 2023
    assert ranked.table["code"].tolist() == ["330702", "330703"]


def test_search_by_short_name_old_name_and_code(book):
    county = book.ranked("county", 2023)
    assert book.filtered(county, q="永康")["code"].tolist() == ["330784"]
    assert book.filtered(county, q="330782")["code"].tolist() == ["330782"]
    assert book.search("吴江市") == {"320509"}  # old name -> current district, via the crosswalk


def test_filters_sort_and_pages(book):
    county = book.ranked("county", 2023)
    rows = book.filtered(county, filters={"province": "浙江省"}, sort="prosperity",
                         order="desc")
    assert rows["code"].tolist()[:3] == ["330782", "330783", "330784"]  # income 90000, 72000, 70000
    assert book.filtered(county, filters={"tier": "2"})["code"].tolist() == ["330782", "330783"]
    page = book.page(book.filtered(county), 2, 3)
    assert page.rows["code"].tolist() == ORDER_2023[3:6] and page.total == 8 and page.pages == 3
    with pytest.raises(DataError, match="不能按"):
        book.filtered(county, sort="drop table")
    with pytest.raises(DataError, match="梯队必须是整数"):
        book.filtered(county, filters={"tier": "x"})


def test_profile_history_and_provenance(book):
    p = book.profile("永康", 2023)
    assert p["code"] == "330784" and p["ranking"]["rank"] == 4 and p["ranking"]["of"] == 8
    assert p["ranking"]["province_rank"] == 3 and p["ranking"]["province_of"] == 7
    assert [h["year"] for h in p["history"]] == [2022, 2023]
    assert all(h["rank"] == 4 for h in p["history"])  # 2022 is 2023 scaled by 0.9: same ranks
    gdp = next(i for i in p["indicators"] if i["code"] == "gdp")
    assert gdp["value"] == 800 and gdp["source"] == "测试年鉴" and gdp["provenance"] == "测试数据 330784 gdp"
    assert gdp["versions"] == 1
    assert [x["code"] for x in p["peers"]] == ["330782", "330783", "330781", "330723"]


def test_compare_two_to_five(book):
    c = book.compare(["永康", "义乌", "东阳"], 2023)
    assert [u["code"] for u in c["units"]] == ["330784", "330782", "330783"]
    gdp = next(i for i in c["indicators"] if i["code"] == "gdp")
    assert gdp["values"] == [800, 1900, 700]
    with pytest.raises(DataError, match="2–5"):
        book.compare(["永康"])
    with pytest.raises(DataError, match="2–5"):
        book.compare(ORDER_2023[:6])


def test_methodology_weights(book):
    m = book.methodology("county", 2023)
    scale = m["tree"]["children"][0]
    assert scale["code"] == "scale" and scale["within_parent"] == pytest.approx(0.5)
    assert scale["children"][0]["in_index"] == pytest.approx(0.25)
    assert m["uncertainty"] is None


def test_unknown_unit_and_year(book):
    with pytest.raises(DataError, match="找不到"):
        book.profile("不存在县")
    with pytest.raises(DataError, match="没有 1999 年"):
        book.ranked("county", 1999)
