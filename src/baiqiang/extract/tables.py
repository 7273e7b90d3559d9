"""Table rows of statistical bulletins.

A bulletin table is a header (``指标  单位  绝对数  比上年增长(%)``) and rows
(``地区生产总值  亿元  731.1  6.5``).  Layout repair keeps each row on its own
line; this module reads one row at a time with the header seen last.  The
indicator is the row label without inner spaces and markers (``#``, ``一、``,
``其中：``); a column whose header mentions growth (增长, 增速, 比上年, ±%)
gives a growth fact in %, a column about shares (比重, 占) a rate, any other
numeric column a level in the row's unit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from baiqiang.extract.lexicon import Lexicon
from baiqiang.extract.model import Fact
from baiqiang.extract.numbers import parse_number, scaled

_NUMERIC = re.compile(r"^[-+−]?\d+(?:,\d{3})*(?:\.\d+)?%?$")
_MARKERS = re.compile(r"^(?:[#＃*]+|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[）)]|\d+[.、]|其中[:：]?)")
_GROWTH_HEAD = ("增长", "增速", "比上年", "±", "增减", "同比")
_RATE_HEAD = ("比重", "占", "率")
_UNIT_HEAD = ("单位", "计量单位")
_DEFAULT_UNIT = re.compile(r"单位[:：]\s*(\S+)")


@dataclass
class TableState:
    """The header of the table being read, if any."""

    roles: list[str] = field(default_factory=list)  # per column after the label
    default_unit: str = ""
    caption_year: str = ""


def caption_unit(text: str) -> str:
    """The unit a short caption gives its table (表3 存贷款余额（单位：亿元）)."""
    if len(text) > 60:
        return ""
    m = _DEFAULT_UNIT.search(text)
    return m.group(1).strip("）)") if m else ""


def is_header(cells: list[str]) -> bool:
    """A header row: no numbers, and words like 单位 or 增长."""
    return not any(_NUMERIC.match(c) for c in cells) and any(
        any(w in c for w in (*_UNIT_HEAD, *_GROWTH_HEAD, "绝对数", "总量", "数量", "指标")) for c in cells)


def _role(cell: str) -> str:
    if any(w in cell for w in _UNIT_HEAD):
        return "unit"
    if any(w in cell for w in _GROWTH_HEAD):
        return "growth"
    if any(w in cell for w in _RATE_HEAD):
        return "rate"
    return "level"


def _split(line: str, lex: Lexicon) -> tuple[str, list[str]]:
    """Row label (inner spaces removed) and the remaining cells."""
    tokens = line.split()
    idx = next((i for i, t in enumerate(tokens) if i > 0 and (_NUMERIC.match(t) or t in lex.units)), len(tokens))
    label = "".join(tokens[:idx])
    while True:
        m = _MARKERS.match(label)
        if not m or m.end() == 0:
            break
        label = label[m.end():]
    return label.strip("：: "), tokens[idx:]


def table_facts(text: str, start: int, end: int, lex: Lexicon, state: TableState, period: str) -> list[Fact]:
    """Facts of one table line (a header line updates ``state`` and gives none)."""
    line = text[start:end]
    m = _DEFAULT_UNIT.search(line)
    if m:
        state.default_unit = m.group(1).strip("）)")
    cells = line.split()
    if is_header(cells):
        state.roles = [_role(c) for c in cells[1:]]
        return []
    label, rest = _split(line, lex)
    if not label or not rest:
        return []
    roles = state.roles or ["unit", "level", "growth"]
    unit = state.default_unit
    values: list[tuple[str, str]] = []
    cols = iter(roles)
    for cell in rest:
        role = next(cols, "level")
        if not _NUMERIC.match(cell):
            if cell in lex.units:
                unit = cell
            if role != "unit":
                cols = iter(roles[roles.index(role) + 1:] if role in roles else [])
            continue
        if role == "unit":
            role = next(cols, "level")
        values.append((role, cell))
    return [f for role, cell in values if (f := _fact(label, role, cell, unit, lex, period, text, start, end))]


def _fact(label: str, role: str, cell: str, unit: str, lex: Lexicon, period: str,
          text: str, start: int, end: int) -> Fact | None:
    try:
        value = parse_number(cell.rstrip("%"))
    except ValueError:
        return None
    if role in ("growth", "rate"):
        unit = "%"
    info = lex.units.get(unit)
    mult, std = (info.multiplier, info.std) if info else (1.0, unit)
    kind = role if role in ("growth", "rate") else "level"
    if kind == "level" and label.endswith(lex.rate_suffixes):
        kind = "rate"
    return Fact(indicator=label, value=value, unit=unit, value_std=scaled(value, mult), unit_std=std,
                kind=kind, qualifier="exact", period=period, quote=text[start:end], start=start, end=end)
