"""Turn normalised text into facts.

The text is read paragraph by paragraph, sentence by sentence (。！？；) and
clause by clause (，：).  In each clause :func:`find_quantities` finds the
numbers; each number's *region* (the text since the previous fact) gives the
indicator and the cues (:mod:`baiqiang.extract.regions`).  Sentence-level
state carries the structures that span clauses: a growth clause attached to
the preceding level (总产值达943亿元，同比增长12.7%), respectively
(分别位居金华第1、第2) and the period stated earlier in the paragraph.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache
from dataclasses import dataclass, field, replace

from baiqiang.extract.grammar import apply_rules, universe_before
from baiqiang.extract.learned import relabel
from baiqiang.extract.layout import Layout, Paragraph, normalise, unfurnish
from baiqiang.extract.lexicon import Lexicon, load_lexicon
from baiqiang.extract.merge import from_table, merge_restatements
from baiqiang.extract.model import Fact
from baiqiang.extract.numbers import scaled
from baiqiang.extract.quantities import Quantity, find_quantities
from baiqiang.extract.regions import Region, analyse, clean, longest_head, outside_brackets, split_names, strip_head
from baiqiang.extract.tables import TableState, caption_subject, caption_unit, is_cell_stream, stream_facts, table_facts

_SENTENCE = re.compile(r"[^。！？!?；;\n]+[。！？!?；;]?")
_CLAUSE = re.compile(r"(?:[^，：,:]|(?<=\d),(?=\d{3}(?!\d))|(?<=\d):(?=\d))+")
# 到2025年 (a target) is no statement of the period, 截至2025年5月底 is
_YEAR = re.compile(r"(?<![比较到与和按])(?<!(?<!截)至)((?:19|20)\d\d)\s*年(?!末|底)?")
_DOC_TITLE = re.compile(r"((?:19|20)\d\d)\s*年.{0,30}(?:统计公报|国民经济和社会发展)")
_NOUN_CUT = re.compile(r"实现|达到|达|为|占|分别|到|至|[，、。；！？!?;]")
_PERIOD_YEAR = re.compile(r"(?<![比较到至与和\d])((?:19|20)\d\d)\s*年(?!\s*\d{1,2}\s*月)")
_TOP_HEADING = re.compile(r"^\s*(?:[一二三四五六七八九十]+、|第[一二三四五六七八九十]+[部分章节])")
# 完成年度计划的27.6%: the share of a plan that was met
_COMPLETION = re.compile(r"完成([^，、；。]{2,12}?)的$")
# a sub-year period that is a clause of its own (1-9月，全县…, 1-8月份，…) scopes the next clause
_OPENING_TAIL = re.compile(r"\s*份?\s*[，,]")
# where a clause ends (an ASCII comma between digits is a thousands separator: 244,394万元)
_CLAUSE_END = re.compile(r"[，：；;。！？!?]|(?<!\d),|,(?!\d{3}(?!\d))|(?<!\d):|:(?!\d)")
# a direct quotation that is a sentence (“我们…。”): a speaker's words, not statements of fact
_SPEECH = re.compile(r"“[^“”]{8,}?[。！？!?]”")
# a clause that scopes the next ones (签约的28个项目中，A项目11个): like 其中
_SCOPE_END = re.compile(r"(?<![集其])中\s*$")
#: names of the size of a fall: a % stated for them without a verb is negative (降幅为7.5% → -7.5 %)
_FALL_NAMES = ("降幅", "跌幅", "减幅")
_RUN_GAP = re.compile(r"^[\s、和及与]*$|^以及$")
# 分别增长6.9%、增长8.4%、下降4.8%: each number of a run may repeat the change verb, with its own sign
_RUN_VERB = re.compile(r"^[\s、和及与]*(?:同比)?(增长|上涨|上升|提高|下降|下滑|降低|回落)$")
# 在第二十四届全国县域经济高质量发展百强县榜单中，石门县成功入选，位列第72位: the list names the rank
_LIST_NAME = re.compile(r"在([^，。；：]{2,40}?)(?:榜单|排行榜|排名|名单)中")
# the place noun after a count of places (77个县(市), 30个区, 12个乡镇) followed by what they did
_PLACE_SCOPE = re.compile(r"(县[（(]市[、，,]?区?[）)]|县[（(]区[）)]|县市区|县区|区县|县市|乡镇|县|区|市|镇|街道)"
                          r"(?:中|里)?(?:共|合计|累计)?(?=实现|完成|有|达|共)")
# the predicate after a list of names in the clause before 分别 (…三个行业增加值增势较好，分别增长…)
_LIST_PREDICATE = re.compile(r"增势|增长|增速|增幅|发展|表现|势头|保持|较快|较好|回落|下降|明显|良好|态势|均")
_COUNTED_TAIL = re.compile(r"[一二两三四五六七八九十\d]+个[\u4e00-\u9fff]{0,3}$")
# where a document's title line ends: a line break, or the wide gap a page puts between headline and text
_TITLE_END = re.compile(r"\n|\s{2,}|\u3000")
_PLACE_SUFFIX = re.compile(r"[市县区旗州省]")
# a plan that was made (制定优势企业拜访考察计划): a result, not a plan for what follows
_PLAN_MADE = re.compile(r"(?:制定|制订|出台|印发|编制)[^，,；;。]{0,12}$")
# a share named by its subject and 占比 (煤炭开采和洗选业占比), not by its base (占全市…的比重)
_SUBJECT_SHARE = re.compile(r"((?!占)[^占]{2,}?)(?:占比|所占比重)")
# a place at the head of a name: 西藏自治区第一产业增加值, 邢台市生产总值
# (not X地区 of 地区生产总值 or 县域地区, and not an office: 兰州市委, 市政府, 县人民政府)
_HEAD_PLACE = re.compile(r"^([\u4e00-\u9fff]{2,4}?(?:自治区|自治州|自治县|市|县|(?<!地)区|旗|州|省))(?!委|政府|人民|党)(.{2,})$")
_LIST_PREFIX = re.compile(r"^(?:[^，。；]*?的)?(?:(?:19|20)\d\d年度?)?(?:第[一二三四五六七八九十百\d]+届)?")


def extract_facts(text: str, *, lexicon: Lexicon | None = None) -> list[Fact]:
    """Extract facts from raw text (any layout; see :func:`normalise`)."""
    return extract_layout(normalise(text), lexicon=lexicon)


def extract_layout(layout: Layout, *, lexicon: Lexicon | None = None, model: bool = True) -> list[Fact]:
    """Extract facts from an already normalised :class:`Layout`.

    ``model=False`` leaves the fuzzy added-vs-level calls to the rules' default (used for training).
    """
    lex = lexicon or load_lexicon()
    doc = _Doc(layout, lex)
    head = layout.text[:80]
    lead = len(head) - len(head.lstrip())
    doc.title = _TITLE_END.split(head[lead:], maxsplit=1)[0]
    doc.title_end = lead + len(doc.title)
    if not _PLACE_SUFFIX.search(doc.title):
        doc.title = ""  # no place named: nothing to drop from names
    m = _DOC_TITLE.search(layout.text[:400])
    if m is None:  # no bulletin title: the first year stated as a period (2025年上半年), not a date
        m = _PERIOD_YEAR.search(layout.work)
    doc.doc_year = m.group(1) if m else ""
    for para in layout.paragraphs:
        if para.kind == "heading":
            heading = layout.text[para.start:para.end]
            ym = _YEAR.search(heading)
            doc.section_year = ym.group(1) if ym else doc.section_year
            if any(w in heading for w in lex.plan_headings):
                doc.plan = True  # 二、2025年目标任务: plans, not facts
            elif _TOP_HEADING.match(heading):
                doc.plan = False
            continue
        if doc.plan:
            continue
        if para.kind == "table":
            period = doc.table.caption_year or doc.period_at(para)
            doc.facts.extend(from_table(table_facts(layout.text, para.start, para.end, lex, doc.table, period)))
            continue
        if para.kind == "cells":  # one cell a line: the cells are the lines
            _, table = stream_facts(layout.text, para.start, para.end, lex, doc.table.caption_year or doc.period_at(para),
                                    doc.table.default_unit, doc.table.added, doc.table.subject)
            doc.facts.extend(from_table(table))
            continue
        if is_cell_stream(layout.text, para.start, para.end):
            table_start, table = stream_facts(layout.text, para.start, para.end, lex, doc.period_at(para),
                                              doc.table.default_unit, doc.table.added, doc.table.subject)
            if table:
                if table_start > para.start:
                    doc.paragraph(Paragraph(para.start, table_start, "text"))
                doc.facts.extend(from_table(table))
                continue
        caption = layout.text[para.start:para.end]
        doc.table = TableState(caption_year=_caption_year(caption), default_unit=caption_unit(caption),
                               added=_caption_counts_additions(caption, lex), subject=caption_subject(caption))
        doc.paragraph(para)
    facts = relabel(layout.text, doc.facts, lex) if model else doc.facts
    return merge_restatements(facts)


@lru_cache(maxsize=8)
def _counted_noun_end(lex: Lexicon) -> re.Pattern[str]:
    """Where a counted noun ends: at a number or an attribute word (总投资, 面积…) of the things counted."""
    words = sorted(lex.attribute_words, key=len, reverse=True)
    return re.compile(r"\d|" + "|".join(map(re.escape, words)))


def _caption_counts_additions(text: str, lex: Lexicon) -> bool:
    """A short caption of a table of additions (表1 2021年1-6月规上工业新增单位情况): a 新-word of the
    added cues (新增, 新开工, …) in a line of at most 60 characters."""
    return len(text) <= 60 and bool(lex.new_added_re.search(text))


def _caption_year(text: str) -> str:
    """The year of a short line above a table (表1 2024年主要农产品产量)."""
    if len(text) > 60:
        return ""
    m = _YEAR.search(text)
    return m.group(1) if m else ""


@dataclass
class _Doc:
    layout: Layout
    lex: Lexicon
    facts: list[Fact] = field(default_factory=list)
    doc_year: str = ""
    section_year: str = ""
    title: str = ""  # the document's first line: the place it names is the document's own
    title_end: int = 0
    plan: bool = False  # inside a plan section (二、2025年目标任务)
    table: TableState = field(default_factory=TableState)
    _mark_cache: dict[tuple[int, int], tuple] = field(default_factory=dict)

    def period_at(self, para: Paragraph, pos: int | None = None) -> str:
        """The last year stated in the paragraph before ``pos``, else the section's or document's."""
        ends, years = self._marks(para)[0]
        k = len(ends) if pos is None else bisect_right(ends, pos)
        return years[k - 1] if k else (self.section_year or self.doc_year)

    def sub_year_at(self, para: Paragraph, pos: int) -> str:
        """The last sub-year period (上半年, 1-6月) stated before ``pos`` whose scope reaches ``pos``.

        A period that opens a sentence (``1-9月，全县…``) scopes the rest of the paragraph; one stated
        inside a sentence (``举行2020年第一季度招商项目签约仪式，共签约8个``, ``今年上半年海南…``
        after a dateline) only its own sentence: later sentences (``其中，洋浦以增速14.2%…``)
        are not about it.
        """
        ends, subs, limits = self._marks(para)[1]
        k = bisect_right(ends, pos)
        while k and limits[k - 1] <= pos:
            k -= 1
        return subs[k - 1] if k else ""

    def _marks(self, para: Paragraph) -> tuple[tuple[list[int], list[str]], tuple[list[int], list[str], list[int]]]:
        """The paragraph's year marks (end, value) and sub-year marks (end, value, scope end), scanned once.

        A fact asks for the last mark that ends before its number; scanning the paragraph for every
        fact made long paragraphs quadratic.
        """
        key = (para.start, para.end)
        cached = self._mark_cache.get(key)
        if cached is not None:
            return cached
        years = [(m.end(), m.group(1)) for m in _YEAR.finditer(self.layout.text, para.start, para.end)]
        work = self.layout.work
        subs: list[tuple[int, str]] = []
        basis_end = -1
        for m in self.lex.sub_year_re.finditer(work, para.start, para.end):
            before = work[m.start() - 1:m.start()]
            if m.group(1) and (before in ("比", "较", "由", "从") or (before and before in "和与、" and m.start() - 1 == basis_end)):
                # 增幅比上半年提高…, 较一季度和1-5月分别提高…, 由二季度的第12位上升到…: a basis or a
                # start, not the period
                basis_end = m.end()
                continue
            subs.append((m.end(), "".join((m.group(1) or "").split()), self._sub_year_limit(para, m)))
        cached = (([e for e, _ in years], [y for _, y in years]),
                  ([e for e, _, _ in subs], [v for _, v, _ in subs], [lim for _, _, lim in subs]))
        self._mark_cache[key] = cached
        return cached

    def _sub_year_limit(self, para: Paragraph, m: re.Match[str]) -> int:
        """Where a sub-year mark's scope ends: at the end of its own clause, or of the next clause when
        the mark is a clause of its own (``上半年，全县地区生产总值…亿元``).

        That is how the corpus gold names sub-year figures (dev split, 2026-12-03: of 408 found facts
        under a sub-year mark, the gold writes it in 1 of 104 after a full stop, 0 of 55 after a ；,
        15 of 107 in later clauses of the sentence, 43 of 113 in the clause after it (with the growth
        attached there, which keeps its level's name) and 17 of 29 in its own clause): 其中，制造业增长7.1%
        is named 制造业, not 上半年制造业.  The year stays in ``period``.
        """
        text = self.layout.work
        start = m.end()
        opening = _OPENING_TAIL.match(text, start)
        if opening:
            start = opening.end()
        end = _CLAUSE_END.search(text, start, para.end)
        return end.start() if end else para.end

    def paragraph(self, para: Paragraph) -> None:
        text = self.layout.text
        para_facts: list[Fact] = []
        # one scan per paragraph; a number and its unit never straddle a clause break
        found = find_quantities(self.layout.work, para.start, para.end, self.lex)
        speech = [(m.start(), m.end()) for m in _SPEECH.finditer(text, para.start, para.end)]
        if speech:
            # a speaker's words are no facts (“我们…考察了三次…。”), but the statistics an official quotes
            # are (“2022年全区实现地区生产总值92.54亿元、同比增长4.9%…。”): money and % stay
            found = [q for q in found if q.is_money or q.is_percent or not any(a <= q.start < b for a, b in speech)]
        k = 0
        carry: set[str] = set()
        open_scope = False
        for sm in _SENTENCE.finditer(text, para.start, para.end):
            if k >= len(found):
                break
            if found[k].start >= sm.end():
                continue
            sent = _Sentence(self, para, sm.start(), sm.end(), para_facts, prev_cats=carry, scoped=open_scope)
            for cm in _CLAUSE.finditer(text, sm.start(), sm.end()):
                qs = []
                while k < len(found) and found[k].start < cm.end():
                    qs.append(found[k])
                    k += 1
                if qs:
                    sent.clause(cm.start(), cm.end(), qs)
                elif text[cm.start():cm.end()].strip() == "其中":
                    sent.scoped = True  # 其中，A5个；B19个: the items share the previous verb
            para_facts.extend(apply_rules(text, sm.start(), sm.end(), sent.facts, para_facts,
                                          self.lex.breakdown_groups, self.lex.part_heads,
                                          None if para_facts else self.facts[-4:], self.lex.provinces,
                                          self.lex.project_outcomes))
            carry = sent.last_cats or (carry if sent.scoped else set())
            # a 其中 list runs on over ；until the sentence ends with 。
            open_scope = sent.scoped and text[sm.end() - 1:sm.end()] in "；;"
        self.facts.extend(para_facts)


@dataclass
class _Sentence:
    doc: _Doc
    para: Paragraph
    start: int
    end: int
    para_facts: list[Fact]
    facts: list[Fact] = field(default_factory=list)
    last_cats: set[str] = field(default_factory=set)
    prev_cats: set[str] = field(default_factory=set)  # the previous sentence's verb categories
    scoped: bool = False  # inside 其中 / …项目中: items continue the previous verb
    target_ends: list[int] | None = None  # see _target_ends
    # the name of the last absolute change dropped (X较上年同期增加358个) and where it ended: a % change with
    # no name right after it (，同比增长31.8%) is X's
    dropped: tuple[str, int] = ("", -1)

    # ------------------------------------------------------------ clause
    def clause(self, cs: int, ce: int, found: list[Quantity]) -> None:
        lex = self.doc.lex
        qs = [q for q in found if self._usable(q)]
        prev_end = cs
        while self.doc.layout.text[cs:cs + 1] == " ":
            cs += 1
        # 实施…项目86个，其中10亿元以上项目12个: 其中 continues the previous clause
        head_cats: set[str] = set()
        in_list = self.scoped or self.doc.layout.text.startswith("其中", cs)
        if in_list:
            # within the sentence the previous clause's verb; at its start the previous sentence's
            head_cats = set(self.last_cats if self.facts else self.prev_cats)
        shared = set(head_cats)
        stacked: list[Quantity] = []
        subject = ""  # the place noun of a scope count (77个县(市)) for the next quantity's name
        last_words = earlier_words = ""  # the words before the previous two quantities (brackets close over them)
        i = 0
        while i < len(qs):
            q = qs[i]
            words = unfurnish(self.doc.layout.text, self.doc.layout.work, prev_end, q.start)
            text_region = outside_brackets(words, last_words, earlier_words)
            if text_region is None:  # 磷矿石(折含P2O5 30%): a counting note, not a fact
                i += 1
                continue
            region = analyse(text_region, lex, rank=q.rank)
            if prev_end == cs or not head_cats:
                head_cats |= region.head_cats
            # an item's own verb wins over the clause's (改造老旧小区12个、惠及居民4300户)
            cats = region.head_cats | (head_cats & {"cumulative"}) if region.head_cats else head_cats
            if self._skip(q, region, cs):
                if region.streak and q.follower == "boundary":
                    prev_end = q.end  # 持续6个月稳居全市第一: the streak is no part of the next figure's words
                i += 1
                continue
            if q.follower == "stacked":
                stacked.append(q)
                prev_end = q.end
                i += 1
                continue
            scope = self._place_scope(q, qs[i + 1:], ce)
            if scope is not None:
                # 全省78个县(市)实现工业增加值2284.67亿元: the places are the subject; their count is
                # no fact, their noun names the metric's scope (县(市)工业增加值, not 区工业增加值)
                prev_end, subject = scope.end(), scope.group(1)
                i += 1
                continue
            if (q.follower == "noun" and i == len(qs) - 1 and not q.is_percent and not q.rank
                    and not (region.head_cats or region.verbs)
                    and _SCOPE_END.search(self.doc.layout.text, cs, ce)):
                # 38个工业行业大类中，有37个…: the count names the universe of what follows; with a verb
                # (签约的28个项目中，…) it is a count of its own
                prev_end = q.end
                i += 1
                continue
            if q.follower in ("noun", "of") and self._threshold(q, qs[i + 1:], region, ce):
                i += 1
                continue
            if q.follower == "noun" and len(qs) > i + 1 and text_region.rstrip().endswith(lex.document_place):
                prev_end = q.end  # 全镇12个行政村村集体经济收入全部达到20万元以上: a scope, not a fact
                i += 1
                continue
            if region.each or region.respectively:
                run = self._run(q, qs[i + 1:])
                self._multi(run, region, cats, cs)
                prev_end, last_words, earlier_words = run[-1].end, words, last_words
                i += len(run)
                continue
            if q.rank and not region.indicator and text_region.lstrip(" ，、").startswith("均") and self._all_ranked(q, cs):
                prev_end = q.end  # 分别增长8.6%、12.4%，均居全市第一: one rank for each item
                i += 1
                continue
            indicator = self._indicator(q, region, ce)
            if subject and indicator and not region.empty:
                indicator = subject + indicator
            subject = ""
            cm = _COMPLETION.search(text_region) if q.is_percent else None
            if cm:  # 完成年度计划的27.6% → 年度计划完成率
                indicator = clean(strip_head(cm.group(1), lex)) + "完成率"
            if not indicator:
                i += 1
                continue
            kind = self._kind(q, region, cats, indicator, ce)
            if kind is None:
                if region.sign and not q.is_percent and not region.empty:
                    self.dropped = (indicator, q.end)
                i += 1
                continue
            for sq in [*stacked, q]:
                self._emit(sq, indicator, kind, region, cs, frozenset(cats))
            stacked = []
            prev_end, last_words, earlier_words = q.end, words, last_words
            if region.empty and q.follower == "noun" and self.doc.layout.text.startswith(indicator, q.end):
                # 8个省级重点项目、19个市级重点产业项目: the noun after a count names it, so the next
                # item's words start after that noun
                prev_end += len(indicator)
            i += 1
        if in_list and "cumulative" not in shared:
            # 其中：A累计实现2828万千伏安；B实现产量303136吨: one item's 累计 is its own, not its siblings'
            head_cats.discard("cumulative")
        if head_cats:
            self.last_cats = head_cats
            if _SCOPE_END.search(self.doc.layout.text, cs, ce):
                self.scoped = True  # 签约的28个项目中，新能源项目11个: a scope for what follows

    def _all_ranked(self, q: Quantity, cs: int) -> bool:
        """均居全市第一 after a respectively-list: the rank of each item of that list."""
        if not self.facts:
            return False
        last = self.facts[-1]
        group = [f for f in self.facts if f.start == last.start and f.kind == last.kind and f.kind != "rank"]
        if len(group) < 2:
            return False
        suffixes = self.doc.lex.growth_suffixes
        for f in group:
            name = f.indicator + "增速" if f.kind == "growth" and not f.indicator.endswith(suffixes) else f.indicator
            self._emit(q, self._base(name), "rank", Region(indicator=""), cs)
        return True

    # ------------------------------------------------------------ filters
    def _usable(self, q: Quantity) -> bool:
        if q.is_date or (q.info is None and not q.rank):
            return False
        if q.chinese and not q.rank:
            unit = q.info.std if q.info else ""
            if q.follower != "boundary" or unit in ("年",) or (q.value == 1 and not q.is_percent):
                return False  # 三次产业, 五金, 一期, 三年: names and articles
        if q.unit == "周" and self.doc.layout.text.startswith("年", q.end):
            return False  # 成立75周年, 建县60周年: an anniversary
        if q.info is not None and q.info.std == "年" and not q.rank:
            text = self.doc.layout.text
            before = text[max(0, q.start - 2):q.start]
            if q.qualifier in ("at_least", "at_most") or before.endswith(("超过", "超", "不到", "不足", "逾")):
                return False  # 4年以上未清理, 闲置超过1年: a threshold, not a fact
        return True

    def _skip(self, q: Quantity, region: Region, cs: int) -> bool:
        text = self.doc.layout.text
        if region.streak:
            return True  # 连续N年 streaks are optional in gold
        if self.doc.lex.gap_re.search(text, cs, q.start):
            return True
        return any(end <= q.start for end in self._target_ends())

    def _target_ends(self) -> list[int]:
        """Where the sentence's plan cues (力争, 计划…; not the exceptions such as 计划总投资) end, found once."""
        if self.target_ends is None:
            targets = self.doc.lex.target_cues
            text = self.doc.layout.text
            self.target_ends = [m.end() for m in self.doc.lex.target_re.finditer(text, self.start, self.end)
                                if m.group() in targets
                                and not _PLAN_MADE.search(text, max(self.start, m.start() - 14), m.start())]
        return self.target_ends

    def _threshold(self, q: Quantity, later: list[Quantity], region: Region, ce: int) -> bool:
        """10亿元以上企业5家: a number inside a name, followed by the real count.

        Before 的: 过1000万元的企业15家, and with a bound and a count after it 总投资超10亿元的项目7个 (corpus
        85: the count is named 投资超10亿元的项目)."""
        work = self.doc.layout.work
        item_end = ce
        for sep in ("、", "，"):
            k = work.find(sep, q.end, ce)
            if k != -1:
                item_end = min(item_end, k)
        if q.follower == "of":
            bounded = region.qualifier in ("at_least", "at_most") and any(
                lq.start < item_end and lq.info is not None and lq.info.family == "count" for lq in later)
            return region.empty or bounded
        text = self.doc.layout.text
        # the count must follow the name directly: 5个“保交房”项目实现100%交付 is no threshold, and
        # an attribute of the things counted (40个重点项目总投资120亿元) makes the first number the count
        counted = q.info is not None and q.info.family == "count"
        attributes = self.doc.lex.attribute_words if counted else ()
        return any(lq.start < item_end and not _NOUN_CUT.search(text[q.end:lq.start])
                   and not any(w in text[q.end:lq.start] for w in attributes) for lq in later)

    def _place_scope(self, q: Quantity, later: list[Quantity], ce: int) -> re.Match[str] | None:
        """A count of places that is the clause's subject: 全省77个县(市)实现生产总值2135.01亿元.

        The count (个 or no unit) is followed by a place noun and then by the clause's own quantity
        before any clause break, so it scopes that quantity (facts.md: scopes are not facts).
        The match's end is where the next quantity's region starts; its group 1 is the place noun.
        """
        if q.rank or q.is_percent or (q.unit not in ("", "个")) or not later or later[0].start >= ce:
            return None
        return _PLACE_SCOPE.match(self.doc.layout.text, q.end, ce)

    # ------------------------------------------------------------ indicator
    def _noun_after(self, q: Quantity, ce: int) -> str:
        text = self.doc.layout.text[q.end:ce]
        m = _NOUN_CUT.search(text)
        return clean(text[: m.start()] if m else text)

    def _base(self, indicator: str) -> str:
        """An indicator without its sub-year prefix (上半年地区生产总值 → 地区生产总值)."""
        m = self.doc.lex.sub_year_re.match(indicator)
        return indicator[m.end():] if m and m.group(1) else indicator

    def _previous(self) -> Fact | None:
        if self.facts:
            return self.facts[-1]
        return self.para_facts[-1] if self.para_facts else None

    def _indicator(self, q: Quantity, region: Region, ce: int) -> str:
        prev = self._previous()
        if region.indicator in self.doc.lex.growth_suffixes and prev is not None:
            base = self._base(prev.indicator)
            return base if base.endswith(region.indicator) else base + region.indicator  # 上半年增速回落至5.2%
        if region.indicator in self.doc.lex.attribute_words and self.facts:
            last = self.facts[-1]  # 引进企业3家，总投资超50亿元: the investment of those firms
            if last.kind in ("added", "level", "cumulative") and last.unit_std not in ("元", "美元", "%"):
                return self._base(last.indicator) + region.indicator
        if (q.follower == "noun" and (not region.empty or region.head_verb) and q.info is not None
                and q.info.family == "count" and self.doc.layout.text.endswith("的", 0, q.start)):
            # 集中开工的40个重点项目总投资…: the verb phrase before 的 and the noun after the count name it (the
            # verb alone when it was all the words: 今天集中开工的40个重点项目)
            noun = _counted_noun_end(self.doc.lex).split(self._noun_after(q, ce), maxsplit=1)[0]
            return (region.indicator or region.head_verb) + noun
        if not region.empty and not (q.rank and region.subject_is_place):
            return region.indicator
        if q.rank and region.scope and (region.subject_is_place or self._previous() is None):
            return clean(strip_head(region.scope, self.doc.lex))  # 我市位列中国工业百强县（市）第45位
        prev = self._previous()
        if q.follower == "noun":
            noun = self._noun_after(q, ce)
            if q.is_percent and prev is not None:
                return prev.indicator + noun
            if not q.is_percent and not q.rank:
                # number first: 30幢1686套安置房主体结顶; none after a universe (432种产品中，348种实现增长)
                return noun or universe_before(self.doc.layout.text, self.start, q.start)
        if (region.empty and region.head_verb and q.follower == "boundary" and not q.is_percent and not q.rank
                and q.info is not None
                and (prev is None or prev.unit_std != q.info.std)):
            return region.head_verb  # 外出招商42批次, 追责问责17人: the activity is what is counted
        if q.rank:
            names = _LIST_NAME.findall(self.doc.layout.text, self.start, q.start)
            name = clean(_LIST_PREFIX.sub("", names[-1])) if names else ""
            if len(name) >= 2:
                return name
        if region.sign and q.info is not None and q.info.std == "%":  # a % change with no name of its own
            if self.dropped[0] and (prev is None or prev.end < self.dropped[1]):
                return self.dropped[0]  # 施工项目个数较上年同期增加358个，同比增长31.8%: the count's change
            sm = _SUBJECT_SHARE.fullmatch(self._base(self.facts[-1].indicator)) \
                if self.facts and self.facts[-1].kind == "rate" else None
            if sm:  # 煤炭开采和洗选业占比为95.56%，同比下降15.4%: the change of the share's subject
                return sm.group(1)
            # 为调整预算的96.5%，增长2.3%: a % change belongs to the amount, not to a share nor to a share's
            # change (…比重为7.6%，比上半年提高0.2个百分点；按可比价格计算，同比增长3.7%), also over ；
            prev = next((f for f in reversed(self.facts) if f.kind != "rate"), prev)
            if prev is not None and (prev.unit_std in ("百分点", "千分点") or prev.kind == "rank"):
                # nor to a rank, also over ； (X总量居全省第7位；同比增长5.5% → X)
                prev = next((f for f in reversed([*self.para_facts, *self.facts]) if f.kind not in ("rate", "rank")
                             and f.unit_std not in ("百分点", "千分点")), prev)
        return prev.indicator if prev is not None else ""

    # ------------------------------------------------------------ kind
    def _kind(self, q: Quantity, region: Region, cats: set[str], indicator: str, ce: int) -> str | None:
        lex = self.doc.lex
        if q.rank:
            return "rank"
        unit_std = q.info.std if q.info else ""
        if "cumulative" in cats and not q.is_percent and unit_std not in ("百分点", "千分点"):
            return "cumulative"  # a change or share is never a running total (累计增长5% is a growth)
        if region.sign:
            return "growth" if q.is_percent else None  # absolute changes are optional
        if unit_std in ("百分点", "千分点"):
            return "growth" if indicator.endswith(lex.growth_suffixes) else None
        if q.is_percent:
            if indicator.endswith(lex.growth_suffixes) and not indicator.endswith(lex.rate_overrides):
                return "growth"
            return "rate"
        if q.is_money or self._bare_money(q, indicator):
            return "level"
        if unit_std in lex.measures and region.verbs & set(lex.amount_verbs):
            if any(indicator.endswith(w) for w, c in lex.cues.items() if c == "added" and len(w) > 1):
                return "added"  # 完成植树造林650亩: the action itself was carried out
            return "level"  # 完成旧城改造面积35万平方米: an amount, not a count
        if "added" in cats or lex.new_added_re.search(indicator):
            return "added"
        if "level" in cats:
            return "level"
        if q.follower == "noun" and region.empty:
            noun = self._noun_after(q, ce)  # 30幢安置房主体结顶: completed in the period
            if any(v in noun for v in lex.added_suffix_verbs):
                return "added"
        return "level"

    # ------------------------------------------------------------ multi
    def _run(self, q: Quantity, later: list[Quantity]) -> list[Quantity]:
        """``第1、第2`` or ``5%和6%``: quantities separated only by 、/和."""
        text = self.doc.layout.text
        run = [q]
        for lq in later:
            gap = text[run[-1].end:lq.start]
            if not (_RUN_GAP.match(gap) or (q.is_percent and lq.is_percent and _RUN_VERB.match(gap))) or lq.rank != q.rank:
                break
            run.append(lq)
        return run

    def _run_sign(self, q: Quantity, previous: Quantity, region: Region) -> Region:
        """The region for a run's later number: its own change verb (…、下降4.8%) sets its sign."""
        m = _RUN_VERB.match(self.doc.layout.text[previous.end:q.start])
        if not m:
            return region
        return replace(region, sign=-1 if m.group(1) in ("下降", "下滑", "降低", "回落") else 1)

    def _paired(self, name: str) -> list[str]:
        """城乡居民人均可支配收入 → 城镇居民…, 农村居民… (``paired_names``)."""
        for word, (a, b) in self.doc.lex.paired_names.items():
            if word in name:
                return [name.replace(word, a, 1), name.replace(word, b, 1)]
        return []

    def _share_head(self, names: list[str]) -> list[str]:
        """船舶工业、水产加工总产值 → 船舶工业总产值, 水产加工总产值: items without a metric head take the
        one the last item writes (the longest of ``shared_heads`` that ends it)."""
        heads = self.doc.lex.shared_heads
        head = longest_head(names[-1], heads)
        if not head or any(n.endswith(heads) for n in names[:-1]):
            return names
        return [n + head for n in names[:-1]] + [names[-1]]

    def _multi(self, run: list[Quantity], region: Region, cats: set[str], cs: int) -> None:
        names = split_names(region.names_before, len(run))
        if region.each:
            for name in names or [region.indicator]:
                kind = self._kind(run[0], region, cats, name, cs)
                if kind:
                    self._emit(run[0], name, kind, region, cs, frozenset(cats))
            return
        if len(names) == 1 and len(run) == 2:
            names = self._paired(names[0]) or names
        if len(names) == len(run) > 1:
            names = self._share_head(names)
        # the clause's own word (增速分别达…) still says what kind of figure the items' names get
        kind_word = ""
        if len(names) != len(run) and (not names or names == [region.indicator]) and not self.facts:
            before = self._names_before_clause(cs, len(run))
            if before:
                names, kind_word = before, region.indicator
        if len(names) != len(run):
            prior = self.facts[-len(run):] if len(self.facts) >= len(run) else []
            if prior and len(names) == 1 and names[0] not in {self._base(f.indicator) for f in prior}:
                # 8个省级重点项目、19个市级重点产业项目全部开工，投资完成率分别为160%、121.8%: the metric of each
                names = [self._base(f.indicator) + names[0] for f in prior]
            else:
                names = [f.indicator for f in prior] if prior else [region.indicator or ""] * len(run)
        for k, (q, name) in enumerate(zip(run, names, strict=False)):
            own = self._run_sign(q, run[k - 1], region) if k else region
            kind = self._kind(q, own, cats, kind_word or name, cs) if name else None
            if kind:
                self._emit(q, name, kind, own, cs, frozenset(cats))

    def _bare_money(self, q: Quantity, indicator: str) -> bool:
        """A bare 亿/万 (no counting word) after a name of money (``money_names``): 生产总值56.7亿 is 56.7亿元."""
        return (q.info is not None and q.info.family == "count" and not q.info.std
                and indicator.endswith(self.doc.lex.money_names))

    def _names_before_clause(self, cs: int, count: int) -> list[str]:
        """The names of a 分别 list written in the clause before, with a predicate instead of numbers:
        ``汽车制造业、食品制造业、燃气生产和供应业三个行业增加值增势较好，分别增长89.2%、11.4%、159.4%`` →
        汽车制造业增加值, …; ``禽蛋产量、水果和蔬菜增长较快，增速分别达…`` → 禽蛋产量, 水果产量, 蔬菜产量.

        The last item loses the predicate (增势较好), the head before it (增加值, one of ``shared_heads``)
        and the count of the items (三个行业); the head, or the one an item writes, is every item's.
        Empty unless the clause holds no number and gives exactly ``count`` names.
        """
        text = self.doc.layout.text
        end = cs - 1
        start = max([text.rfind(c, self.start, end) for c in "，,：:"] + [self.start - 1]) + 1
        words = text[start:end]
        if not words or any(c.isdigit() for c in words):
            return []
        names = split_names(words, count)
        m = _LIST_PREDICATE.search(names[-1]) if len(names) == count else None
        if m is None:
            return []
        last = names[-1][:m.start()]
        heads = self.doc.lex.shared_heads
        head = longest_head(last, heads)
        last = _COUNTED_TAIL.sub("", last[:len(last) - len(head)])
        names = [clean(strip_head(n, self.doc.lex)) for n in [*names[:-1], last]]
        if not head:  # the one head the items write (禽蛋产量), when they write one
            written = {longest_head(n, heads) for n in names}
            written.discard("")
            head = written.pop() if len(written) == 1 else ""
        if not all(names):
            return []
        return [n if not head or n.endswith(heads) else n + head for n in names]

    def _without_own_place(self, indicator: str) -> str:
        """A name without the place the document is about: the title names 西藏自治区, so 西藏自治区第一产业增加值 is
        第一产业增加值, as 我区 or 全区 would be dropped; another place (昆明市 in a report on 云南省) stays."""
        if not self.doc.title:
            return indicator
        base = self._base(indicator)
        if base[:2] not in self.doc.title:
            return indicator  # a place of the title starts with two of its characters
        m = _HEAD_PLACE.match(base)
        if m is None or m.group(1) not in self.doc.title:
            return indicator
        return indicator[:len(indicator) - len(base)] + m.group(2)

    # ------------------------------------------------------------ emit
    def _emit(self, q: Quantity, indicator: str, kind: str, region: Region, cs: int,
              cats: frozenset[str] = frozenset()) -> None:
        text = self.doc.layout.text
        value = q.value
        if kind == "growth" and value > 0 and (region.sign < 0 or (
                not region.sign and q.is_percent and indicator.endswith(_FALL_NAMES))):
            value = -value  # 下降5%, and 降幅为5% (the size of a fall): a fall is negative
        if q.rank:
            unit, value_std, unit_std = q.unit, value, "位"
        else:
            info = q.info
            assert info is not None
            unit, value_std, unit_std = q.unit, scaled(value, info.multiplier), info.std
            if self._bare_money(q, indicator):
                unit_std = "元"  # 生产总值56.7亿: 亿元 without the 元
        qualifier = q.qualifier or region.qualifier or "exact"
        start = cs
        if region.empty and self.facts and kind in ("growth", "rank", "rate"):
            start = min(start, self.facts[-1].start)
        indicator = indicator.strip()
        if q.start > self.doc.title_end:  # the title itself names its place (2020年前三季度西藏自治区生产总值…)
            indicator = self._without_own_place(indicator)
        sub = self.doc.sub_year_at(self.para, q.start)
        if sub and sub in self._base(indicator):
            sub = ""  # 水口上半年累计完成产值: the period is written inside the name already
        elif sub:
            indicator = sub + self._base(indicator)
        else:  # a name taken with its period from the figure before (1-8月…亿元，同比增长6.2%)
            sub = indicator[:len(indicator) - len(self._base(indicator))]
        fact = Fact(
            indicator=indicator, value=value, unit=unit, value_std=value_std, unit_std=unit_std,
            kind=kind, qualifier=qualifier, period=self.doc.period_at(self.para, q.start),
            quote=text[start:q.end], start=start, end=q.end,
            extra={"sub": sub, "number_start": q.start, "verbless": not (region.head_cats or region.verbs or cats)},
        )
        self.facts.append(fact)


def with_period(facts: list[Fact], period: str) -> list[Fact]:
    """Fill an empty period (e.g. from ``--period``)."""
    return [f if f.period else replace(f, period=period) for f in facts]
