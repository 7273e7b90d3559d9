"""Shared CLI plumbing: console, error mapping, atomic output directories."""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

import typer
from rich.console import Console

from baiqiang.errors import BaiqiangError, DataError

if TYPE_CHECKING:
    from baiqiang.framework import Framework
    from baiqiang.pipeline import Panel

#: The ``--db`` default: the value of :data:`baiqiang.data.store.DEFAULT_PATH`, repeated here so that
#: the commands' signatures do not import DuckDB and pandas (tests/test_startup.py checks they agree).
DEFAULT_STORE = Path("baiqiang.duckdb")

console = Console()
err_console = Console(stderr=True, soft_wrap=True)


@dataclass
class Settings:
    """Per-run CLI settings from ``--lang`` / ``--debug`` (or BAIQIANG_LANG / BAIQIANG_DEBUG)."""

    lang: str = "zh"
    debug: bool = False


settings = Settings()


def reset_settings(args: Sequence[str] | None) -> None:
    """Settings for a new run, read early from ``args`` so that even a usage error uses the language."""
    argv = list(sys.argv[1:] if args is None else args)
    settings.lang = os.environ.get("BAIQIANG_LANG", "zh")
    settings.debug = os.environ.get("BAIQIANG_DEBUG", "") not in ("", "0")
    for i, a in enumerate(argv):
        if a == "--lang" and i + 1 < len(argv):
            settings.lang = argv[i + 1]
        elif a.startswith("--lang="):
            settings.lang = a.split("=", 1)[1]
        elif a == "--debug":
            settings.debug = True
    if settings.lang not in ("zh", "en"):
        settings.lang = "zh"


def print_error(exc: BaiqiangError) -> None:
    """A domain error on stderr: every problem with its location."""
    label = "error" if settings.lang == "en" else "错误"
    err_console.print(f"[bold red]{label}:[/] ", end="", highlight=False)
    err_console.print(exc.render(settings.lang), highlight=False, markup=False)


def print_unexpected(exc: BaseException) -> None:
    """One line for an error nobody anticipated (a bug or an environment problem), never a traceback."""
    if isinstance(exc, OSError) and exc.filename:
        where = f"{exc.filename}: "
        text = exc.strerror or str(exc)
    else:
        where, text = "", f"{type(exc).__name__}: {exc}"
    if settings.lang == "en":
        msg = f"error: {where}{text} (re-run with --debug for the traceback)"
    else:
        msg = f"错误：{where}{text}（加 --debug 重新运行可查看详细信息）"
    err_console.print(msg, highlight=False, markup=False)


@contextlib.contextmanager
def user_errors() -> Iterator[None]:
    """Turn domain errors into a red message on stderr and exit code 1."""
    try:
        yield
    except BaiqiangError as exc:
        print_error(exc)
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
    from baiqiang.pipeline import read_panel

    check_year(year)
    if Path(data).suffix.lower() not in STORE_SUFFIXES:
        if Path(data).is_dir():
            raise DataError.single(str(data), "是目录，不是数据文件", "not_a_file")
        panel = read_panel(data, framework)
        return _usable(reject_non_finite(panel, framework, lambda pos, code: f"{data}: 第 {pos + 2} 行, 列 {{col}}"),
                       framework)
    if year is None:
        raise DataError.single(str(data), "从数据库读取时请用 --year 指定年份 (give --year for a store)", "missing_input")
    from baiqiang.data.store import check_store_path
    from baiqiang.data.store import read_panel as read_store_panel
    from baiqiang.pipeline.panel import panel_for

    check_store_path(data, must_exist=True)
    panel = panel_for(read_store_panel(data, year), framework, source=f"{data}（{year} 年）")
    return _usable(reject_non_finite(panel, framework, lambda pos, code: f"{data}（{year} 年）: 单位 {code}, 指标 {{col}}"),
                   framework)


def _usable(panel: Panel, framework: Framework) -> Panel:
    """``panel`` if it has units to rank: a header-only file or a universe that matches nothing is an error."""
    if not panel.codes:
        raise DataError.single(panel.source, "没有数据行（只有表头）", "empty")
    u = framework.universe
    if u.attribute is not None and not panel.select(framework).codes:
        values = "、".join(sorted({str(v) for v in panel.column(u.attribute) if v is not None and v == v})[:10])
        raise DataError.single(f"框架 universe（attribute: {u.attribute}）",
                               f"include/exclude 没有匹配任何单位；数据中的取值有：{values}", "empty_universe")
    return panel


def reject_non_finite(panel: Panel, framework: Framework, where) -> Panel:  # type: ignore[no-untyped-def]
    """``panel`` unless an indicator or denominator cell is ±inf (1e309 reads as inf): then every such cell.

    One infinite cell makes min-max and z-scores NaN or 0 for every other unit
    of that indicator, so it is refused here, where the data enter.
    """
    import numpy as np

    from baiqiang.errors import Problem
    from baiqiang.pipeline.panel import required_columns

    needed = required_columns(framework)
    cols = [c for c in needed["indicator"] + needed["denominator"] if panel.has(c)]
    values = panel.matrix(cols)
    problems = [Problem(where(int(i), panel.unit_codes[i]).format(col=cols[j]),
                        f"数值不是有限数：{values[i, j]}（inf，或超出双精度范围如 1e309）", "non_finite")
                for i, j in zip(*np.nonzero(np.isinf(values)), strict=True)]
    if problems:
        raise DataError(problems[:50], summary=f"{panel.source}: {len(problems)} 个数值不是有限数")
    return panel


def resolve_unit(query: str, panel: Panel) -> str:
    """A unit of ``panel`` from its code, full, short or old name (:func:`baiqiang.data.resolve.resolve_among`)."""
    from baiqiang.data.resolve import resolve_among

    return resolve_among(query, panel.codes, panel.names.to_dict())
