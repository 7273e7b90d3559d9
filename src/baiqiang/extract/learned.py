"""A small linear-chain CRF for one fuzzy call: is a count with no verb cue ``added`` or ``level``?

The rules decide every count whose clause names a verb (新增, 引进 → added; 达, 共有 → level) and
every amount of money, share or change; they are authoritative.  Left to a default are counts whose
clause has no cue (转移农村劳动力6204人, 资质内建筑企业93家, 外出招商42批次).  For those, the model
reads features of the clause and of the neighbouring fuzzy counts (a list shares its kind) and
chooses.  It is a CRF (Lafferty, McCallum and Pereira 2001) trained with python-crfsuite (L-BFGS,
L1 + L2) on the project's own gold files; ``python -m baiqiang.extract.training`` rebuilds
``models/kind.crfsuite`` reproducibly (fixed data order, deterministic optimiser).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from baiqiang.extract.lexicon import Lexicon
from baiqiang.extract.model import Fact

MODEL = Path(__file__).with_name("models") / "kind.crfsuite"
_WINDOW = 8
_COUNTABLE = ("count",)


def is_fuzzy(text: str, fact: Fact, lex: Lexicon) -> bool:
    """A count whose kind the rules left to the default: no added or level cue before its number."""
    if fact.kind not in ("added", "level") or fact.unit_std in ("元", "美元", "%", "位") or "rule_kind" in fact.extra:
        return False
    info = lex.units.get(fact.unit)
    if info is None or info.family not in _COUNTABLE:
        return False
    return _cue_pattern(lex).search(_pre(text, fact)) is None


@lru_cache(maxsize=8)
def _cue_pattern(lex: Lexicon) -> re.Pattern[str]:
    """One alternation of the lexicon's added and level cues (two characters or more)."""
    words = sorted((w for w, cat in lex.cues.items() if cat in ("added", "level") and len(w) > 1), key=len, reverse=True)
    return re.compile("|".join(map(re.escape, words)) or "(?!)")


def features(text: str, fact: Fact, previous: Fact | None = None) -> list[str]:
    """Features of one fuzzy count: characters and bigrams before the number, unit, indicator ends,
    and the kind of the fact before it when it is in the same sentence (a list shares its verb)."""
    pre = _pre(text, fact)[-_WINDOW:]
    out = [f"unit={fact.unit_std}", f"rule={fact.kind}", f"ind_last={fact.indicator[-1:]}",
           f"ind_last2={fact.indicator[-2:]}", f"ind_first={fact.indicator[:1]}", f"pre_len={min(len(pre), 8)}"]
    out += [f"c[{i - len(pre)}]={c}" for i, c in enumerate(pre[-4:], start=len(pre) - len(pre[-4:]))]
    out += [f"bi={a}{b}" for a, b in zip(pre, pre[1:])]
    after = text[fact.end:fact.end + 2]
    out.append(f"after={after}")
    if previous is not None and not any(p in text[previous.end:fact.start] for p in "。！？"):
        out += [f"prev_kind={previous.kind}", f"prev_unit={previous.unit_std == fact.unit_std}"]
    return out


@lru_cache(maxsize=1)
def _tagger():  # type: ignore[no-untyped-def]
    import pycrfsuite

    if not MODEL.exists():
        return None
    tagger = pycrfsuite.Tagger()
    tagger.open(str(MODEL))
    return tagger


def relabel(text: str, facts: list[Fact], lex: Lexicon) -> list[Fact]:
    """The facts with the model's kind for the fuzzy counts (one sequence per document)."""
    idx = [i for i, f in enumerate(facts) if is_fuzzy(text, f, lex)]
    tagger = _tagger()
    if not idx or tagger is None:
        return facts
    labels = tagger.tag([features(text, facts[i], facts[i - 1] if i else None) for i in idx])
    out = list(facts)
    for i, label in zip(idx, labels):
        if label != out[i].kind:
            out[i] = _with_kind(out[i], label)
    return out


def _with_kind(fact: Fact, kind: str) -> Fact:
    from dataclasses import replace

    return replace(fact, kind=kind)


def _pre(text: str, fact: Fact) -> str:
    """The clause before the fact's number, at most 40 characters (one translate and one rfind, not seven)."""
    pos = int(fact.extra.get("number_start", fact.start))
    start = pos - 40 if pos > 40 else 0
    window = text[start:pos]
    return window[window.translate(_CLAUSE_MARKS).rfind("，") + 1:]


# every clause mark as ，, so that one rfind finds the last of them
_CLAUSE_MARKS = str.maketrans(dict.fromkeys(",；;：:。", "，"))
