"""Candidates in the store: load, accept, edit, reject, nothing lost."""

from __future__ import annotations

import json

import pytest

from baiqiang.data.store import Store
from baiqiang.errors import BaiqiangError
from baiqiang.extract import extract_facts
from baiqiang.extract.mapping import Mapping, Place, PlaceResolver, build_aliases, fact_place, map_indicator
from baiqiang.extract.review import Review

TEXT = "2024年，全县地区生产总值612.4亿元，增长6.2%，新增出生人口3960人。"


@pytest.fixture
def review(tmp_path):
    store = Store(tmp_path / "s.duckdb")
    store.ensure_registry()
    rv = Review(store)
    facts = extract_facts(TEXT)
    aliases = build_aliases(catalog=store.indicators())
    place = PlaceResolver().resolve("永康市")
    res = rv.load(facts, document="doc.txt", sha256="abc", places=[place] * len(facts),
                  mappings=[map_indicator(f, aliases) for f in facts])
    assert (res.added, res.skipped) == (3, 0)
    yield rv
    store.close()


def test_loading_twice_adds_nothing(review):
    facts = extract_facts(TEXT)
    res = review.load(facts, document="doc.txt", sha256="abc", places=[Place("")] * 3,
                      mappings=[Mapping("", 0.0)] * 3)
    assert (res.added, res.skipped) == (0, 3)


def test_candidates_carry_provenance(review):
    df = review.list()
    first = df.iloc[0]
    assert (first.document, first.sha256, first.place_code, first.indicator_code) == ("doc.txt", "abc", "330784", "gdp")
    assert TEXT.replace("\n", "")[first.start_offset:first.end_offset] == first.quote
    assert set(df.status) == {"candidate"}


def test_accept_writes_observation(review):
    review.accept(1, reviewer="张三")
    obs = review.store.observations()
    row = obs[obs.indicator == "gdp"].iloc[0]
    assert (row.unit_code, int(row.year)) == ("330784", 2024)
    assert float(row.value) == 612.4  # 61 240 000 000 元 stored in the catalog unit of gdp, 亿元
    assert "字符 6-" in row.provenance and "612.4亿元" in row.provenance
    assert review.list(status="accepted").id.tolist() == [1]


def test_unmapped_fact_cannot_be_accepted_but_can_be_edited(review):
    with pytest.raises(BaiqiangError, match="未映射"):
        review.accept(3, reviewer="张三")  # 出生人口 has no catalog entry
    assert review.list(status="candidate").id.tolist() == [1, 2, 3]  # a failed accept changes nothing


def test_reject_keeps_everything(review):
    review.reject(2, reviewer="李四", reason="重复")
    df = review.list()
    assert len(df) == 3 and df.set_index("id").at[2, "status"] == "rejected"
    hist = review.history(2)
    assert hist.action.tolist() == ["load", "reject"]
    assert json.loads(hist.after_json.iloc[-1])["reason"] == "重复"
    with pytest.raises(BaiqiangError, match="已被拒绝"):
        review.accept(2, reviewer="李四")


def test_edit_records_before_and_after(review):
    review.edit(2, reviewer="李四", indicator_code="gdp_growth", value=6.3)
    row = review.list().set_index("id").loc[2]
    assert (row.status, row.value, row.value_std) == ("edited", 6.3, 6.3)
    hist = review.history(2)
    assert json.loads(hist.before_json.iloc[-1])["value"] == 6.2
    with pytest.raises(BaiqiangError, match="kind"):
        review.edit(2, reviewer="李四", kind="bogus")


def test_mapping_confidence():
    aliases = build_aliases()
    (f,) = extract_facts("规上工业增加值增长8.3%。")
    assert map_indicator(f, aliases) == Mapping("industrial_value_added_growth", 1.0, "规上工业增加值")
    (g,) = extract_facts("全市数字经济规模以上工业增加值500亿元。")
    assert map_indicator(g, aliases).confidence == 0.8
    (h,) = extract_facts("新增博士45人。")
    assert map_indicator(h, aliases).code == ""


def test_explicit_place_in_quote():
    resolver = PlaceResolver()
    (f,) = extract_facts("义乌市地区生产总值2000亿元。")
    assert fact_place(f, Place("永康市", "330784", "matched"), resolver).code == "330782"
    (g,) = extract_facts("全市地区生产总值700亿元。")
    assert fact_place(g, Place("永康市", "330784", "matched"), resolver).code == "330784"
