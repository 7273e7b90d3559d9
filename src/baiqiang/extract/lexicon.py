"""Lexicons: the extraction rules that are data.

Every word list the extractor uses lives in a YAML file in
``baiqiang/extract/lexicon/``.  :func:`load_lexicon` reads them, checks their
shape and compiles them into :class:`Lexicon`, a frozen bundle of word sets and
regular expressions.  To extend a list, add words to the YAML file; to use a
private list, pass ``directory=`` (missing files fall back to the packaged ones).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from baiqiang.errors import BaiqiangError, Problem

FILES = ("units", "kinds", "qualifiers", "context", "indicators")


@dataclass(frozen=True)
class UnitInfo:
    """What a unit word means: its standard unit, multiplier and family."""

    word: str
    std: str
    multiplier: float
    family: str  # "money" | "percent" | "count"


@dataclass(frozen=True, eq=False)
class Lexicon:
    """All extraction word lists, compiled."""

    units: dict[str, UnitInfo]
    unit_pattern: str
    rank_units: frozenset[str]
    cues: dict[str, str]  # word -> category (added, level, growth_up, ...)
    cue_re: re.Pattern[str]
    not_cues: tuple[str, ...]
    growth_suffixes: tuple[str, ...]
    rate_suffixes: tuple[str, ...]
    rate_overrides: tuple[str, ...]
    added_suffix_verbs: tuple[str, ...]
    qual_before: dict[str, str]
    qual_after: dict[str, str]
    qual_inside: dict[str, str]
    head_strip_re: re.Pattern[str]
    comparisons_re: re.Pattern[str]
    gap_cues: tuple[str, ...]
    target_cues: tuple[str, ...]
    post_unit_nouns: tuple[str, ...]
    document_place: tuple[str, ...]
    measures: frozenset[str]
    amount_verbs: tuple[str, ...]
    new_added_re: re.Pattern[str]
    tail_re: re.Pattern[str]
    not_cue_tail_re: re.Pattern[str]
    gap_re: re.Pattern[str]
    target_re: re.Pattern[str]
    plan_headings: tuple[str, ...]
    sub_year_re: re.Pattern[str]
    comparison_period_re: re.Pattern[str]  # 比上半年, 较1-8月 at the end of a region
    cumulative_words: tuple[str, ...]
    attribute_words: tuple[str, ...]  # 总投资, 面积: after a count they take its name
    shared_heads: tuple[str, ...]  # 总产值, 增加值: the metric that items listed before 分别 share
    part_heads: tuple[str, ...]  # 增加值, 产量: the output a sector named after 其中 takes from its whole
    money_names: tuple[str, ...]  # 生产总值, 投资: names whose bare 亿/万 (56.7亿) is an amount of 元
    provinces: tuple[str, ...]  # 江苏, 浙江: province names written without 省
    project_outcomes: tuple[str, ...]  # 年产值, 利税: what a named project yields, named by the project
    breakdown_groups: tuple[str, ...]  # 男性, 县属企业: parts that name no metric of their own
    example_cut_re: re.Pattern[str]  # A、B等 (examples) before the counted noun
    paired_names: dict[str, tuple[str, str]]
    tail_cats: dict[str, str]
    indicators: dict[str, dict[str, Any]] = field(default_factory=dict)


def _alternation(words: list[str] | tuple[str, ...] | set[str]) -> str:
    """A regex alternation that tries longer words first."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))


def _read(directory: Path | None, name: str) -> dict[str, Any]:
    if directory is not None and (directory / f"{name}.yaml").exists():
        path = directory / f"{name}.yaml"
        text = path.read_text(encoding="utf-8")
    else:
        path = Path(f"lexicon/{name}.yaml")
        text = resources.files("baiqiang.extract").joinpath(f"lexicon/{name}.yaml").read_text("utf-8")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise BaiqiangError.single(str(path), f"YAML 无法解析：{exc}", "yaml") from None
    if not isinstance(data, dict):
        raise BaiqiangError.single(str(path), "词表文件必须是一个映射（mapping）", "shape")
    return data


def _words(data: dict[str, Any], key: str, where: str, problems: list[Problem]) -> tuple[str, ...]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(w, str) and w for w in value):
        problems.append(Problem(f"{where}: {key}", "必须是非空字符串列表", "shape"))
        return ()
    return tuple(value)


def _units(data: dict[str, Any], problems: list[Problem]) -> dict[str, UnitInfo]:
    units: dict[str, UnitInfo] = {}
    for word, spec in (data.get("money") or {}).items():
        if not (isinstance(spec, list) and len(spec) == 2):
            problems.append(Problem(f"units.yaml: money.{word}", "应为 [倍数, 标准单位]", "shape"))
            continue
        units[word] = UnitInfo(word, str(spec[1]), float(spec[0]), "money")
    for word, std in (data.get("percent") or {}).items():
        units[str(word)] = UnitInfo(str(word), str(std), 1.0, "percent")
    for word, spec in (data.get("percent_multiples") or {}).items():
        if not (isinstance(spec, list) and len(spec) == 2):
            problems.append(Problem(f"units.yaml: percent_multiples.{word}", "应为 [倍数, 标准单位]", "shape"))
            continue
        units[str(word)] = UnitInfo(str(word), str(spec[1]), float(spec[0]), "percent")
    prefixes = {str(k): float(v) for k, v in (data.get("prefixes") or {}).items()}
    for prefix, mult in prefixes.items():
        # a bare 万/亿 after a number (游客100万, 产值943亿): scale, no counting word
        units.setdefault(prefix, UnitInfo(prefix, "", mult, "count"))
    for word in _words(data, "counters", "units.yaml", problems):
        units.setdefault(word, UnitInfo(word, word, 1.0, "count"))
        for prefix, mult in prefixes.items():
            units.setdefault(prefix + word, UnitInfo(prefix + word, word, mult, "count"))
    return units


def _pairs(ctx: dict[str, Any], problems: list[Problem]) -> dict[str, tuple[str, str]]:
    out: dict[str, tuple[str, str]] = {}
    for word, pair in (ctx.get("paired_names") or {}).items():
        if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(x, str) and x for x in pair)):
            problems.append(Problem(f"context.yaml: paired_names.{word}", "应为 [名称1, 名称2]", "shape"))
            continue
        out[str(word)] = (pair[0], pair[1])
    return out


def _cues(kinds: dict[str, Any], quals: dict[str, Any], problems: list[Problem]) -> dict[str, str]:
    cues: dict[str, str] = {}
    for cat in ("level", "added", "growth_up", "growth_down", "cumulative"):
        for word in _words(kinds, cat, "kinds.yaml", problems):
            cues[word] = cat
    for word in _words(kinds, "rank_verbs", "kinds.yaml", problems):
        cues.setdefault(word, "rank_verb")
    for word in quals.get("before", {}) or {}:
        cues.setdefault(word, "qualifier")
    return cues


def build_lexicon(tables: dict[str, dict[str, Any]]) -> Lexicon:
    """Compile raw YAML tables (keyed by file stem) into a :class:`Lexicon`."""
    problems: list[Problem] = []
    units_d, kinds, quals, ctx = (tables[k] for k in ("units", "kinds", "qualifiers", "context"))
    units = _units(units_d, problems)
    cues = _cues(kinds, quals, problems)
    heads = [*_words(ctx, "document_place", "context.yaml", problems),
             *_words(ctx, "time_phrases", "context.yaml", problems),
             *_words(ctx, "adverbs", "context.yaml", problems),
             *(w for w, c in cues.items() if c in ("level", "added", "cumulative"))]
    comparisons = _words(ctx, "comparisons", "context.yaml", problems)
    indicators = tables.get("indicators", {}).get("indicators", {}) or {}
    tail_cats = _tail_categories(cues, quals, comparisons, _words(ctx, "tail_links", "context.yaml", problems))
    if problems:
        raise BaiqiangError(problems, summary="词表（lexicon）有误")
    return Lexicon(
        units=units,
        unit_pattern=_alternation(units),
        rank_units=frozenset(_words(units_d, "rank_units", "units.yaml", problems)),
        cues=cues,
        cue_re=re.compile(_alternation(cues)),
        not_cues=_words(kinds, "not_cues", "kinds.yaml", problems),
        growth_suffixes=_words(kinds, "growth_suffixes", "kinds.yaml", problems),
        rate_suffixes=_words(kinds, "rate_suffixes", "kinds.yaml", problems),
        rate_overrides=_words(kinds, "rate_overrides", "kinds.yaml", problems),
        added_suffix_verbs=_words(kinds, "added_suffix_verbs", "kinds.yaml", problems),
        qual_before={str(k): str(v) for k, v in (quals.get("before") or {}).items()},
        qual_after={str(k): str(v) for k, v in (quals.get("after") or {}).items()},
        qual_inside={str(k): str(v) for k, v in (quals.get("inside") or {}).items()},
        head_strip_re=re.compile(f"^(?:{_alternation(heads)}|[，、：:\\s和及与的])"),
        comparisons_re=re.compile(f"(?:{_alternation(comparisons)})$"),
        gap_cues=_words(ctx, "gap_cues", "context.yaml", problems),
        target_cues=_words(ctx, "target_cues", "context.yaml", problems),
        post_unit_nouns=_words(ctx, "post_unit_nouns", "context.yaml", problems),
        document_place=_words(ctx, "document_place", "context.yaml", problems),
        measures=frozenset(_words(units_d, "measures", "units.yaml", problems)),
        amount_verbs=_words(kinds, "amount_verbs", "kinds.yaml", problems),
        new_added_re=re.compile(_alternation([w for w, c in cues.items() if c == "added" and w.startswith("新")])),
        tail_re=re.compile(f"(?:{_alternation(tail_cats)})$"),
        not_cue_tail_re=re.compile(f"(?:{_alternation(_words(kinds, 'not_cues', 'kinds.yaml', problems))})$"),
        gap_re=re.compile(_alternation(_words(ctx, "gap_cues", "context.yaml", problems))),
        # exceptions first in the alternation when longer, so 完成年度计划 wins over 计划
        target_re=re.compile(_alternation([*_words(ctx, "target_cues", "context.yaml", problems),
                                           *_words(ctx, "target_exceptions", "context.yaml", problems)])),
        plan_headings=_words(ctx, "plan_headings", "context.yaml", problems),
        paired_names=_pairs(ctx, problems),
        # group 1: a sub-year period; no group 1: a reset (全年)
        sub_year_re=re.compile(
            rf"((?:{_alternation(_words(ctx, 'sub_year_periods', 'context.yaml', problems))})"
            r"|(?<!\d)\d{1,2}\s*[-—–~至到]\s*\d{1,2}\s*月(?!\d*日)|前\d{1,2}个?月)"
            rf"|{_alternation(_words(ctx, 'sub_year_resets', 'context.yaml', problems))}"),
        comparison_period_re=re.compile(
            rf"(?:比|较)(?:{_alternation(_words(ctx, 'sub_year_periods', 'context.yaml', problems))}"
            r"|\d{1,2}\s*[-—–~至到]\s*\d{1,2}\s*月|前\d{1,2}个?月|上月|上季度|上季末|上月末"
            # a year as the basis, also masked on the host (比2019年, 较2020年同期, 比20xx年)
            r"|(?:19|20)[\dxX×＊*]{2}\s*年(?:同期|末|底)?)$"),
        cumulative_words=_words(kinds, 'cumulative', 'kinds.yaml', problems),
        attribute_words=_words(ctx, 'attribute_words', 'context.yaml', problems),
        shared_heads=_words(ctx, 'shared_heads', 'context.yaml', problems),
        part_heads=_words(ctx, 'part_heads', 'context.yaml', problems),
        money_names=_words(ctx, 'money_names', 'context.yaml', problems),
        provinces=_words(ctx, 'provinces', 'context.yaml', problems),
        project_outcomes=_words(ctx, 'project_outcomes', 'context.yaml', problems),
        breakdown_groups=_words(ctx, 'breakdown_groups', 'context.yaml', problems),
        example_cut_re=re.compile(
            rf"^.*(?<![{''.join(_words(ctx, 'example_not_before', 'context.yaml', problems))}])等"
            rf"(?![{''.join(_words(ctx, 'example_not_after', 'context.yaml', problems))}])"),
        tail_cats=tail_cats,
        indicators=indicators,
    )


def _tail_categories(cues: dict[str, str], quals: dict[str, Any], comparisons: tuple[str, ...],
                     links: tuple[str, ...]) -> dict[str, str]:
    """Words that may end the text before a number, each with its role."""
    cats = {w: "link" for w in links}
    cats.update({w: "comparison" for w in comparisons})
    cats.update(cues)
    cats.update({w: "qualifier" for w in quals.get("before", {}) or {}})
    cats.update({"各": "each", "分别": "respectively", "分别为": "respectively", "分别是": "respectively",
                 "分别达": "respectively", "分别达到": "respectively"})
    return cats


@lru_cache(maxsize=8)
def _load_cached(directory: str | None) -> Lexicon:
    path = Path(directory) if directory else None
    return build_lexicon({name: _read(path, name) for name in FILES})


def load_lexicon(directory: str | Path | None = None) -> Lexicon:
    """Load the packaged lexicons, or those in ``directory`` where present."""
    return _load_cached(str(directory) if directory is not None else None)
