"""``baiqiang build`` and ``baiqiang framework``: the index engine's commands."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from baiqiang.cli.common import STORE_SUFFIXES, atomic_dir, console, load_panel, user_errors
from baiqiang.cli.main import app
from baiqiang.errors import DataError

if TYPE_CHECKING:
    from rich.tree import Tree

    from baiqiang.framework.plan import Plan
    from baiqiang.pipeline import Results

# The engine (NumPy, pandas, the framework and pipeline packages) is imported inside
# each command: `baiqiang --help` must not pay for it (tests/test_startup.py).

framework_app = typer.Typer(help="框架文件：校验与模式 (framework files: validation and schema).", no_args_is_help=True)
app.add_typer(framework_app, name="framework")


@app.command()
def build(
    framework: Path = typer.Argument(..., help="框架文件 (framework YAML)"),
    data: Path = typer.Argument(None, help="数据文件：CSV、XLSX、Parquet（每行一个单位）或 DuckDB 数据库（配合 --year）"),
    store: Path = typer.Option(None, "--store", help="DuckDB 数据库（等同于把它作为 DATA 给出）"),
    year: int = typer.Option(None, "--year", help="从数据库读取时的年份"),
    out: Path = typer.Option(None, "-o", "--out", help="输出目录 (output directory)"),
    top: int = typer.Option(20, help="终端显示前几名 (rows to show)"),
    dry_run: bool = typer.Option(False, "--dry-run", help="只打印编译后的计划，不读数据、不计算 (print the compiled plan only)"),
    lang: str = typer.Option("zh", "--lang", help="计划的语言：zh 或 en (language of --dry-run output)"),
) -> None:
    """构建指数并排名：写出 scores.csv、results.xlsx、method.json。"""
    from baiqiang.data.importers.read import file_sha256
    from baiqiang.framework import load_framework
    from baiqiang.pipeline import run
    from baiqiang.pipeline import inputs as ranking_inputs

    with user_errors():
        fw = load_framework(framework)
        if dry_run:
            from rich.console import Console

            from baiqiang.framework.plan import Plan

            # Long labels stay on one line however narrow the terminal (the tree is read, not laid out).
            Console(width=max(console.width, 160)).print(plan_tree(Plan.of(fw), "en" if lang == "en" else "zh"))
            return
        if out is None:  # optional only for --dry-run, so click cannot require it
            from typer._click.exceptions import MissingParameter

            raise MissingParameter(param_hint="-o/--out", param_type="option")
        data = data or store
        if data is None:
            raise DataError.single("baiqiang build", "请给出数据文件 DATA，或 --store 与 --year", "missing_input")
        panel, cells = ranking_inputs.build_panel(data, fw, year, load_panel)
        # A store holds other years too: record the checksum of the panel's content.
        checksum = panel.checksum if data.suffix.lower() in STORE_SUFFIXES else file_sha256(data)
        results = run(fw, panel)
        base = ranking_inputs.base_panel(data, fw, lambda y: load_panel(data, fw, y))
        ranked = None
        if fw.rankings or cells is not None:  # rankings need pandas: a plain build does not import them
            from baiqiang import rankings

            ranked = rankings.apply(results, fw, panel, base_panel=base, cells=cells)
        with atomic_dir(out) as tmp:
            results.write(tmp, data_checksum=checksum, extra_sheets=rankings.sheets(ranked) if ranked is not None else None)
            if ranked is not None:
                rankings.write(ranked, tmp)
    show_top(results, top)
    for line in rankings.summary(ranked) if ranked is not None else []:
        console.print(line)
    for check in results.plan.diagnostics:
        if not check.acceptable:
            console.print(f"[yellow]注意[/]：{check.aggregate} 的 AHP 判断矩阵一致性比率 CR = {check.cr:.3f} ≥ 0.1，建议调整")
    console.print(f"已写出 {out}/scores.csv、results.xlsx、method.json" + ("、rankings.csv" if ranked is not None else ""))


_LABELS = {
    "zh": {"data": "数据步骤", "transform": "变换", "tree": "层级（权重 → 汇总方法）", "columns": "所需数据列",
           "indicator": "指标", "denominator": "分母", "attribute": "单位属性", "diagnostics": "诊断", "rank": "排名",
           "tiers": "档次分界", "fast": "快速路径", "weight": "权重", "lower": "逆向", "higher": "正向",
           "inputs": "输入", "none": "无", "cr_ok": "可接受", "cr_bad": "建议调整",
           "summary": "{n} 个指标，{m} 个汇总节点，{s} 个步骤"},
    "en": {"data": "data steps", "transform": "transform", "tree": "hierarchy (weights -> aggregation)", "columns": "required columns",
           "indicator": "indicators", "denominator": "denominators", "attribute": "unit attributes", "diagnostics": "diagnostics",
           "rank": "ranking", "tiers": "tier cut-points", "fast": "fast path", "weight": "weight", "lower": "lower is better",
           "higher": "higher is better", "inputs": "inputs", "none": "none", "cr_ok": "acceptable", "cr_bad": "revise",
           "summary": "{n} indicators, {m} aggregates, {s} steps"},
}


def _params_text(params: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in params.items())


def plan_tree(plan: Plan, lang: str = "zh") -> Tree:
    """The compiled plan as a Rich tree: data steps, the hierarchy with each aggregate's kernels, columns, diagnostics."""
    from rich.tree import Tree

    t, fw, h = _LABELS[lang], plan.framework, plan.hierarchy
    summary = t["summary"].format(n=len(h.indicator_codes), m=len(h.aggregate_codes), s=len(plan.steps))
    root = Tree(f"[bold]{fw.name.text(lang)}[/] ({fw.id}) — {summary}")
    data = root.add(f"[bold]{t['data']}[/]")
    for ind, name in zip(fw.indicators, plan.transforms):
        if name:
            data.add(f"{t['transform']}: {ind.code} → {name}")
    for step in plan.data_steps:
        inputs = f" · {t['inputs']}: {', '.join(step.inputs)}" + (f" ({step.attribute})" if step.attribute else "") if step.inputs else ""
        params = f" ({_params_text(step.params)})" if step.params else ""
        data.add(f"{step.key}: [cyan]{step.label}[/]{params}{inputs}")
    if not data.children:
        data.add(t["none"])
    tree = root.add(f"[bold]{t['tree']}[/]")
    _add_node(tree, plan, h.root, lang)
    cols = root.add(f"[bold]{t['columns']}[/]")
    for role, names in plan.columns.by_role().items():
        cols.add(f"{t[role]}: {', '.join(names) if names else t['none']}")
    if plan.diagnostics:
        diag = root.add(f"[bold]{t['diagnostics']}[/]")
        for check in plan.diagnostics:
            verdict = t["cr_ok"] if check.acceptable else t["cr_bad"]
            diag.add(f"AHP {check.aggregate}: CR = {check.cr:.3f} ({verdict})")
    if plan.rank_tiers:
        root.add(f"[bold]{t['rank']}[/]: {t['tiers']} {plan.rank_tiers}")
    return root


def _add_node(parent: Tree, plan: Plan, code: str, lang: str) -> None:
    t, h = _LABELS[lang], plan.hierarchy
    weights = dict(zip(h.node_codes, h.declared_weights))
    if code in plan.aggregators:
        agg, wt = plan.aggregators[code], plan.weighters[code]
        params = f" ({_params_text(agg.params)})" if agg.params else ""
        fast = f" [green]{t['fast']}[/]" if code in plan.collapsible else ""
        branch = parent.add(f"[bold]{code}[/] {h.name(code, lang)} · {t['weight']} {weights[code]:g} · [magenta]{wt.label}[/] → [cyan]{agg.label}[/]{params}{fast}")
        for k in h.children[code]:
            _add_node(branch, plan, h.node_codes[k], lang)
        return
    ind = next(i for i in plan.framework.indicators if i.code == code)
    extra = [t["lower"] if ind.direction < 0 else t["higher"]] + ([ind.transform] if ind.transform else [])
    parent.add(f"{code} {h.name(code, lang)} · {t['weight']} {weights[code]:g} · {', '.join(extra)}")


def show_top(results: Results, top: int) -> None:
    """The best ``top`` units, with their rank within each group attribute."""
    from rich.table import Table

    from baiqiang.pipeline.export import GROUP_RANK_ZH

    h = results.hierarchy
    best = results.order()[:top]
    view = Table(title=f"{results.framework.name.zh}：前 {len(best)} 名")
    view.add_column("排名", justify="right")
    view.add_column("代码")
    view.add_column("名称")
    view.add_column(h.name(h.root), justify="right")
    for group in results.group_rank_values:
        view.add_column(GROUP_RANK_ZH.get(group, f"{group}内排名"), justify="right")
    codes, names = results.panel.unit_codes, results.panel.unit_names
    for k in best:
        within = [_rank_text(ranks[k]) for ranks in results.group_rank_values.values()]
        view.add_row(_rank_text(results.rank_values[k, -1]), str(codes[k]), names[k] or "—",
                     f"{results.score_values[k, -1]:.2f}", *within)
    console.print(view)


def _rank_text(rank: float) -> str:
    return "—" if rank != rank else f"{rank:.0f}"  # NaN: unranked, or the unit has no group


@framework_app.command("schema")
def schema() -> None:
    """打印框架文件的 JSON Schema。"""
    from baiqiang.framework.schema import json_schema

    typer.echo(json.dumps(json_schema(), ensure_ascii=False, indent=2))


@framework_app.command("check")
def check(framework: Path = typer.Argument(..., help="框架文件 (framework YAML)")) -> None:
    """校验框架文件，一次列出全部问题。"""
    from baiqiang.framework import load_framework

    with user_errors():
        fw = load_framework(framework)
    console.print(f"[green]通过[/]：{fw.id}，{len(fw.indicators)} 个指标，{len(fw.aggregates)} 个汇总节点")
