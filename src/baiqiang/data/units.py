"""Units of measure of Chinese statistics, on a small pint registry.

Every indicator code has one canonical unit (the catalog's ``unit``) and so one
*dimension* (money, people, share, area, ...).  A value that reaches the store
in another unit of the same dimension is converted to the canonical one
(万元 → 亿元, 亩 → 公顷, ‰ → %); a value in a unit of another dimension, or in
a unit nobody defined, is refused.  The conversion factors are pint's, from the
definitions below (a fresh registry: no SI prefixes or English units that could
make ``m`` or ``t`` mean something by accident).

Scale prefixes (千, 万, 百万, 千万, 亿, 万亿) are generated for every counted or
money unit, so 万家, 亿千瓦时 and 万元/亩 parse.  ``%`` is 1/100 of a share,
``‰`` 1/1000; a change written in 个百分点 (percentage points) is its own
dimension: it is not a share and never converts to one.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pint

SCALES: dict[str, int] = {"千": 10**3, "万": 10**4, "十万": 10**5, "百万": 10**6, "千万": 10**7, "亿": 10**8,
                          "万亿": 10**12}
#: Base units: name -> dimension name.  Each is a dimension of its own.
BASE_UNITS: dict[str, str] = {
    "元": "money", "美元": "money_usd", "欧元": "money_eur",
    "人": "people", "人次": "person_visits", "户": "households", "家": "enterprises", "个": "count",
    "项": "items", "辆": "vehicles", "所": "institutions", "间": "rooms", "床": "beds", "件": "pieces",
    "套": "sets", "台": "machines", "座": "buildings", "条": "lines", "艘": "ships", "架": "aircraft",
    "标箱": "containers", "次": "times", "位": "rank",
    "吨": "mass", "平方米": "area", "米": "length", "立方米": "volume", "升": "liquid_volume",
    "千瓦时": "energy", "千瓦": "power", "年": "years", "天": "days", "分": "score",
    "比例": "share", "百分点": "percentage_points", "女=100": "sex_ratio",
}
#: Derived units: name -> definition in pint syntax.
DERIVED: dict[str, str] = {
    "公斤": "0.001 * 吨", "克": "0.000001 * 吨",
    "公顷": "10000 * 平方米", "亩": "10000 / 15 * 平方米", "平方公里": "1000000 * 平方米",
    "公里": "1000 * 米", "兆瓦": "1000 * 千瓦", "岁": "年", "月": "年 / 12",
    "percent": "0.01 * 比例", "permille": "0.001 * 比例", "千分点": "0.1 * 百分点",
}
#: Spellings -> the registry's name for them.
ALIASES: dict[str, str] = {
    "%": "percent", "％": "percent", "‰": "permille", "个百分点": "百分点", "千克": "公斤", "千米": "公里",
    "平方千米": "平方公里", "km2": "平方公里", "度": "千瓦时", "标准箱": "标箱", "TEU": "标箱", "个月": "月",
    "名": "人", "比率": "比例", "倍": "比例",
}
#: Units that take the scale prefixes.
SCALABLE: tuple[str, ...] = ("元", "美元", "欧元", "人", "人次", "户", "家", "个", "项", "辆", "件", "套", "台", "吨",
                             "千瓦时", "千瓦", "平方米", "立方米", "标箱", "亩", "公顷")


#: Chinese names of the dimensions, for messages.
DIMENSION_ZH: dict[str, str] = {
    "money": "金额", "people": "人数", "households": "户数", "enterprises": "单位数", "count": "个数", "share": "比重",
    "percentage_points": "百分点（变化量）", "area": "面积", "mass": "重量", "length": "长度", "volume": "体积",
    "energy": "电量", "power": "功率", "years": "年数", "sex_ratio": "性别比", "rank": "名次",
}


class UnitError(ValueError):
    """A unit that is unknown or cannot be converted; the message is user-facing (Chinese)."""


@lru_cache(maxsize=1)
def registry() -> "pint.UnitRegistry":
    """The pint registry of :data:`BASE_UNITS`, :data:`DERIVED` and their scaled forms (built once)."""
    import pint

    ureg = pint.UnitRegistry(None, cache_folder=None)
    for name, dim in BASE_UNITS.items():
        ureg.define(f"{_ident(name)} = [{dim}]")
    for name, definition in DERIVED.items():
        ureg.define(f"{_ident(name)} = {_ident_expr(definition)}")
    for base in SCALABLE:
        for prefix, factor in SCALES.items():
            if prefix + base not in BASE_UNITS and prefix + base not in DERIVED:
                ureg.define(f"{_ident(prefix + base)} = {factor} * {_ident(base)}")
    return ureg


def _ident(name: str) -> str:
    """A pint identifier for a unit name (``女=100`` is not one)."""
    return "sex_ratio_female_100" if name == "女=100" else name


def _ident_expr(expr: str) -> str:
    return expr.replace("女=100", _ident("女=100"))


def normalise(text: object) -> str:
    """A unit as written, cleaned: NFKC, no spaces, no brackets (``（万元）`` → ``万元``, ``元 / 人`` → ``元/人``)."""
    s = unicodedata.normalize("NFKC", "" if text is None else str(text))
    s = "".join(s.split()).strip("()（）[]【】")
    return s


def _pint_expression(unit: str) -> str:
    """The pint expression of a normalised unit: aliases replaced in each factor of a ``/`` product."""
    parts = unit.split("/")
    if unit == "女=100":
        return _ident(unit)
    return " / ".join(_ident(ALIASES.get(p, p)) for p in parts)


@lru_cache(maxsize=512)
def parse(unit: str) -> "pint.Unit":
    """The pint unit of ``unit`` as written; :class:`UnitError` if it is not one."""
    import pint

    u = normalise(unit)
    if not u:
        raise UnitError("单位为空")
    try:
        return registry().parse_units(_pint_expression(u))
    except (pint.UndefinedUnitError, pint.DefinitionSyntaxError, AttributeError, ValueError, TypeError,
            SyntaxError, KeyError, AssertionError):
        raise UnitError(f"未知单位“{unit}”") from None


def is_unit(text: object) -> bool:
    """Whether ``text`` (a header bracket, a 单位 cell) is a unit this registry knows."""
    try:
        parse(normalise(text))
    except UnitError:
        return False
    return True


def dimension(unit: str) -> str:
    """The dimension name of a unit: ``money``, ``people``, ``share``, ``area``, ``money/area`` ..."""
    dims = dict(parse(unit).dimensionality)
    if not dims:
        return "share"
    num = "*".join(d.strip("[]") for d, p in sorted(dims.items()) if p > 0)
    den = "*".join(d.strip("[]") for d, p in sorted(dims.items()) if p < 0)
    return f"{num or '1'}/{den}" if den else num


def dimension_zh(unit: str) -> str:
    """:func:`dimension` in Chinese where a name exists (``money/area`` → ``金额/面积``)."""
    d = dimension(unit)
    return "/".join("*".join(DIMENSION_ZH.get(x, x) for x in part.split("*")) for part in d.split("/"))


def factor(source: str, target: str) -> tuple[float, bool]:
    """``(f, divide)``: converting ``source`` to ``target`` is ``value / f`` when ``divide`` else ``value * f``.

    The larger-than-one ratio is returned, because 1e4 is exact in binary and
    1e-4 is not: 612345 万元 → 61.2345 亿元, not 61.234500000000004.
    """
    import pint

    src, dst = parse(source), parse(target)
    try:
        ratio = registry().Quantity(1.0, src).to(dst).magnitude
    except pint.DimensionalityError:
        raise UnitError(f"单位“{source}”（{dimension_zh(source)}）不能换算为“{target}”（{dimension_zh(target)}）") from None
    if ratio >= 1:
        return float(round(ratio, 9) if abs(ratio - round(ratio)) < 1e-9 else ratio), False
    inverse = 1.0 / ratio
    return float(round(inverse) if abs(inverse - round(inverse)) < 1e-6 * inverse else inverse), True


def convert(values: float | np.ndarray, source: str, target: str) -> float | np.ndarray:
    """``values`` in unit ``source`` expressed in ``target`` (same dimension); unchanged if either is empty.

    >>> convert(3.0, "亿元", "万元")
    30000.0
    >>> convert(12.5, "‰", "%")
    1.25
    >>> convert(612345.0, "万元", "亿元")
    61.2345
    >>> convert(15.0, "亩", "公顷")
    1.0
    """
    s, t = normalise(source), normalise(target)
    if not s or not t or s == t:
        return values
    f, divide = factor(s, t)
    return values / f if divide else values * f


def same_unit(a: str, b: str) -> bool:
    """Whether two spellings are one unit (``%`` and ``％``, ``千克`` and ``公斤``)."""
    try:
        return factor(a, b) == (1.0, False)
    except UnitError:
        return False
