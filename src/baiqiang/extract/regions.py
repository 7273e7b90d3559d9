"""Read the words around a number: what precedes it and how it ends.

The text between the previous fact and a number (the *region*) holds the
indicator with verbs and qualifiers around it: ``培育10亿元以上企业`` or
``“2+5”重点产业链规上总产值达``.  :func:`analyse` peels the linking words,
verbs, qualifiers and comparisons off its end (达, 增长, 超, 比上年, 各,
分别…) and the place words, time phrases, adverbs and head verbs off its start
(我市, 全年, 新增, 累计…), and returns what is left as the indicator with the
cues it found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from baiqiang.extract.lexicon import Lexicon

_SEPARATORS = re.compile(r"[、和及与]|以及")
# an explicit county-level name as the subject of a rank (桐川县跻身…第86位)
_PLACE_HEAD = re.compile(r"[\u4e00-\u9fff]{1,4}(?:县|市)(?=[\u4e00-\u9fff])")
# list markers at the start of a clause (三是6个单位…, 4. 4个重点州(市)…, （二）, 3、): not part of the indicator
_LIST_MARKER = re.compile(r"^\s*(?:[一二三四五六七八九十]{1,2}是|\d{1,2}\s*(?:[.．](?!\d)|、)|[（(][一二三四五六七八九十\d]{1,2}[)）]"
                          r"|[一二三四五六七八九十]{1,2}、)\s*")
# an organisation as the subject of a verb (县投资促进中心开展…): not part of the indicator
_ORG_HEAD = re.compile(r"(?:中心|局|委员会|办公室|政府|集团|公司|法院|检察院)")
# X以增速/总量…: the aspect by which X is measured (and then ranked)
_BY_ASPECT = re.compile(r"([\u4e00-\u9fff]{1,8}?)以(增速|增幅|总量|总额|产值|规模)")
# the opening of a quoted speech (说：“2022年全区…), not of a quoted label (“2+5”产业链): no ” after it
_SPEECH_OPENING = re.compile(r"^\s*“(?=[^”]*$)")
_ORDINAL_HEAD = re.compile(r"第[一二三四五六七八九十]+")
# a place's name before its 全区 / 全市 (西藏全区, 连云港全市): the place word that opens the subject;
# not a metric before a share or comparison (产值占全市…, 增速比全省…)
_NAME_THEN_ALL = re.compile(r"(?:(?![占比较与和及的在为是高低快慢])[\u4e00-\u9fff]){2,4}?(?=全[省市县区州旗镇])")
_PLACE_NAME = re.compile(r"[\u4e00-\u9fff]{1,6}(?:自治县|县|市|区|旗)")
# a year that opens a subject (2015年全县地区生产总值): the period, which facts keep apart from the name;
# of 2023年末 / 2023年底 only the digits go, 年末 is a time phrase of its own
_YEAR_HEAD = re.compile(r"(?:19|20)\d\d\s*(?:(?=年[末底初])|年度?(?![中内以的\d])(?=[\u4e00-\u9fff]))")


@dataclass
class Region:
    """What the text before a number says about it."""

    indicator: str
    head_cats: set[str] = field(default_factory=set)  # added / level / cumulative
    verbs: set[str] = field(default_factory=set)  # the cue words themselves
    tail_cats: list[str] = field(default_factory=list)
    qualifier: str | None = None
    sign: int = 0  # +1 growth up, -1 growth down, 0 no change verb
    each: bool = False
    respectively: bool = False
    names_before: str = ""  # text before 分别 / 各
    scope: str = ""  # text after a rank verb (全省, 金华)
    streak: bool = False
    to_level: bool = False  # 提高到3%, 回落至5.2%: the number is the new level, not the change
    subject_is_place: bool = False  # 我市位列…: the list after the verb names the ranking
    head_verb: str = ""  # the last verb stripped from the start (外出招商42批次: the activity counted)

    @property
    def empty(self) -> bool:
        return not self.indicator


# The tail patterns are anchored at the end ($) and their words are at most a few characters long:
# searching only the last _TAIL_WINDOW characters finds the same match without trying every start.
_TAIL_WINDOW = 40


def _strip_tail(s: str, region: Region, lex: Lexicon) -> str:
    last = ""
    for _ in range(6):
        s = s.rstrip(" ，、")
        if s.endswith(("连续", "持续")):  # 连续4年, 持续6个月: a streak
            region.streak = True
            return s[:-2]
        lo = len(s) - _TAIL_WINDOW if len(s) > _TAIL_WINDOW else 0  # one window for the three searches
        cm = lex.comparison_period_re.search(s, lo)
        if cm:  # 增幅比上半年(提高), 比1-8月(回落): the basis of a comparison
            s = s[: cm.start()]
            last = "比"
            continue
        m = lex.tail_re.search(s, lo)
        if not m:
            break
        word = m.group()
        cat = lex.tail_cats[word]
        nc = lex.not_cue_tail_re.search(s, lo)
        if nc and nc.end() - nc.start() > len(word):
            break
        if cat == "added" and not word.startswith("新") and word not in lex.amount_verbs:
            break  # 老旧小区改造: an action noun that belongs to the indicator
        region.tail_cats.append(cat)
        if cat == "qualifier" and region.qualifier is None:
            region.qualifier = lex.qual_before.get(word)
        elif cat in ("growth_up", "growth_down") and last in ("至", "到"):
            region.to_level = True  # 提高到 / 回落至: a new level, unsigned
        elif cat == "growth_up" and not region.sign and not region.to_level:
            region.sign = 1
        elif cat == "growth_down" and not region.sign and not region.to_level:
            region.sign = -1
        elif cat == "each":
            region.each = True
        elif cat == "respectively":
            region.respectively = True
        elif cat in ("added", "level", "cumulative"):
            region.head_cats.add(cat)
            region.verbs.add(word)
        last = word
        s = s[: m.start()]
    return s


def strip_head(s: str, lex: Lexicon, cats: set[str] | None = None, verbs: set[str] | None = None,
               order: list[str] | None = None) -> str:
    """Remove place words, time phrases, adverbs and verbs from the start."""
    for _ in range(12):
        s = s.lstrip(" ")
        if not s or s.startswith(lex.not_cues):
            break
        ym = _YEAR_HEAD.match(s) if s[:2] in ("19", "20") else None
        if ym and len(s) - ym.end() >= 2:
            s = s[ym.end():]
            continue
        m = lex.head_strip_re.match(s)
        if not m:
            pm = _PLACE_HEAD.match(s)  # 桐川县实现地区生产总值: an explicit place before a verb
            if pm and lex.head_strip_re.match(s[pm.end():]) and s[pm.end():pm.end() + 1] not in "，、和及与的 ":
                s = s[pm.end():]
                continue
            om = next((o for o in _ORG_HEAD.finditer(s, 0, 16) if lex.head_strip_re.match(s[o.end():])), None)
            if om is not None:  # 县投资促进中心开展: an organisation before its verb
                s = s[om.end():]
                continue
            break
        word = m.group()
        if cats is not None and word in lex.cues and lex.cues[word] in ("added", "level", "cumulative"):
            cats.add(lex.cues[word])
            if verbs is not None:
                verbs.add(word)
            if order is not None:
                order.append(word)
        s = s[m.end():]
    return s


@lru_cache(maxsize=8)
def _rank_verb_re(lex: Lexicon) -> re.Pattern[str]:
    words = sorted((w for w, c in lex.cues.items() if c == "rank_verb"), key=len, reverse=True)
    return re.compile("|".join(re.escape(w) for w in words))


def _rank_split(s: str, lex: Lexicon) -> tuple[str, str] | None:
    """Split ``在X上位列`` / ``X居全省`` at its last rank verb."""
    best = None
    for m in _rank_verb_re(lex).finditer(s):
        if any(s.startswith(nc, m.start()) for nc in lex.not_cues):
            continue
        best = m
    if best is None:
        return None
    return s[: best.start()], s[best.end():]


@lru_cache(maxsize=8)
def _subject_marker_re(lex: Lexicon) -> re.Pattern[str]:
    places = "|".join(re.escape(w) for w in sorted(lex.document_place, key=len, reverse=True))
    return re.compile(rf"(?:^|(?<=[”）)县市区旗省 ]))(?:{places}|{lex.sub_year_re.pattern})+")


def after_subject_markers(s: str, lex: Lexicon) -> str:
    """The region after the last place word or sub-year period that opens a subject.

    A headline run into the next line (“十四五”开局江西“开门红”一季度我省GDP) or a place before its
    period (锦屏县前10个月共签约…) leaves words before the subject; the subject starts after the
    last 我省 / 全县 / 一季度 / 前10个月 that stands at the start, after a closing quote or bracket,
    after a place name (…县, …市) or after a space (a table's unit cell or a heading run into the
    sentence: ``% 全年全县财政总收入``, ``二、农 业 全年全县农作物种植面积``); a place's own name
    before its 全区 / 全市 goes too (西藏全区).  Inside a name (占全县GDP的比重, 较一季度) such words stay.
    """
    nm = None
    if "全" in s:
        sm = lex.sub_year_re.match(s)
        pos = sm.end() if sm else 0
        nm = _NAME_THEN_ALL.match(s, pos)
    if nm and len(s) - nm.end() >= 4:  # (上半年)西藏全区居民消费价格: 西藏 names the place 全区 stands for
        s = s[:pos] + s[nm.end():]
    last = None
    for m in _subject_marker_re(lex).finditer(s):
        if m.end() > m.start():
            last = m
    if last is None or last.start() == 0 or len(s) - last.end() < 2:
        return s
    return s[last.end():]


def clean(s: str) -> str:
    """Trim separators and the 的 that links an attribute to its noun."""
    s = s.strip(" 、，,：:；").lstrip("—")  # a list item's dash (——地区生产总值) is no part of the name
    if s.startswith("的"):
        s = s[1:]
    if s.endswith("的"):
        s = s[:-1]
    return s.strip()


def analyse(text: str, lex: Lexicon, *, rank: bool = False) -> Region:
    """Split a region into indicator and cues (see the module docstring)."""
    region = Region(indicator="")
    text = _LIST_MARKER.sub("", text)
    if "“" in text:
        text = _SPEECH_OPENING.sub("", text)
    if rank:
        split = _rank_split(text, lex)
        if split is not None:
            text, region.scope = split
            text = re.sub(r"上$", "", text.rstrip())
            region.subject_is_place = text.endswith(lex.document_place) or bool(_PLACE_NAME.fullmatch(text.strip()))
    s = _strip_tail(text, region, lex)
    s = after_subject_markers(s, lex)
    if "分别" in s and not region.respectively:
        region.respectively = True
        s = s.replace("分别", "")
    if region.each or region.respectively:
        region.names_before = clean(strip_head(s, lex, region.head_cats))
    order: list[str] = []
    s = strip_head(s, lex, region.head_cats, region.verbs, order)
    sm = lex.sub_year_re.match(s)
    if sm and sm.group(1) and len(s) - sm.end() >= 2:
        # 其中当月实现产值: the period is the fact's prefix (added back when the fact is made), and the
        # verb after it is a verb like any other
        s = strip_head(s[sm.end():], lex, region.head_cats, region.verbs, order)
    region.head_verb = order[-1] if order else ""
    em = lex.example_cut_re.match(s)
    if em and not 0 < len(clean(s[em.end():])) <= 2:
        # “A”一期、“B”二期等(8个项目): examples, not the indicator; but 解决用地、用工等问题47个
        # keeps its examples, 问题 alone names nothing
        s = s[em.end():]
    for word in lex.cumulative_words:
        if word in s:  # 安居工程累计交付1080套: 累计 inside the indicator
            region.head_cats.add("cumulative")
            s = s.replace(word, "", 1)
            break
    if rank and s.startswith("在"):
        s = s[1:]
    s = clean(s)
    bm = _BY_ASPECT.fullmatch(s)
    if bm:  # 洋浦以增速14.2%位列第一: the place's growth
        s = bm.group(1) + bm.group(2)
    region.indicator = s
    return region


_OPEN = "(（"
_CLOSE = ")）"
_ANY_BRACKET = re.compile(r"[()（）]")
# a bracket that opens a note on how a figure is counted (折含P2O5 30%, 含…): its numbers are the note's
_NOTE_OPENING = re.compile(r"\s*(?:折含|折合|折|含|包括|包含|不含|不包括)")


def _unclosed(s: str) -> int:
    """The offset of the last opening bracket of ``s`` not closed after it, or -1."""
    depth = 0
    for k in range(len(s) - 1, -1, -1):
        if s[k] in _CLOSE:
            depth += 1
        elif s[k] in _OPEN:
            if not depth:
                return k
            depth -= 1
    return -1


def outside_brackets(s: str, before: str, earlier: str = "") -> str | None:
    """The words that name a number when brackets stand around it or just before it; None for a note's number.

    ``before`` is the text that named the previous number of the clause, ``earlier`` the one before
    it.  Brackets are asides: a region that starts by closing the bracket the previous number stood
    in goes on from the words before that bracket (``较一季度(-10.8%)回升`` → 较一季度回升,
    ``完成年度任务(111.3亿元)的`` → 完成年度任务的), or before the number the bracket follows
    (``占市分配任务1000万美元(其中加工贸易200万美元)的`` → 占市分配任务的); a number inside a bracket is named inside it (``227家(其中上市公司5家`` → 其中上市公司),
    or by the words before the bracket when there are none inside (``年度任务(111.3亿元`` → 年度任务);
    a number in a counting note (``磷矿石(折含P2O5 30%)``) is no fact.
    """
    if not _ANY_BRACKET.search(s):
        return s  # most regions: nothing to do (and this runs for every number)
    body = s.lstrip()
    if body[:1] in _CLOSE:
        k = _unclosed(before)
        if k != -1:
            return (before[:k] if before[:k].strip() else earlier) + body[1:]
    k = _unclosed(s)
    if k == -1:
        return s
    inner = s[k + 1:]
    if _NOTE_OPENING.match(inner):
        return None
    return inner if len(clean(inner)) >= 2 else s[:k]


def split_names(s: str, count: int = 0) -> list[str]:
    """``A、B和C`` → ``[A, B, C]`` (empty parts dropped); ordinals share the noun after the last one:
    ``第二、第三产业占GDP的比重`` → ``[第二产业占GDP的比重, 第三产业占GDP的比重]``.

    With ``count`` (the numbers to name) and another number of parts, 和/及/与 may be inside names: the
    parts are split at 、 and the last one at its first conjunction when one more is needed
    (蔬菜及食用菌、瓜果产量 → 2 names; 交通运输仓储和邮政业、其他服务业和金融业 → 3)."""
    parts = [p for p in (clean(x) for x in _SEPARATORS.split(s)) if p]
    last = _ORDINAL_HEAD.match(parts[-1]) if len(parts) > 1 else None
    if last and all(_ORDINAL_HEAD.fullmatch(p) for p in parts[:-1]):
        return [p + parts[-1][last.end():] for p in parts[:-1]] + [parts[-1]]
    if count and len(parts) != count:
        listed = [p for p in (clean(x) for x in s.split("、")) if p]
        if listed and len(listed) == count - 1:  # one name for two numbers: no part to split when none
            listed = listed[:-1] + [p for p in (clean(x) for x in _SEPARATORS.split(listed[-1], maxsplit=1)) if p]
        if len(listed) == count:
            return listed
    return parts


def longest_head(name: str, heads: tuple[str, ...]) -> str:
    """The longest of ``heads`` that ends ``name`` and is not all of it (船舶工业总产值 → 总产值), else ""."""
    return max((h for h in heads if name.endswith(h) and len(name) > len(h)), key=len, default="")
