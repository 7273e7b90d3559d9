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

#: An Arabic number, optionally signed, with separators, decimals and a 千/百 tail.
ARABIC = r"[-−]?\d+(?:,\d{3})*(?:\.\d+)?(?:[千百](?![瓦米克]))?"
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
    if chinese:
        text = cn2an.an2cn(_plain(value), "low")
        return text
    return _plain(value)


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
