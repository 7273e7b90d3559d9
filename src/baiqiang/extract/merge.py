"""One fact for a figure stated both in prose and in a table.

A bulletin often writes 第一产业增加值65.9亿元，增长3.3% and repeats both figures in 表1.  They
are one statement of one fact (shared/extract/README.md: a restatement), so the reader keeps the
prose fact, whose name and quote are the fuller ones, and records the table cell as a second
provenance in ``extra["provenance"]``.  Two facts are the same when kind, standard unit and
standard value agree (relative 1e-6, the scorer's rule), the periods agree or one is unstated, and
one indicator contains the other (table labels are the short form: 城镇 in 城镇常住人口).  The same
figure in another scale (731.1亿元 and 7311113万元) has another standard value and stays separate.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import replace

from baiqiang.extract.model import Fact

TABLE = "table"
TEXT = "text"


def from_table(facts: list[Fact]) -> list[Fact]:
    """Mark facts read from a table region (their provenance source)."""
    return [replace(f, extra={**f.extra, "source": TABLE}) for f in facts]


def provenance(fact: Fact) -> list[dict[str, object]]:
    """Where the fact is stated: one entry per passage (source, start, end, quote)."""
    default = [{"source": fact.extra.get("source", TEXT), "start": fact.start, "end": fact.end, "quote": fact.quote}]
    return list(fact.extra.get("provenance", default))


def _key(fact: Fact) -> tuple[str, str, int]:
    # 6 significant digits: values equal within 1e-6 relative share the key, or sit in a neighbour
    v = fact.value_std
    scaled = 0 if v == 0 else round(v / 10 ** math.floor(math.log10(abs(v))) * 1e5)
    return fact.kind, fact.unit_std, int(scaled)


def _name(fact: Fact) -> str:
    sub = str(fact.extra.get("sub", ""))
    name = fact.indicator[len(sub):] if sub and fact.indicator.startswith(sub) else fact.indicator
    return "".join(unicodedata.normalize("NFKC", name).split())


def same_fact(a: Fact, b: Fact) -> bool:
    """Kind, unit, value (relative 1e-6), period (or one unstated) and contained names agree."""
    if a.kind != b.kind or a.unit_std != b.unit_std:
        return False
    if not math.isclose(a.value_std, b.value_std, rel_tol=1e-6, abs_tol=1e-12):
        return False
    if a.period and b.period and a.period != b.period:
        return False
    na, nb = _name(a), _name(b)
    return len(min(na, nb, key=len)) >= 2 and (na in nb or nb in na)


def merge_restatements(facts: list[Fact]) -> list[Fact]:
    """The facts with each table fact that restates a prose fact folded into that prose fact."""
    prose: dict[tuple[str, str, int], list[int]] = {}
    for i, f in enumerate(facts):
        if f.extra.get("source") != TABLE:
            prose.setdefault(_key(f), []).append(i)
    out = list(facts)
    dropped: set[int] = set()
    for i, f in enumerate(facts):
        if f.extra.get("source") != TABLE:
            continue
        kind, unit, k = _key(f)
        match = next((j for d in (0, -1, 1) for j in prose.get((kind, unit, k + d), [])
                      if same_fact(out[j], f)), None)
        if match is None:
            continue
        keep = out[match]
        out[match] = replace(keep, extra={**keep.extra, "provenance": provenance(keep) + provenance(f)})
        dropped.add(i)
    return [f for i, f in enumerate(out) if i not in dropped]
