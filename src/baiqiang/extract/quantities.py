"""Find quantities (number + unit, ranks, percentages) in a clause.

A :class:`Quantity` records what the number is (value, unit, rank or not),
the qualifiers written inside and after it (十余家, 90%以上) and what follows it
(:attr:`Quantity.follower`), which decides whether it is a fact, a threshold
inside a name (10亿元以上企业) or a number-first phrase (30幢安置房).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from baiqiang.extract.layout import FURNITURE, PINYIN_READING
from baiqiang.extract.lexicon import Lexicon, UnitInfo
from baiqiang.extract.numbers import ARABIC, CHINESE, parse_number

_BOUNDARY = set("、，,。；;：:）)”’》\n!！?？")
# a bracket that lists a part (227家(其中上市公司5家)) is an aside after a complete quantity
_PART_ASIDE = ("(其中", "（其中")
_CONNECTORS = ("以及", "和", "及", "与", "或", "并")
# a rank verb right after a quantity (增速14.2%位列第一) ends its phrase like a comma
_RANK_AFTER = ("位列", "位居", "稳居", "居全", "居第", "排名", "排在", "排全", "列全", "列第", "跻身")
_SHARED_POINT = re.compile(r"\s*(?:和|、|与|及|至|到|或)\s*\d+(?:\.\d+)?\s*个(?:百分点|千分点)")
_CODE_BEFORE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz.+-×*/")  # G60, 5.0+, 2+5
# metrics written in Latin letters, directly followed by their figure and its unit (实现GDP961.42亿元)
_METRIC_ABBREVIATIONS = ("GDP", "CPI", "PPI", "GNP")
_ORDINAL_RANGE = re.compile(r"第\s*\d+\s*[至到\-—~－]\s*$")
_DIGIT_RUN = re.compile(r"[一二两三四五六七八九]{2,}")
_ORDINAL_LIST = re.compile(r"(?:、第[一二三四五六七八九十]+)+(?![位名])[\u4e00-\u9fff]")
_YEAR_NUMBER = re.compile(r"(19|20)\d\d")
_CN_DIGIT = re.compile(r"[零〇一二两三四五六七八九十百千\d]")
# a host that drops every % sign (比去年同期增长42。, 占…总产值的59.5,): a bare number right after a
# change verb or after 占…的 can only be a percentage; against a rate or a basis other than last
# year's (增速较一季度回落2.9) the change is in 百分点
_CLAUSE_BEFORE = re.compile(r"[^，。；,;：:！？]*$")
_CHANGE_END = re.compile(r"(?:增长|下降|上涨|上升|提高|提升|回落|回升|下滑|降低)了?\s*$")
_SHARE_END = re.compile(r"占[^，。；,;：:、]{1,30}的\s*$")
_LOST_BEFORE = frozenset("长降涨升高落滑低了的 ")
_POINTS_CONTEXT = re.compile(r"增速|增幅|比重|占比|率|(?<!相)(?:较|比)(?!上年|去年|同期|上年同期)")


@dataclass(frozen=True)
class Quantity:
    """A number found in the working text, with its unit and surroundings."""

    start: int
    end: int
    value: float
    unit: str
    info: UnitInfo | None
    rank: bool
    chinese: bool
    qualifier: str | None  # from 余/多 inside or 以上/左右 after
    follower: str  # boundary | of | stacked | noun
    is_date: bool

    @property
    def is_percent(self) -> bool:
        return self.info is not None and self.info.family == "percent"

    @property
    def is_money(self) -> bool:
        return self.info is not None and self.info.family == "money"


@lru_cache(maxsize=8)
def _pattern(lex: Lexicon) -> re.Pattern[str]:
    rank_units = "|".join(sorted(lex.rank_units))
    return re.compile(
        rf"(?P<rank>第\s*(?P<rnum>\d+|[一二三四五六七八九十百]+)\s*(?P<runit>{rank_units})?)"
        rf"|(?P<top>(?:(?<=[居列在入])|(?<=[居列在入]全[省市州县国区]))前(?P<tnum>[二两三四五六七八九十]|\d+)"
        rf"(?P<tunit>{rank_units})?)"
        rf"|(?P<pct>百分之(?P<pnum>{CHINESE}|\d+(?:\.\d+)?))"
        # page furniture (blanked to FURNITURE in the work copy) may stand between a number and its unit:
        # 16883 / - 2 - / 元 across a page break
        rf"|(?P<num>{ARABIC}|{CHINESE})\s*(?P<inside>余|多)?[\s{FURNITURE}]*(?P<unit>{lex.unit_pattern})?"
    )


@lru_cache(maxsize=8)
def _stacked_pattern(lex: Lexicon) -> re.Pattern[str]:
    """A number and its unit right after another quantity (1.2万套3000户): stacked quantities."""
    return re.compile(rf"(?:{ARABIC}|{CHINESE})\s*(?:{lex.unit_pattern})")


@lru_cache(maxsize=8)
def _odd_pattern(lex: Lexicon) -> re.Pattern[str]:
    """余/多 between a scale prefix and the counting word (1.5万余人次)."""
    return re.compile(rf"(余|多)({lex.unit_pattern})")


@lru_cache(maxsize=8)
def _after_pattern(lex: Lexicon) -> re.Pattern[str]:
    words = sorted(lex.qual_after, key=len, reverse=True)
    return re.compile("|".join(re.escape(w) for w in words))


def _follower(work: str, pos: int, end: int, lex: Lexicon) -> str:
    while pos < end and work[pos] == " ":
        pos += 1
    if pos >= end or work[pos] in _BOUNDARY or (work[pos] in "(（" and not PINYIN_READING.match(work, pos, end)):
        # an opening bracket starts an aside (12家(增长20%), 5亿元（居全市第二）): no name goes on; not a
        # pinyin reading a host added after a character (10个(gè)大项(xiàng)目)
        return "boundary"
    rest = work[pos:end]
    if (rest.startswith(_CONNECTORS) or rest.startswith(lex.post_unit_nouns) or rest.startswith(_RANK_AFTER)
            or rest.startswith(_PART_ASIDE)):
        return "boundary"
    if rest[0] == "的":
        return "of"
    if _CN_DIGIT.match(rest) and _stacked_pattern(lex).match(rest):
        return "stacked"
    return "noun"


def find_quantities(work: str, start: int, end: int, lex: Lexicon) -> list[Quantity]:
    """Every quantity in ``work[start:end]`` (absolute offsets), left to right."""
    out: list[Quantity] = []
    after_re = _after_pattern(lex)
    for m in _pattern(lex).finditer(work, start, end):
        q = _build(m, work, end, lex, after_re)
        if q is not None:
            out.append(q)
    return out


def _build(m: re.Match[str], work: str, end: int, lex: Lexicon, after_re: re.Pattern[str]) -> Quantity | None:
    if m.group("rank") or m.group("top"):
        return _rank(m, work, end, lex)
    if m.group("pct"):
        value = parse_number(m.group("pnum"))
        return Quantity(m.start(), m.end(), value, "%", lex.units.get("%"), False, True, None,
                        _follower(work, m.end(), end, lex), False)
    num, unit = m.group("num"), m.group("unit") or ""
    if (m.start() > 0 and work[m.start() - 1] in _CODE_BEFORE and num[0].isdigit()
            and not (unit and work.endswith(_METRIC_ABBREVIATIONS, 0, m.start()))):
        return None  # G60, 5.0+, 2+5: part of a code, not a number (but 实现GDP961.42亿元 is GDP's figure)
    if unit == "份" and work.endswith("年", 0, m.start()):
        return None  # 2013年10份: a month written without its 月 (10月份), a date, not ten copies
    if _ORDINAL_RANGE.search(work, max(0, m.start() - 8), m.start()):
        return None  # 第16至23批次: the end of a range of ordinals, a label
    try:
        value = parse_number(num)
    except ValueError:
        return None
    chinese = not num[0].isdigit() and num[0] not in "-−"
    if chinese and _DIGIT_RUN.fullmatch(num):
        return None  # 位列二三名, 一二三产业: a list of single numerals, not 23 or 123
    qual = lex.qual_inside.get(m.group("inside") or "")
    stop = m.end()
    info = lex.units.get(unit) if unit else None
    if info is not None and info.family == "count" and not info.std and not m.group("inside"):
        # 1.5万余人次: the 余/多 sits between the scale prefix and the counting word
        um = _odd_pattern(lex).match(work, stop, end)
        if um and lex.units.get(unit + um.group(2)) is not None:
            qual = lex.qual_inside.get(um.group(1))
            unit = unit + um.group(2)
            stop = um.end()
    if not unit and not chinese and not m.group("inside"):
        unit = _lost_percent(work, m.start(), stop, end, after_re)
    if unit in ("个", "") and _SHARED_POINT.match(work, stop, end):
        unit = "个百分点"  # 分别提高2个和3.5个百分点, 15.5和2.2个百分点: the first shares the second's unit
    am = after_re.match(work, stop, end)
    if am and unit:
        qual = lex.qual_after[am.group()]
        stop = am.end()
    # 2011-2015年: the range's dash is no minus sign, the second year is a date too
    is_date = bool(unit == "年" and not chinese and _YEAR_NUMBER.fullmatch(num.lstrip("-−")))
    return Quantity(m.start(), stop, value, unit, lex.units.get(unit) if unit else None, False,
                    chinese, qual, _follower(work, stop, end, lex), is_date)


def _lost_percent(work: str, start: int, stop: int, end: int, after_re: re.Pattern[str]) -> str:
    """The unit of a bare number a host stripped of its % sign: ``%``, ``百分点`` or ``""`` (none lost).

    Only a number that ends its clause (a qualifier such as 以上 may follow) and stands right after a
    change verb (同比增长42) or after 占…的 (占…总产值的59.5) qualifies: in that place the text always
    writes a unit, and a count or an amount would have its counter or currency.  The change is in
    百分点 when its clause names a rate (增速, 比重, …率) or a basis other than last year
    (较一季度回落2.9), as such changes are written in full (增速较一季度回落2.9个百分点).
    """
    if work[start - 1:start] not in _LOST_BEFORE:
        return ""  # the last character of a change verb, 了, 的 or a space: most numbers fail here at once
    am = after_re.match(work, stop, end)
    pos = am.end() if am else stop
    if pos < end and work[pos] not in _BOUNDARY:
        return ""
    m = _CLAUSE_BEFORE.search(work, max(0, start - 40), start)
    clause = m.group() if m else ""
    if _SHARE_END.search(clause):
        return "%"
    if not _CHANGE_END.search(clause):
        return ""
    return "百分点" if _POINTS_CONTEXT.search(clause) else "%"


def _rank(m: re.Match[str], work: str, end: int, lex: Lexicon) -> Quantity | None:
    top = bool(m.group("top"))
    num = m.group("tnum") if top else m.group("rnum")
    unit = (m.group("tunit") if top else m.group("runit")) or ""
    try:
        value = parse_number(num)
    except ValueError:
        return None
    follower = _follower(work, m.end(), end, lex)
    if not unit and follower != "boundary":
        return None  # 第三届, 第一产业, 第一方阵: ordinals inside names
    if not unit and _ORDINAL_LIST.match(work, m.end(), end):
        return None  # 第二、第三产业占…的比重: ordinals of a name list, not a rank
    if work.endswith("倒数", max(0, m.start() - 2), m.start()):
        return None  # 排名倒数第三: counted from the bottom, not a rank N of facts.md
    return Quantity(m.start(), m.end(), value, unit, None, True, not num[0].isdigit(),
                    "at_most" if top else None, follower, False)
