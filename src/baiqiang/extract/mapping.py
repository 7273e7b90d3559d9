"""Subject and mapping: which place a fact is about, which catalog indicator it is.

Indicators map through aliases: the packaged ``lexicon/indicators.yaml`` and,
when a store is at hand, the catalog's names and aliases.  An indicator equal
to an alias maps with confidence 1.0; one that contains an alias (the longest
wins: 规模以上工业增加值 before 工业增加值) with 0.8; nothing else maps, and
the fact stays available unmapped.  Growth facts only map to catalog entries
declared for growth (``kinds: [growth]``).

Places: ``--place`` names the document's place; 我市/全县… refer to it.  A
fact whose quote starts with an explicit county name (永康市地区生产总值…) is
about that county, resolved through the registry when it is available.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Iterable, Protocol

from baiqiang.extract.lexicon import Lexicon, load_lexicon
from baiqiang.extract.model import Fact

_EXPLICIT_PLACE = re.compile(r"^(?:全年|年末|其中|，)*([\u4e00-\u9fff]{1,5}?(?:自治县|市|县|区|旗))(?=[\u4e00-\u9fff])")
_NOT_PLACES = {"全市", "全县", "全区", "我市", "我县", "我区", "本市", "本县", "该市", "该县", "城区", "市区", "县区", "城市"}


@dataclass(frozen=True)
class Mapping:
    """Catalog code for a fact's indicator (``""`` when unmapped)."""

    code: str
    confidence: float
    alias: str = ""


@dataclass(frozen=True)
class Alias:
    text: str
    code: str
    kinds: tuple[str, ...]


class _CatalogEntry(Protocol):
    code: str
    name_zh: str
    aliases: tuple[str, ...]


def _norm(s: str) -> str:
    return "".join(unicodedata.normalize("NFKC", s).split())


def build_aliases(lexicon: Lexicon | None = None, catalog: Iterable[_CatalogEntry] = ()) -> list[Alias]:
    """Aliases from the packaged table and from a store catalog, longest first."""
    lex = lexicon or load_lexicon()
    out: list[Alias] = []
    for code, spec in lex.indicators.items():
        spec = spec or {}
        kinds = tuple(spec.get("kinds") or ("level", "cumulative", "rate", "added"))
        for a in [spec.get("name", ""), *(spec.get("aliases") or [])]:
            if a:
                out.append(Alias(_norm(str(a)), str(code), kinds))
    for entry in catalog:
        kinds = ("growth",) if "增速" in entry.name_zh or "增长" in entry.name_zh else ("level", "cumulative", "rate", "added")
        for a in (entry.name_zh, *entry.aliases):
            if a:
                out.append(Alias(_norm(a), entry.code, kinds))
    return sorted(out, key=lambda a: -len(a.text))


def map_indicator(fact: Fact, aliases: list[Alias]) -> Mapping:
    """The catalog indicator of ``fact`` (see the module docstring)."""
    ind = _norm(fact.indicator)
    for a in aliases:
        if fact.kind in a.kinds and a.text == ind:
            return Mapping(a.code, 1.0, a.text)
    for a in aliases:
        if fact.kind in a.kinds and len(a.text) >= 2 and a.text in ind:
            return Mapping(a.code, 0.8, a.text)
    return Mapping("", 0.0)


@dataclass(frozen=True)
class Place:
    """A resolved place: the name as written and its registry code (may be empty)."""

    name: str
    code: str = ""
    status: str = "unresolved"  # matched | ambiguous | unmatched | unresolved


class PlaceResolver:
    """Resolve place names through :mod:`baiqiang.data.resolve` when it is available."""

    def __init__(self) -> None:
        self._resolver: Any = None
        try:
            from baiqiang.data.registry import Registry
            from baiqiang.data.resolve import Resolver

            self._resolver = Resolver(Registry.load())
        except Exception:  # registry resources missing: names stay unresolved
            self._resolver = None
        self._cache: dict[str, Place] = {}

    def resolve(self, name: str) -> Place:
        if not name:
            return Place("")
        if name not in self._cache:
            if self._resolver is None:
                self._cache[name] = Place(name)
            else:
                r = self._resolver.resolve(name)
                self._cache[name] = Place(r.name or name, r.code, r.status)
        return self._cache[name]


def fact_place(fact: Fact, document_place: Place, resolver: PlaceResolver | None) -> Place:
    """The place a fact is about: an explicit county name in its quote, else the document's."""
    m = _EXPLICIT_PLACE.match(fact.quote)
    if m and m.group(1) not in _NOT_PLACES and resolver is not None:
        place = resolver.resolve(m.group(1))
        if place.status == "matched":
            return place
    return document_place
