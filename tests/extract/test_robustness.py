"""Robustness: generated OCR-like damage (tests/extract/damage.py) changes no fact.

The damage only inserts line breaks, so the normalised text of facts.md, and
with it every gold quote, is unchanged.  The extractor must then give the same
facts, and so the same F1, on the damaged raw text as on the clean one.  The
tolerance is zero: the scorer sees exactly the same predictions.  What the
generator leaves out on purpose (breaks after a sentence end, inside headings,
table rows, page furniture and the first line) is explained in damage.py and
in docs/extract.md, "Robustness".
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from baiqiang.extract import extract_facts, normalise

from .damage import PATTERNS, damage, normalised

DATA = Path(__file__).parent / "data"
NAMES = ["seed", "bulletin", "report", "ocr_bulletin", "plan_report", "county_news", "monthly",
         "zone_summary", "audit_report", "stat_social", "invest_news", "town_summary", "hq_meeting", "agritour"]
# each pattern alone (light damage) and all patterns together (heavy damage)
CASES = [((p,), 0.15) for p in PATTERNS] + [(PATTERNS, 0.3), (PATTERNS, 0.6)]
SEEDS = range(4)
TOLERANCE = 0.0  # same facts → same F1; any difference is a bug


def _key(facts):
    return sorted((f.indicator, f.value, f.unit, f.value_std, f.unit_std, f.kind, f.period, f.qualifier, f.quote)
                  for f in facts)


def _f1(scorer, gold, facts) -> float:
    r = scorer.score_pair(gold, [f.to_dict() for f in facts])
    p = r["tp"] / max(1, r["tp"] + r["fp"])
    rec = r["tp"] / max(1, r["tp"] + r["fn"])
    return 2 * p * rec / (p + rec) if p + rec else 0.0


@pytest.mark.parametrize("name", NAMES)
def test_damage_keeps_facts_and_f1(name, scorer):
    raw = (DATA / f"{name}_raw.txt").read_text("utf-8")
    gold = [json.loads(x) for x in (DATA / f"{name}_gold.jsonl").read_text("utf-8").splitlines() if x]
    clean = extract_facts(raw)
    clean_f1 = _f1(scorer, gold, clean)
    damaged = 0
    for patterns, rate in CASES:
        for seed in SEEDS:
            bad = damage(raw, seed, patterns, rate)
            assert normalised(bad) == normalised(raw)  # a pattern absent from the file changes nothing
            damaged += bad != raw
            facts = extract_facts(bad)
            where = (name, patterns, rate, seed)
            assert abs(_f1(scorer, gold, facts) - clean_f1) <= TOLERANCE, where
            assert _key(facts) == _key(clean), where
            text = normalise(bad).text
            assert all(g["quote"] in text for g in gold), where
    assert damaged >= len(CASES)


def test_generator_is_seeded_and_breaks_where_asked():
    """Same seed, same damage; each pattern puts its breaks where it says; the first line is left alone."""
    raw = "标题\n全县生产总值943.5亿元，比上年提高0.7个百分点，位列全省第12位。"
    assert damage(raw, 3) == damage(raw, 3) and damage(raw, 3) != damage(raw, 4)
    seen = {p: damage(raw, s, (p,), rate=1.0) for p in ("number", "pct_point", "after_di") for s in range(5)
            if damage(raw, s, (p,), rate=1.0) != raw}
    assert normalised(seen["number"]) == normalised(raw) and "943.5" not in seen["number"]
    assert "百分点" not in seen["pct_point"] and "第12" not in seen["after_di"]
    assert all(x.startswith("标题\n全") for x in seen.values())


def _facts(text):
    return [(f.indicator, f.value_std, f.kind) for f in extract_facts(text)]


def test_a_line_with_a_sentence_end_inside_is_no_heading():
    """（一）预算编制不够精准。一是…1. / 36亿元 is a broken paragraph, not a heading."""
    text = "问题如下：\n（一）预算编制不够精准。一是代编预算1.\n36亿元，占比8.7%。"
    assert [p.kind for p in normalise(text).paragraphs] == ["text"]
    assert ("代编预算", 136000000, "level") in _facts(text)


def test_a_line_after_di_or_a_comma_is_no_heading():
    """全市第 / 一、第二位，… continues the sentence: 一、 after a broken 第 is no heading marker."""
    text = "全县工业增加值和税收分别居全市第\n一、第二位，财政收入增长5%"
    assert _facts(text) == [("工业增加值", 1, "rank"), ("税收", 2, "rank"), ("财政收入", 5, "growth")]


def test_a_headline_then_a_heading_is_still_a_heading():
    """A heading after a title line (no comma, no 第 at its end) keeps its kind."""
    assert [p.kind for p in normalise("标题\n\n一、综合\n全县生产总值100亿元。").paragraphs] == ["text", "heading", "text"]


def test_spaces_on_a_line_of_their_own_inside_a_paragraph_are_kept():
    """存栏2 / ␠ / 1.4万头 keeps its space, as deleting the newlines does (facts.md)."""
    text = "年末生猪存栏2\n \n1.4万头，下降3.3%。"
    assert normalise(text).text == "年末生猪存栏2 1.4万头，下降3.3%。"


def test_a_decimal_point_read_as_a_space_is_put_back():
    """生产总值12 5亿元 is 12.5 (corpus 40's gold reads 5 9亿元 as 5.9); the quote keeps the space.
    A second number after the space (存栏2 1.4万头) is left alone."""
    got = [(f.indicator, f.value, f.unit, f.quote) for f in extract_facts("园区生产总值12 5亿元，完成全年任务的108 3%。")]
    assert got == [("园区生产总值", 12.5, "亿元", "园区生产总值12 5亿元"),
                   ("园区生产总值任务完成率", 108.3, "%", "完成全年任务的108 3%")]
    assert [f.value for f in extract_facts("年末生猪存栏2 1.4万头。")] == [1.4]
