from baiqiang.data import names as nm
from baiqiang.data.crosswalk import derive_candidates, load_crosswalk, read_crosswalk_file, successor_links, successors
from baiqiang.data.resolve import Resolver

import pandas as pd
import pytest

from baiqiang.errors import DataError


def test_registry_units(registry):
    u = registry.units
    assert u.at["330784", "name"] == "永康市"
    assert u.at["330784", "short_name"] == "永康"
    assert u.at["330784", "type"] == "县级市"
    assert u.at["330784", "prefecture"] == "金华市"
    assert u.at["330784", "province"] == "浙江省"
    assert u.at["330784", "region"] == "东部"
    assert u.at["500105", "name"] == "江北区"  # supplied by registry_overrides.csv
    assert u.at["320576", "status"] == "non_admin"
    assert u.at["441900", "type"] == nm.PREFECTURE_NO_DISTRICT
    assert u.at["320584", "status"] == "historical" and u.at["320584", "successors"] == "320509"
    assert u.at["429021", "type"] == "林区" and u.at["230751", "type"] == "市辖区"


@pytest.mark.parametrize("query,kw,code", [
    ("永康", {}, "330784"), ("永康市", {}, "330784"), ("浙江永康", {}, "330784"),
    ("浙江省金华市永康市", {}, "330784"), ("沛　县", {}, "320322"), ("永康巿", {}, "330784"),
    ("吳江市", {}, "320509"), ("鼓楼区", {"province": "江苏省", "prefecture": "南京市"}, "320106"),
    ("朝阳区", {"province": "北京市"}, "110105"), ("330784", {}, "330784"),
    # Place prefixes and hints by stem, found through the place index (the answers of the former full scan).
    ("浙江金华永康市", {}, "330784"), ("江苏南京鼓楼区", {}, "320106"), ("内蒙古鄂尔多斯准格尔旗", {}, "150622"),
    ("新疆维吾尔自治区伊犁哈萨克自治州伊宁市", {}, "654002"),
    ("鼓楼区", {"province": "江苏", "prefecture": "南京"}, "320106"), ("鼓楼区", {"province": "福建省"}, "350102"),
])
def test_resolve_matched(registry, query, kw, code):
    r = Resolver(registry).resolve(query, **kw)
    assert (r.status, r.code) == ("matched", code)


def test_resolve_ambiguous_and_unmatched(registry):
    res = Resolver(registry)
    r = res.resolve("鼓楼区")
    assert r.status == "ambiguous" and len(r.candidates) == 4
    assert res.resolve("城关区").status == "ambiguous"
    assert res.resolve("邯郸县").status == "ambiguous"  # split into three districts
    assert res.resolve("不存在县").status == "unmatched"
    assert res.resolve("鼓楼区", province="浙江省").status == "unmatched"


def test_resolve_old_name_keeps_old_code(registry):
    assert Resolver(registry, prefer_current=False).resolve("吴江市").code == "320584"


def test_crosswalk_bundled_and_chains():
    cw = load_crosswalk()
    assert len(cw) > 350
    assert successors(cw, "542232") == ["540581"]  # 错那县 2010 → 2020 → 错那市
    assert successors(cw, "542232", until=2020) == ["540530"]
    links = successor_links(cw)  # built once for many lookups: the same answers
    assert successors(links, "542232") == ["540581"] and successors(links, "542232", until=2020) == ["540530"]
    assert all(successors(links, c) == successors(cw, c) for c in cw["old_code"].head(50))
    merged = cw[cw["new_code"] == "320508"]
    assert sorted(merged["old_name"]) == ["平江区", "沧浪区", "金阊区"]


def test_user_crosswalk_validation(tmp_path):
    p = tmp_path / "mine.csv"
    p.write_text("old_code,old_name,new_code,change\n12345,某县,330784,撤县设市\n330700,某县,330784,乱写\n", encoding="utf-8")
    with pytest.raises(DataError) as e:
        read_crosswalk_file(p)
    assert len(e.value.problems) == 2 and "第 2 行" in str(e.value)
    p.write_text("old_code,old_name,new_code,change\n330799,测试县,330784,撤县设市\n", encoding="utf-8")
    cw = load_crosswalk(extra=[p])
    assert "330799" in set(cw["old_code"])


def test_crosswalk_read_once_per_file_version(tmp_path):
    p = tmp_path / "mine.csv"
    p.write_text("old_code,old_name,new_code,change\n330799,测试县,330784,撤县设市\n", encoding="utf-8")
    first = read_crosswalk_file(p)
    first.loc[0, "new_name"] = "改过"  # a caller's change stays in its own copy
    assert read_crosswalk_file(p).loc[0, "new_name"] == ""
    p.write_text("old_code,old_name,new_code,change\n330798,另一县,330784,撤县设市\n", encoding="utf-8")
    assert list(read_crosswalk_file(p)["old_code"]) == ["330798"]  # the edited file is read again
    p.unlink()
    with pytest.raises(DataError, match="文件不存在"):
        read_crosswalk_file(p)


def test_derive_candidates_by_stem():
    old = pd.DataFrame({"code": ["330182", "330183", "330999"], "name": ["建德市", "富阳市", "消失县"],
                        "prefecture": ["杭州市"] * 3, "province": ["浙江省"] * 3})
    new = pd.DataFrame({"code": ["330182", "330111"], "name": ["建德市", "富阳区"],
                        "prefecture": ["杭州市"] * 2, "province": ["浙江省"] * 2})
    c = derive_candidates(old, new).set_index("old_code")
    assert list(c.index) == ["330183", "330999"]
    assert c.at["330183", "new_code"] == "330111" and c.at["330183", "change"] == "撤市设区"
    assert c.at["330999", "new_code"] == "" and c.at["330999", "n_candidates"] == 0


def test_normalise_remembers_texts_and_treats_other_values_as_their_text():
    from baiqiang.data import names as nm

    assert nm.normalise("廣東省 東莞巿") == "广东省东莞市" == nm.normalise("廣東省 東莞巿")  # the second from the memo
    assert nm.normalise(None) == "" and nm.normalise(330784) == "330784" and nm.normalise(float("nan")) == "nan"
    assert nm._normalised_text.cache_info().hits >= 1
