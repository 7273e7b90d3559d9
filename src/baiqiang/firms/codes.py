"""Code lists and checks for firm records: 统一社会信用代码, GB/T 4754-2017, 高技术制造业.

All checks are vectorised over NumPy arrays of strings so that an import
batch of a million rows is validated in one pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

RESOURCES = resources.files("baiqiang.firms").joinpath("resources")

#: GB 32100-2015 code alphabet: digits and 21 capital letters (no I, O, Z, S, V).
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
#: Weight of position i (1-based) is 3^(i-1) mod 31 (GB 32100-2015, 5.2).
USCC_WEIGHTS = np.array([pow(3, i, 31) for i in range(17)], dtype=np.int64)

_VALUE = np.full(128, -1, dtype=np.int64)
for _v, _ch in enumerate(USCC_ALPHABET):
    _VALUE[ord(_ch)] = _v


def resource_path(name: str) -> Path:
    """Filesystem path of a bundled firm resource."""
    return Path(str(RESOURCES.joinpath(name)))


def uscc_check_character(first17: str) -> str:
    """The 18th character of a 统一社会信用代码 from its first 17.

    GB 32100-2015 5.2: C18 = 31 − (Σ Ci·Wi mod 31), with Wi = 3^(i−1) mod 31 and
    a result of 31 written as 0.
    """
    values = np.array([_VALUE[ord(c)] for c in first17], dtype=np.int64)
    return USCC_ALPHABET[(31 - int(values @ USCC_WEIGHTS) % 31) % 31]


def uscc_problems(codes: np.ndarray) -> np.ndarray:
    """Per code: ``""`` when valid, else the reason (length, character or check character).

    ``codes`` is an array of str (or None).  Lower-case letters are invalid: the
    standard uses capitals only, and a silent upper-casing would hide a data bug.
    """
    out = np.full(len(codes), "", dtype=object)
    text = np.array(["" if c is None else str(c) for c in codes], dtype=object)
    lengths = np.fromiter((len(t) for t in text), dtype=np.int64, count=len(text))
    out[lengths != 18] = "长度不是 18 位"
    ok = lengths == 18
    if not ok.any():
        return out
    good = text[ok]
    ascii_ok = np.array([t.isascii() for t in good])
    raw = np.frombuffer("".join(t if a else "?" * 18 for t, a in zip(good, ascii_ok, strict=True)).encode("ascii"),
                        dtype=np.uint8).reshape(-1, 18)
    values = _VALUE[raw]
    bad_char = (values < 0).any(axis=1)
    expected = (31 - (values[:, :17] @ USCC_WEIGHTS) % 31) % 31
    bad_check = ~bad_char & (values[:, 17] != expected)
    sub = np.full(len(good), "", dtype=object)
    sub[bad_char] = "含有 GB 32100-2015 字符集之外的字符（不用 I、O、Z、S、V 与小写字母）"
    alphabet = np.array(list(USCC_ALPHABET), dtype=object)
    for i in np.flatnonzero(bad_check):
        sub[i] = f"校验码错误：应为 {alphabet[expected[i]]}"
    out[ok] = sub
    return out


@dataclass(frozen=True)
class IndustryCodes:
    """GB/T 4754-2017 as a table: ``level`` (门类/大类/中类/小类), ``code``, ``name``, ``parent``, ``section``."""

    table: pd.DataFrame

    @property
    def sections(self) -> dict[str, str]:
        """Section letter of every numeric code (大类, 中类, 小类)."""
        t = self.table[self.table["level"] != "门类"]
        return dict(zip(t["code"], t["section"], strict=True))

    def normalise(self, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(numeric code, problem) per input code.

        Accepted forms: a 门类 letter (``C``), a 大类/中类/小类 number (``35``,
        ``356``, ``3562``), or a number prefixed by its 门类 letter (``C3562``).
        A letter that is not the number's 门类 is a problem, as is a code
        missing from the standard at its level.
        """
        sections = pd.Series(self.sections)
        letters = set(self.table.loc[self.table["level"] == "门类", "code"])
        text = pd.Series(codes, dtype=object).fillna("").astype(str).str.strip()
        has_letter = text.str[:1].str.isalpha()
        letter = text.str[:1].where(has_letter, "")
        number = text.where(~has_letter, text.str[1:])
        section_of = number.map(sections)
        level = number.str.len().map({2: "大类", 3: "中类", 4: "小类"}).fillna("代码")
        problems = pd.Series("", index=text.index, dtype=object)
        wrong_section = (letter != "") & section_of.notna() & (section_of != letter)
        problems[wrong_section] = number + " 属于门类 " + section_of.fillna("") + "，不是 " + letter
        unknown = (number != "") & section_of.isna()
        problems[unknown] = number + " 不是 GB/T 4754-2017 的" + level
        bad_letter = (number == "") & (letter != "") & ~letter.isin(letters)
        problems[bad_letter] = letter + " 不是 GB/T 4754-2017 的门类"
        problems[text == ""] = "行业代码为空"
        out = number.where(number != "", letter)
        return out.to_numpy(dtype=object), problems.to_numpy(dtype=object)


@lru_cache(maxsize=1)
def industry_codes() -> IndustryCodes:
    """The bundled GB/T 4754-2017 list (resources/gbt4754_2017.csv)."""
    return IndustryCodes(pd.read_csv(resource_path("gbt4754_2017.csv"), dtype=str).fillna(""))


@lru_cache(maxsize=1)
def hightech_manufacturing() -> pd.DataFrame:
    """NBS 高技术产业（制造业）分类（2017）: ``category``, ``code`` (中类 or 小类 prefix)."""
    return pd.read_csv(resource_path("hightech_manufacturing_2017.csv"), dtype=str)


@lru_cache(maxsize=1)
def industrial_chains() -> dict[str, dict[str, list[str]]]:
    """Bundled chain map: chain name → link name → GB/T 4754 code prefixes."""
    with open(resource_path("chains.yaml"), encoding="utf-8") as f:
        return yaml.safe_load(f)
