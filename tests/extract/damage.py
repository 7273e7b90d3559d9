"""Seeded OCR-like damage that keeps the normalisation of facts.md invariant.

:func:`damage` only *inserts* line breaks (``\\n``, ``\\n\\n`` or, with the
``crlf`` pattern, ``\\r\\n``) into a raw text, so deleting every newline (and
``\\r``) gives back exactly the same normalised text and every gold quote stays
valid.  Where the breaks go is chosen by pattern:

=============  =============================================================
``number``     inside a number: ``9`` / ``4``, ``5.`` / ``6``, ``5`` / ``.6``
``num_unit``   between a number (or its ``%``) and the unit or word after it
``unit``       inside a unit or word: ``亿`` / ``元``, ``增`` / ``长``
``after_di``   right after 第, 位列, 位居, 居 (``第`` / ``45位``)
``pct_point``  inside 百分点 / 千分点 (``百`` / ``分点``, ``百分`` / ``点``)
``any``        any position inside a line
``para_gap``   extra blank lines at the existing breaks between lines
``crlf``       every line break written as ``\\r\\n``
=============  =============================================================

Excluded by nature (see docs/extract.md, "Robustness"): breaks right after a
sentence end (``。！？`` and ``。”``), which make a legitimate paragraph
boundary; breaks inside a heading, a table row, page furniture (page numbers,
running headers) or the document's first line, whose *line end* is what marks
them.
"""

from __future__ import annotations

import random
import re

from baiqiang.extract.layout import _line_kinds

PATTERNS = ("number", "num_unit", "unit", "after_di", "pct_point", "any", "para_gap", "crlf")
_DIGIT = set("0123456789０１２３４５６７８９")
_NUMCH = _DIGIT | set(".．")
_TERMINAL = set("。！？!?")
_AFTER = re.compile(r"第|位列|位居|居")
_POINT = re.compile(r"[百千]分点")


def _han(c: str) -> bool:
    return "\u4e00" <= c <= "\u9fff"


def _candidates(line: str, pattern: str, sentence_end: bool = False) -> list[int]:
    """Positions i (0 < i < len) where a break before ``line[i]`` is the pattern."""
    out: list[int] = []
    if pattern == "after_di":
        out = [m.end() for m in _AFTER.finditer(line)]
    elif pattern == "pct_point":
        for m in _POINT.finditer(line):
            out += [m.start() + 1, m.start() + 2]
    else:
        for i in range(1, len(line)):
            a, b = line[i - 1], line[i]
            if pattern == "number":
                ok = (a in _DIGIT and b in _NUMCH) or (a in _NUMCH and b in _DIGIT)
            elif pattern == "num_unit":
                ok = (a in _DIGIT or a in "%％") and _han(b)
            elif pattern == "unit":
                ok = _han(a) and _han(b)
            else:  # any
                ok = True
            if ok:
                out.append(i)
    # a break right after a sentence end is a paragraph boundary (excluded)
    return [i for i in out if 0 < i < len(line) and (sentence_end or not _ends_sentence(line[:i]))]


def _ends_sentence(head: str) -> bool:
    s = head.rstrip()
    return s[-1:] in _TERMINAL or s.endswith(("。”", "！”", "？”"))


def damage(raw: str, seed: int, patterns: tuple[str, ...] = PATTERNS, rate: float = 0.15,
           lines_of: tuple[str, ...] = ("text",)) -> str:
    """A damaged copy of ``raw``: same text once every newline is deleted.

    ``rate`` is the share of each pattern's candidate positions that get a
    break (at least one per line that has a candidate).
    """
    rng = random.Random(seed)
    lines = raw.replace("\r\n", "\n").split("\n")
    kinds = _line_kinds(lines)
    first = next((i for i, x in enumerate(lines) if x.strip()), -1)
    out: list[str] = []
    for n, (line, kind) in enumerate(zip(lines, kinds)):
        if kind not in lines_of or (n == first and "title" not in lines_of):
            out.append(line)
            continue
        cuts: set[int] = set()
        for p in patterns:
            if p in ("para_gap", "crlf"):
                continue
            cand = _candidates(line, p, "sentence_end" in lines_of)
            if cand:
                k = max(1, round(rate * len(cand))) if rng.random() < 0.8 else 0
                cuts.update(rng.sample(cand, min(k, len(cand))))
        pieces, last = [], 0
        for i in sorted(cuts):
            pieces.append(line[last:i])
            last = i
        pieces.append(line[last:])
        joined = pieces[0]
        for piece in pieces[1:]:
            joined += ("\n\n" if rng.random() < 0.25 else "\n") + piece
        out.append(joined)
    sep = []
    for _ in range(len(out) - 1):
        gap = "\n"
        if "para_gap" in patterns and rng.random() < 0.3:
            gap += "\n" * rng.randint(1, 3)
        sep.append(gap)
    text = out[0] + "".join(s + x for s, x in zip(sep, out[1:]))
    if "crlf" in patterns and (len(patterns) == 1 or rng.random() < 0.5):
        text = text.replace("\n", "\r\n")
    return text


def normalised(raw: str) -> str:
    """The normalisation of facts.md / shared/extract/README.md."""
    return raw.replace("\r", "").replace("\n", "")
