"""Table rows of statistical bulletins.

A bulletin table is a header (``指标  单位  绝对数  比上年增长(%)``) and rows
(``地区生产总值  亿元  731.1  6.5``).  Layout repair keeps each row on its own
line; this module reads one row at a time with the header seen last.  The
indicator is the row label without inner spaces and markers (``#``, ``一、``,
``其中：``); a column whose header mentions growth (增长, 增速, 比上年, ±%)
gives a growth fact in %, a column about shares (比重, 占, 构成) a rate, any other
numeric column a level in the row's unit, else the unit its header cell gives in
brackets (``绝对数(万元)``), else the table's default unit (``单位：万元``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from baiqiang.extract.lexicon import Lexicon
from baiqiang.extract.model import Fact
from baiqiang.extract.numbers import parse_number, scaled

_NUMERIC = re.compile(r"^[-+−]?\d+(?:,\d{3})*(?:\.\d+)?%?$")
_MARKERS = re.compile(r"^(?:[#＃*]+|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[）)]|\d+[.、]|其中[:：]?)")
_GROWTH_HEAD = ("增长", "增速", "比上年", "±", "增减", "同比")
_RATE_HEAD = ("比重", "占", "率", "构成")
_UNIT_HEAD = ("单位", "计量单位")
_DEFAULT_UNIT = re.compile(r"单位[:：]\s*([^\s，,、；;）)]+)")
_PIPES = re.compile(r"[|｜\s]+")


@dataclass
class TableState:
    """The header of the table being read, if any."""

    roles: list[str] = field(default_factory=list)  # per column after the label
    units: list[str] = field(default_factory=list)  # the unit each header cell gives in brackets, or ""
    default_unit: str = ""
    caption_year: str = ""
    added: bool = False  # the caption counts additions (表1 规上工业新增单位情况): its levels are added
    subject: str = ""  # what the caption counts (规上工业新增单位), the metric of rows that are places


_CAPTION_SUBJECT = re.compile(r"^表\s*\d+\s*(?:\d{4}年)?(?:\d{1,2}(?:-\d{1,2})?月份?|上半年|前三季度|[一二三四]季度)?"
                              r"(?P<subject>[^\d\s，。；:：()（）]{2,20}?)(?:情况表|情况|统计表|表)?$")


def caption_subject(text: str) -> str:
    """What a numbered caption counts, without its period and 情况: 表1 2021年1-6月规上工业新增单位情况 →
    规上工业新增单位.  Rows of places (地区 | …) name no metric of their own; this is their metric."""
    m = _CAPTION_SUBJECT.match("".join(text.split()))
    return m.group("subject") if m else ""


def caption_unit(text: str) -> str:
    """The unit a short caption gives its table (表3 存贷款余额（单位：亿元）)."""
    text = "".join(text.split())
    if len(text) > 60:
        return ""
    m = _DEFAULT_UNIT.search(text)
    return m.group(1).strip("）)") if m else ""


def is_header(cells: list[str]) -> bool:
    """A header row: no numbers, and words like 单位 or 增长."""
    return not any(_NUMERIC.match(c) for c in cells) and any(
        any(w in c for w in (*_UNIT_HEAD, *_GROWTH_HEAD, "绝对数", "绝对值", "总量", "数量", "指标", "名称")) for c in cells)


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
    tokens = [c for c in _PIPES.split(line) if c]
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
    cells = [c for c in _PIPES.split(line) if c]
    if is_header(cells):
        state.roles = [_role(c) for c in cells[1:]]
        state.units = [column(c).unit for c in cells[1:]]
        return []
    label, rest = _split(line, lex)
    if not label or not rest:
        return []
    row_unit = ""
    numbers = []
    for cell in rest:
        if _NUMERIC.match(cell):
            numbers.append(cell)
        elif cell in lex.units:
            row_unit = cell
    values = zip(_value_columns(state.roles, state.units, len(numbers)), numbers)
    return [f for (role, col_unit), cell in values
            if (f := _fact(label, role, cell, row_unit or col_unit or state.default_unit, lex, period, text, start, end))]


def _value_columns(roles: list[str], units: list[str], n: int) -> list[tuple[str, str]]:
    """The role and header unit of a row's ``n`` numbers: the header's last ``n`` value columns.

    Taking them from the right keeps the columns aligned when the header's label cell has inner
    spaces (指  标 2024年 比上年增长) and when a unit column holds a word, not a number.  Without a
    header the columns are a level, then a growth.
    """
    columns = [(r, u) for r, u in zip(roles, units) if r != "unit"]  # both set by the same header
    if not columns:
        return [(r, "") for r in (["level", "growth"] + ["level"] * n)[:n]]
    return columns[-n:] if len(columns) >= n else columns + [("level", "")] * (n - len(columns))


def _fact(label: str, role: str, cell: str, unit: str, lex: Lexicon, period: str,
          text: str, start: int, end: int, absolute: bool = False) -> Fact | None:
    """A table cell's fact; ``absolute``: the column's own unit (增减(家)) is kept for a change, not %."""
    try:
        value = parse_number(cell.rstrip("%"))
    except ValueError:
        return None
    if role in ("growth", "rate") and not (absolute and unit and unit != "%"):
        unit = "%"
    info = lex.units.get(unit)
    mult, std = (info.multiplier, info.std) if info else (1.0, unit)
    kind = role if role in ("growth", "rate") else "level"
    if kind == "level" and label.endswith(lex.rate_suffixes):
        kind = "rate"
    return Fact(indicator=label, value=value, unit=unit, value_std=scaled(value, mult), unit_std=std,
                kind=kind, qualifier="exact", period=period, quote=text[start:end].replace("\n", ""), start=start,
                end=end)


# ------------------------------------------------------------------ cell streams
# A table flattened into running text: cells separated by pipes (one row a line, one cell a line,
# or the whole table on one line), tabs or full-width spaces.  The header names the columns
# (指标名称 | 本月 | 同比% | 累计 | 同比%); every row label is followed by at most one number per column.

_SEPARATOR = re.compile(r"\s*[|｜\t\u3000\n]+\s*")
_LABEL_COLUMN = re.compile(r"^(?:指标名称|指标|行业名称|行业|项目|名称|类别|地区|产品名称|单位名称)$")
_COLUMN_UNIT = re.compile(r"[（(]\s*([^（）()]{1,6})\s*[）)]|(%)$")
_CUMULATIVE_HEAD = ("累计",)
#: column names that say nothing beyond the row label (the value is the label's own)
_GENERIC_COLUMNS = frozenset({"绝对值", "绝对数", "数值", "总量", "数量", "金额", "本年", "全年", "年末数", "年底数", "增长", "比上年增长",
                              "比上年增长%", "比上年±%", "增长%", "比上年增减%"})
#: a column named by a sub-year period (1-6月, 1—6月份, 上半年): the table's own figures
_PERIOD_COLUMN = re.compile(r"^(?:\d{1,2}\s*[-—–~至]\s*\d{1,2}月份?|上半年|下半年|前三季度|[一二三四]季度)$")
_BASIS_COLUMN = re.compile(r"^(?:上年同期|去年同期|上年|去年)$")
_MODIFIER_ROWS = re.compile(r"^(?:规模以上|规上|限额以上|限上|城镇|农村|乡村|国有|民营|私营|外资|县属|市属)$")
_UNIT_LIST = re.compile(r"单位[:：]\s*([^|｜\t\u3000]+)")
_MIN_PIPES = 6
_EMPTY_CELL = re.compile(r"^[-—–─]+$")  # 合计 | 266 | —— : no value in that column


@dataclass(frozen=True)
class Cell:
    """A cell of a flattened table: its text (inner spaces kept) and offsets in the text."""

    text: str
    start: int
    end: int

    @property
    def numeric(self) -> bool:
        return bool(_NUMERIC.match(self.text.replace(" ", "")))


@dataclass(frozen=True)
class Column:
    """A value column: its name (spaces removed, unit dropped), role and unit if the header gives one."""

    name: str
    role: str  # level, growth, rate, cumulative
    unit: str


def split_cells(text: str, start: int, end: int) -> list[Cell]:
    """The cells of ``text[start:end]`` between separators (pipes, tabs, full-width spaces)."""
    cells, pos = [], start
    for m in _SEPARATOR.finditer(text, start, end):
        if m.start() > pos:
            cells.append(Cell(text[pos:m.start()].strip(), pos, m.start()))
        pos = m.end()
    if pos < end:
        cells.append(Cell(text[pos:end].strip(), pos, end))
    return [c for c in cells if c.text]


def is_cell_stream(text: str, start: int, end: int) -> bool:
    """A paragraph that is a flattened table: many pipes and numeric cells."""
    return text.count("|", start, end) + text.count("｜", start, end) >= _MIN_PIPES


def column(cell: str) -> Column:
    """The role and unit a header cell gives its column (现价 (万元), 同比%, 行业占 比(%), 累计)."""
    squeezed = "".join(cell.split())
    m = _COLUMN_UNIT.search(squeezed)
    unit = (m.group(1) or m.group(2)) if m else ""
    name = _COLUMN_UNIT.sub("", squeezed).rstrip("（(")  # 比重( %: a bracket lost its partner on the host
    if any(w in name for w in _CUMULATIVE_HEAD):
        role = "cumulative"
    elif any(w in name for w in _GROWTH_HEAD):
        role = "growth"
    elif any(w in name for w in _RATE_HEAD):
        role = "rate"
    else:
        role = "level"
    if unit == "%" and role in ("level", "cumulative"):
        role = "rate"
    return Column(name, role, unit)


def _header(cells: list[Cell]) -> tuple[int, list[Column], int] | None:
    """Where the first row label is and the value columns, from the last label-column header cell."""
    first_number = next((i for i, c in enumerate(cells) if c.numeric and i > 0 and not cells[i - 1].numeric
                         and any(_LABEL_COLUMN.match("".join(x.text.split())) for x in cells[:i])), None)
    if first_number is None:
        return None
    h = max(i for i in range(first_number) if _LABEL_COLUMN.match("".join(cells[i].text.split())))
    names = cells[h + 1:first_number - 1]
    if not names or any(c.numeric for c in names):
        return None
    return first_number - 1, _shared_unit([column(c.text) for c in names]), cells[h].start, "".join(cells[h].text.split())


def _shared_unit(columns: list[Column]) -> list[Column]:
    """A level column without a unit takes the one counter the other columns name (1-6月 | 增减(家)): a
    header writes the unit once, on the column where it is not obvious."""
    units = {c.unit for c in columns if c.unit and c.unit != "%"}
    if len(units) != 1:
        return columns
    unit = units.pop()
    return [replace(c, unit=unit) if not c.unit and c.role == "level" else c for c in columns]


def _row_label(label: str, parent: str) -> tuple[str, str]:
    """The indicator of a row (markers and inner spaces removed) and the parent for 其中 rows."""
    squeezed = "".join(label.split())
    sub = squeezed.startswith("其中")
    while (m := _MARKERS.match(squeezed)) and m.end() > 0:
        squeezed = squeezed[m.end():]
    squeezed = squeezed.strip("：: ")
    if sub and parent and _MODIFIER_ROWS.match(squeezed):
        return squeezed + parent, parent  # 其中:规模以上 under 工业总产值 → 规模以上工业总产值
    return squeezed, (parent if sub else squeezed)


def _column_name(label: str, col: Column, previous: Column | None, subject: str = "") -> str:
    """A row's name in one column: the label, then the caption's ``subject`` for rows of places, then
    what the column adds (现价, 增减).

    A column named by the table's own period (``1-6月`` beside ``上年同期``) adds nothing, and a basis
    period (上年同期) stands between the place and the subject, as the corpus gold names them (94:
    柳州市新增规上工业单位, 全区上年同期新增规上工业单位).
    """
    if col.name in _GENERIC_COLUMNS or _PERIOD_COLUMN.match(col.name):
        return label + subject
    name = col.name
    if subject and _BASIS_COLUMN.match(name):
        return label + name + subject
    if col.role == "growth" and previous is not None and previous.role == "cumulative" and "累计" not in name:
        name = "累计" + name  # 累计 | 同比%: the growth of the cumulative figure
    return label + subject + name


def _row_unit(label: str, col: Column, units: list[str], lex: Lexicon) -> str:
    if col.unit:
        return col.unit
    if col.role in ("growth", "rate"):
        return "%"
    counters = [u for u in units if u in lex.units and lex.units[u].family != "money"]
    money = [u for u in units if u in lex.units and lex.units[u].family == "money"]
    if label.endswith("数") and counters:
        return counters[0]  # 企业单位数 in a table of 单位:个、万元
    return (money or units or [""])[0]


def stream_facts(text: str, start: int, end: int, lex: Lexicon, period: str,
                 default_unit: str = "", added: bool = False, subject: str = "") -> tuple[int, list[Fact]]:
    """Where a flattened table in ``text[start:end]`` starts (its header cell) and its facts.

    ``(end, [])`` when no header is found: the paragraph is prose.  ``added``: the caption counts
    additions, so its level columns are ``added``; ``subject`` (the caption's, see `caption_subject`)
    follows the label of rows that are places (label column 地区).  A dash cell (——, -) is an empty value.
    """
    cells = split_cells(text, start, end)
    found = _header(cells)
    if found is None:
        return end, []
    first, columns, header_start, label_column = found
    subject = subject if label_column == "地区" else ""
    m = _UNIT_LIST.search(text, start, cells[first].start)
    listed = m.group(1) if m else default_unit
    units = [u for u in re.split(r"[、,，/\s]+", listed.strip("（）() ")) if u and u != "%"]
    facts: list[Fact] = []
    label, parent, row_start, col_index = "", "", start, 0
    for cell in cells[first:]:
        if _EMPTY_CELL.match(cell.text):
            col_index += 1
            continue
        if not cell.numeric:
            if any(p in cell.text for p in "，。；"):
                break  # prose after the table
            label, parent = _row_label(cell.text, parent)
            row_start, col_index = cell.start, 0
            continue
        if not label or col_index >= len(columns):
            continue
        col = columns[col_index]
        previous = columns[col_index - 1] if col_index else None
        col_index += 1
        unit = _row_unit(label + subject, col, units, lex)
        fact = _fact(_column_name(label, col, previous, subject), col.role, cell.text.replace(" ", ""), unit, lex, period,
                     text, row_start, cell.end, absolute=bool(col.unit))
        if fact is not None:
            if col.role == "cumulative":
                fact = replace(fact, kind="cumulative")
            elif added and fact.kind == "level":
                fact = replace(fact, kind="added")
            facts.append(fact)
    return _prose_end(text, start, header_start), facts


def _prose_end(text: str, start: int, pos: int) -> int:
    """Where the prose before a table ends: after the last sentence end before ``pos``."""
    cut = max(text.rfind(p, start, pos) for p in "。；！？")
    return cut + 1 if cut >= 0 else start
