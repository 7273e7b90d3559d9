"""Numerals: parse Arabic, Chinese and mixed numbers, and format them back.

Chinese numerals go through :mod:`cn2an` (a maintained converter that knows
两, 〇, 十 without a leading 一 and decimals with 点); this module only adds
what reports write around it: thousands separators, full-width digits, a
trailing 千/百 on an Arabic number (3千 → 3000) and the 余/多 markers, which
the caller turns into a qualifier.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache

import cn2an

CHINESE_DIGITS = "零〇一二两三四五六七八九十百千"
_FULLWIDTH = str.maketrans("０１２３４５６７８９．％－", "0123456789.%-")

#: An Arabic number, optionally signed, with separators, decimals and a 千/百 tail.  A 千 that
#: starts a unit of its own (千瓦, 千米, 千克, 千伏安, 千公顷: bulletins give sown areas in 千公顷,
#: kept as written since facts.md multiplies out only 万/亿) is the unit's, not the number's.
ARABIC = r"[-−]?\d+(?:,\d{3})*(?:\.\d+)?(?:[千百](?![瓦米克]|伏安|公顷))?"
#: A Chinese numeral; 万/亿 are left to the unit (三十五万人 = 35 万人).
CHINESE = r"[零〇一二两三四五六七八九十百千]+(?:点[零〇一二三四五六七八九]+)?"
_CHINESE_FULL = re.compile(r"[零〇一二两三四五六七八九十百千万亿]+(?:点[零〇一二三四五六七八九]+)?")


def to_halfwidth(text: str) -> str:
    """Replace full-width digits, point, percent and comma by ASCII ones."""
    return text.translate(_FULLWIDTH)


@lru_cache(maxsize=4096)
def parse_number(token: str) -> float:
    """Return the value of a numeral as written.

    >>> parse_number("1,234.5"), parse_number("三十五"), parse_number("3千")
    (1234.5, 35.0, 3000.0)

    Raises ``ValueError`` when ``token`` is not a numeral.
    """
    raw = to_halfwidth(token.strip()).replace("−", "-").replace(",", "")
    if not raw:
        raise ValueError("empty numeral")
    scale = 1
    if raw[-1] in "千百" and raw[:-1].replace(".", "", 1).lstrip("-").isdigit():
        scale = 1000 if raw[-1] == "千" else 100
        raw = raw[:-1]
    if re.fullmatch(r"-?\d+(?:\.\d+)?", raw):
        return float(Decimal(raw) * scale)
    sign = -1.0 if raw[0] in "负-" else 1.0
    raw = raw.lstrip("负-")
    if not _CHINESE_FULL.fullmatch(raw):
        raise ValueError(f"not a numeral: {token!r}")
    try:
        return sign * float(cn2an.cn2an(raw, "smart"))
    except (ValueError, KeyError) as exc:
        raise ValueError(f"not a numeral: {token!r}") from exc


def scaled(value: float, multiplier: float) -> float:
    """``value * multiplier`` computed in decimal, so 9.1 × 1e8 is exactly 910000000."""
    out = Decimal(repr(value)) * Decimal(repr(multiplier))
    return float(out)


def format_number(value: float, *, chinese: bool = False) -> str:
    """Write ``value`` back as an Arabic or a Chinese numeral.

    ``parse_number(format_number(x, chinese=c)) == x`` for every finite ``x``
    that has at most 15 significant digits.
    """
    if not chinese:
        return _plain(value)
    sign, plain = ("负", _plain(-value)) if value < 0 else ("", _plain(value))
    whole, _, fraction = plain.partition(".")
    return sign + _chinese_integer(int(whole)) + ("点" + fraction.translate(_CHINESE_DIGITS) if fraction else "")


_CHINESE_DIGITS = str.maketrans("0123456789", "零一二三四五六七八九")
_SECTION_UNITS = ("", "万", "亿", "万亿")


def _chinese_integer(n: int) -> str:
    """``n`` (0 ≤ n < 10**16) in Chinese numerals, read by sections of four digits.

    A section's trailing zeros are silent, and one 零 stands for any run of zeros
    before a digit: 1001000 → 一百万一千, 100001000 → 一亿零一千, 10010 → 一万零一十.
    (cn2an writes 100001000 as 一亿一千, which colloquially means 1.1亿 and which it cannot read back.)
    """
    if n == 0:
        return "零"
    sections = [int(str(n)[max(0, end - 4):end]) for end in range(len(str(n)), 0, -4)]
    text, zeros_before = "", False
    for unit, section in reversed(list(zip(_SECTION_UNITS, sections))):
        if section == 0:
            zeros_before = True
            continue
        if text and (zeros_before or section < 1000):
            text += "零"
        text += _chinese_section(section, leading=not text) + unit
        zeros_before = False
    return text


def _chinese_section(section: int, *, leading: bool) -> str:
    """One section (1–9999): 1010 → 一千零一十; a leading 一十 is written 十."""
    text, zeros_before = "", False
    for digit, unit in zip(f"{section:04d}", ("千", "百", "十", "")):
        if digit == "0":
            zeros_before = bool(text)
            continue
        text += ("零" if zeros_before else "") + digit.translate(_CHINESE_DIGITS) + unit
        zeros_before = False
    return text[1:] if leading and text.startswith("一十") else text


def _plain(value: float) -> str:
    dec = Decimal(repr(value))
    if dec == dec.to_integral_value():
        return str(int(dec))
    return format(dec.normalize(), "f")


def json_number(value: float) -> int | float:
    """An ``int`` when the value is whole (45, not 45.0), else the float."""
    if value == int(value) and abs(value) < 1e15:
        return int(value)
    return value
