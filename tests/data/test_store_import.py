"""Store versioning and the importers, on real files written by the tests."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from baiqiang.data.importers.read import detect_encoding, read_raw
from baiqiang.data.importers.table import import_file
from baiqiang.data.importers.yearbook import clean_header, parse_number
from baiqiang.data.units import convert as convert_unit
from baiqiang.data.store import Store, read_panel
from baiqiang.errors import DataError


def _obs(value):
    return pd.DataFrame({"unit_code": ["330784"], "indicator": ["gdp"], "year": [2020], "value": [value]})


def test_idempotent_versions_and_pin(store):
    b1 = store.add_observations(_obs(700.0), source="a")
    assert (b1.n_new, b1.n_changed) == (1, 0)
    again = store.add_observations(_obs(700.0), source="a")
    assert again.batch_id is None and again.n_unchanged == 1
    b2 = store.add_observations(_obs(710.0), source="b")
    assert b2.n_changed == 1
    v = store.versions("330784", "gdp", 2020)
    assert list(v["value"]) == [700.0, 710.0] and list(v["active"]) == [False, True]
    assert list(v["batch_id"]) == [b1.batch_id, b2.batch_id]
    store.pin("330784", "gdp", 2020, 1)
    store.add_observations(_obs(720.0), source="c")  # new version kept, pin stays active
    v = store.versions("330784", "gdp", 2020)
    assert list(v["value"]) == [700.0, 710.0, 720.0] and list(v["active"]) == [True, False, False]
    store.unpin("330784", "gdp", 2020)
    assert store.panel(2020).set_index("code").at["330784", "gdp"] == 720.0


def test_failed_add_leaves_store_unchanged(store):
    store.add_observations(_obs(700.0), source="a")
    bad = pd.concat([_obs(1.0), pd.DataFrame({"unit_code": ["999999"], "indicator": ["gdp"], "year": [2020], "value": [2.0]})])
    with pytest.raises(DataError) as e:
        store.add_observations(bad, source="bad")
    assert "999999" in str(e.value)
    assert len(store.observations(active_only=False)) == 1
    assert store.con.execute("SELECT count(*) FROM import_batches").fetchone()[0] == 1


def test_yearbook_helpers():
    assert clean_header("性别比\n（女=100）") == ("性别比", "女=100")
    assert clean_header("人均住房建筑面积（平方米/人）") == ("人均住房建筑面积", "平方米/人")
    assert clean_header("地区生产总值（万元）") == ("地区生产总值", "万元")
    assert clean_header("0岁（男）") == ("0岁（男）", "")
    assert convert_unit(12345.0, "万元", "亿元") == pytest.approx(1.2345)
    assert convert_unit(12.5, "‰", "%") == pytest.approx(1.25)
    for tok in ("—", "…", "-", "", None):
        v, ok = parse_number(tok)
        assert ok and v != v
    assert parse_number("1,234.5") == (1234.5, True)
    assert parse_number("abc")[1] is False


def _yearbook_xlsx(path, rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "表1"
    for r in rows:
        ws.append(r)
    wb.save(path)


YEARBOOK = [
    ["表 2-1 各县主要指标（2020年）"],
    [None],
    ["地区", "地区生产总值（万元）", "人口", "性别比\n（女=100）", "出生率\n（‰）"],
    [None, None, "（万人）", None, None],
    ["全国", 1000000000, 141178, 104.8, 8.5],
    ["浙江省", 64613000, 6468, 107.5, 9.0],
    ["永康市", 6500000, 96.4, 110.2, 10.5],
    ["沛　县", "—", 110.0, 103.0, "…"],
    ["市辖区", 100, 1, 100, 1],
    ["鼓楼区", 1200000, 50, 99, 7],
    ["不存在县", 1, 1, 1, 1],
    ["注：本表数据来源于统计年鉴。"],
]


def test_xlsx_yearbook_import(store, tmp_path):
    p = tmp_path / "yearbook.xlsx"
    _yearbook_xlsx(p, YEARBOOK)
    rep = import_file(store, p, year=2020)
    st = rep.rows.set_index("name")["status"]
    assert st["全国"] == st["浙江省"] == st["市辖区"] == "subtotal"
    assert st["永康市"] == st["沛县"] == "imported"
    assert st["鼓楼区"] == "ambiguous" and st["不存在县"] == "unmatched"
    assert len(rep.problems()) == 2
    assert rep.footnotes and rep.footnotes[0][1].startswith("注")
    panel = store.panel(2020).set_index("code")
    assert panel.at["330784", "gdp"] == pytest.approx(650.0)  # 6,500,000 万元 = 650 亿元
    assert panel.at["330784", "birth"] == pytest.approx(1.05)  # 10.5 ‰ = 1.05 %
    assert panel.at["330784", "sex_ratio"] == pytest.approx(110.2)
    assert panel.at["330784", "pop"] == pytest.approx(96.4)
    assert pd.isna(panel.at["320322", "gdp"]) and pd.isna(panel.at["320322", "birth"])
    again = import_file(store, p, year=2020)
    assert again.batch.batch_id is None  # idempotent


def test_gbk_csv_with_province_columns(store, tmp_path):
    p = tmp_path / "gbk.csv"
    p.write_bytes("省份,地级市,县,GDP\n江苏省,南京市,鼓楼区,1500\n浙江省,金华市,永康市,700\n".encode("gbk"))
    assert detect_encoding(p.read_bytes()) == "gb18030"
    assert read_raw(p).iat[1, 2] == "鼓楼区"
    rep = import_file(store, p, year=2021)
    assert rep.counts() == {"imported": 2}
    assert set(store.panel(2021)["code"]) == {"320106", "330784"}


def test_long_parquet(store, tmp_path):
    p = tmp_path / "long.parquet"
    pd.DataFrame({"code": ["330784", "330784"], "year": [2019, 2020], "indicator": ["GDP", "GDP"],
                  "value": [600.0, 650.0]}).to_parquet(p)
    rep = import_file(store, p)
    assert rep.counts() == {"imported": 2}
    assert store.panel(2019).set_index("code").at["330784", "gdp"] == 600.0


def test_bad_inputs_leave_store_unchanged(store, tmp_path):
    p = tmp_path / "bad.csv"
    p.write_text("地区,GDP,未知列\n永康市,abc,1\n永康市,5,2\n", encoding="utf-8")
    with pytest.raises(DataError) as e:
        import_file(store, p, year=2020)
    msg = str(e.value)
    assert "第 2 行" in msg and "abc" in msg and "重复" not in msg or "重复" in msg
    assert store.observations().empty
    corrupt = tmp_path / "corrupt.xlsx"
    corrupt.write_bytes(b"not a zip")
    with pytest.raises(DataError, match="不是有效的 XLSX"):
        import_file(store, corrupt, year=2020)
    good = tmp_path / "good.xlsx"
    _yearbook_xlsx(good, YEARBOOK)
    with pytest.raises(DataError, match="工作表"):
        import_file(store, good, year=2020, sheet="不存在")


def test_duplicate_units_rejected(store, tmp_path):
    p = tmp_path / "dup.csv"
    p.write_text("地区,GDP\n永康市,5\n永康,6\n", encoding="utf-8")
    with pytest.raises(DataError, match="重复"):
        import_file(store, p, year=2020)
    assert store.observations().empty


def test_read_panel_function(store, tmp_path):
    store.add_observations(_obs(700.0), source="a")
    path = store.path
    store.close()
    panel = read_panel(path, 2020)
    assert panel.loc[0, "code"] == "330784" and panel.loc[0, "type"] == "县级市"
    reopened = Store(path)
    reopened.close()


def test_panel_is_the_pivot_of_the_active_cells(store):
    obs = pd.DataFrame({"unit_code": ["330784", "320106", "330784", "330782", "320106"],
                        "indicator": ["pop", "gdp", "gdp", "pop", "pop"], "year": 2020,
                        "value": [96.4, 1500.0, 720.0, None, 190.0]})
    store.add_observations(obs, source="a")
    store.add_observations(_obs(730.0), source="b")  # a second version: only the active one counts
    store.add_observations(obs.assign(year=2019, value=1.0), source="a")  # another year: not in the 2020 panel
    p = store.panel(2020)
    assert list(p["code"]) == ["320106", "330782", "330784"]  # sorted codes, units with no cell absent
    assert list(p.columns[-2:]) == ["gdp", "pop"]  # sorted indicators after the unit attributes
    assert p["gdp"].tolist()[0::2] == [1500.0, 730.0] and pd.isna(p["gdp"].iloc[1])  # 330782 has no gdp cell
    assert p["pop"].tolist()[0::2] == [190.0, 96.4] and pd.isna(p["pop"].iloc[1])  # a NULL value is NaN
    assert p.at[2, "name"] == "永康市" and p["gdp"].dtype == float


def test_panel_refuses_two_active_values_for_one_cell(store):
    store.add_observations(_obs(700.0), source="a")
    store.con.execute("INSERT INTO observations SELECT unit_code, indicator, year, 1.0, source, provenance, batch_id, "
                      "version + 1, TRUE, FALSE FROM observations")  # a broken store: two active versions
    with pytest.raises(DataError, match="330784 指标 gdp 2020 年有多个生效值"):
        store.panel(2020)
