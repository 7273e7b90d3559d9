"""统一社会信用代码 check characters and the bundled GB/T 4754-2017 and 高技术制造业 lists."""

from __future__ import annotations

import numpy as np

from baiqiang.firms.codes import hightech_manufacturing, industry_codes, uscc_check_character, uscc_problems


def test_check_character_of_a_published_code() -> None:
    # 91350100M000100Y43 is the worked example used in explanations of GB 32100-2015.
    assert uscc_check_character("91350100M000100Y4") == "3"


def test_check_character_by_hand() -> None:
    # 91110000 000000000 → Σ Ci·Wi over C = 9,1,1,1 and weights 1,3,9,27: 9 + 3 + 9 + 27 = 48;
    # 48 mod 31 = 17; 31 − 17 = 14 → alphabet[14] = "E".
    assert uscc_check_character("91110000000000000") == "E"


def test_uscc_problems_name_each_reason() -> None:
    reasons = uscc_problems(np.array(
        ["91350100M000100Y43", "91350100M000100Y44", "9135010", None, "91350100M000100I43", "91350100m000100y43"],
        dtype=object))
    assert reasons[0] == ""
    assert reasons[1] == "校验码错误：应为 3"
    assert reasons[2] == reasons[3] == "长度不是 18 位"
    assert "字符集之外" in reasons[4] and "字符集之外" in reasons[5]


def test_industry_list_has_the_standard_counts() -> None:
    counts = industry_codes().table["level"].value_counts().to_dict()
    assert counts == {"门类": 20, "大类": 97, "中类": 473, "小类": 1381}


def test_industry_codes_checked_at_every_level() -> None:
    codes, problems = industry_codes().normalise(
        np.array(["C", "C35", "356", "C3562", "D3562", "3588", "Z", "", "27"], dtype=object))
    assert list(codes[:5]) == ["C", "35", "356", "3562", "3562"]
    assert list(problems[:5]) == ["", "", "", "", "3562 属于门类 C，不是 D"]
    assert problems[5] == "3588 不是 GB/T 4754-2017 的小类"
    assert problems[6] == "Z 不是 GB/T 4754-2017 的门类"
    assert problems[7] == "行业代码为空"
    assert problems[8] == ""


def test_hightech_codes_exist_and_cover_six_categories() -> None:
    table = hightech_manufacturing()
    known = set(industry_codes().table["code"])
    assert set(table["code"]) <= known
    assert table["category"].nunique() == 6
    assert (industry_codes().table.set_index("code").loc[table["code"], "section"] == "C").all()
