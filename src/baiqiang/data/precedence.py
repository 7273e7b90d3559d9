"""Source precedence: which of a cell's stored values a build uses.

A (unit, indicator, year) cell can hold several versions in the store, each
with its source (``统计公报 2023``, ``年鉴 2024``, ``extract:<document>`` for an
accepted extracted fact, the file name of a user import).  A framework's
``sources.precedence`` lists glob patterns, most preferred first; for every
cell the version whose source matches the earliest pattern is used (the
latest such version when several match).  A pinned version is a person's
explicit choice and always wins; sources that match no pattern come after
every listed one.  The chosen source and version of every cell are returned
so the build records them.

Built on :class:`baiqiang.data.store.Store`'s query API (``observations``, ``units``).
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from baiqiang.data.store import UNIT_ATTRIBUTES, Store
from baiqiang.errors import DataError

CELL = ["unit_code", "indicator", "year"]


def source_priority(sources: pd.Series, precedence: Sequence[str]) -> pd.Series:
    """Position of the first pattern each source matches (``len(precedence)`` if none); one match per distinct source."""
    distinct = pd.unique(sources.astype(str))
    rank = {s: next((k for k, p in enumerate(precedence) if fnmatchcase(s, p)), len(precedence)) for s in distinct}
    return sources.astype(str).map(rank)


def choose(observations: pd.DataFrame, precedence: Sequence[str]) -> pd.DataFrame:
    """One row per cell: the version chosen by ``precedence`` (pinned first), with how many versions the cell had.

    ``observations`` are every version (``Store.observations(active_only=False)``).
    """
    obs = observations.copy()
    obs["priority"] = np.where(obs["pinned"].astype(bool), -1, source_priority(obs["source"], precedence))
    obs["alternatives"] = obs.groupby(CELL)["version"].transform("size")
    obs = obs.sort_values([*CELL, "priority", "version"], ascending=[True, True, True, True, False], kind="stable")
    chosen = obs.drop_duplicates(CELL, keep="first")
    return chosen[[*CELL, "value", "source", "version", "provenance", "alternatives"]].reset_index(drop=True)


def store_panel(store_path: str | Path, year: int, precedence: Sequence[str],
                indicators: Sequence[str] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Wide table of ``year`` (as :meth:`Store.panel`) with values chosen by ``precedence``, and the chosen cells."""
    if not Path(store_path).exists():
        raise DataError.single(str(store_path), "数据库文件不存在", "file_missing")
    with Store(store_path, read_only=True) as store:
        obs = store.observations(year=year, active_only=False)
        units = store.units()
    if obs.empty:
        raise DataError.single(str(store_path), f"数据库中没有 {year} 年的观测值", "no_data")
    cells = choose(obs, precedence)
    if indicators is not None:
        cells = cells[cells["indicator"].isin(indicators)]
    wide = cells.pivot(index="unit_code", columns="indicator", values="value")
    cols = list(indicators) if indicators is not None else sorted(wide.columns)
    absent = [c for c in cols if c not in wide.columns]
    if absent:
        raise DataError.single(str(store_path), f"{year} 年缺少指标：{', '.join(absent)}", "missing_indicator")
    frame = units.set_index("code")[list(UNIT_ATTRIBUTES)].join(wide[cols].astype(float), how="inner")
    frame.index.name = "code"
    return frame.reset_index().sort_values("code").reset_index(drop=True), cells.reset_index(drop=True)

