"""``baiqiang firms``: firm records to county indicators.

``firms generate``    synthetic national registry (seeded) as a firm dataset
``firms import``      validate firm tables (CSV/Parquet) into a firm dataset
``firms indicators``  run a recipe file on DuckDB or Spark → county panel (+ store)
``firms recipes``     validate a recipe file and list its indicators
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from baiqiang.cli.common import console, err_console, user_errors
from baiqiang.cli.main import app
from baiqiang.errors import DataError

firms_app = typer.Typer(help="企业数据平台：生成、导入、按配方计算县域指标 (firm data to county indicators).",
                        no_args_is_help=True)
app.add_typer(firms_app, name="firms")


@contextmanager
def _progress() -> Iterator[Callable[[str, int, int], None]]:
    """A rich progress bar fed by ``(task, done, total)`` callbacks (total 0 = unknown)."""
    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   console=err_console, transient=True)
    tasks: dict[str, int] = {}

    def update(name: str, done: int, total: int) -> None:
        if name not in tasks:
            tasks[name] = bar.add_task(name, total=total or None)
        bar.update(tasks[name], completed=done, total=total or None)

    with bar:
        yield update


def _years(text: str | None) -> list[int]:
    if not text:
        return []
    try:
        return sorted({int(y) for y in text.split(",") if y.strip()})
    except ValueError:
        raise DataError.single("--years", f"年份应为逗号分隔的整数：{text!r}", "bad_year") from None


@firms_app.command("generate")
def generate_cmd(
    out: Path = typer.Option(..., "-o", "--out", help="输出目录（企业数据集）"),
    n: int = typer.Option(40_000, "--n", help="企业数（全国规模约 5000 万）"),
    seed: int = typer.Option(0, help="随机种子"),
    years: str = typer.Option("2022,2023", help="财务数据年份，逗号分隔"),
) -> None:
    """生成合成的全国企业登记库（可复现）。"""
    from baiqiang.firms.generate import generate

    with user_errors():
        if n < 1:
            raise DataError.single("--n", "企业数须为正整数", "bad_n")
        with _progress() as progress:
            result = generate(n, out, seed=seed, years=tuple(_years(years)), progress=progress)
    _show_rows(result.rows, f"已生成 {out}")


@firms_app.command("import")
def import_cmd(
    source: Path = typer.Argument(..., help="输入目录：每表一个 CSV/Parquet 文件或目录（enterprises 必需）"),
    out: Path = typer.Option(..., "-o", "--out", help="输出目录（企业数据集）"),
    memory_limit: str = typer.Option("4GB", help="DuckDB 内存上限，超出部分写入临时文件"),
) -> None:
    """校验企业数据并写成规范的 Parquet 数据集（逐行检查，可重复执行）。"""
    from baiqiang.firms.importer import import_firms

    with user_errors():
        with _progress() as progress:
            result = import_firms(source, out, progress=progress, memory_limit=memory_limit)
    if result.unchanged:
        console.print(f"输入未变化，{out} 保持不变（数据校验和 {result.data_checksum[:12]}）")
        return
    _show_rows(result.rows, f"已导入 {out}（数据校验和 {result.data_checksum[:12]}）")


@firms_app.command("indicators")
def indicators_cmd(
    recipes: Path = typer.Argument(..., help="配方文件 (recipe YAML)"),
    out: Path = typer.Option(..., "-o", "--out", help="输出面板：.parquet 或 .csv（一年一行一县）"),
    data: Path = typer.Option(..., "--data", help="企业数据集目录（firms import/generate 的输出；Spark 可用 s3a:// 等）"),
    engine: str = typer.Option("duckdb", "--engine", help="duckdb（默认，嵌入式）或 spark"),
    spark: str = typer.Option("local[2]", "--spark", help="Spark master（local[2]、yarn、spark://…）或 Spark Connect（sc://host:15002）"),
    years: str = typer.Option(None, "--years", help="计算年份，逗号分隔（默认取配方文件的 years）"),
    year: int = typer.Option(None, "--year", help="写入面板的年份（默认最后一年）"),
    store: Path = typer.Option(None, "--store", help="同时把全部年份写入 DuckDB 数据库（带来源记录）"),
) -> None:
    """按配方计算县域指标：写出面板（可直接 baiqiang build）与来源记录。"""
    from baiqiang.data.store import Store
    from baiqiang.firms.engines import connect
    from baiqiang.firms.indicators import run_recipes, to_store, write_panel
    from baiqiang.firms.recipes import load_recipes

    with user_errors():
        book = load_recipes(recipes)
        wanted = _years(years) or sorted(book.years)
        target = year or (wanted[-1] if wanted else None)
        if target is not None and target not in wanted:
            wanted = sorted({*wanted, target})
        eng = connect(engine, spark=spark)
        try:
            result = run_recipes(book, str(data), eng, wanted, recipes_file=recipes)
        finally:
            eng.close()
        sidecar = write_panel(result, out, target)
        if store is not None:
            with Store(store) as s:
                n_new, n_changed = to_store(result, s)
            console.print(f"已写入数据库 {store}：新增 {n_new}，变更 {n_changed}")
    in_engine = sum(v for k, v in result.timings.items() if k != "derive")
    console.print(f"{engine}：{len(book.recipes)} 个指标 × {len(wanted)} 年，{len(result.wide(target))} 个县，"
                  f"引擎内汇总 {in_engine:.1f} 秒，派生与普查 {result.timings['derive']:.1f} 秒")
    console.print(f"已写出 {out}（{target} 年）与 {sidecar}")


@firms_app.command("recipes")
def recipes_cmd(recipes: Path = typer.Argument(..., help="配方文件 (recipe YAML)")) -> None:
    """校验配方文件并列出其指标。"""
    from baiqiang.firms.recipes import load_recipes

    with user_errors():
        book = load_recipes(recipes)
    view = Table(title=f"{recipes}：{len(book.recipes)} 个指标")
    for col in ("代码", "名称", "单位", "类型"):
        view.add_column(col)
    for r in book.recipes:
        kind = r.derive or (f"{r.source}.{r.measure}" if r.kind == "base" else f"census.{r.column}")
        view.add_row(r.code, r.name.zh, r.unit, kind)
    console.print(view)


def _show_rows(rows: dict[str, int], title: str) -> None:
    view = Table(title=title)
    view.add_column("表")
    view.add_column("行数", justify="right")
    for name, n in rows.items():
        view.add_row(name, f"{n:,}")
    console.print(view)
