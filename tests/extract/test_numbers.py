"""Numerals: hand-checked values and round trips through formatting."""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from baiqiang.extract.numbers import format_number, parse_number, scaled


@pytest.mark.parametrize("text, value", [
    ("943", 943), ("12.7", 12.7), ("1,234.5", 1234.5), ("１２", 12), ("-0.35", -0.35),
    ("三十五", 35), ("一百二十", 120), ("两", 2), ("十", 10), ("十五", 15), ("第七"[1:], 7),
    ("3千", 3000), ("1.1", 1.1), ("零点五", 0.5), ("二〇二四", 2024),
])
def test_parse_number(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize("bad", ["", "abc", "亿", "万亩"])
def test_parse_number_rejects(bad):
    with pytest.raises(ValueError):
        parse_number(bad)


def test_scaled_is_exact_in_decimal():
    assert scaled(9.1, 1e8) == 910000000
    assert scaled(58.42, 1e8) == 5842000000
    assert scaled(1.1, 1e4) == 11000


@pytest.mark.parametrize("value, text", [
    (0, "零"), (15, "十五"), (110, "一百一十"), (1010, "一千零一十"), (10010, "一万零一十"),
    (1001000, "一百万一千"), (100001000, "一亿零一千"), (10**12, "一万亿"), (-100000010, "负一亿零一十"),
    (12.5, "十二点五"), (-0.35, "负零点三五"),
])
def test_format_number_chinese(value, text):
    assert format_number(value, chinese=True) == text


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=-10**12, max_value=10**12))
def test_integers_round_trip(n):
    assert parse_number(format_number(n)) == n
    assert parse_number(format_number(n, chinese=True)) == n


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=10**7), st.integers(min_value=1, max_value=99))
def test_decimals_round_trip(whole, cents):
    x = float(f"{whole}.{cents:02d}")
    assert parse_number(format_number(x)) == x
    assert parse_number(format_number(x, chinese=True)) == x


def test_a_run_of_single_chinese_numerals_is_no_number():
    from baiqiang.extract import extract_facts

    # 二三名 is "second and third", not 23; 一二三产业 is a label
    assert [f.value for f in extract_facts("临高县12.2%、东方市11.6%紧随其后位列二三名。")] == [12.2, 11.6]
    assert extract_facts("一二三产业协调发展。") == []
    assert [f.value for f in extract_facts("全县新增企业三家。")] == [3]


def test_rank_counted_from_the_bottom_is_no_rank():
    from baiqiang.extract import extract_facts

    got = [(f.value, f.kind) for f in extract_facts("三亚市上半年GDP增速4.1%，排名倒数第三。")]
    assert got == [(4.1, "growth")]
