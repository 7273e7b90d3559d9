"""Resolve messy unit names and codes to registry codes.

Accepted inputs: 永康 / 永康市 / 浙江永康 / 浙江省金华市永康市 / 330784, with
full-width spaces (沛　县), traditional characters (永康市 in 繁体), and obsolete
names (吴江市 → 吴江区, through the crosswalk).  Optional province and
prefecture hints (from columns of the same row) narrow shared names such as
鼓楼区 or 朝阳区.

Every query ends as one :class:`Resolution` with ``status``:

* ``matched``   exactly one unit; ``code`` is set (``note`` says how, e.g.
  via the crosswalk);
* ``ambiguous`` several units fit; ``candidates`` lists them all;
* ``unmatched`` nothing fits.

Nothing is guessed: a name that fits two units stays ambiguous.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from baiqiang.data import names as nm
from baiqiang.data.registry import Registry


@dataclass(frozen=True)
class Resolution:
    """Outcome of resolving one input."""

    query: str
    status: str  # matched | ambiguous | unmatched
    code: str = ""
    name: str = ""
    candidates: tuple[str, ...] = ()
    note: str = ""


@dataclass
class Resolver:
    """Name/code resolver over a :class:`Registry`.

    ``prefer_current`` (default) maps obsolete units to their single current
    successor (吴江市 → 吴江区); with ``prefer_current=False`` historical units
    resolve to their own (old) code, which is what old tables need.
    """

    registry: Registry
    prefer_current: bool = True
    _by_name: dict[str, list[str]] = field(default_factory=dict, init=False, repr=False)
    _prefix: dict[str, tuple[str, str]] = field(default_factory=dict, init=False, repr=False)
    _prefix_lengths: tuple[int, ...] = field(default=(), init=False, repr=False)
    _place: dict[tuple[str, str], str] = field(default_factory=dict, init=False, repr=False)
    _status: dict[str, str] = field(default_factory=dict, init=False, repr=False)
    _level: dict[str, str] = field(default_factory=dict, init=False, repr=False)
    _name: dict[str, str] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        u = self.registry.units
        # Plain dicts for the per-query lookups (pandas .at costs microseconds each), from lists: iterating
        # pandas' Arrow-backed text columns makes a scalar per cell (the index took 27 ms, now 5).
        col = {c: u[c].tolist() for c in ("code", "status", "level", "name", "short_name")}
        self._status = dict(zip(col["code"], col["status"]))
        self._level = dict(zip(col["code"], col["level"]))
        self._name = dict(zip(col["code"], col["name"]))
        for code, name, short, level in zip(col["code"], col["name"], col["short_name"], col["level"]):
            if level != "county":
                continue
            for key in {name, short}:
                if key:
                    self._by_name.setdefault(key, []).append(code)
        # Province and prefecture names and stems (keys of two or more characters), indexed once:
        # a query looks its candidate keys up instead of scanning every place.  Where several
        # places share a key, the first in registry order wins, as the former longest-first scan did.
        for code, name, level in zip(col["code"], col["name"], col["level"]):
            if level not in ("province", "prefecture"):
                continue
            for key in sorted({name, nm.place_stem(name)}, key=len, reverse=True):
                if len(key) >= 2:
                    self._prefix.setdefault(key, (code, level))
                    self._place.setdefault((level, key), code)
        self._prefix_lengths = tuple(sorted({len(k) for k in self._prefix}, reverse=True))

    # -- public -------------------------------------------------------------------
    def resolve(self, query: object, *, province: object = None, prefecture: object = None) -> Resolution:
        """Resolve one name or code (see module docstring)."""
        raw = "" if query is None else str(query)
        q = nm.normalise(raw)
        if not q:
            return Resolution(raw, "unmatched", note="空名称")
        u = self.registry.units
        if q.isdigit():
            code = q[:6] if len(q) in (9, 12) else q
            if self._level.get(code) == "county":
                return self._finish(raw, [code], "按代码")
            return Resolution(raw, "unmatched", note=f"代码 {q} 不在单位表中")
        prov_hint = self._place_code(province, "province")
        pref_hint = self._place_code(prefecture, "prefecture")
        rest, prov_pre, pref_pre = self._strip_prefix(q)
        prov_hint = prov_hint or prov_pre
        pref_hint = pref_hint or pref_pre
        cands = list(self._by_name.get(rest, []))
        if not cands and rest != q:
            cands = list(self._by_name.get(q, []))
        if not cands:
            return Resolution(raw, "unmatched", note="名称不在单位表中")
        note = ""
        if prov_hint:
            cands = [c for c in cands if c[:2] == prov_hint[:2]]
        if pref_hint and cands:
            narrowed = [c for c in cands if self._prefecture_of(c) == pref_hint
                        or nm.place_stem(str(u.at[c, "prefecture"])) == nm.place_stem(str(u.at[pref_hint, "name"]))]
            cands = narrowed
        if not cands:
            return Resolution(raw, "unmatched", note="名称存在，但与所给省/地市不符")
        return self._finish(raw, cands, note)

    def resolve_many(self, frame: pd.DataFrame, *, name_column: str, province_column: str | None = None,
                     prefecture_column: str | None = None) -> pd.DataFrame:
        """Resolve a column; returns one row per input row with status, code, candidates, note."""
        out = []
        for i, row in frame.iterrows():
            r = self.resolve(
                row[name_column],
                province=row[province_column] if province_column else None,
                prefecture=row[prefecture_column] if prefecture_column else None,
            )
            out.append({"row": i, "query": r.query, "status": r.status, "code": r.code, "name": r.name,
                        "candidates": ";".join(r.candidates), "note": r.note})
        return pd.DataFrame(out)

    # -- internals ----------------------------------------------------------------
    def _finish(self, raw: str, cands: list[str], note: str) -> Resolution:
        u = self.registry.units
        cands = list(dict.fromkeys(cands))
        if len(cands) > 1:
            # An old unit and its own successor are the same place: keep the preferred one.
            current = [c for c in cands if self._status[c] == "current"]
            hist = [c for c in cands if self._status[c] == "historical"]
            succ = {s for c in hist for s in str(u.at[c, "successors"]).split(";") if s}
            if current and hist and set(current) <= succ and len(current) == 1:
                cands = current if self.prefer_current else hist[:1] if len(hist) == 1 else cands
        if len(cands) > 1:
            labels = tuple(f"{c} {u.at[c, 'province']}{u.at[c, 'prefecture']}{u.at[c, 'name']}" for c in cands)
            return Resolution(raw, "ambiguous", candidates=labels, note="多个单位同名，请提供省或地市")
        code = cands[0]
        if self.prefer_current and self._status[code] == "historical":
            succ = [s for s in str(u.at[code, "successors"]).split(";") if s]
            # Follow chains (2010 → 2020 → current) while they stay one-to-one.
            seen = {code}
            while len(succ) == 1 and succ[0] in u.index and u.at[succ[0], "status"] == "historical" and succ[0] not in seen:
                seen.add(succ[0])
                succ = [s for s in str(u.at[succ[0], "successors"]).split(";") if s]
            if len(succ) == 1 and succ[0] in u.index:
                old = u.at[code, "name"]
                new = succ[0]
                return Resolution(raw, "matched", new, str(u.at[new, "name"]),
                                  note=f"旧名称 {old}（{code}）经区划变更对照表对应到 {u.at[new, 'name']}")
            if len(succ) > 1:
                labels = tuple(f"{s} {u.at[s, 'name']}" for s in succ if s in u.index)
                return Resolution(raw, "ambiguous", candidates=labels,
                                  note=f"旧单位 {u.at[code, 'name']}（{code}）已拆分，对应多个现行单位")
        return Resolution(raw, "matched", code, str(self._name[code]), note=note)

    def _strip_prefix(self, q: str) -> tuple[str, str, str]:
        """Remove leading province/prefecture names: 浙江省金华市永康市 → 永康市.

        The longest place key that prefixes ``q`` and leaves a known name (or another
        place key) behind is removed, repeatedly; the first province and prefecture
        removed are returned as hints.
        """
        prov = pref = ""
        while key := self._leading_place(q):
            code, level = self._prefix[key]
            if level == "province" and not prov:
                prov = code
            elif level == "prefecture" and not pref:
                pref = code
            q = q[len(key):]
        return q, prov, pref

    def _leading_place(self, q: str) -> str:
        """The longest place key that starts ``q``, is shorter than it and leaves a resolvable rest ("" if none)."""
        for n in self._prefix_lengths:
            if n < len(q) and q[:n] in self._prefix and self._has_suffix_match(q[n:]):
                return q[:n]
        return ""

    def _has_suffix_match(self, rest: str) -> bool:
        """Whether ``rest`` is a known unit name or starts with a (shorter) place key."""
        if rest in self._by_name:
            return True
        return any(n < len(rest) and rest[:n] in self._prefix for n in self._prefix_lengths)

    def _place_code(self, value: object, level: str) -> str:
        """The province or prefecture ``value`` names, by its exact name or stem ("" if none)."""
        if value is None or (isinstance(value, float) and value != value):
            return ""
        v = nm.normalise(value)
        if not v:
            return ""
        return self._place.get((level, v)) or self._place.get((level, nm.place_stem(v)), "")

    def _prefecture_of(self, code: str) -> str:
        return str(self.registry.units.at[code, "prefecture_code"])


def resolve_among(query: str, codes: list[str], names: dict[str, str], *, where: str = "单位",
                  registry: Registry | None = None) -> str:
    """The one unit resolver of every command taking a unit: ``query`` → one of ``codes``, or a located error.

    Tried in order: an exact code; an exact name that one unit of ``codes``
    has; the registry resolver (short names 永康, old names 吴江市, with or
    without province prefix), kept to the units present.  Several fits raise
    :class:`DataError` listing the candidates; no fit says so, and a unit that
    exists but is not in the data says that.
    """
    from baiqiang.errors import DataError

    q = str(query).strip()
    if q in codes:
        return q
    exact = [c for c in codes if names.get(c) == q]
    if len(exact) == 1:
        return exact[0]
    present = set(codes)
    if len(exact) > 1:
        raise DataError.single(f"{where} {q!r}", "有多个同名单位，请用代码：" + "；".join(f"{c} {names[c]}" for c in exact),
                               "ambiguous")
    registry = registry or Registry.load()
    hits: list[str] = []
    note = ""
    for prefer_current in (False, True):
        r = Resolver(registry, prefer_current=prefer_current).resolve(q)
        if r.status == "matched":
            hits.append(r.code)
        elif r.status == "ambiguous":
            hits += [c.split(" ")[0] for c in r.candidates]
        note = note or r.note
    inside = list(dict.fromkeys(c for c in hits if c in present))
    if len(inside) == 1:
        return inside[0]
    if len(inside) > 1:
        raise DataError.single(f"{where} {q!r}", "有多个单位符合，请用代码：" + "；".join(
            f"{c} {names.get(c, '')}" for c in inside), "ambiguous")
    if hits:
        u = registry.units
        known = "、".join(f"{c} {u.at[c, 'name']}" for c in dict.fromkeys(hits) if c in u.index)
        raise DataError.single(f"{where} {q!r}", f"{known} 不在这份数据中", "not_in_data")
    raise DataError.single(f"{where} {q!r}", f"找不到单位（{note or '名称或代码不存在'}）", "unknown_unit")
