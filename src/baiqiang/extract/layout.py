"""Layout repair: from a page as it arrives to paragraphs of clean text.

OCR and newspaper layouts break lines anywhere, even inside a number
(``10\\n\\n亿元``).  :func:`normalise` joins the lines of a paragraph, keeps
paragraph breaks (a line that ends a sentence, a heading, a table row) as a
single ``\\n``, converts traditional characters to simplified ones (OpenCC) and
full-width digits to ASCII.  Nothing else changes, so every quote is an exact
substring of :attr:`Layout.text`; with all newlines removed it is the
normalisation of ``shared/extract/README.md``.

It also builds :attr:`Layout.work`, a copy of the text of the same length in
which page furniture (bylines, photo credits, spaced-out headers) and labels in
quotation marks (“2+5”, “十四五”, 《…（2024 年）》) are blanked, so that numbers
inside them never become facts, and in which a decimal point that OCR read as a
space is put back (``5 9亿元`` → ``5.9亿元``, :func:`lost_points`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from baiqiang.extract.numbers import to_halfwidth
from baiqiang.extract.tables import is_header

BLANK = "□"
#: Page furniture (page numbers, running headers) is blanked with this mark in
#: :attr:`Layout.work`; the words around a number skip it (see :func:`unfurnish`).
FURNITURE = "▯"
_TERMINAL = "。！？!?"
_HEADING = re.compile(r"^\s*(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\([一二三四五六七八九十]+\)|第[一二三四五六七八九十]+[部分章节])")
_WIDE_GAP = re.compile(r"\S(?: {2,}|\t)\s*\S")
_NUMERIC_CELL = re.compile(r"^[#＃]?[-+]?\d+(?:\.\d+)?%?$")
# Page numbers on a line of their own: — 3 —, - 12 -, ·4·, 第3页, 第3页 共12页, 3/12
_PAGE_NUMBER = re.compile(
    r"^\s*(?:[—\-－–―·•~]+\s*\d{1,4}\s*[—\-－–―·•~]+|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?"
    r"|\d{1,4}\s*/\s*\d{1,4})\s*$")
_FURNITURE = [
    # bylines and photo credits: （融媒记者 程明星）, 融媒记者 杨成栋 摄, 通讯员 …
    re.compile(r"[（(](?:融媒|本报|特约|见习)?(?:记者|通讯员)[^（）()\n]{1,30}[）)]"),
    re.compile(r"(?:融媒|本报|特约|见习)?(?:记者|通讯员|摄影)\s+[\u4e00-\u9fff]{2,4}(?:\s+[\u4e00-\u9fff]{2,4})*(?:\s*摄)?"),
    re.compile(r"本报讯|责任编辑[：:]\s*\S+|版面编辑[：:]\s*\S+"),
    # spaced-out headers: 请 您 关 注 今 日 头 条
    re.compile(r"(?:[\u4e00-\u9fff] ){3,}[\u4e00-\u9fff]"),
    # footnote markers: 生产总值(GDP)[2]731.1亿元
    re.compile(r"\[\d{1,2}\]"),
    # table and figure numbers at the start of a caption: 表3  年末…, 附表1, 图2
    re.compile(r"(?m)^[ \t]*(?:附?表|图)\s*\d+(?:[-.]\d+)?"),
]
#: A pinyin reading in brackets (jīng), as some hosts print them: lower-case Latin letters with at
#: least one tone mark, so an abbreviation in brackets (GDP, cif, PM2.5) is no reading.
PINYIN_READING = re.compile(r"[(（][a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]*[)）]")
# Pinyin glosses after a character (实(shí)现(xiàn)销售收入, 续(xù)建): reading aids of pages made
# for learners, not words.  Blanked as furniture: names read through them.
_PINYIN_GLOSS = re.compile(r"(?<=[\u4e00-\u9fff])" + PINYIN_READING.pattern)
# Labels in quotation marks or title marks (short ones only: a long quoted
# passage may be reported speech with real numbers in it).
_LABELS = re.compile(r"“[^“”\n]{1,24}”|‘[^‘’\n]{1,24}’|「[^「」\n]{1,24}」|《[^《》\n]{1,60}》|\"[^\"\n]{1,24}\"")
# A decimal point OCR read as a space: 国内生产总值5 9亿元, 占全年任务的108 3% (corpus 40's gold reads
# 5.9 and 108.3).  Only one or two digits after the space (a decimal fraction, not
# a second number such as 存栏2 1.4万头), only before 亿/万/% and only after a Chinese character.
_LOST_POINT = re.compile(r"(?<=[\u4e00-\u9fff])(?!(?:19|20)\d\d )\d{1,4} \d{1,2}(?=亿|万|%)")


@dataclass(frozen=True)
class Paragraph:
    """A span of :attr:`Layout.text`; ``kind`` is text, heading, table or cells (one cell a line)."""

    start: int
    end: int
    kind: str


@dataclass(frozen=True)
class Layout:
    """Normalised text, its paragraphs and the masked working copy."""

    text: str
    work: str
    paragraphs: tuple[Paragraph, ...]


@lru_cache(maxsize=1)
def _converter():  # type: ignore[no-untyped-def]
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional → simplified Chinese with OpenCC (character and phrase tables)."""
    return _converter().convert(text)


def _is_table_row(line: str) -> bool:
    if any(c in line for c in "，。；") or not _WIDE_GAP.search(line):
        return False  # table cells are separated by runs of spaces or tabs
    cells = line.split()
    numeric = sum(1 for c in cells if _NUMERIC_CELL.match(c))
    return len(cells) >= 3 and numeric >= 1 and not _NUMERIC_CELL.match(cells[0])


def _is_header_row(line: str) -> bool:
    """A table header (产品名称  单位  产量  比上年增长(%)): cells without numbers."""
    if any(c in line for c in "，。；") or not (_WIDE_GAP.search(line) or "\u3000" in line):
        return False
    cells = [c for c in _ROW_CELLS.split(line.strip()) if c]
    return len(cells) >= 3 and is_header(cells)


_ROW_CELLS = re.compile(r"[|｜\t\u3000 ]+")


def _numeric_tail(line: str) -> int:
    """How many numeric cells end a would-be table row (label, then numbers); 0 if it is no row."""
    if any(c in line for c in "，。；,;：:"):
        return 0
    cells = [c for c in _ROW_CELLS.split(line.strip()) if c]
    n = 0
    while n < len(cells) and _NUMERIC_CELL.match(cells[-1 - n]):
        n += 1
    return n if 0 < n < len(cells) and not _NUMERIC_CELL.match(cells[0]) else 0


def _consistent_rows(lines: list[str], kinds: list[str]) -> None:
    """Mark runs of text lines with the same number of numeric cells as table rows (in place).

    Column consistency finds tables whose cells are separated by single spaces, tabs, full-width
    spaces or pipes (地区生产总值 731.1 6.5 / 第一产业 40.2 3.1): at least two consecutive rows with
    the same count of two or more numbers, or one or more numbers under a header row.
    """
    open_kinds = ("text", "heading")  # a row label may start like a heading (一、农 林 牧 渔业 789 3.3)
    i = 0
    while i < len(lines):
        if kinds[i] in open_kinds and i > 0 and kinds[i - 1] == "table" and _group_row(lines[i]):
            kinds[i] = "table"  # 分行业 | -- | --: a group label inside the table, not a caption of a new one
            i += 1
            continue
        n = _numeric_tail(lines[i]) if kinds[i] in open_kinds else 0
        j = i
        while n and j + 1 < len(lines) and kinds[j + 1] in open_kinds and _numeric_tail(lines[j + 1]) == n:
            j += 1
        header = n > 0 and i > 0 and kinds[i - 1] == "text" and is_header([c for c in _ROW_CELLS.split(lines[i - 1]) if c])
        if header:
            kinds[i - 1] = "table"
        if n and (j > i and n >= 2 or header or (i > 0 and kinds[i - 1] == "table")):
            for k in range(i, j + 1):
                kinds[k] = "table"
        i = j + 1


_PLACEHOLDER = re.compile(r"^[-—–－─]+$")


def _group_row(line: str) -> bool:
    """A row that only labels a group of rows: a label, then placeholder cells (分产业 | -- | -- | --)."""
    if any(c in line for c in "，。；,;"):
        return False
    cells = [c for c in _ROW_CELLS.split(line.strip()) if c]
    n = 0
    while n < len(cells) and _PLACEHOLDER.match(cells[-1 - n]):
        n += 1
    return 0 < n < len(cells) and not any(_NUMERIC_CELL.match(c) for c in cells[:-n])


_CELL_HEADER = re.compile(r"^(?:指标名称|指标|行业名称|行业|项目|名称|类别|地区|产品名称)$")
_MAX_CELL = 24
_CAPTION = re.compile(r"^(?:附?表|图)\d")
_COLUMN_CELL = re.compile(r"[（(%]|增长|比重|绝对|总量|数量|年末|年底|同比|金额|产量|增减|占")


def _cell_columns(lines: list[str], kinds: list[str]) -> None:
    """Mark tables flattened to one cell a line (指 标 / 年末数(万人) / 比重(%) / 年末常住人口 / 728 / …) as
    ``cell`` lines (in place).

    The run starts at a label-column header line and goes on over short lines without sentence
    punctuation (blank lines between them allowed); it is a table when it has at least two numeric
    cells, each after a label or another number, and a header cell between the label column and the
    first number.
    """
    i = 0
    while i < len(lines):
        if kinds[i] != "text" or not _CELL_HEADER.match(_squeeze(lines[i])):
            i += 1
            continue
        run = [i]
        j = i + 1
        while j < len(lines):
            line = _squeeze(lines[j])
            if kinds[j] == "blank":
                j += 1
                continue
            if kinds[j] != "text" or len(line) > _MAX_CELL or any(c in line for c in "，。；,;"):
                break
            run.append(j)
            j += 1
        cells = [_squeeze(lines[k]) for k in run]
        numeric = [k for k, c in enumerate(cells) if _NUMERIC_CELL.match(c)]
        before = next((_squeeze(lines[k]) for k in range(i - 1, -1, -1) if kinds[k] != "blank"), "。")
        # a broken sentence (OCR damage) gives short lines too: the header line must start a block
        # (after a sentence end or a caption) and the column cells must read as column names
        starts_block = before[-1:] in _TERMINAL or bool(_CAPTION.match(before))
        if (len(numeric) >= 2 and numeric[0] >= 3 and starts_block
                and all(_COLUMN_CELL.search(c) for c in cells[1:numeric[0] - 1])):
            for k in run:
                kinds[k] = "cell"
        i = j


_PIPE = "|"


def _is_heading(line: str) -> bool:
    # a sentence end inside the line (（一）预算编制不够精准。一是…) makes it a paragraph
    # whose line was broken, not a heading: a heading is one phrase
    s = line.strip()
    return (bool(s) and len(s) <= 40 and s[-1] not in _TERMINAL + "，、；" and bool(_HEADING.match(s))
            and not any(c in s for c in _TERMINAL + "；;"))


def _continues(prev: str) -> bool:
    """A line ending in 第 or a comma runs on: the next line (一、第二位，…) is no heading."""
    return prev.rstrip()[-1:] in ("第", "，", "、", "；", ",", ";")


def _squeeze(line: str) -> str:
    return "".join(line.split())


def _line_kinds(lines: list[str]) -> list[str]:
    """blank, furniture (page numbers, running headers), table, heading or text."""
    kinds: list[str] = []
    title = next((_squeeze(x) for x in lines if x.strip()), "")
    first = True
    prev = ""  # the last non-blank line
    for line in lines:
        title_line = first and bool(line.strip())
        first = first and not title_line
        if kinds and kinds[-1] != "blank":
            prev = lines[len(kinds) - 1]
        if not line.strip():
            kinds.append("blank")
        elif _PAGE_NUMBER.match(line):
            kinds.append("furniture")
        elif not title_line and len(title) >= 6 and _squeeze(line) == title:
            kinds.append("furniture")  # the document's first line repeated: a running header
        elif _is_table_row(line) or _is_header_row(line):
            kinds.append("table")
        elif _is_heading(line) and not _continues(prev):
            kinds.append("heading")
        else:
            kinds.append("text")
    _consistent_rows(lines, kinds)
    _cell_columns(lines, kinds)
    return kinds


def normalise(raw: str) -> Layout:
    """Repair the layout of ``raw`` (see the module docstring)."""
    text = to_halfwidth(to_simplified(raw.replace("\r\n", "\n").replace("\r", "\n")))
    lines = text.split("\n")
    kinds = _line_kinds(lines)
    parts: list[str] = []
    paras: list[Paragraph] = []
    pos = 0
    buf_start = None
    furniture: list[tuple[int, int]] = []

    def close() -> None:
        nonlocal buf_start
        if buf_start is not None and pos > buf_start:
            paras.append(Paragraph(buf_start, pos, "text"))
        buf_start = None

    cells_start = None

    def close_cells() -> None:
        nonlocal cells_start
        if cells_start is not None:
            paras.append(Paragraph(cells_start, pos, "cells"))
        cells_start = None

    for line, kind in zip(lines, kinds, strict=False):
        if kind == "cell":
            close()
            if parts:
                parts.append("\n")
                pos += 1
            if cells_start is None:
                cells_start = pos
            parts.append(line)
            pos += len(line)
            continue
        if kind != "blank":
            close_cells()
        if kind == "blank":
            if line and buf_start is not None:
                # spaces on a line of their own inside a paragraph (…存栏2\n \n1.4万头) are text:
                # deleting the newlines keeps them
                parts.append(line)
                pos += len(line)
            continue
        if kind in ("table", "heading"):
            close()
            if parts:
                parts.append("\n")
                pos += 1
            parts.append(line)
            paras.append(Paragraph(pos, pos + len(line), kind))
            pos += len(line)
            continue
        piped = _PIPE in line
        if kind == "text" and line.lstrip().startswith("——") and not piped:
            close()  # a dash opens a list item (——地区生产总值…): the line before ended its own item
        if kind == "text" and piped and buf_start is not None and _PIPE not in parts[-1]:
            close()  # a caption without a full stop (表1 …情况) does not run into the table's first cell
        if buf_start is None:
            if parts:
                parts.append("\n")
                pos += 1
            buf_start = pos
        parts.append(line)
        if kind == "furniture":
            furniture.append((pos, pos + len(line)))
            pos += len(line)
            continue  # a page break inside a paragraph does not end it
        pos += len(line)
        if line.rstrip()[-1:] in _TERMINAL or line.rstrip().endswith(("。”", "！”", "？”")):
            close()
    close()
    close_cells()
    out = "".join(parts)
    work = lost_points(mask(out))
    if "(" in out or "（" in out:
        furniture.extend(m.span() for m in _PINYIN_GLOSS.finditer(out))
    if furniture:
        chars = list(work)
        for a, b in furniture:
            chars[a:b] = FURNITURE * (b - a)
        work = "".join(chars)
    return Layout(out, work, tuple(paras))


def unfurnish(text: str, work: str, start: int, end: int) -> str:
    """``text[start:end]`` without the page furniture blanked in ``work``."""
    if work.find(FURNITURE, start, end) == -1:
        return text[start:end]
    return "".join(c for c, w in zip(text[start:end], work[start:end], strict=False) if w != FURNITURE)


def lost_points(work: str) -> str:
    """Put back in ``work`` a decimal point that OCR turned into a space (``5 9亿元`` → ``5.9亿元``).

    Only :attr:`Layout.work` changes (same length), so quotes keep the space as written.
    """
    return _LOST_POINT.sub(lambda m: m.group().replace(" ", "."), work) if " " in work else work


def mask(text: str) -> str:
    """Blank furniture and quoted labels, keeping every offset."""
    for pattern in _FURNITURE:
        text = pattern.sub(lambda m: re.sub(r"[^\n]", BLANK, m.group()), text)
    # keep the quotation marks themselves, blank what they enclose
    return _LABELS.sub(lambda m: m.group()[0] + BLANK * (len(m.group()) - 2) + m.group()[-1], text)
