"""``baiqiang build`` and ``baiqiang framework``: the index engine's commands."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.table import Table

from baiqiang.cli.common import STORE_SUFFIXES, atomic_dir, console, load_panel, user_errors
from baiqiang.cli.main import app
from baiqiang.framework import load_framework
from baiqiang.framework.schema import json_schema
from baiqiang.data.store import file_sha256
from baiqiang.errors import DataError
from baiqiang.pipeline import Results, run
from baiqiang.pipeline.export import GROUP_RANK_ZH
from baiqiang import rankings
from baiqiang.rankings import inputs as ranking_inputs

framework_app = typer.Typer(help="框架文件：校验与模式 (framework files: validation and schema).", no_args_is_help=True)
app.add_typer(framework_app, name="framework")


@app.command()
def build(
    framework: Path = typer.Argument(..., help="框架文件 (framework YAML)"),
    data: Path = typer.Argument(None, help="数据文件：CSV、XLSX、Parquet（每行一个单位）或 DuckDB 数据库（配合 --year）"),
    store: Path = typer.Option(None, "--store", help="DuckDB 数据库（等同于把它作为 DATA 给出）"),
    year: int = typer.Option(None, "--year", help="从数据库读取时的年份"),
    out: Path = typer.Option(..., "-o", "--out", help="输出目录 (output directory)"),
    top: int = typer.Option(20, help="终端显示前几名 (rows to show)"),
) -> None:
    """构建指数并排名：写出 scores.csv、results.xlsx、method.json。"""
    with user_errors():
        fw = load_framework(framework)
        data = data or store
        if data is None:
            raise DataError.single("baiqiang build", "请给出数据文件 DATA，或 --store 与 --year", "missing_input")
        panel, cells = ranking_inputs.build_panel(data, fw, year, load_panel)
        # A store holds other years too: record the checksum of the panel's content.
        checksum = panel.checksum if data.suffix.lower() in STORE_SUFFIXES else file_sha256(data)
        results = run(fw, panel)
        base = ranking_inputs.base_panel(data, fw, lambda y: load_panel(data, fw, y))
        ranked = rankings.apply(results, fw, panel, base_panel=base, cells=cells) if fw.rankings or cells is not None else None
        with atomic_dir(out) as tmp:
            results.write(tmp, data_checksum=checksum)
            if ranked is not None:
                rankings.write(ranked, tmp)
    show_top(results, top)
    for check in results.plan.diagnostics:
        if not check.acceptable:
            console.print(f"[yellow]注意[/]：{check.aggregate} 的 AHP 判断矩阵一致性比率 CR = {check.cr:.3f} ≥ 0.1，建议调整")
    console.print(f"已写出 {out}/scores.csv、results.xlsx、method.json" + ("、rankings.csv" if ranked is not None else ""))


def show_top(results: Results, top: int) -> None:
    """The best ``top`` units, with their rank within each group attribute."""
    table = results.table().head(top)
    h = results.hierarchy
    groups = list(results.group_ranks.columns)
    view = Table(title=f"{results.framework.name.zh}：前 {len(table)} 名")
    view.add_column("排名", justify="right")
    view.add_column("代码")
    view.add_column("名称")
    view.add_column(h.name(h.root), justify="right")
    for group in groups:
        view.add_column(GROUP_RANK_ZH.get(group, f"{group}内排名"), justify="right")
    for row in table.itertuples(index=False):
        within = [_rank_text(results.group_ranks.at[row.unit_code, g]) for g in groups]
        view.add_row(str(row.rank), str(row.unit_code), str(row.unit_name), f"{getattr(row, h.root):.2f}", *within)
    console.print(view)


def _rank_text(rank: float) -> str:
    return "—" if rank != rank else f"{rank:.0f}"  # NaN: the unit has no group


@framework_app.command("schema")
def schema() -> None:
    """打印框架文件的 JSON Schema。"""
    typer.echo(json.dumps(json_schema(), ensure_ascii=False, indent=2))


@framework_app.command("check")
def check(framework: Path = typer.Argument(..., help="框架文件 (framework YAML)")) -> None:
    """校验框架文件，一次列出全部问题。"""
    with user_errors():
        fw = load_framework(framework)
    console.print(f"[green]通过[/]：{fw.id}，{len(fw.indicators)} 个指标，{len(fw.aggregates)} 个汇总节点")
