"""Turn the hand annotations (NN.ann) into gold files (NN_gold.jsonl) following shared/spec/facts.md.

    python tests/extract/corpus/build_gold.py            # all NN.ann in this folder

An annotation line is ``[?]indicator | value unit | kind [| qualifier] [| @locator]``:
``?`` marks an optional fact; kind is one of L(evel) A(dded) C(umulative) G(rowth) R(ank) T (rate);
qualifier is e / ge / ~ / le (exact, at_least, about, at_most; default exact); ``@locator`` is the
text where the number is written when it is not the number itself (第三, 两家, 2900万).  Lines are in
text order: each locator is searched from the previous fact's position, and the quote is the clause
(since the last ，。；：) up to the number and its unit.  ``#period YYYY`` sets the period of the lines
after it (``#period`` alone clears it).  Only the unit arithmetic is done here; every judgement is the
annotator's.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
KINDS = {"L": "level", "A": "added", "C": "cumulative", "G": "growth", "R": "rank", "T": "rate"}
QUALIFIERS = {"e": "exact", "ge": "at_least", "~": "about", "le": "at_most"}
MONEY = {"亿元": (1e8, "元"), "万元": (1e4, "元"), "元": (1, "元"), "个亿": (1e8, "元"),
         "亿美元": (1e8, "美元"), "万美元": (1e4, "美元"), "美元": (1, "美元")}
AS_IS = {"%", "百分点", "千分点", "‰", ""}
MULTIPLES = {"倍": (100, "%"), "成": (10, "%")}
RANKS = {"位", "名", "强"}
BREAKS = "，。；：,;！？"


def standard(value: float, unit: str, kind: str) -> tuple[float, str]:
    if kind == "rank" or unit in RANKS:
        return value, "位"
    if unit in MONEY:
        factor, std = MONEY[unit]
        return value * factor, std
    if unit in AS_IS:
        return value, unit
    if unit in MULTIPLES:
        factor, std = MULTIPLES[unit]
        return value * factor, std
    for prefix, factor in (("万亿", 1e12), ("亿", 1e8), ("万", 1e4)):
        if unit.startswith(prefix) and len(unit) > len(prefix):
            return value * factor, unit[len(prefix):]
    return value, unit


def number_text(value: float) -> str:
    value = abs(value)
    return str(int(value)) if value.is_integer() else repr(value)


def build(ann: Path) -> list[dict]:
    raw = (ann.parent / ann.name.replace(".ann", "_raw.txt")).read_text("utf-8")
    text = raw.replace("\r", "").replace("\n", "")
    facts, cursor, period = [], 0, ""
    for lineno, line in enumerate(ann.read_text("utf-8").splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        if line.startswith("#period"):
            period = line[len("#period"):].strip()
            continue
        if line.startswith("#"):
            continue
        optional = line.startswith("?")
        parts = [p.strip() for p in line.lstrip("?").split("|")]
        where = f"{ann.name}:{lineno}"
        if len(parts) < 3:
            raise SystemExit(f"{where}: needs indicator | value unit | kind")
        indicator, quantity, kind_code = parts[:3]
        qualifier, locator = "exact", None
        for extra in parts[3:]:
            if extra.startswith("@"):
                locator = extra[1:]
            elif extra:
                qualifier = QUALIFIERS[extra]
        m = re.fullmatch(r"(-?[\d.]+)\s*(.*)", quantity)
        if not m:
            raise SystemExit(f"{where}: bad quantity {quantity!r}")
        value, unit = float(m.group(1)), m.group(2).strip()
        kind = KINDS[kind_code]
        value_std, unit_std = standard(value, unit, kind)
        if locator is None:
            locator = number_text(value)
        pos = locate(text, locator, cursor)
        if pos < 0:
            raise SystemExit(f"{where}: {locator!r} not in the text")
        end = pos + len(locator)
        if kind != "rank" and unit and text.startswith(unit, end):
            end += len(unit)
        start = pos
        while start > 0 and text[start - 1] not in BREAKS and pos - start < 40:
            start -= 1
        cursor = pos + 1
        as_int = lambda v: int(v) if float(v).is_integer() else v  # noqa: E731
        facts.append({"indicator": indicator, "value": as_int(value), "unit": unit,
                      "value_std": as_int(round(value_std, 10)), "unit_std": unit_std, "kind": kind,
                      "qualifier": qualifier, "period": period, "quote": text[start:end].strip(),
                      **({"optional": True} if optional else {})})
    return facts


def locate(text: str, locator: str, cursor: int) -> int:
    """Where the locator is written: after the previous fact if it is there, else earlier (one number
    read as several facts repeats its locator); at each, a match that is not part of a longer number
    first, any match only when there is none (a flattened table glues its cells: ``728100.00``)."""
    for start in (cursor, 0):
        for find in (find_number, str.find):
            pos = find(text, locator, start)
            if pos >= 0:
                return pos
    return -1


def find_number(text: str, locator: str, start: int) -> int:
    """First position of ``locator`` at or after ``start`` that is not part of a longer number.

    ``90`` must not be found inside ``190亿元`` or ``24`` inside ``24068``: a match that begins
    or ends with a digit may not touch another digit or a decimal point.
    """
    pos = text.find(locator, start)
    while pos >= 0:
        before = text[pos - 1] if pos > 0 else ""
        after = text[pos + len(locator)] if pos + len(locator) < len(text) else ""
        inside = (locator[:1].isdigit() and (before.isdigit() or before == ".")) or (
            locator[-1:].isdigit() and (after.isdigit() or (after == "." and text[pos + len(locator) + 1 : pos + len(locator) + 2].isdigit())))
        if not inside:
            return pos
        pos = text.find(locator, pos + 1)
    return -1


def main(paths: list[str]) -> None:
    anns = [Path(p) for p in paths] or sorted(HERE.glob("*.ann"))
    for ann in anns:
        facts = build(ann)
        out = ann.parent / ann.name.replace(".ann", "_gold.jsonl")
        out.write_text("".join(json.dumps(f, ensure_ascii=False) + "\n" for f in facts), "utf-8")
        print(f"{out.name}: {len(facts)} facts, {sum(1 for f in facts if f.get('optional'))} optional")


if __name__ == "__main__":
    main(sys.argv[1:])
