"""Shared CLI plumbing: console, error mapping, atomic output directories."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

import typer
from rich.console import Console

from baiqiang.errors import BaiqiangError, DataError

if TYPE_CHECKING:
    from baiqiang.framework import Framework
    from baiqiang.pipeline import Panel

console = Console()
err_console = Console(stderr=True, soft_wrap=True)


@contextlib.contextmanager
def user_errors() -> Iterator[None]:
    """Turn domain errors into a red message on stderr and exit code 1."""
    try:
        yield
    except BaiqiangError as exc:
        err_console.print(f"[bold red]错误 / error:[/] {exc}", highlight=False, markup=True)
        raise typer.Exit(1) from None


@contextlib.contextmanager
def atomic_dir(target: Path) -> Iterator[Path]:
    """Yield a temporary directory that replaces files in ``target`` only on success.

    Files are written into a sibling temporary directory; when the block ends
    without an exception each file is moved into ``target`` with ``os.replace``
    (atomic per file on one file system).  On failure nothing in ``target`` changes.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        yield tmp
        target.mkdir(parents=True, exist_ok=True)
        for item in tmp.rglob("*"):
            if item.is_file():
                dest = target / item.relative_to(tmp)
                dest.parent.mkdir(parents=True, exist_ok=True)
                os.replace(item, dest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


STORE_SUFFIXES = (".duckdb", ".db")
#: Years a statistical table can be about: the People's Republic's first yearbooks to next year.
YEAR_RANGE = (1949, 2100)


def check_year(year: int | None, option: str = "--year") -> None:
    """Refuse a year outside :data:`YEAR_RANGE` (``--year 99999`` is a typo, not a year)."""
    if year is not None and not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
        raise DataError.single(option, f"年份 {year} 不在 {YEAR_RANGE[0]}–{YEAR_RANGE[1]} 之内", "bad_year")


def load_panel(data: Path, framework: Framework, year: int | None) -> Panel:
    """The panel for ``framework`` from a data file, or from a DuckDB store and ``year``.

    A ``.duckdb`` DATA argument is read as a store (``baiqiang import``/``demo``
    write them); its year's active observations form the panel.
    """
    from baiqiang.data.store import read_panel as read_store_panel
    from baiqiang.pipeline import read_panel
    from baiqiang.pipeline.panel import panel_for

    check_year(year)
    if Path(data).suffix.lower() not in STORE_SUFFIXES:
        return read_panel(data, framework)
    if year is None:
        raise DataError.single(str(data), "从数据库读取时请用 --year 指定年份 (give --year for a store)", "missing_input")
    return panel_for(read_store_panel(data, year), framework, source=f"{data}（{year} 年）")
