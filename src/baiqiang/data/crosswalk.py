"""Crosswalk of county-level code and name changes (2010 → 2020 → current).

The crosswalk is *data*: ``resources/crosswalk.csv``, one row per (old code,
new code) link, reviewed by hand and shipped with the package.  Merges are
several rows with the same ``new_code``; splits are several rows with the same
``old_code``.  Columns (see :data:`COLUMNS`):

``old_code, old_name, old_type, old_prefecture, province, new_code, new_name,
new_type, change, year_from, year_to, method, note``

``change`` is one of :data:`CHANGE_KINDS`; ``year_from``/``year_to`` give the
tables the link was observed between (e.g. 2010 → 2020 census); ``method`` is
``stem`` (derived by :func:`derive_candidates` and reviewed) or ``manual``.

Users add entries with their own CSV of the same columns
(``load_crosswalk(extra=[path])``); user rows win over bundled rows for the
same (old_code, new_code) pair.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

from baiqiang.data import names as nm
from baiqiang.errors import DataError, Problem

COLUMNS: tuple[str, ...] = (
    "old_code", "old_name", "old_type", "old_prefecture", "province", "new_code", "new_name",
    "new_type", "change", "year_from", "year_to", "method", "note",
)
CHANGE_KINDS: frozenset[str] = frozenset(
    {"撤县设区", "撤县设市", "撤市设区", "撤旗设市", "撤县设特区", "撤区设县", "撤特区设区", "区县合并",
     "合并", "拆分", "更名", "代码调整", "改隶", "升格", "撤销"}
)
REQUIRED: tuple[str, ...] = ("old_code", "old_name", "new_code", "change")


def _bundled_path() -> Path:
    from baiqiang.data.registry import resource_path

    return resource_path("crosswalk.csv")


def read_crosswalk_file(path: str | Path) -> pd.DataFrame:
    """Read and validate one crosswalk CSV; all problems are reported together.

    Read once per process and file version: the file is re-read only when its size or
    modification time changes (the demo and its report ask for the crosswalk five times).
    Each caller gets its own copy, free to change.
    """
    path = Path(path)
    try:
        st = path.stat()
    except FileNotFoundError:
        raise DataError.single(str(path), "文件不存在", "file_missing") from None
    return _read_crosswalk_version(str(path), st.st_mtime_ns, st.st_size).copy()


@lru_cache(maxsize=16)
def _read_crosswalk_version(path_text: str, mtime_ns: int, size: int) -> pd.DataFrame:
    """:func:`read_crosswalk_file` uncached; ``mtime_ns`` and ``size`` only key the cache."""
    path = Path(path_text)
    try:
        df = pd.read_csv(path, dtype=str, encoding="utf-8-sig").fillna("")
    except FileNotFoundError:
        raise DataError.single(str(path), "文件不存在", "file_missing") from None
    except Exception as exc:
        raise DataError.single(str(path), f"无法读取 CSV：{exc}", "corrupt") from None
    problems: list[Problem] = []
    missing = [c for c in REQUIRED if c not in df.columns]
    if missing:
        raise DataError.single(str(path), f"缺少列：{', '.join(missing)}", "missing_column")
    for c in COLUMNS:
        if c not in df.columns:
            df[c] = ""
    for i, r in df.iterrows():
        where = f"{path.name}: 第 {i + 2} 行"
        for col in ("old_code", "new_code"):
            v = r[col]
            if col == "new_code" and r["change"] == "撤销" and not v:
                continue
            if not (len(v) == 6 and v.isdigit()):
                problems.append(Problem(where, f"{col} 应为 6 位数字代码，实为 {v!r}", "bad_code"))
        if r["change"] not in CHANGE_KINDS:
            problems.append(Problem(where, f"change {r['change']!r} 不是已知变更类型", "bad_change"))
    if problems:
        raise DataError(problems, summary=f"{path}: 区划变更对照表有 {len(problems)} 处错误")
    df["old_type"] = [t or nm.unit_type(n) for t, n in zip(df["old_type"], df["old_name"])]
    df["new_type"] = [t or nm.unit_type(n) for t, n in zip(df["new_type"], df["new_name"])]
    return df[list(COLUMNS)]


def load_crosswalk(*, extra: list[str | Path] | None = None) -> pd.DataFrame:
    """The bundled crosswalk plus any user files (user rows win per link)."""
    frames = [read_crosswalk_file(_bundled_path())]
    for p in extra or []:
        frames.append(read_crosswalk_file(p))
    df = pd.concat(frames, ignore_index=True)
    return df.drop_duplicates(["old_code", "new_code"], keep="last").reset_index(drop=True)


def change_kind(old_name: str, new_name: str) -> str:
    """Classify a one-to-one change from the two names' types."""
    a, b = nm.unit_type(old_name), nm.unit_type(new_name)
    table = {
        ("县", "市辖区"): "撤县设区", ("自治县", "市辖区"): "撤县设区", ("县", "县级市"): "撤县设市",
        ("自治县", "县级市"): "撤县设市", ("县级市", "市辖区"): "撤市设区", ("旗", "县级市"): "撤旗设市",
        ("特区", "市辖区"): "撤特区设区", ("市辖区", "县"): "撤区设县",
    }
    if (a, b) in table:
        return table[(a, b)]
    if nm.normalise(old_name) != nm.normalise(new_name):
        return "更名"
    return "代码调整"


def derive_candidates(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """Candidate links for ``old`` units whose code is absent from ``new``.

    Both frames need ``code, name, prefecture, province``.  A candidate is a
    ``new`` unit in the same province with the same name stem (永康市/永康县 →
    永康), preferring the same prefecture stem.  Returns one row per old unit:
    ``old_code, old_name, old_prefecture, province, new_code, new_name,
    new_prefecture, change, n_candidates`` (``new_code`` empty when there is no
    unique candidate).  The result is for *review*; it is not used directly.
    """
    new_codes = set(new["code"])
    gone = old[~old["code"].isin(new_codes)]
    by_stem: dict[tuple[str, str], list[pd.Series]] = {}
    for _, r in new.iterrows():
        by_stem.setdefault((r["code"][:2], nm.name_stem(r["name"])), []).append(r)
    out = []
    for _, r in gone.iterrows():
        cands = by_stem.get((r["code"][:2], nm.name_stem(r["name"])), [])
        if len(cands) > 1:
            same = [c for c in cands if nm.place_stem(c["prefecture"]) == nm.place_stem(r["prefecture"])]
            cands = same or cands
        pick = cands[0] if len(cands) == 1 else None
        out.append({
            "old_code": r["code"], "old_name": r["name"], "old_prefecture": r["prefecture"],
            "province": r["province"],
            "new_code": pick["code"] if pick is not None else "",
            "new_name": pick["name"] if pick is not None else "",
            "new_prefecture": pick["prefecture"] if pick is not None else "",
            "change": change_kind(r["name"], pick["name"]) if pick is not None else "",
            "n_candidates": len(cands),
        })
    return pd.DataFrame(out)


#: ``old_code → [(new_code, year_to)]``: the crosswalk's links, indexed once (:func:`successor_links`).
Links = dict[str, list[tuple[str, int]]]


def successor_links(crosswalk: pd.DataFrame) -> Links:
    """The crosswalk's links by old code; a link without a ``year_to`` year counts as the latest (9999).

    Build it once and pass it to :func:`successors` / :func:`successor_among` when resolving many
    codes: indexing the crosswalk is the whole cost of one lookup.
    """
    links: Links = {}
    for o, n, y in zip(*(crosswalk[c].tolist() for c in ("old_code", "new_code", "year_to"))):  # lists: fast to iterate
        if n:
            links.setdefault(o, []).append((n, int(y) if str(y).isdigit() else 9999))
    return links


def successors(crosswalk: pd.DataFrame | Links, code: str, *, until: int | None = None) -> list[str]:
    """Codes that ``code`` maps to, following chains (2010 → 2020 → current).

    ``crosswalk`` is the crosswalk table or its :func:`successor_links`.
    ``until`` stops at links whose ``year_to`` is later than that year.
    """
    links = crosswalk if isinstance(crosswalk, dict) else successor_links(crosswalk)
    seen: set[str] = set()
    frontier, result = [code], []
    while frontier:
        c = frontier.pop(0)
        nxt = [n for n, y in links.get(c, []) if until is None or y <= until]
        if not nxt:
            if c != code:
                result.append(c)
            continue
        for n in nxt:
            if n not in seen:
                seen.add(n)
                frontier.append(n)
    return list(dict.fromkeys(result))


def successor_among(crosswalk: pd.DataFrame | Links, code: str, codes: set[str], *, until: int | None = None) -> str:
    """``code`` itself when it is in ``codes``, else its single successor in ``codes``; ``""`` when none or several."""
    if code in codes:
        return code
    nxt = [c for c in successors(crosswalk, code, until=until) if c in codes]
    return nxt[0] if len(nxt) == 1 else ""
