"""The panels a ranked build reads: the build year's (with source precedence) and the progress base year's."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Callable

from baiqiang.errors import DataError
from baiqiang.framework.spec import Framework
from baiqiang.pipeline.panel import Panel, panel_for

if TYPE_CHECKING:
    import pandas as pd

STORE_SUFFIXES = (".duckdb", ".db")


def is_store(data: Path) -> bool:
    return Path(data).suffix.lower() in STORE_SUFFIXES


def sourced_panel(store: Path, framework: Framework, year: int) -> tuple[Panel, pd.DataFrame]:
    """The panel of ``year`` under the framework's ``sources.precedence``, and the cell each value came from."""
    from baiqiang.data.precedence import store_panel

    precedence = framework.sources.precedence if framework.sources else ["*"]
    frame, cells = store_panel(store, year, precedence)
    panel = panel_for(frame, framework, source=f"{store}（{year} 年）")
    return panel, cells[cells["unit_code"].isin(panel.codes)].reset_index(drop=True)


def build_panel(data: Path, framework: Framework, year: int | None, load: Callable[[Path, Framework, int | None], Panel]
                ) -> tuple[Panel, pd.DataFrame | None]:
    """The build panel: under ``sources.precedence`` when reading a store, else ``load(data, framework, year)``.

    A data file holds one value per cell, so precedence only applies to a store.
    """
    if framework.sources is not None and year is not None and is_store(data):
        return sourced_panel(data, framework, year)
    return load(data, framework, year), None


def base_panel(data: Path, framework: Framework, load: Callable[[int], Panel]) -> Panel | None:
    """The base year's panel when ``rankings.progress`` is declared (``load(year)`` reads a year of the store)."""
    progress = framework.rankings.progress if framework.rankings else None
    if progress is None:
        return None
    if not is_store(data):
        raise DataError.single("rankings.progress.base_year", f"进步排名需要两个年份的数据：请从数据库构建（{data} 不是 .duckdb 数据库）", "missing_input")
    if framework.sources is not None:
        return sourced_panel(data, framework, progress.base_year)[0]
    return load(progress.base_year)
