"""The grammar of quantity phrases: an ordered table of named rules over a sentence's facts.

The clause reader (:mod:`baiqiang.extract.extractor`) finds each quantity, its metric noun phrase
(the region before it), its verb and kind.  The rules here then resolve what one quantity alone
cannot: how far a comparison basis, a 分别 list, a place list or a ranking scope reaches.  Each rule
is a small pure function ``(Sentence) -> None`` that may rename, re-kind or drop facts of the
sentence; they run in the order of :data:`RULES`, and each has one test in
``tests/extract/test_grammar.py``.  Adding a rule: write the function, add it to :data:`RULES` at the
place its preconditions hold (after the rules whose output it reads), add its test.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache

from baiqiang.extract.layout import PINYIN_READING
from baiqiang.extract.model import Fact
from baiqiang.extract.regions import longest_head, split_names

#: The verbs of a change against a basis (提高, 回落, 收窄 ...).
_CHANGE_VERB = r"(?:提高|提升|加快|回升|上升|增加|回落|下降|下滑|降低|放缓|收窄|扩大|减少)"
# A comparison basis before a change: 较一季度, 比1-5月, 较去年同期, 比上年末 (同比 / 比上年 alone are the default basis).
_BASIS = re.compile(r"((?:较|比)(?:上年同期|去年同期|上年末|去年末|上年|去年|[一二三四1-4]季度|上半年|前三季度|上月|上季度"
                    r"|\d{1,2}\s*[-—–~至]\s*\d{1,2}月份?|\d{1,2}月份?|同期|年初))"
                    r"(?:[^，,；;。]{0,4}?)" + _CHANGE_VERB + r"[^，,；;。]{0,3}$")
#: the default basis of a change (比上年, 比去年末, 同期) is not written into names; 较上年同期 / 较去年同期
#: written out are kept, as the corpus gold names them (X增速较去年同期)
#: a change in 百分点 with no name and no basis of its own (回升1.6个百分点, 增幅回落2.2个百分点)
_BARE_CHANGE = re.compile(r"(增速|增幅|涨幅)?" + _CHANGE_VERB + r"了?")
_DEFAULT_BASES = frozenset({"上年", "去年", "同期", "上年末", "去年末", "年初"})
_RATE_OF_CHANGE = ("增速", "增幅", "增长", "降幅", "涨幅", "跌幅")
_GROWTH_NAME_END = ("涨幅", "跌幅", "增速", "增幅", "增长", "降幅", "比重", "占比", "率", "比例")
_PLACE = re.compile(r"^[\u4e00-\u9fff]{1,4}(?:市|县|区|旗|州|省|镇)$")
_PLACE_METRIC = re.compile(r"^([\u4e00-\u9fff]{2,4}?(?:市|县|区|旗|州|省|镇))(.{2,})$")
_RANK_SCOPE = re.compile(r"^(?:全[省市州县国区]|[苏浙皖闽赣鲁豫鄂湘粤桂川黔滇陕甘][南北中东西]?|[一二三四五六七八九十\d]+个?县(?:市区|市|区)?"
                         r"|同类县市|周边县市)$")
_RATE_WORD = re.compile(r"([\u4e00-\u9fff]{1,6}率)(?:为|达到|达|是)?$")
_ABSOLUTE_CHANGE = re.compile(r"(?:比|较)(?:上年|去年|[一二三四]季度|上半年|前三季度|上月|上季度)(?:同期|末|底)?(?:新增|增加|减少|净增|多|少)了?$")
_ASIDE = re.compile(r"[（(][^（）()]*[)）]")
_BRACKET_BASIS = re.compile(r"(?:较|比)([^（）()，,；;。]{1,8})[（(]$")
_GENERIC_HEADS = frozenset({"项目", "企业", "项目个数", "资金"})
#: a verb-headed name (签约项目, 新开工项目, 签约资金); a state word before it (已投产项目, 已签约尚未开工项目)
#: makes it a count of what stands in that state, not of what was done in the period
_PROJECT_VERBS = "签约|开工|竣工|落地|投产|引进|招引|建成|开业|入库|储备"
_PROJECT_VERB = re.compile(_PROJECT_VERBS)
_VERB_HEAD = re.compile(rf"((已经|已|尚未|未)?(?:新)?(?:{_PROJECT_VERBS})(?:(?:尚未|未)(?:{_PROJECT_VERBS}))?"
                        r"(?:项目个数|项目|企业|资金))(?:为|达|共)?\s*$")
#: a place that opens the clause of a verb-headed count (临夏市储备项目47项): the place names the count
_OPENING_PLACE = re.compile(r"^\s*([\u4e00-\u9fff]{2,4}?(?:市|县|旗|州|(?<!开发)(?<![园地])区))$")
_ATTRIBUTES = ("占比", "总投资", "计划总投资", "计划投资", "协议资金", "协议总金额")
_RANKED_BASIS = re.compile(r"(.+?(增速|增幅))(?:较|比)[^，,；;。较比]{1,10}?\2")
_RANK_ASPECTS = frozenset({"总量", "增速", "增幅", "总量增速"})
_FOOTNOTE = re.compile(r"\[\d{1,2}\]")
_AVERAGE = re.compile(r"(?:[两三四五六七八九十\d]+年|近[两三五十]年)?(?:年)?平均(?:增长)?$|^年均(?:增长)?$")
_FROM = re.compile(r"(.+?)从(?:((?:19|20)\d\d)年(?:的|末|底)?)?")
_TO = re.compile(r"(?:增长|提高|增加|提升|扩大|发展|下降|减少|降低)?(?:到|至)(?:((?:19|20)\d\d)年(?:的|末|底)?)?")
_RANK_TO = re.compile(r"^[^，,；;。]{0,4}?(?:上升|提升|前进|跃升|攀升|下滑|下降|后退|回落)?(?:到|至)$")
_COUNTED_LIST = re.compile(r"([^、]+(?:、[^、]+)+?)[\d一二三四五六七八九十]+项(?:指标)?(增速|增幅|总量)?(?:全[省市国州县区])?")
_BASIS_PAIR = re.compile(r"(增速|增幅)?(?:较|比)([^，,；;。和与、]{2,8})(?:和|与|、)([^，,；;。和与、]{2,8})分别"
                         + _CHANGE_VERB)
#: an addition verb, the short noun after it and the adverbs and links before its number (新增企业首次超)
_SHORT_NAME_VERB = re.compile(r"(新增|新建|新开工|新签约|新引进|新培育|新认定|新注册|签约|建成)"
                              r"([\u4e00-\u9fff]{1,2}?)(?:首次|共计|共|累计|达到|达|超过|超|为|近|约|逾)*\s*$")
#: a month range before 分别 (增幅2-5月份分别为, 2-7月，X累计降幅分别为) and what may join a series' values
_MONTH_SERIES = re.compile(r"(\d{1,2})\s*[-—–~至]\s*(\d{1,2})\s*月份?[^，,；;。分]{0,3}?[，,]?[^，,；;。]{0,20}?分别(?:为|是)?")
_MONTH_RANGE = re.compile(r"\d{1,2}\s*[-—–~至]\s*\d{1,2}\s*月份?")
#: 各月 before 分别 (上半年…，各月分别完成A、B…): one value per month of the period before it
_EACH_MONTH = re.compile(r"(?:各月|每月|逐月)份?[^，,；;。]{0,6}?分别")
#: how many months a sub-year period spans from January (上半年 → 6, 1-8月 → 8)
_PERIOD_MONTHS = {"一季度": 3, "上半年": 6, "前三季度": 9, "全年": 12}
_MONTHS_TO = re.compile(r"1\s*[-—–~至]\s*(\d{1,2})\s*月份?")
_SERIES_GAP = re.compile(r"\s*[、,，和及与]\s*")
#: a subject ranked by its rate (洋浦以增速14.2%位列第一)
_BY_RATE = re.compile(r"([\u4e00-\u9fff]{2,6}?)以(增速|增幅)\s*$")
#: what a named project's investment may be called, and where a project's name may start
_PROJECT_ATTRIBUTES = frozenset({"总投资", "计划总投资", "概算总投资", "计划投资", "投资"})
_CHINESE_TAIL = re.compile(r"[\u4e00-\u9fff]+$")
_LEADING_UNIT = re.compile(r"^(?:万|亿|千)?(?:吨|台|套|件|辆|平方米|立方米|千瓦|千瓦时|头|只|个|条|米)")
_NAME_CUT = re.compile(r"为|是|建设|实施|引进|落户|签约|的|了")
_CAPACITY = re.compile(r"年产(?:" + PINYIN_READING.pattern + r")?\s*$")
#: how a project's name ends (…制造项目, …基地, …产业园)
_PROJECT_ENDS = ("项目", "工程", "基地", "产业园")
#: what opens a project's expected outcome: 项目建成投产后, (达)产后, 预计, 可, 提供 (可提供就业岗位 → 就业岗位)
_OUTCOME_OPENING = re.compile(r"^(?:项目)?(?:(?:建成|投产|达产|竣工|运营|产|成|并)*后)?(?:预计|可|将|能|提供)*")
_NAME_GOES_ON = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")
#: bare heads that need a sector, the heads a sector's figure ends with, and a sector's economy (工业经济)
_BARE_HEADS = frozenset({"增加值", "产值", "总产值", "产量", "总产量", "总产", "单产"})
#: shares that name no sector of their own (贡献度为30.5% after 第二产业增加值…)
_BARE_SHARES = frozenset({"贡献度", "贡献率"})
_SECTOR_HEAD = re.compile(r"^([\u4e00-\u9fff]{2,8}?)(总产值|增加值|产值|总产量|产量|播种面积|种植面积|总产)$")
_ECONOMY = re.compile(r"(?:全[县市区省]|我[县市区省])?([\u4e00-\u9fff]{2,4}?)经济(?:表现|运行|发展|增长)")
#: a topic naming the metric of the items after it (从主要工业产品产量看，按行业分产值完成情况：), how far back it
#: is looked for, and the name endings that are metrics of their own
#: a list item that opens with the industry it reports on (1、光电子信息产业进一步加快增长速度)
_ITEM_INDUSTRY = re.compile(r"\s*(?:\d{1,2}\s*[、.．]|[一二三四五六七八九十]{1,2}、|[（(][一二三四五六七八九十\d]{1,2}[)）])\s*"
                            r"([\u4e00-\u9fff]{2,10}?(?:产业|行业))")
_TOPIC = re.compile(r"(?:从|按)[^，,；;。：:]{0,12}?(产量|产值|增加值)(?:完成情况|情况)?(?:看|来看)?[：:，,]")
_TOPIC_REACH = 200
#: what opens the parts of a whole: 其中, 分三大门类看, 分行业看
_PART_OPENING = re.compile(r"其中|分[^，,；;。：:\d]{0,6}?看")
_METRIC_ENDS = ("量", "额", "值", "收入", "率", "数", "投资", "利润", "税收", "价格", "指数")
_ACTION_HEAD = re.compile(r"(?:签约|开工|竣工|落地|投产|引进|招引|建成|开业)的?(?:项目|企业)$")
_NOT_ACTION = re.compile(r"计划|在建|储备|拟|待|谋划|洽谈|^已|^尚未|^未")
_TOTAL = re.compile(r"总|共|累计|合计")
_CLAUSE_BREAK = re.compile(r"[，,；;：:]")
_LIST_JOIN = re.compile(r"^\s*(?:[、和与及]|以及)\s*")
#: a time still to go before a duration: 距年终仅剩3个月, 离春节还有100天, 倒计时30天, 距开幕50天
_REMAINING = re.compile(r"仅剩|还剩|只剩|尚余|剩余|剩下|还有|倒计时|^\s*距")
_DURATIONS = frozenset({"个月", "年", "天", "日", "周", "小时", "分钟", "个工作日", "工作日"})
#: a bracket that notes how a figure is counted or what it includes: (当年价格), (按可比价格计算),
#: (包括…), (不含…), (下同); an alias in brackets that is a rate names the fact: 占常住人口比重(常住人口城镇化率)
_BRACKET_NOTE = re.compile(r"[（(](?:(?:包括|包含|含|不包括|不含|折含|折合|按|下同)[^（）()]*|[^（）()]*(?:价格|价|计算|下同))[)）]")
#: a Latin abbreviation after a Chinese name restates it: 地区生产总值(GDP), 居民消费价格总水平(CPI)
_BRACKET_ABBREVIATION = re.compile(r"(?<=[\u4e00-\u9fff])[（(][A-Z]{2,5}[)）]")
_BRACKET_ALIAS = re.compile(r".{2,}[（(]([^（）()]{2,}率)[)）]")
#: an investment stated before the thing it is of: 引进一家投资2亿元的江苏明玖泰管理公司
_SIZE_VERB = re.compile(r"(计划总投资|总投资|投资)了?\s*$")
_NAMED_AFTER = re.compile(r"(?:建设|兴建|新建|打造|实施)?的([^，,；;。：:、]{2,40}?(?:项目|公司|企业|工程|基地|园区|产业园|养殖场|场|厂|中心))")
#: where a class label ends in a name with a threshold (亿元以上项目 → 项目)
_THRESHOLD_END = re.compile(r".*(?:以上|以下|以内|元)")
#: a subject with a cause before the clause of its figure: 其中畜牧业受生猪产能增长的影响，实现总产值…
_CAUSED_SUBJECT = re.compile(r"\s*(?:其中)?[：:，,]?\s*([\u4e00-\u9fff]{2,8}?)(?:受|因|由于|得益于|随着)")
_RESULT_OPENING = re.compile(r"\s*(?:实现|完成|共完成|累计完成)")
#: a metric announced for a list that follows a colon: 占农林牧渔业的比重分别为：农业61.9%，林业4.5%
_COLON_METRIC = re.compile(r"([^，,；;。：:]{2,20}?)分别(?:为|是|达到|达)?\s*[：:]")
#: a result verb between a subject and its metric (第一产业完成增加值, 县域地区实现农林牧渔业总产值); not
#: before words that make 完成/实现 a noun (完成率, 完成情况, 实现了)
_INNER_VERB = re.compile(r"(.{2,}?)(?:完成|实现)(?![率了的值情任目计进度])(.{2,})")
#: a share named only by its base (占生产总值的比重, 占全市到资的): the thing whose share it is stands before
_SHARE_OF = re.compile(r"占[^，,；;。]{2,}")
_SHARE_WORDS = ("比重", "比例", "份额")
#: members counted by a condition (有28个区增速高于全省平均增速): their units, the place nouns that name them,
#: the universe they come from (38个工业行业大类中) and the words that make the rest a condition
_MEMBER_UNITS = frozenset({"个", "种", "家"})
_MEMBER_PLACE = re.compile(r"县[（(]市[、，,]?区?[）)]|县[（(]区[）)]|县市区|县区|区县|县市|乡镇|街道|县|区|市|镇")
_UNIVERSE = re.compile(r"(?:\d+|[一二三四五六七八九十百]+)[个种家]([^，,；;。、\d]{2,12}?)中\s*[，,]")
_CONDITION = re.compile(r"增长|增速|增幅|降幅|高于|低于|超过|快于|慢于|下降")
#: a conversion that names nothing itself: 按2018年平均汇率计算, 按现行汇率折算, 折合
_CONVERSION = re.compile(r"按[^，,；;。]{0,14}?(?:计算|折算)|折合|折算")
#: after 等N个: the counted noun, a partner (与省电投、省公航旅等企业), adverbs and the verb phrase
_EXAMPLES_TAIL = re.compile(r"(项目|企业|公司)(?:与[^，,；;。]*?等?(?:企业|公司|单位|机构|部门))?"
                            r"((?:已经|已|初步|正在|均|全部|成功)*(?:达成|签订|签约|洽谈|落地|开工|投产|建成|竣工|入驻)"
                            r"[^，,；;。]{0,8}?)中?")
_EXAMPLES_PLACE = re.compile(r"\s*([\u4e00-\u9fff]{2,3}?(?:市|县|旗|州))")
_IN_PROGRESS = re.compile(r"正在|洽谈")
_THIS_THING = re.compile(r"该(项目|企业|公司|园区|工程)")
_TRAILING_BRACKET = re.compile(r"[（(][^（）()]*[)）]$")


@dataclass
class Sentence:
    """What a rule sees: the normalised text, the sentence span, its facts and the paragraph's earlier facts."""

    text: str
    start: int
    end: int
    facts: list[Fact]
    before: list[Fact]
    groups: tuple[str, ...] = ()  # the lexicon's ``breakdown_groups`` (男性, 县属企业 …)
    heads: tuple[str, ...] = ()  # the lexicon's ``part_heads`` (增加值, 产值, 产量)
    previous_paragraph: list[Fact] = field(default_factory=list)  # the facts of the paragraph before
    provinces: tuple[str, ...] = ()  # the lexicon's ``provinces`` (江苏, 浙江: written without 省)
    outcomes: tuple[str, ...] = ()  # the lexicon's ``project_outcomes`` (年产值, 利税, 带动就业)

    _pre: dict[int, str] = field(default_factory=dict, repr=False)

    @property
    def body(self) -> str:
        """The sentence's text (rules test it for their words before looking at each fact)."""
        return self.text[self.start:self.end]

    def pre(self, fact: Fact) -> str:
        """The text of the fact's clause before its number (kept per number: most rules ask for it)."""
        pos = number_start(fact)
        cached = self._pre.get(pos)
        if cached is None:
            cut = _CLAUSE_BREAK.search(self.text[self.start:pos][::-1])
            cached = self.text[pos - cut.start() if cut else self.start:pos]
            self._pre[pos] = cached
        return cached


def number_start(fact: Fact) -> int:
    """Where the fact's number starts (the clause reader records it; a table fact has its start)."""
    start = fact.extra.get("number_start")
    return fact.start if start is None else int(start)


def core(fact: Fact) -> str:
    """The indicator without its sub-year prefix (上半年, 1-6月)."""
    sub = fact.extra.get("sub")  # a str when set (the clause reader's and bracket_aside's), called ~10^5 times
    return fact.indicator[len(sub):] if sub and fact.indicator.startswith(sub) else fact.indicator


def renamed(fact: Fact, name: str) -> Fact:
    return replace(fact, indicator=str(fact.extra.get("sub", "")) + name)


# ------------------------------------------------------------------ rules
def bracket_notes(s: Sentence) -> None:
    """A bracket that notes a price basis or a scope is no part of the name: 规上工业总产值(当年价格),
    农林牧渔业(包括农林牧渔专业及辅助性活动)增加值 → 规上工业总产值, 农林牧渔业增加值; a rate's alias
    in brackets is its name: 占常住人口比重(常住人口城镇化率) → 常住人口城镇化率; a Latin abbreviation restates
    the name before it: 地区生产总值(GDP) → 地区生产总值 (7 of the 9 corpus golds drop it).  A part of a name
    (县(市), (一期)) stays."""
    for i, f in enumerate(s.facts):
        if "(" not in f.indicator and "（" not in f.indicator:
            continue
        name = core(f)
        alias = _BRACKET_ALIAS.fullmatch(name)
        new = alias.group(1) if alias else _BRACKET_ABBREVIATION.sub("", _BRACKET_NOTE.sub("", name))
        if new != name and new:
            s.facts[i] = renamed(f, new)


def conversion_takes_name(s: Sentence) -> None:
    """A figure named only by how it was converted is the figure before it, restated: 人均地区生产总值19763元，
    按2018年平均汇率计算为2865美元 → 人均地区生产总值 2865 美元 (and a change after it alike)."""
    for i, f in enumerate(s.facts):
        if not _CONVERSION.fullmatch(core(f)):
            continue
        prev = next((g for g in _earlier(s, i, previous=1) if not _CONVERSION.fullmatch(core(g))), None)
        if prev is not None:
            s.facts[i] = renamed(f, core(prev))


def verb_inside_name(s: Sentence) -> None:
    """A result verb between the subject and its metric is no part of the name: 第一产业完成增加值 →
    第一产业增加值, 烟草制品业实现增加值 → 烟草制品业增加值 (facts.md: names without head verbs).

    The clause reader peels 完成/实现 at either end of a region; between a subject and its metric it
    stays.  When the subject ends as the metric starts (规模以上工业实现工业增加值) the words are said
    once: 规模以上工业增加值.
    """
    for i, f in enumerate(s.facts):
        m = _INNER_VERB.fullmatch(core(f)) if "完成" in f.indicator or "实现" in f.indicator else None
        if m:
            s.facts[i] = renamed(f, _joined(m.group(1), m.group(2)))


def bracket_aside(s: Sentence) -> None:
    """A % inside brackets after a basis belongs to the basis period: 较一季度(-10.8%) → 一季度X, growth.

    X is the preceding growth's indicator (地区生产总值增长-8.7%，较一季度(-10.8%)回升2.1个百分点).
    """
    if "(" not in s.body and "（" not in s.body:
        return  # the basis is always before a bracket
    for i, f in enumerate(s.facts):
        m = _BRACKET_BASIS.search(s.pre(f))
        if m and f.unit_std == "%":
            base = _previous_growth(s, i)
            name = m.group(1) + (core(base) if base else "")
            # the basis period is the name's sub-year prefix, so a change after the bracket takes X, not 一季度X
            s.facts[i] = replace(f, indicator=name, kind="growth", extra={**f.extra, "sub": m.group(1)})


def basis_in_name(s: Sentence) -> None:
    """A change in 百分点 against a named basis keeps the basis: X增速较一季度 (bases stay in names);
    against the default basis (比上年, 比上年末) it is X增速, or X itself when X is a rate or share;
    上年同期 / 去年同期 written out stay (X增速较去年同期).

    X is the fact's own name when it has one (增速较1-5月提高 → 规上工业增加值增速较1-5月), else the
    preceding growth's (交通运输业增长6.4%，较去年同期下降13.8个百分点).
    """
    for i, f in enumerate(s.facts):
        if f.kind != "growth" or f.unit_std not in ("百分点", "千分点"):
            continue
        pre = _ASIDE.sub("", s.pre(f))  # 较一季度(-10.8%)回升: the bracket is an aside
        m = _BASIS.search(pre)
        if not m:
            bare = _BARE_CHANGE.fullmatch(pre.strip())
            base = _previous_change_or_rate(s, i) if bare else None
            if base is not None and base.kind == "growth" and base.unit_std == "%":
                # 医药制造业增长7.4%，回升1.6个百分点: against the default basis, the change of X's growth rate
                name = core(base)
                s.facts[i] = renamed(f, name if name.endswith(_GROWTH_NAME_END) else name + (bare.group(1) or "增速"))
            continue
        own = pre[:m.start()].strip()
        base = _previous_change_or_rate(s, i)
        if own and not own.startswith(_RATE_OF_CHANGE):
            name = _clean_own(own)
        elif base is not None:
            name = core(base) + (own if own else "")
        else:
            continue
        if not name.endswith(_GROWTH_NAME_END) and not (base is not None and base.kind == "rate" and not own):
            name += "增速"
        basis = m.group(1)
        s.facts[i] = renamed(f, name + ("" if basis[1:] in _DEFAULT_BASES else basis))


def basis_list(s: Sentence) -> None:
    """Two bases, two changes: 增速较一季度和1-5月分别提高15.5和2.2个百分点 → X增速较一季度 15.5, X增速较1-5月
    2.2; X is the preceding % growth's name."""
    if "分别" not in s.body:
        return
    for run in _runs(s):
        if len(run) != 2:
            continue
        first = s.facts[run[0]]
        m = _BASIS_PAIR.search(s.pre(first))
        if m is None or first.unit_std not in ("百分点", "千分点"):
            continue
        base = _previous_growth(s, run[0])
        name = (core(base) if base is not None else "") + (m.group(1) or "增速")
        for i, basis in zip(run, (m.group(2), m.group(3))):
            f = s.facts[i]
            s.facts[i] = replace(f, indicator=name + "较" + basis, kind="growth", extra={**f.extra, "sub": ""})


def month_series(s: Sentence) -> None:
    """A month range followed by 分别 and one % per month is a monthly series: 增幅2-5月份分别为14.2%、13%、
    12.8%、12.7% → 2月规上工业增加值增幅 … 5月…; 累计 makes each a running period from January
    (2-7月，X累计降幅分别为7.5%,7.8%… → 1-2月X累计降幅, 1-3月…).  A value after the months is the
    period's own figure (…、12.7%、9% → the name without a month; corpus 17, 70).  A bare 增幅 or 增速
    takes the nearest earlier amount's name.  Fewer values than months: not read as a series.  Without a
    range, 各月 after an amount of a period gives its months (:func:`_each_month`) and a 分别 run of changes
    right after such a series continues it (:func:`_series_goes_on`)."""
    body = s.body
    m = _MONTH_SERIES.search(body) if "分别" in body else None
    if m is None:
        if "分别" in body:
            _each_month(s)
            _series_goes_on(s)
        return
    first_month, last_month = int(m.group(1)), int(m.group(2))
    months = last_month - first_month + 1
    after = s.start + m.end()
    run = [i for i, f in enumerate(s.facts) if number_start(f) >= after and f.unit_std == "%"]
    run = run[:next((k for k in range(1, len(run)) if not _SERIES_GAP.fullmatch(
        s.text[s.facts[run[k - 1]].end:number_start(s.facts[run[k]])])), len(run))]
    if not 2 <= months <= len(run) <= months + 1:
        return
    name = _MONTH_RANGE.sub("", "".join(core(s.facts[run[0]]).split()))
    if name in _RATE_OF_CHANGE:
        base = next((g for g in _earlier(s, run[0], previous=3) if g.unit_std not in ("%", "位", "百分点")), None)
        name = (core(base) if base is not None else "") + name
    running = "累计" in name
    for k, i in enumerate(run):
        f = s.facts[i]
        month = first_month + k
        period = "" if k >= months else (f"1-{month}月" if running else f"{month}月")
        s.facts[i] = replace(f, indicator=period + name, kind="growth", extra={**f.extra, "sub": period})


def _each_month(s: Sentence) -> None:
    """上半年X233.4亿元，各月分别完成37.9亿元、…和39.8亿元 → 1月X … 6月X: one value per month of the period
    stated by the amount before 各月, named by that amount (fewer or more values: not a series)."""
    m = _EACH_MONTH.search(s.body)
    if m is None:
        return
    after = s.start + m.end()
    first = next((i for i, f in enumerate(s.facts) if number_start(f) >= after), None)
    whole = s.facts[first - 1] if first else None
    if whole is None:
        return
    sub = str(whole.extra.get("sub", ""))
    to = _MONTHS_TO.fullmatch(sub)
    months = int(to.group(1)) if to else _PERIOD_MONTHS.get(sub, 0)
    run = [first]
    while run[-1] + 1 < len(s.facts) and _SERIES_GAP.fullmatch(
            s.text[s.facts[run[-1]].end:number_start(s.facts[run[-1] + 1])]):
        run.append(run[-1] + 1)
    if months < 2 or len(run) != months or any(s.facts[i].unit_std != whole.unit_std for i in run):
        return
    for k, i in enumerate(run, start=1):
        f = s.facts[i]
        s.facts[i] = replace(f, indicator=f"{k}月{core(whole)}", kind=whole.kind, extra={**f.extra, "sub": f"{k}月"})


def _series_goes_on(s: Sentence) -> None:
    """A 分别 run of % changes named only by a rate word, right after a monthly series of as many values, is
    that series' change: …各月分别完成A、B…。累计同比增幅分别为a、b… → 1月X累计同比增幅, 1-2月…, 1-N月
    (running periods with 累计, else each month)."""
    start = s.body.find("分别")
    run = [i for i, f in enumerate(s.facts) if number_start(f) >= s.start + start and f.unit_std == "%"]
    if len(run) < 2 or len(s.before) < len(run):
        return
    if [str(f.extra.get("sub", "")) for f in s.before[-len(run):]] != [f"{k}月" for k in range(1, len(run) + 1)]:
        return
    name = core(s.facts[run[0]])
    if not name.endswith(_RATE_OF_CHANGE) or len(name) > 8:
        return
    running = "累计" in s.pre(s.facts[run[0]]) or "累计" in name  # the clause reader may peel 累计
    name = name if "累计" in name or not running else "累计" + name
    series = core(s.before[-1])
    for k, i in enumerate(run, start=1):
        period = f"1-{k}月" if running and k > 1 else f"{k}月"
        f = s.facts[i]
        s.facts[i] = replace(f, indicator=period + series + name, kind="growth", extra={**f.extra, "sub": period})


def paired_respectively(s: Sentence) -> None:
    """Paired lists: 分别达到18687元、5634元，增长7.8%、9.2% — the second list takes the first's names in order."""
    if "分别" not in s.body:
        return
    runs = _runs(s)
    for a, b in zip(runs, runs[1:]):
        if len(a) < 2 or len(a) != len(b) or "分别" not in s.pre(s.facts[a[0]]):
            continue
        if "分别" in s.pre(s.facts[b[0]]) and s.facts[b[0]].indicator not in ("", core(s.facts[a[-1]])):
            continue
        names = [core(s.facts[i]) for i in a]
        if len(set(names)) < len(names):
            continue
        for name, i in zip(names, b):
            f = s.facts[i]
            s.facts[i] = replace(renamed(f, name), kind="growth" if f.unit_std == "%" and f.kind == "rate" else f.kind)


def rate_keeps_verb(s: Sentence) -> None:
    """A rate named by a verb + 率 keeps the verb: 开工率73% (not 率), 竣工率76.6%."""
    for i, f in enumerate(s.facts):
        if f.kind == "rate" and len(core(f)) <= 1:
            m = _RATE_WORD.search(s.pre(f))
            if m:
                s.facts[i] = renamed(f, m.group(1))


def place_list_metric(s: Sentence) -> None:
    """A list of places after one place with a metric shares the metric: 苏州市地区生产总值X，南京市Y → 南京市地区生产总值."""
    metric = ""
    for i, f in enumerate(s.facts):
        name = core(f)
        m = _PLACE_METRIC.match(name)
        if m and not _PLACE.match(name):
            metric = m.group(2)
        elif metric and _PLACE.match(name):
            s.facts[i] = renamed(f, name + metric)


def place_takes_metric(s: Sentence) -> None:
    """A change named only by a place is that place's change of the metric stated last: 全省规模以上工业
    增加值增长2.7%…；昆明市同比增长2.0% → 昆明市规模以上工业增加值 (place_list_metric does this
    within one sentence when the first place names the metric).

    The metric is the nearest earlier growth of the sentence or paragraph that is named by more than
    a place, without its own place (苏州市地区生产总值 → 地区生产总值).
    """
    for i, f in enumerate(s.facts):
        if f.kind != "growth" or f.unit_std != "%" or not _PLACE.fullmatch(core(f)):
            continue
        prev = next((g for g in _earlier(s, i, previous=None)
                     if g.kind == "growth" and g.unit_std == "%" and not _PLACE.fullmatch(core(g))), None)
        if prev is None:
            continue
        m = _PLACE_METRIC.match(core(prev))
        s.facts[i] = renamed(f, core(f) + (m.group(2) if m else core(prev)))


def subject_by_rate(s: Sentence) -> None:
    """A subject ranked by its rate of the metric stated before, and the places listed after it with bare
    rates: 地区生产总值增长8.0%。其中，洋浦以增速14.2%位列第一，临高县12.2%、东方市11.6%… → 洋浦地区生产总值增速
    (growth and rank), 临高县地区生产总值增速, 东方市地区生产总值增速 (growth; corpus 56).  The metric is the
    nearest earlier % growth's name without its own place."""
    if "以增" not in s.body:
        return
    for i, f in enumerate(s.facts):
        m = _BY_RATE.search(s.pre(f)) if f.unit_std == "%" else None
        if m is None:
            continue
        prev = next((g for g in _earlier(s, i, previous=3) if g.kind == "growth" and g.unit_std == "%"), None)
        if prev is None:
            return
        place_metric = _PLACE_METRIC.match(core(prev))
        if place_metric and place_metric.group(1) == "地区":
            place_metric = None  # 地区生产总值 is the metric itself
        metric = (place_metric.group(2) if place_metric else core(prev)) + m.group(2)
        s.facts[i] = replace(renamed(f, m.group(1) + metric), kind="growth")
        for j in range(i + 1, len(s.facts)):
            g = s.facts[j]
            if g.kind == "rank" and core(g) == core(f):
                s.facts[j] = renamed(g, m.group(1) + metric)
            elif g.unit_std == "%" and _PLACE.fullmatch(core(g)):
                s.facts[j] = replace(renamed(g, core(g) + metric), kind="growth")
        return


def colon_list_metric(s: Sentence) -> None:
    """A metric announced before a colon names each item of the list after it: 占农林牧渔业的比重分别为：
    农业61.9%，林业4.5% → 农业占农林牧渔业的比重, 林业占农林牧渔业的比重."""
    m = _COLON_METRIC.search(s.text, s.start, s.end) if "分别" in s.body else None
    if m is None:
        return
    metric = m.group(1).strip()
    for i, f in enumerate(s.facts):
        name = core(f)
        if number_start(f) > m.end() and name and metric not in name:
            s.facts[i] = renamed(f, name + metric)


def members_by_predicate(s: Sentence) -> None:
    """A count of members that meet a condition is named by the condition and the members: 有28个区增速
    高于全省平均增速 → 工业增加值增速高于全省平均增速的区 (after 全省30个区实现工业增加值…，同比增长8.0%);
    有13个县(市)工业负增长 → 工业负增长的县(市); 38个工业行业大类中，有37个行业实现正增长 → 实现正增长的
    工业行业大类.

    The count (个, 种, 家) opens its clause (alone or after 有/共有) and its members are a place noun or a
    word of the universe stated before (N个X中, which then names them); the rest of the clause is the
    condition and must state a change or a comparison.  A condition that opens with 增速/增幅 is the
    growth of the metric of the nearest earlier % change, without the members' noun (县(市)工业增加值 →
    工业增加值), as a bare 增速 takes the preceding fact's name in the clause reader.
    """
    for i, f in enumerate(s.facts):
        if f.kind != "level" or f.unit_std not in _MEMBER_UNITS or s.pre(f).strip(" ，,") not in ("", "有", "共有"):
            continue
        cut = _CLAUSE_BREAK.search(s.text, f.end, s.end)
        tail = s.text[f.end:cut.start() if cut else s.end].rstrip("。；;！!")
        universes = list(_UNIVERSE.finditer(s.text, s.start, number_start(f)))
        universe = universes[-1] if universes else None  # the nearest 38个工业行业大类中
        if universe is not None:
            members = universe.group(1)
            k = next((k for k in range(len(tail), 1, -1) if tail[:k] in members), 0)
        else:
            m = _MEMBER_PLACE.match(tail)
            members, k = (m.group(), m.end()) if m else ("", 0)
        condition = tail[k:]
        if not members or not _CONDITION.search(condition) or not (tail.startswith(core(f)) or core(f) == members):
            continue
        if condition.startswith(("增速", "增幅")):
            prev = next((g for g in _earlier(s, i, previous=3) if g.kind == "growth" and g.unit_std == "%"), None)
            if prev is not None:
                condition = core(prev).removeprefix(members) + condition
        s.facts[i] = renamed(f, condition + "的" + members)


def universe_before(text: str, start: int, end: int) -> str:
    """The members of the last universe stated in ``text[start:end]`` (432种主要工业产品中， → 主要工业产品):
    a count after it without a noun of its own (348种实现增长) counts them."""
    found = list(_UNIVERSE.finditer(text, start, end))
    return found[-1].group(1) if found else ""


#: a rank among a group: 县经开区在126个省级以上开发区考核中(位列第33名); the group's year and size are labels
_RANK_AMONG = re.compile(r"^(?:.*?在)?((?:(?:19|20)\d\d年度?)?(?:(?:全[国省市县区])?(?:\d+|[一二三四五六七八九十百]+)[个家])?)"
                         r"([^在]{2,30}?)中$")


def rank_among(s: Sentence) -> None:
    """A rank among a group is named by the group: 县经开区在126个省级以上开发区考核中位列第33名 → 省级以上开发区考核,
    在2021年度全国217家国家级开发区综合考评中位列第13位 → 国家级开发区综合考评 (the subject is the place the text
    is about; the group's year and size are labels)."""
    for i, f in enumerate(s.facts):
        m = _RANK_AMONG.fullmatch(core(f)) if f.kind == "rank" and core(f).endswith("中") else None
        if m:
            s.facts[i] = renamed(f, m.group(2))


def rank_scope_chain(s: Sentence) -> None:
    """A rank named only by its scope continues the previous rank: 增幅列全省第10位，苏南第2位 → X苏南."""
    for i, f in enumerate(s.facts):
        if f.kind != "rank" or not _RANK_SCOPE.match(core(f)):
            continue
        prev = next((g for g in reversed(s.facts[:i]) if g.kind == "rank"), None)
        if prev is not None:
            s.facts[i] = renamed(f, core(prev) + core(f))


def absolute_change_dropped(s: Sentence) -> None:
    """An absolute change against last year (比去年新增3637元, 比上年增加2028人) is no level: dropped (optional in gold)."""
    body = s.body
    if "比" not in body and "较" not in body:
        return
    s.facts[:] = [f for f in s.facts
                  if not (f.kind in ("level", "added") and _ABSOLUTE_CHANGE.search(s.pre(f).rstrip()))]


def time_remaining_dropped(s: Sentence) -> None:
    """A countdown is no fact: 距年终仅剩3个月, 离春节还有100天, 倒计时30天 — a duration after a
    remaining-time word (仅剩, 还有, 剩余, 倒计时) or in a clause opened by 距 says how long is left,
    not what was done or reached (corpus 25: 距年终仅剩3个月 is not in the gold)."""
    s.facts[:] = [f for f in s.facts if not (f.unit_std in _DURATIONS and _REMAINING.search(s.pre(f)))]


def generic_head_keeps_verb(s: Sentence) -> None:
    """A bare head noun keeps the verb that makes it a kind of thing: 新开工项目36个 (not 项目), 签约项目76个.

    The clause reader peels head verbs off names (新增企业12家 → 企业); for 项目 and 企业 alone the
    verb is the name's only content.  A place that opens the clause stays, as it does before any
    other metric, and so does the attribute after the count: 临夏市储备项目47项，总投资212亿元 →
    临夏市储备项目, 临夏市储备项目总投资 (a zone such as 开发区 is the document's place, not named).
    After a state word the verb stays in any name and the count is a stock (level): 已投产项目7个,
    已签约尚未开工项目2个 (the corpus gold: 76).
    """
    if not _PROJECT_VERB.search(s.text, s.start, s.end):
        return  # every pattern below holds one of the verbs
    for i, f in enumerate(s.facts):
        pre = s.pre(f)
        m = _VERB_HEAD.search(pre) if core(f) else None
        if m and (core(f) in _GENERIC_HEADS or (m.group(2) and m.group(1).endswith(core(f)))):
            place = _OPENING_PLACE.match(pre[:m.start()])
            name = (place.group(1) if place else "") + m.group(1)
            s.facts[i] = renamed(f, name)
            if m.group(2) and f.kind == "added":
                s.facts[i] = replace(s.facts[i], kind="level",
                                     extra={**f.extra, "rule_kind": "generic_head_keeps_verb"})
            # the attribute the clause reader already joined to the bare head (项目总投资) follows
            nxt = s.facts[i + 1] if i + 1 < len(s.facts) else None
            attribute = core(nxt)[len(core(f)):] if nxt is not None and core(nxt).startswith(core(f)) else ""
            if nxt is not None and attribute in _ATTRIBUTES:
                s.facts[i + 1] = renamed(nxt, name + attribute)


def short_name_keeps_verb(s: Sentence) -> None:
    """A name of one or two characters keeps the addition verb the clause reader peeled off it:
    新增耕地6098亩, 新建房屋2500多套, 新增企业首次超1万家, 签约总额116.4亿元 (not 耕地, 房屋, 企业,
    总额).  Such a noun alone says what was counted, not what happened to it; the corpus gold keeps the
    verb in 12 of the 13 dev facts of this shape (40, 52, 71, 73; generic_head_keeps_verb does this
    for 项目 and 企业 after project verbs)."""
    for i, f in enumerate(s.facts):
        name = core(f)
        if f.kind not in ("added", "level", "cumulative") or not 1 <= len(name) <= 2:
            continue
        m = _SHORT_NAME_VERB.search(s.pre(f))
        if m and m.group(2) == name:
            s.facts[i] = renamed(f, m.group(1) + name)


def action_head_is_added(s: Sentence) -> None:
    """A count named by the action that made the things is added: 东部地区签约项目为216个, 竣工项目12个
    (facts.md: counts of things created or obtained in the period).  Not a plan or stock list
    (计划开工项目, 在建项目, 储备项目) and not a total (共有, 总数, 累计).  The call is the rule's, so
    the learned model does not revisit it."""
    for i, f in enumerate(s.facts):
        if f.kind != "level" or f.unit_std in ("元", "美元", "%", "位", "百分点", "千分点"):
            continue
        name = core(f)
        pre = s.pre(f)
        if not _ACTION_HEAD.search(name) or _NOT_ACTION.search(name + pre) or _TOTAL.search(pre):
            continue
        s.facts[i] = replace(f, kind="added", extra={**f.extra, "rule_kind": "action_head_is_added"})


def this_thing_refers_back(s: Sentence) -> None:
    """该项目 / 该企业 names the thing the sentence named last: 永强家居产业园一期项目开工建设，该项目总投资8亿元 →
    永强家居产业园一期项目总投资.  The thing is the text of the nearest earlier clause of the sentence that
    holds the same head noun, up to that noun."""
    for i, f in enumerate(s.facts):
        m = _THIS_THING.match(core(f))
        if m is None:
            continue
        pre = s.pre(f)
        clauses = _CLAUSE_BREAK.split(s.text[s.start:number_start(f) - len(pre)])
        named = next((c for c in reversed(clauses) if m.group(1) in c), "")
        thing = named[:named.rfind(m.group(1)) + len(m.group(1))].strip() if named else ""
        if len(thing) > len(m.group(1)) and not any(ch.isdigit() for ch in thing):
            s.facts[i] = renamed(f, thing + core(f)[m.end():])


def attribute_takes_previous_name(s: Sentence) -> None:
    """An attribute word names the thing before it: 新签约工业项目58个、占比26.5%，总投资355.1亿元、占比31.8%
    → …项目占比, …项目总投资, …项目总投资占比 (each attribute reads the fact just before it); a bare
    占 after a count is its share: 已投产项目7个，占31% → 已投产项目占比."""
    for i, f in enumerate(s.facts):
        if i and f.kind == "rate" and s.pre(f).strip() in ("占", "占到") and s.facts[i - 1].kind in ("level", "added"):
            f = s.facts[i] = renamed(f, "占比")
        if not i or core(f) not in _ATTRIBUTES:
            continue
        prev = core(s.facts[i - 1])
        base = prev
        while base.endswith(_ATTRIBUTES) and core(f) != "占比":
            base = base[:-next(len(a) for a in _ATTRIBUTES if base.endswith(a))]
        if base and base not in _ATTRIBUTES:
            s.facts[i] = renamed(f, base + core(f))


def share_takes_subject(s: Sentence) -> None:
    """A share named only by its base belongs to the thing before it: 第一产业增加值99455万元，增长3.2%，
    占生产总值的比重为6.6% → 第一产业增加值占生产总值的比重; 占全市到资的36.2% → X占全市到资的比重.

    The thing is the nearest earlier fact of the sentence that is no rank and no share itself (a growth
    after a level carries the level's name); a bare 占X(的) is a share, so it gets 的比重.
    """
    for i, f in enumerate(s.facts):
        if f.kind != "rate" or not _SHARE_OF.fullmatch(core(f)):
            continue
        prev = next((g for g in reversed(s.facts[:i])
                     if g.kind != "rank" and not core(g).startswith("占") and "占" not in s.pre(g)), None)
        if prev is None:
            continue
        subject = core(prev).removesuffix("增速").removesuffix("增幅")
        share = core(f).rstrip("的")
        if not _TRAILING_BRACKET.sub("", share).endswith(_SHARE_WORDS):
            share += "的比重"
        s.facts[i] = renamed(f, subject + share)


def completion_takes_subject(s: Sentence) -> None:
    """A completion rate whose clause opens with 完成 is the completion of the thing before it:
    地区生产总值实现1900亿元，完成全年总量目标的107% → 地区生产总值总量目标完成率 (the corpus gold
    names all eight such rates of the dev split after that thing: 43, 76, 82).  With the target's amount
    written (实际内联引资35.6亿元，完成市分配任务25亿元的142.4%) the amount is that thing's target
    (实际内联引资市分配任务), the rate its completion, and the growth and rank after it in the sentence,
    which the clause reader carried over from the target, are the thing's again.

    The thing is the nearest earlier level or addition of the sentence that is no target itself.
    """
    if "完成" not in s.body:
        return
    for i, f in enumerate(s.facts):
        pre = s.pre(f).lstrip()
        if f.kind != "rate" or not pre.startswith("完成") or not pre.endswith("的"):
            continue
        clause_start = number_start(f) - len(pre)
        target = next((j for j in range(i - 1, -1, -1) if number_start(s.facts[j]) >= clause_start), None)
        if target is not None and s.facts[target].kind != "level":
            continue
        if target is None and not core(f).endswith("完成率"):
            continue
        subject = next((g for g in reversed(s.facts[:i if target is None else target])
                        if g.kind in ("level", "added") and not s.pre(g).lstrip().startswith("完成")), None)
        if subject is None:
            continue
        thing = core(subject)
        if target is None:
            s.facts[i] = renamed(f, thing + core(f))
            continue
        goal = core(s.facts[target])
        s.facts[target] = renamed(s.facts[target], thing + goal)
        s.facts[i] = renamed(f, thing + goal + "完成率")
        for k in range(i + 1, len(s.facts)):
            if core(s.facts[k]) == goal and s.facts[k].kind in ("growth", "rank"):
                s.facts[k] = renamed(s.facts[k], thing)


def size_before_name(s: Sentence) -> None:
    """An investment written before the thing it is of names that thing: 引进一家投资2亿元的江苏明玖泰管理公司
    → 江苏明玖泰管理公司投资; 启动实施投资11.12亿元的产城融合一体化(一期)项目 → …项目投资.

    The thing runs from the 的 after the amount to its last head noun (项目, 公司, 企业, 场 …)
    before the next clause break, so a verb after it (…项目签约落地) is not part of it.
    """
    if "投资" not in s.body:
        return
    for i, f in enumerate(s.facts):
        if f.unit_std not in ("元", "美元") or f.kind != "level":
            continue
        verb = _SIZE_VERB.search(s.pre(f))
        named = _NAMED_AFTER.match(s.text, f.end, s.end) if verb else None
        if named:
            s.facts[i] = renamed(f, named.group(1) + verb.group(1))


def size_classes(s: Sentence) -> None:
    """An amount glued to a count is the class the count is of: 新签约亿元以上项目26个，其中50亿元1个、
    10亿元3个 → 50亿元项目 1, 10亿元项目 3; the amounts are labels, not facts.

    The counted noun is the preceding count's (same unit) after its own threshold (亿元以上项目 →
    项目), or that count's whole name.
    """
    if len(s.facts) < 2:
        return
    glued = {i for i, (f, g) in enumerate(zip(s.facts, s.facts[1:]))
             if f.unit_std in ("元", "美元") and g.unit_std not in ("元", "美元", "%", "位")
             and g.kind in ("added", "level") and not s.text[f.end:number_start(g)].strip()}
    if not glued:
        return
    out: list[Fact] = []
    for i, f in enumerate(s.facts):
        if i in glued:
            continue
        if i - 1 in glued:
            parent = next((g for g in _earlier(s, i - 1, previous=3)
                           if g.unit_std == f.unit_std and g.kind in ("added", "level")), None)
            if parent is not None:
                label = s.text[number_start(s.facts[i - 1]):s.facts[i - 1].end]
                head = _THRESHOLD_END.sub("", core(parent)) or core(parent)
                f = renamed(f, label + head)
        out.append(f)
    s.facts[:] = out


def examples_counted_by_verb(s: Sentence) -> None:
    """Examples ending in 等N个 with the verb after the count are named by that verb: 临夏市总投资60亿元的
    A、总投资10亿元的B等4个项目与省电投等企业初步达成合作意向 → 临夏市初步达成合作意向项目 4 (added);
    …等5个项目正在洽谈中 → 正在洽谈项目 (level: not done yet).  The examples' sizes (总投资60亿元的A) are
    part of their labels, not facts; a partner after 与 is no part of the name; a place that opens the
    clause stays.
    """
    drop: set[int] = set()
    for i, f in enumerate(s.facts):
        start = number_start(f)
        if s.text[start - 1:start] != "等" or f.unit_std in ("元", "美元", "%", "位"):
            continue
        cut = _CLAUSE_BREAK.search(s.text, f.end, s.end)
        tail = s.text[f.end:cut.start() if cut else s.end].rstrip("。；;！!")
        m = _EXAMPLES_TAIL.fullmatch(tail)
        if m is None:
            continue
        clause = _CLAUSE_BREAK.split(s.text[s.start:start])[-1]
        place = _EXAMPLES_PLACE.match(clause)
        verb = m.group(2)
        s.facts[i] = replace(renamed(f, (place.group(1) if place else "") + verb + m.group(1)),
                             kind="level" if _IN_PROGRESS.search(verb) else "added",
                             extra={**f.extra, "rule_kind": "examples_counted_by_verb"})
        clause_start = start - len(clause)
        drop |= {j for j, g in enumerate(s.facts[:i]) if g.unit_std in ("元", "美元")
                 and number_start(g) >= clause_start and s.text[g.end:g.end + 1] == "的"}
    if drop:
        s.facts[:] = [f for j, f in enumerate(s.facts) if j not in drop]


def project_takes_attribute(s: Sentence) -> None:
    """An investment in a clause of its own right after a clause that ends with a project's name is that
    project's: 最大的项目为下港片区棚户区改造建设项目，计划总投资23.3亿元 → 下港片区棚户区改造建设项目计划总投资;
    在县域内建设辣椒一二三产融合发展项目，概算总投资8000万元 (corpus 25, 85, 86; not the count of projects
    before, as attribute_takes_previous_name would have it).  The name starts after the last verb or link
    (为, 建设, 的 …) that leaves one, and after anything not Chinese (HK200系列平头塔机项目)."""
    for i, f in enumerate(s.facts):
        if f.unit_std not in ("元", "美元") or not core(f).endswith("投资"):
            continue
        pre = s.pre(f)
        attribute = pre.strip(" ，,").removesuffix("为").removesuffix("达")
        if attribute not in _PROJECT_ATTRIBUTES:
            continue
        clause_start = number_start(f) - len(pre)
        if clause_start <= s.start or s.text[clause_start - 1] not in "，,":
            continue
        before = s.text[s.start:clause_start - 1]
        cut = _CLAUSE_BREAK.search(before[::-1])
        clause = before[len(before) - cut.start():] if cut else before
        tail = _CHINESE_TAIL.search(clause)
        if tail is None or not tail.group().endswith(("项目", "工程")):
            continue
        name = tail.group()
        if tail.start() and clause[tail.start() - 1].isdigit():
            name = _LEADING_UNIT.sub("", name)  # 年产6万吨高端…项目: the capacity's unit is no part of the name
        starts = [m.end() for m in _NAME_CUT.finditer(name) if len(name) - m.end() >= 4]
        s.facts[i] = renamed(f, name[max(starts, default=0):] + attribute)


def project_outcomes_named(s: Sentence) -> None:
    """What a project is expected to yield, after its investment in the sentence, is that project's: 甲项目，
    计划总投资20亿元，项目建成后，年产值30亿元，利税3亿元，可带动就业500人 → 甲项目年产值, 甲项目利税,
    甲项目带动就业 (the corpus gold names them so: 86, 124, 128).  The words that open the outcome clause
    (建成投产后, 达产后, 预计, 可, 提供) are no part of the name; the outcomes are the lexicon's
    ``project_outcomes`` and levels."""
    if not any(w in s.body for w in _PROJECT_ENDS):
        return  # a project is always named by one of these
    project = ""
    for i, f in enumerate(s.facts):
        name = core(f)
        money = f.unit_std in ("元", "美元")
        attribute = max((a for a in _PROJECT_ATTRIBUTES if money and name.endswith(a)), key=len, default="")
        if attribute and name[:-len(attribute)].endswith(_PROJECT_ENDS):
            project = name[:-len(attribute)]
            continue
        if not project or f.kind != "level":
            continue
        outcome = _OUTCOME_OPENING.sub("", name)
        if outcome == "就业" and "带动" in s.pre(f):
            outcome = "带动就业"  # the clause reader peels 带动 as a verb; the jobs a project brings are 带动就业
        if outcome.startswith(s.outcomes):
            s.facts[i] = renamed(f, project + outcome)


def capacity_labels_dropped(s: Sentence) -> None:
    """A capacity written before a project's name is part of the name, not a fact: 引进的年产6万吨高端工业级
    玻璃器皿生产项目, 年产110台HK200系列平头塔机项目 (corpus 85, 86; the gold reads no fact there)."""
    if "年产" in s.body:
        s.facts[:] = [f for f in s.facts if not (_CAPACITY.search(s.pre(f)) and _NAME_GOES_ON.match(s.text, f.end))]


def group_takes_metric(s: Sentence) -> None:
    """A part named only by its group is that group's share of the whole before it: 户籍人口117.95万人，
    其中：男性61.11万人 → 男性户籍人口; 原煤产量1657.8万吨；其中，县属企业完成1094.2万吨 → 县属企业原煤产量.

    The groups are the lexicon's ``breakdown_groups``; the whole is the nearest earlier amount (level,
    cumulative or added: the learned model may still relabel it) of the same unit in the sentence or
    the paragraph's last four facts that is not itself a group; a group's % change is the change of
    the part just renamed.
    """
    for i, f in enumerate(s.facts):
        if not f.indicator.endswith(s.groups):
            continue
        name = core(f)
        if name not in s.groups:
            continue
        whole = next((g for g in _earlier(s, i, previous=4)
                      if g.unit_std == f.unit_std and g.kind in ("level", "cumulative", "added")
                      and not core(g).startswith(s.groups)), None)
        if whole is None and f.kind == "growth":
            whole = next((g for g in reversed(s.facts[:i]) if core(g).startswith(name)), None)
            if whole is not None:
                s.facts[i] = renamed(f, core(whole))
                continue
            # 城市上涨2.5%，农村上涨2.6%: a sibling group named with the metric (城市居民消费价格) gives it
            sibling = next((m for g in reversed(s.facts[:i])
                            if (m := _sibling_metric(core(g), name, s.groups))), "")
            if sibling:
                s.facts[i] = renamed(f, name + sibling)
            continue
        if whole is not None:
            s.facts[i] = renamed(f, name + core(whole))


def _sibling_metric(name: str, group: str, groups: tuple[str, ...]) -> str:
    """The metric after another group at the start of ``name`` (城市居民消费价格 → 居民消费价格), else ""."""
    other = max((g for g in groups if name.startswith(g) and g != group and len(name) > len(g) + 1), key=len, default="")
    return name[len(other):] if other else ""


def part_takes_whole_head(s: Sentence) -> None:
    """A part after 其中 or 分…看 named without any metric is that part's share of the whole's metric: 特色工业
    增加值增长14.5%，其中，装备制造增长38.7% → 装备制造增加值; 肉类总产量增长0.03%，其中，猪肉增长1.1%
    → 猪肉产量; 规上工业增加值增长10.2%。分三大门类看，采矿业增长18.1% → 采矿业增加值.

    The opening may stand earlier in the sentence or in the clauses before it up to the last full stop, at
    most ``_TOPIC_REACH`` characters back (农林牧渔业增加值78.4亿元。其中，农业42.5亿元；林业1.5亿元 → 林业增加值:
    corpus 101, 107, 110). The whole is found by ``_whole_before``; its head is the lexicon's ``part_heads``
    entry that ends its name (增加值, 产值, 产量: the outputs a sector or product shares), unless the text
    names another head between the whole and the opening (产品产量大幅增长，其中：变压器 → 变压器产量).
    出口 under 进出口总额 or 工业 under 固定资产投资 are read as written, as the gold names them. Places
    (place_takes_metric) and groups (group_takes_metric) have their own rules; a part whose name already
    holds a head, is a list, or (across a clause) is a metric of its own (工业投资) keeps it.
    """
    if not s.heads:
        return
    reach = max(0, s.start - _TOPIC_REACH)
    if s.text.find("其中", reach, s.end) == -1 and s.text.find("看", reach, s.end) == -1:
        return
    stop = max(max(s.text.rfind(c, reach, s.start) for c in "。！？\n") + 1, reach)
    openings = [m.start() for m in _PART_OPENING.finditer(s.text, stop, s.end)]
    if not openings:
        return
    for i, f in enumerate(s.facts):
        name = core(f)
        cut = next((o for o in reversed(openings) if o < number_start(f)), -1)
        if (cut < 0 or not name or _PLACE.fullmatch(name) or name in s.groups or "、" in name
                or _AVERAGE.search(name)  # 两年平均增长7.8%: the average of the part named before (its own rule)
                or any(h in name for h in s.heads) or (cut < s.start and name.endswith(_METRIC_ENDS))):
            continue
        whole = _whole_before(s, i, cut)
        if whole is None and not s.text[stop:cut].strip() and s.previous_paragraph:
            # 分三大门类看，… opening its own paragraph (a bulletin's line a sentence) continues the paragraph before
            whole = _whole_before(s, i, cut, s.previous_paragraph[-4:])
        if whole is None:
            continue
        # a head named between the whole and the opening is nearer (…增加值增长8.1%。主要产品产量大幅增长，其中：)
        said = [(s.text.rfind(h, whole.end, cut), h) for h in s.heads]
        head = max(said)[1] if max(said)[0] >= 0 else next(h for h in s.heads if core(whole).endswith(h))
        s.facts[i] = renamed(f, name + head)


def _whole_before(s: Sentence, i: int, cut: int, facts: list[Fact] | None = None) -> Fact | None:
    """The whole that the part ``s.facts[i]`` after an opening at ``cut`` belongs to: the nearest earlier fact
    (this sentence's, then the paragraph's last four) of the part's kind and unit, or the one before it when
    the nearest is a variant of it (规上工业增加值 before 规上工业增加值两年平均增长), or an earlier part after the
    same opening with a head; None unless the whole's name ends in a part head.  ``facts`` (nearest last)
    replaces the facts before the part: the paragraph before, when the opening starts the part's paragraph."""
    f = s.facts[i]
    nearest = ""
    for g in (reversed(facts) if facts is not None else _earlier(s, i, previous=4)):
        if g.kind != f.kind or g.unit_std != f.unit_std:
            continue
        name = core(g)
        if number_start(g) >= cut:
            # a sibling after the same opening that has the head (…林业增加值1.5亿元；牧业22.9亿元) shares it, so a
            # long list of parts does not lose its whole behind the last four facts
            if any(name.endswith(h) and name != h for h in s.heads):
                return g
            continue
        if nearest and not nearest.startswith(name):
            return None
        if any(name.endswith(h) and name != h for h in s.heads):
            return g
        nearest = nearest or name
    return None


def _own_change(s: Sentence, level: Fact, change: Fact) -> bool:
    """True when ``change`` (a bare head's growth) is the change of ``level`` earlier in the sentence, not a part's."""
    return (change.kind == "growth" and level.kind == "level" and level in s.facts
            and "其中" not in s.text[level.end:number_start(change)])


def bare_head_takes_sector(s: Sentence) -> None:
    """A bare output or area head names the sector of the figure before it, or of the 经济 the clause before
    speaks of: 农林牧渔业总产值25.39亿元，增长6.9%；增加值14.46亿元 → 农林牧渔业增加值; 粮食播种面积132.4万亩，
    产量达34.3万吨 → 粮食产量; 冬小麦总产量226.6万吨，单产451公斤/亩 → 冬小麦单产; 全县工业经济表现亮眼，
    增加值28.45亿元 → 工业增加值 (corpus 19, 52, 74, 80, 92); the same head as the change of the level just given, and a bare
    contribution share, are the sector's too: 第二产业增加值280.5亿元，占GDP比重61.8%，增加值增长6.8% →
    第二产业增加值; 工业增加值增长3.7%，拉动GDP增长1.47个百分点，贡献度为23.0% → 工业贡献度 (corpus 98, 107)."""
    for i, f in enumerate(s.facts):
        if not ((core(f) in _BARE_HEADS and f.kind in ("level", "growth", "added"))
                or (core(f) in _BARE_SHARES and f.kind == "rate")):
            continue
        # the same head twice (产值…，其中当月产值; 农林牧渔业总产值…，畜牧业…总产值) is a part of that figure, no sector,
        # unless it is the change of that very figure (第二产业增加值280.5亿元，…，增加值增长6.8%)
        sector = next((m.group(1) for g in _earlier(s, i, previous=2)
                       if (m := _SECTOR_HEAD.match(core(g))) and (m.group(2) != core(f) or _own_change(s, g, f))), "")
        if not sector:
            economy = _ECONOMY.search(s.text, s.start, number_start(f))
            sector = economy.group(1) if economy else ""
        if not sector:  # 1、光电子信息产业进一步加快增长速度，…1-6月预计完成产值113亿元: the item's own industry
            item = _ITEM_INDUSTRY.match(s.text, s.text.rfind("\n", 0, s.start) + 1)
            sector = item.group(1) if item and item.end() <= number_start(f) else ""
        if sector:
            s.facts[i] = renamed(f, sector + core(f))


def topic_gives_head(s: Sentence) -> None:
    """Items after a topic that names the metric (从主要工业产品产量看，…啤酒增长150.0%; 按行业分产值完成情况：…；
    建陶、电瓷分别增长8.4%、18.8%) take its head when they name none: 啤酒产量, 建陶产值 (corpus 17, 92).
    The topic reaches over ；but not over a full stop; names that are metrics already (发电量, 营业收入) stay."""
    window = s.text[max(0, s.start - _TOPIC_REACH):s.end]
    if "从" not in window and "按" not in window:
        return
    candidates = [i for i, f in enumerate(s.facts) if f.kind in ("growth", "level") and (name := core(f))
                  and not name.endswith(_METRIC_ENDS) and not any(h in name for h in s.heads)]
    if not candidates:
        return
    stop = max(window.rfind(c, 0, len(window) - (s.end - s.start)) for c in "。！？\n")
    topics = list(_TOPIC.finditer(window, stop + 1))
    if not topics:
        return
    topic = topics[-1]
    topic_end = s.end - len(window) + topic.end()
    head = topic.group(1)
    for i in candidates:
        f = s.facts[i]
        name = core(f)
        if number_start(f) >= topic_end and not _PLACE.fullmatch(name) and name not in s.groups:
            s.facts[i] = renamed(f, name + head)


def subject_before_cause(s: Sentence) -> None:
    """The subject of a figure may stand in the clause before, followed by a cause: 其中畜牧业受生猪产能
    大幅增长的影响，实现总产值300.0亿元，同比增长21.6% → 畜牧业总产值 (both facts).

    Only when the figure's clause opens with its result verb (实现, 完成) and the clause before holds
    no figure of its own, so that subject is the only one the sentence gives.
    """
    if "实现" not in s.body and "完成" not in s.body:
        return
    for i, f in enumerate(s.facts):
        pre = s.pre(f)
        clause_start = number_start(f) - len(pre)
        if not _RESULT_OPENING.match(pre) or any(s.start <= number_start(g) < clause_start for g in s.facts):
            continue
        before = s.text[s.start:clause_start].rstrip("，, ")
        cut = _CLAUSE_BREAK.search(before[::-1])
        m = _CAUSED_SUBJECT.match(before[len(before) - cut.start() if cut else 0:])
        if m is None:
            continue
        name = core(f)
        for j in range(i, len(s.facts)):
            if core(s.facts[j]) != name:
                break
            s.facts[j] = renamed(s.facts[j], m.group(1) + name)
        return


def _rank_aspect(name: str) -> str | None:
    """The aspect a rank name is of (总量, 增速), with the scope written without a verb dropped as a verb's is:
    增速 → 增速, 增速全省 → 增速 (增速全省第7位 reads as 增速居全省第7位); None for any other name."""
    if name in _RANK_ASPECTS:
        return name
    return next((a for a in sorted(_RANK_ASPECTS, key=len, reverse=True)
                 if name.startswith(a) and _RANK_SCOPE.match(name[len(a):])), None)


def rank_of_previous_metric(s: Sentence) -> None:
    """总量位居全省第三位，增速全省第四位: a rank of 总量 or 增速 alone (or with its scope only) is the previous
    metric's; the basis of a change before it is no part of the rank (增速较1-5月提高2.2个百分点，增速居全市第6位
    → X增速, not X增速较1-5月增速)."""
    for i, f in enumerate(s.facts):
        aspect = _rank_aspect(core(f)) if f.kind == "rank" else None
        if aspect is not None:
            prev = next((g for g in reversed(s.facts[:i]) if g.kind != "rank"), None)
            if prev is not None:
                s.facts[i] = renamed(f, core(prev) + (aspect.removeprefix("总量") or "总量"))
        based = _RANKED_BASIS.fullmatch(core(s.facts[i])) if f.kind == "rank" else None
        if based:
            s.facts[i] = renamed(s.facts[i], based.group(1))


def each_ranks(s: Sentence) -> None:
    """均 gives every item its rank: A增长5%，其中B增长6%，C占比70%，均居全省第2位 → a rank 2 for A, B and C;
    A、B、C均位居全市前三 → a rank for each listed name; so does a counted list without 均
    (A、B、C3项指标增速全市第一 → A增速, B增速, C增速) and a list named by the rank itself
    (A、B、C增速排名全市第一 → A增速, B增速, C增速: a list cannot hold one rank together).

    The items are the sentence's earlier facts with distinct names (a growth ranks as X增速); a word
    between the last item and 均 is the ranked aspect (数量均居全市第一 → X数量).  A rank already
    split by the clause reader (分别增长…，均居…) is left alone.
    """
    if not any(f.kind == "rank" for f in s.facts):
        return
    out: list[Fact] = []
    for i, f in enumerate(s.facts):
        counted = _COUNTED_LIST.fullmatch(core(f)) if f.kind == "rank" else None
        # …经济指标、项目拉练综合排名第四: a composite ranking of the list is one rank
        listed = f.kind == "rank" and "、" in core(f) and "综合" not in core(f)
        if f.kind != "rank" or ("均" not in s.pre(f) and counted is None and not listed) \
                or sum(number_start(g) == number_start(f) for g in s.facts) > 1:
            out.append(f)
            continue
        pre = s.pre(f)
        if counted is not None:  # A、B、C3项指标增速全市第一
            names = [n + (counted.group(2) or "") for n in counted.group(1).split("、") if n]
        elif listed or "和" in core(f):
            names = _aspect_shared(split_names(core(f)))
        else:
            items: dict[str, Fact] = {}
            for g in s.facts[:i]:
                if g.kind != "rank":
                    items[core(g)] = g
            aspect = pre[:pre.index("均")].strip(" ，,、")
            aspect = aspect if 0 < len(aspect) <= 3 else ""
            names = [n + (aspect or ("增速" if g.kind == "growth" and not n.endswith(_GROWTH_NAME_END) else ""))
                     for n, g in items.items()]
        if len(names) < 2:
            out.append(f)
            continue
        out.extend(renamed(f, name) for name in names)
    s.facts[:] = out


def _aspect_shared(names: list[str]) -> list[str]:
    """地区生产总值、第二产业增加值、社会消费品零售总额增速 → …增速 for each: the ranked aspect (增速, 增幅, 总量)
    the last item ends with is every item's."""
    aspect = next((a for a in sorted(_RANK_ASPECTS, key=len, reverse=True)
                   if names and names[-1].endswith(a) and len(names[-1]) > len(a)), "")
    return [n if n.endswith(aspect) else n + aspect for n in names] if aspect else names


def list_keeps_verb(s: Sentence) -> None:
    """A list goes on over a comma with its verb: 引进甲企业30家、乙企业12家，丙企业8家 → 丙 is added too.

    A count with no verb of its own (``extra["verbless"]``) right after at least two added counts of
    the same unit, the last one in the previous clause, is added; a total (企业总数, 共, 累计) is not.
    The call is the rule's (``extra["rule_kind"]``), so the learned model does not revisit it.
    """
    for i, f in enumerate(s.facts):
        if i < 2 or f.kind != "level" or not f.extra.get("verbless") or _TOTAL.search(core(f)):
            continue
        a, b = s.facts[i - 2], s.facts[i - 1]
        if not (a.kind == b.kind == "added" and a.unit_std == b.unit_std == f.unit_std):
            continue
        # a and b in one clause (a list), f after a clause break
        if _CLAUSE_BREAK.search(s.text[a.end:number_start(b)]) or not _CLAUSE_BREAK.search(s.text[b.end:number_start(f)]):
            continue
        s.facts[i] = replace(f, kind="added", extra={**f.extra, "rule_kind": "list_keeps_verb"})


def from_to_levels(s: Sentence) -> None:
    """从A增长到B: two levels of one metric, the start and the end: 生产总值从2015年的39.70亿元增长到2020年
    61.95亿元 → 生产总值 39.70 (2015) and 生产总值 61.95 (2020); the years written are the periods."""
    if "从" not in s.body:
        return
    for i, f in enumerate(s.facts[:-1]):
        m = _FROM.fullmatch(core(f))
        g = s.facts[i + 1]
        n = _TO.fullmatch(core(g))
        # 从1.66亿元增长到2.05亿元: the second, named by nothing, took the first's name
        if m is None or (n is None and core(g) != core(f)):
            continue
        if f.kind != "level" or g.kind != "level" or f.unit_std != g.unit_std:
            continue
        name, end_period = m.group(1), (n.group(1) if n else None) or g.period
        s.facts[i] = replace(renamed(f, name), period=m.group(2) or f.period)
        s.facts[i + 1] = replace(renamed(g, name), period=end_period)
        for j in range(i + 2, len(s.facts)):  # 年均增长9.3%: the change up to the end year
            if s.facts[j].kind != "growth":
                break
            s.facts[j] = replace(s.facts[j], period=end_period)


def rank_from_to(s: Sentence) -> None:
    """由A上升到B for ranks: 位次由第一位下滑到第六位, 我县由二季度的第12位上升到第6位 — the new rank is
    the fact, named by what came before 由 (位次); the old one is its starting point and is dropped."""
    out: list[Fact] = []
    skip = False
    for i, f in enumerate(s.facts):
        if skip:
            skip = False
            continue
        g = s.facts[i + 1] if i + 1 < len(s.facts) else None
        if (f.kind == "rank" and g is not None and g.kind == "rank" and "由" in s.pre(f)
                and _RANK_TO.search(s.text[f.end:number_start(g)])):
            name = core(f)[:core(f).find("由")] if "由" in core(f) else ""
            out.append(renamed(g, name) if name else g)
            skip = True
            continue
        out.append(f)
    s.facts[:] = out


def average_growth_takes_name(s: Sentence) -> None:
    """An average rate of growth names the metric before it: 增加值370亿元，同比增长9.5%，两年平均增长4.4%
    → 增加值两年平均增长 (年均增长, 三年平均增长 alike); the metric is the nearest earlier fact that is
    no rank and no average itself, in the sentence or the paragraph."""
    for i, f in enumerate(s.facts):
        if f.kind != "growth" or f.unit_std != "%" or not _AVERAGE.fullmatch(core(f)):
            continue
        prev = next((g for g in _earlier(s, i, previous=3)
                     if g.kind != "rank" and not _AVERAGE.search(core(g))), None)
        if prev is not None:
            s.facts[i] = renamed(f, core(prev) + core(f).removesuffix("增长") + "增长")


def footnote_markers(s: Sentence) -> None:
    """Footnote markers are not part of a name: 生产总值(GDP)[2] → 生产总值(GDP)."""
    for i, f in enumerate(s.facts):
        if _FOOTNOTE.search(f.indicator):
            s.facts[i] = replace(f, indicator=_FOOTNOTE.sub("", f.indicator))


#: places joined by 和/与/及/、 before a metric (and its year) in the name of one quantity
_PLACE_PAIR = re.compile(r"^(?P<places>[\u4e00-\u9fff]{1,6}?[省市县区](?:[和与及、][\u4e00-\u9fff]{1,6}?[省市县区])+)"
                         r"(?:\d{4}年)?(?P<metric>.+)$")


def places_each_have(s: Sentence) -> None:
    """均 after places joined by 和 gives each place the quantity: 昆山市和江阴市2019年GDP均突破4000亿元 →
    昆山市GDP, 江阴市GDP (each ≥ 4000亿元).  Without 均 the figure may be the places' total and is left."""
    if "均" not in s.body:
        return
    out: list[Fact] = []
    for f in s.facts:
        m = _PLACE_PAIR.match(f.indicator)
        if m is None or "均" not in s.pre(f):
            out.append(f)
            continue
        out.extend(replace(f, indicator=place + m.group("metric")) for place in re.split("[和与及、]", m.group("places")))
    s.facts[:] = out


def items_each_have(s: Sentence) -> None:
    """均 after a list whose last item writes the head gives each item the quantity with that head:
    凡谷电子、多普达产值均增长90%以上 → 凡谷电子产值, 多普达产值 (each ≥ 90%).  The head is one of the part
    heads (增加值, 产值, 产量); a list without one (城镇和农村居民…) is left, as is a list without 均."""
    if not s.heads or s.text.find("均", s.start, s.end) == -1:
        return
    out: list[Fact] = []
    for f in s.facts:
        name = core(f)
        names = split_names(name) if f.kind != "rank" and "均" in s.pre(f) else []
        head = longest_head(names[-1], s.heads) if len(names) > 1 else ""
        if not head or any(n.endswith(s.heads) for n in names[:-1]):
            out.append(f)
            continue
        out.extend(renamed(f, n if n.endswith(head) else n + head) for n in names)
    s.facts[:] = out




#: a name that lists one-character words before its last item (猪、牛、羊、禽肉产量)
_CHARACTER_LIST = re.compile(r"(?:(?<![\u4e00-\u9fff])|^)(?:[\u4e00-\u9fff]、)+[\u4e00-\u9fff]")


def character_list_joined(s: Sentence) -> None:
    """One-character words listed with 、 form one name: 猪、牛、羊、禽肉产量 → 猪牛羊禽肉产量 (the written compound)."""
    if "、" not in s.body:
        return
    for i, f in enumerate(s.facts):
        name = core(f)
        if "、" in name and _CHARACTER_LIST.match(name):
            s.facts[i] = renamed(f, name.replace("、", ""))


_PROVINCE_SUFFIX = re.compile(r"(?:省|市|自治区|壮族自治区|回族自治区|维吾尔自治区)$")


def place_only_count_dropped(s: Sentence) -> None:
    """A count named only by a province (江苏13个, 山东省160家) says what it counts nowhere: no fact (facts.md: a
    fact is a statement about the place; a rank, change or amount of a place keeps its own rules, and a
    count of places such as 12个乡镇 is a count of its own)."""
    if not s.provinces or not _province_pattern(s.provinces).search(s.text, s.start, s.end):
        return
    if any(_named_by_province(f, s.provinces) for f in s.facts):
        s.facts[:] = [f for f in s.facts if not _named_by_province(f, s.provinces)]


@lru_cache(maxsize=4)
def _province_pattern(provinces: tuple[str, ...]) -> re.Pattern[str]:
    """One search per sentence tells whether a province is named in it at all."""
    return re.compile("|".join(map(re.escape, provinces)))


def _named_by_province(f: Fact, provinces: tuple[str, ...]) -> bool:
    """True for a count whose whole name is a province (江苏, 山东省)."""
    name = f.indicator
    if len(name) > 9 or (name[:2] not in provinces and name[:3] not in provinces):
        return False
    return (f.kind in ("level", "added") and f.unit_std not in ("元", "美元", "%", "位")
            and _PROVINCE_SUFFIX.sub("", core(f)) in provinces)


def pinyin_readings(s: Sentence) -> None:
    """A host's pinyin readings are no part of a name: 经(jīng)济开发(fā)区(qū)新建项目 → 经济开发区新建项目."""
    for i, f in enumerate(s.facts):
        if PINYIN_READING.search(f.indicator):
            s.facts[i] = replace(f, indicator=PINYIN_READING.sub("", f.indicator))


@dataclass(frozen=True)
class Rule:
    name: str
    apply: Callable[[Sentence], None]


#: The rules in the order they run.
RULES: tuple[Rule, ...] = (
    Rule("bracket_notes", bracket_notes),
    Rule("conversion_takes_name", conversion_takes_name),
    Rule("verb_inside_name", verb_inside_name),
    Rule("bracket_aside", bracket_aside),
    Rule("basis_in_name", basis_in_name),
    Rule("basis_list", basis_list),
    Rule("month_series", month_series),
    Rule("paired_respectively", paired_respectively),
    Rule("rate_keeps_verb", rate_keeps_verb),
    Rule("place_list_metric", place_list_metric),
    Rule("place_takes_metric", place_takes_metric),
    Rule("subject_by_rate", subject_by_rate),
    Rule("colon_list_metric", colon_list_metric),
    Rule("members_by_predicate", members_by_predicate),
    Rule("rank_among", rank_among),
    Rule("rank_scope_chain", rank_scope_chain),
    Rule("absolute_change_dropped", absolute_change_dropped),
    Rule("time_remaining_dropped", time_remaining_dropped),
    Rule("generic_head_keeps_verb", generic_head_keeps_verb),
    Rule("short_name_keeps_verb", short_name_keeps_verb),
    Rule("action_head_is_added", action_head_is_added),
    Rule("examples_counted_by_verb", examples_counted_by_verb),
    Rule("this_thing_refers_back", this_thing_refers_back),
    Rule("attribute_takes_previous_name", attribute_takes_previous_name),
    Rule("project_takes_attribute", project_takes_attribute),
    Rule("capacity_labels_dropped", capacity_labels_dropped),
    Rule("group_takes_metric", group_takes_metric),
    Rule("part_takes_whole_head", part_takes_whole_head),
    Rule("bare_head_takes_sector", bare_head_takes_sector),
    Rule("topic_gives_head", topic_gives_head),
    Rule("subject_before_cause", subject_before_cause),
    Rule("share_takes_subject", share_takes_subject),
    Rule("completion_takes_subject", completion_takes_subject),
    Rule("size_before_name", size_before_name),
    Rule("size_classes", size_classes),
    Rule("project_outcomes_named", project_outcomes_named),
    Rule("rank_of_previous_metric", rank_of_previous_metric),
    Rule("each_ranks", each_ranks),
    Rule("list_keeps_verb", list_keeps_verb),
    Rule("from_to_levels", from_to_levels),
    Rule("rank_from_to", rank_from_to),
    Rule("average_growth_takes_name", average_growth_takes_name),
    Rule("places_each_have", places_each_have),
    Rule("items_each_have", items_each_have),
    Rule("footnote_markers", footnote_markers),
    Rule("pinyin_readings", pinyin_readings),
    Rule("character_list_joined", character_list_joined),
    Rule("place_only_count_dropped", place_only_count_dropped),
)


def apply_rules(text: str, start: int, end: int, facts: list[Fact], before: list[Fact],
                groups: tuple[str, ...] = (), heads: tuple[str, ...] = (),
                previous_paragraph: list[Fact] | None = None, provinces: tuple[str, ...] = (),
                outcomes: tuple[str, ...] = ()) -> list[Fact]:
    """Run :data:`RULES` over one sentence's facts; returns the facts to keep."""
    if not facts:
        return facts
    sentence = Sentence(text, start, end, list(facts), before, groups, heads,
                        previous_paragraph=previous_paragraph or [], provinces=provinces, outcomes=outcomes)
    for rule in RULES:
        rule.apply(sentence)
    return sentence.facts


# ------------------------------------------------------------------ helpers
def _earlier(s: Sentence, i: int, *, previous: int | None = 0) -> Iterator[Fact]:
    """The facts before position ``i``, nearest first: this sentence's, then the last ``previous`` facts of
    the sentences before it (all of them with ``None``)."""
    yield from reversed(s.facts[:i])
    if previous != 0:
        yield from reversed(s.before if previous is None else s.before[-previous:])


def _previous_change_or_rate(s: Sentence, i: int) -> Fact | None:
    """The nearest earlier fact whose change a 百分点 figure can be: a % growth or a rate (出生率5.72‰)."""
    for g in _earlier(s, i, previous=3):
        if (g.kind == "growth" and g.unit_std == "%") or g.kind == "rate":
            return g
    return None


def _previous_growth(s: Sentence, i: int) -> Fact | None:
    for g in _earlier(s, i, previous=3):
        if g.kind == "growth" and g.unit_std == "%":
            return g
    return None


def _clean_own(own: str) -> str:
    for lead in ("全县", "全市", "我县", "我市", "全区", "其中", "上半年", "一季度", "前三季度"):
        own = own.removeprefix(lead)
    return own.removesuffix("同比")


def _joined(subject: str, metric: str) -> str:
    """subject + metric, with a stretch of two or more characters that ends one and starts the other said once."""
    for k in range(min(len(subject), len(metric) - 1), 1, -1):
        if subject.endswith(metric[:k]):
            return subject + metric[k:]
    return subject + metric


def _runs(s: Sentence) -> list[list[int]]:
    """Indices of facts whose numbers follow one another joined only by 、/和 (one list each)."""
    runs: list[list[int]] = []
    for i, f in enumerate(s.facts):
        if runs:
            prev = s.facts[runs[-1][-1]]
            between = s.text[prev.end:number_start(f)]
            if _LIST_JOIN.fullmatch(between) or between in ("、", "和", "与", "及"):
                runs[-1].append(i)
                continue
        runs.append([i])
    return runs
