"""``baiqiang uncertainty | sensitivity | explain | target | change``: robustness and explanation.

Each command parses its arguments, calls one function of
:mod:`baiqiang.analysis`, writes CSV/XLSX into ``--out`` atomically and
prints a Chinese summary table.
"""

from __future__ import annotations

import math
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Iterator, Optional

import typer

from baiqiang.cli.common import atomic_dir, check_year, console, load_panel, resolve_unit, user_errors
from baiqiang.cli.main import app
from baiqiang.errors import DataError

if TYPE_CHECKING:
    import pandas as pd

# Rich tables and progress bars, NumPy and pandas are imported inside the commands:
# `baiqiang --help` must not pay for them (tests/test_startup.py).


def _load(framework: Path, data: Path, year: int | None = None):  # noqa: ANN202 - (Framework, Panel)
    """The framework and the panel ``build`` would rank (a store is read under the framework's source precedence)."""
    from baiqiang.framework import load_framework
    from baiqiang.pipeline.inputs import build_panel

    fw = load_framework(framework)
    return fw, build_panel(data, fw, year, load_panel)[0]


def _standings(fw, panel, data: Path, unit: str, results=None) -> list:  # noqa: ANN001 - (Framework, Panel, Results)
    """The unit's standing in each named list of the framework (empty without lists; builds when not given a build)."""
    if fw.rankings is None or not fw.rankings.lists:
        return []
    from baiqiang import rankings
    from baiqiang.pipeline import run
    from baiqiang.rankings.apply import standings
    from baiqiang.pipeline.inputs import base_panel

    results = results if results is not None else run(fw, panel)
    base = base_panel(data, fw, lambda y: load_panel(data, fw, y))
    return standings(rankings.apply(results, fw, panel, base_panel=base), unit)


def _standing_line(s) -> str:  # noqa: ANN001 - Standing
    if s.rank is None:
        return f"榜单「{s.list_name}」：{s.status}（{s.reason}）"
    cut = f"，前 {s.top} 名入选" if s.top is not None else ""
    return f"榜单「{s.list_name}」：第 {s.rank} 名 / 共 {s.eligible} 个通过门槛的单位（{s.status}{cut}）"


YEAR = typer.Option(None, "--year", help="DATA 为 DuckDB 数据库时的年份")
#: Smallest base sample for Sobol' indices: with fewer, the estimator's variance makes
#: indices far outside [0, 1] (N = 3 gave S1 = 21.3).
MIN_SOBOL_N = 16
#: Smallest Monte Carlo sample for rank intervals (5 % and 95 % quantiles need a few tens of draws).
MIN_UNCERTAINTY_N = 20


def _check_sample_size(option: str, n: int, minimum: int, what: str) -> None:
    if n < minimum:
        raise DataError.single(option, f"样本数 {n} 太小：{what}至少需要 {minimum}", "bad_option")


@contextmanager
def _progress(label: str) -> Iterator:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console, transient=True) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def _fmt(x: float, digits: int = 2) -> str:
    return "—" if x is None or (isinstance(x, float) and not math.isfinite(x)) else f"{x:.{digits}f}"


@app.command()
def uncertainty(
    framework: Path = typer.Argument(..., help="框架文件 (framework YAML)"),
    data: Path = typer.Argument(..., help="数据文件 (CSV/XLSX/Parquet) 或 DuckDB 数据库（配合 --year）"),
    year: int | None = YEAR,
    spec: Path = typer.Option(..., "--spec", help="不确定性设定 UA.yaml"),
    n: int = typer.Option(1000, "-n", help="蒙特卡洛样本数 N"),
    out: Path = typer.Option(..., "-o", "--out", help="输出目录"),
    seed: Optional[int] = typer.Option(None, help="随机种子 (可复现)"),
    top: int = typer.Option(20, help="终端显示前几名"),
    xlsx: bool = typer.Option(True, help="同时写出 XLSX"),
) -> None:
    """不确定性分析：N 次抽样重算排名，输出名次中位数、5%–95% 区间、进入前 K 名的概率及每次抽样的选择。"""
    from rich.table import Table

    from baiqiang.analysis.spec import load_spec
    from baiqiang.analysis.uncertainty import run_uncertainty
    from baiqiang.cli.common import settings

    with user_errors():
        _check_sample_size("-n", n, MIN_UNCERTAINTY_N, "名次区间（5%–95%）的估计")
        fw, panel = _load(framework, data, year)
        ua = load_spec(spec)
        with _progress("抽样计算") as cb:
            res = run_uncertainty(fw, panel, ua, n=n, seed=seed, progress=cb)
        with atomic_dir(out) as tmp:
            res.write(tmp, xlsx=xlsx, names=dict(panel.names), lang=settings.lang)
    t = res.summary.table.sort_values(["nominal", "median"]).head(top)
    names = panel.names
    q0, q1 = (int(round(q * 100)) for q in res.summary.quantiles)
    view = Table(title=f"{fw.name.zh}：排名不确定性 (N = {n}，目标 {res.target})")
    for col in ["名义排名", "代码", "名称", "中位数", f"{q0}%–{q1}% 区间", *[f"前 {k} 名概率" for k in res.summary.top_k]]:
        view.add_column(col, justify="left" if col in ("代码", "名称") else "right", overflow="fold" if col in ("名称", "主要驱动", "单位") else "ellipsis")
    for code, row in t.iterrows():
        view.add_row(
            _fmt(row["nominal"], 0), str(code), str(names.get(code, code)), _fmt(row["median"], 1),
            f"{_fmt(row['q_low'], 0)}–{_fmt(row['q_high'], 0)}",
            *[f"{row[f'p_top_{k}']:.0%}" for k in res.summary.top_k],
        )
    console.print(view)
    console.print(f"已写出 {out}/rank_summary.csv、samples.csv、sample_ranks.csv" + ("、uncertainty.xlsx" if xlsx else ""))


@app.command()
def sensitivity(
    framework: Path = typer.Argument(..., help="框架文件 (framework YAML)"),
    data: Path = typer.Argument(..., help="数据文件 (CSV/XLSX/Parquet) 或 DuckDB 数据库（配合 --year）"),
    year: int | None = YEAR,
    spec: Path = typer.Option(..., "--spec", help="不确定性设定 UA.yaml"),
    n: int = typer.Option(128, "-n", help="基础样本数 N (共 N(d+2) 次计算；取 2 的幂)"),
    out: Path = typer.Option(..., "-o", "--out", help="输出目录"),
    boot: int = typer.Option(100, "--boot", help="自助法重抽样次数"),
    seed: Optional[int] = typer.Option(None, help="随机种子"),
    design: str = typer.Option("sobol", help="抽样设计：sobol (SALib 扰乱 Sobol 序列) 或 random (与 COINr 相同)"),
    xlsx: bool = typer.Option(True, help="同时写出 XLSX"),
) -> None:
    """敏感性分析：各不确定选择（含分类选择）对排名的一阶与总 Sobol 指数及自助法置信区间。"""
    from rich.table import Table

    from baiqiang.analysis.spec import load_spec
    from baiqiang.analysis.uncertainty import run_sensitivity
    from baiqiang.cli.common import settings

    with user_errors():
        _check_sample_size("-n", n, MIN_SOBOL_N, "Sobol 指数的估计（建议 ≥ 128，取 2 的幂）")
        fw, panel = _load(framework, data, year)
        ua = load_spec(spec)
        with _progress("Sobol 计算") as cb:
            res = run_sensitivity(fw, panel, ua, n=n, n_boot=boot, seed=seed, sequence=design, progress=cb)
        with atomic_dir(out) as tmp:
            res.write(tmp, xlsx=xlsx, names=dict(panel.names), lang=settings.lang)
    view = Table(title=f"{fw.name.zh}：敏感性指数 (目标：平均名次绝对变动；N = {n}，{n * (len(res.factors) + 2)} 次计算)")
    for col in ["不确定因素", "一阶指数 S1", "S1 区间", "总效应指数 ST", "ST 区间"]:
        view.add_column(col, justify="left" if col == "不确定因素" else "right", overflow="fold" if col in ("名称", "主要驱动", "单位") else "ellipsis")
    for name, row in res.summary_indices.iterrows():
        view.add_row(
            str(name), _fmt(row["S1"], 3), f"{_fmt(row['S1_low'], 3)}–{_fmt(row['S1_high'], 3)}",
            _fmt(row["ST"], 3), f"{_fmt(row['ST_low'], 3)}–{_fmt(row['ST_high'], 3)}",
        )
    console.print(view)
    console.print(f"已写出 {out}/sensitivity_indices.csv、unit_first_order.csv、unit_total.csv、rank_summary.csv、samples.csv")


def _write(tables: dict[str, pd.DataFrame], out: Path, stem: str, xlsx: bool,
           names: dict[str, str] | None = None) -> None:
    """CSV per table (plain column names) and one workbook with Chinese headers (English with --lang en)."""
    from baiqiang.cli.common import settings
    from baiqiang.pipeline.export import workbook_tables, write_csv, write_sheets

    with atomic_dir(out) as tmp:
        for name, df in tables.items():
            write_csv(df, tmp / f"{name}.csv", index=True, encoding="utf-8")
        if xlsx:
            write_sheets(tmp / f"{stem}.xlsx", workbook_tables(tables, lang=settings.lang, names=names), index=True)


@app.command()
def explain(
    framework: Path = typer.Argument(..., help="框架文件 (framework YAML)"),
    data: Path = typer.Argument(..., help="数据文件 (CSV/XLSX/Parquet) 或 DuckDB 数据库（配合 --year）"),
    year: int | None = YEAR,
    unit: str = typer.Argument(..., help="单位代码或名称"),
    out: Optional[Path] = typer.Option(None, "-o", "--out", help="输出目录 (可选)"),
    top: int = typer.Option(5, help="列出几项优势/劣势"),
    peers: int = typer.Option(5, help="相似单位个数"),
    xlsx: bool = typer.Option(True, help="同时写出 XLSX"),
) -> None:
    """解释一个单位的名次：各指标与支柱的贡献、优势与劣势、障碍度、相似单位、省内/市内比较。"""
    import pandas as pd
    from rich.table import Table

    from baiqiang.analysis.explain import explain_unit
    from baiqiang.pipeline import run

    with user_errors():
        fw, panel = _load(framework, data, year)
        results = run(fw, panel)
        e = explain_unit(results, resolve_unit(unit, panel), top=top, n_peers=peers)
        lists = _standings(fw, panel, data, e.unit, results)
        if out is not None:
            tables = e.tables()
            if lists:
                tables["lists"] = pd.DataFrame([{"list_id": s.list_id, "list_name": s.list_name, "status": s.status,
                                                 "rank": s.rank, "eligible": s.eligible, "reason": s.reason} for s in lists])
            _write(tables, out, "explain", xlsx)
    console.print(f"[bold]{e.name}[/]（{e.unit}）：得分 {e.score:.2f}，综合排名第 {e.rank:.0f} 名 / 共 {e.n_ranked} 个参评单位")
    for s in lists:
        console.print(_standing_line(s))
    agg = Table(title="各支柱贡献与障碍度")
    for col in ["代码", "名称", "得分", "名次", "对总分贡献", "障碍度"]:
        agg.add_column(col, justify="left" if col in ("代码", "名称") else "right", overflow="fold" if col in ("名称", "主要驱动", "单位") else "ellipsis")
    for code, r in e.aggregates.iterrows():
        agg.add_row(str(code), str(r["name"]), _fmt(r["score"]), _fmt(r["rank"], 0), _fmt(r["contribution"]),
                    "—" if not math.isfinite(r["obstacle"]) else f"{r['obstacle']:.1%}")
    console.print(agg)
    for title, df in (("优势指标（指标名次明显好于总名次）", e.strengths), ("劣势指标（指标名次明显差于总名次）", e.weaknesses)):
        t = Table(title=title)
        for col in ["代码", "名称", "指标名次", "名次差", "贡献", "障碍度"]:
            t.add_column(col, justify="left" if col in ("代码", "名称") else "right", overflow="fold" if col in ("名称", "主要驱动", "单位") else "ellipsis")
        for code, r in df.iterrows():
            t.add_row(str(code), str(r["name"]), _fmt(r["rank"], 0), f"{r['gap']:+.0f}", _fmt(r["contribution"]),
                      "—" if not math.isfinite(r["obstacle"]) else f"{r['obstacle']:.1%}")
        console.print(t)
    obst = e.indicators["obstacle"].dropna().sort_values(ascending=False).head(top)
    console.print("主要障碍因子：" + "，".join(f"{e.indicators.loc[c, 'name']}（{v:.1%}）" for c, v in obst.items()))
    console.print("最相似的单位：" + "，".join(f"{r['name']}（第 {r['rank']:.0f} 名）" for _, r in e.peers.iterrows()))
    for g, df in e.groups.items():
        root = df.index[-1]
        console.print(f"在 {g} = {df.attrs['group']} 中：第 {df.loc[root, 'group_rank']:.0f} 名 / 共 {df.loc[root, 'group_size']:.0f} 个，"
                      f"比组内均值{'高' if df.loc[root, 'diff_to_mean'] >= 0 else '低'} {abs(df.loc[root, 'diff_to_mean']):.2f} 分")


@app.command()
def target(
    framework: Path = typer.Argument(..., help="框架文件 (framework YAML)"),
    data: Path = typer.Argument(..., help="数据文件 (CSV/XLSX/Parquet) 或 DuckDB 数据库（配合 --year）"),
    year: int | None = YEAR,
    unit: str = typer.Argument(..., help="单位代码或名称"),
    rank: int = typer.Option(..., "--rank", help="目标名次 K"),
    indicators: Optional[str] = typer.Option(None, help="可改进的指标代码，逗号分隔 (默认：障碍度最高的 5 项)"),
    out: Optional[Path] = typer.Option(None, "-o", "--out", help="输出目录 (可选)"),
    xlsx: bool = typer.Option(True, help="同时写出 XLSX"),
    list_id: Optional[str] = typer.Option(None, "--list", help="名次按哪个榜单计（默认：第一个按综合得分排名的榜单）"),
) -> None:
    """达标测算：其他条件不变，所选指标至少需改进多少（以标准差计）才能进入第 K 名；结果经重算验证。"""
    from rich.table import Table

    from baiqiang.analysis.target import solve_target

    with user_errors():
        fw, panel = _load(framework, data, year)
        chosen = [c.strip() for c in indicators.split(",") if c.strip()] if indicators else None
        if rank < 1 or rank > len(panel.codes):
            raise DataError.single("--rank", f"目标名次 {rank} 须在 1–{len(panel.codes)} 之间", "bad_option")
        code = resolve_unit(unit, panel)
        basis = _target_basis(_standings(fw, panel, data, code), list_id, fw)
        res = solve_target(fw, panel, code, rank, indicators=chosen, among=basis.competitors if basis else None)
        if out is not None:
            _write({"plan": res.plan, "single": res.single}, out, "target", xlsx)
    where = f"榜单「{basis.list_name}」（{basis.eligible} 个通过门槛的单位）" if basis else "全部参评单位"
    console.print(f"[bold]{res.name}[/]（{res.unit}）：名次口径：{where}；当前第 {res.current_rank:.0f} 名，目标第 {res.target_rank} 名")
    if res.method == "already":
        console.print("[green]已达到目标名次，无需改进。[/]")
        return
    if not res.reachable:
        console.print("[yellow]在所选指标上改进 20 个标准差以内无法达到目标名次。[/]")
    else:
        how = "线性精确解" if res.method == "exact" else "二分法数值解"
        console.print(f"所选指标同时改进 {res.t:.3f} 个标准差即可（{how}，重算验证：第 {res.verified_rank:.0f} 名）")
        plan = Table(title="改进方案（其余指标不变）")
        for col in ["代码", "名称", "现值", "目标值", "需改变", "单位"]:
            plan.add_column(col, justify="left" if col in ("代码", "名称", "单位") else "right", overflow="fold" if col in ("名称", "主要驱动", "单位") else "ellipsis")
        for code, r in res.plan.iterrows():
            plan.add_row(str(code), str(r["name"]), f"{r['current']:.4g}", f"{r['required']:.4g}", f"{r['increase']:+.4g}", str(r["unit"]))
        console.print(plan)
        for _, r in res.plan.iterrows():
            verb = "提高" if r["increase"] >= 0 else "降低"
            # A change of a share is in percentage points, not per cent.
            unit = "个百分点" if str(r["unit"]).strip() in ("%", "％") else r["unit"]
            console.print(f"  例如：{r['name']}需{verb}{abs(r['increase']):.4g}{unit}")
    if len(res.single):
        finite = res.single["increase_sd"].abs() < math.inf  # NaN and ±inf compare False
        single = res.single[finite].sort_values("increase_sd")
        if len(single):
            best = single.iloc[0]
            console.print(f"单项最省力：仅改进「{best['name']}」{best['increase_sd']:.3f} 个标准差（{best['increase']:+.4g}）")


def _target_basis(lists: list, list_id: str | None, fw):  # noqa: ANN001, ANN202 - Standing | None
    """The list whose units a target rank counts: ``--list``, else the first that ranks the index score itself."""
    if list_id is None:
        usable = [s for s in lists if s.ranks_index_score]
        if not usable:
            return None
        chosen = usable[0]
    else:
        ids = [lst.id for lst in (fw.rankings.lists if fw.rankings else [])]
        if list_id not in ids:
            raise DataError.single("--list", f"框架中没有榜单 {list_id!r}；可选：{', '.join(ids) or '（无）'}", "bad_option")
        matching = [s for s in lists if s.list_id == list_id]
        if not matching:
            raise DataError.single("--list", f"该单位不在榜单 {list_id!r} 的范围内", "bad_option")
        chosen = matching[0]
        if not chosen.ranks_index_score:
            raise DataError.single("--list", f"榜单 {list_id!r} 不按综合得分本身排名（类别权重、组团或其他得分），无法据此测算", "bad_option")
    if chosen.rank is None:
        raise DataError.single("--list", f"该单位在榜单「{chosen.list_name}」中{chosen.status}：{chosen.reason}", "not_ranked")
    return chosen


@app.command()
def change(
    framework: Path = typer.Argument(..., help="框架文件 (framework YAML)"),
    data0: Path = typer.Argument(..., help="基期数据（文件，或 DuckDB 数据库配合 --year0）"),
    data1: Optional[Path] = typer.Argument(None, help="报告期数据（省略时与基期同一数据库，配合 --year1）"),
    year0: Optional[int] = typer.Option(None, "--year0", help="基期年份（数据为 DuckDB 数据库时）"),
    year1: Optional[int] = typer.Option(None, "--year1", help="报告期年份（数据为 DuckDB 数据库时）"),
    unit: Optional[str] = typer.Option(None, help="分解某一单位的变化 (自身变化与其他单位变化)"),
    out: Optional[Path] = typer.Option(None, "-o", "--out", help="输出目录 (可选)"),
    top: int = typer.Option(15, help="显示变动最大的单位数"),
) -> None:
    """两期比较：每个单位得分与名次的变化、主要驱动指标；可对单一单位做精确分解。"""
    from rich.table import Table

    from baiqiang.analysis.change import comparable_builds, decompose_unit_change, movers

    with user_errors():
        check_year(year0, "--year0")
        check_year(year1, "--year1")
        fw, p0 = _load(framework, data0, year0)
        p1 = load_panel(data1 if data1 is not None else data0, fw, year1)
        r0, r1 = comparable_builds(fw, p0, p1)
        m = movers(r0, r1)
        tables = {"movers": m}
        code = resolve_unit(unit, p0) if unit else None
        detail = decompose_unit_change(fw, p0, p1, code, results=(r0, r1)) if code else None
        if detail is not None:
            tables["unit_change"] = detail.table
        if out is not None:
            _write(tables, out, "change", True)
    view = Table(title="名次变动最大的单位")
    for col in ["代码", "名称", "基期名次", "报告期名次", "名次变化", "得分变化", "主要驱动"]:
        view.add_column(col, justify="left" if col in ("代码", "名称", "主要驱动") else "right", overflow="fold" if col in ("名称", "主要驱动", "单位") else "ellipsis")
    for code, r in m.head(top).iterrows():
        view.add_row(str(code), str(r["name"]), _fmt(r["rank0"], 0), _fmt(r["rank1"], 0), f"{-r['d_rank']:+.0f}",
                     f"{r['d_score']:+.2f}", f"{r['driver_1']} ({r['driver_1_value']:+.2f})")
    console.print(view)
    if detail is not None:
        console.print(f"{unit}：得分 {detail.score0:.2f} → {detail.score1:.2f}；名次 {detail.rank0:.0f} → {detail.rank1:.0f}，"
                      f"其中自身数据变化 {-(detail.rank_change_own):+.0f} 名，其他单位变化 {-(detail.rank_change_others):+.0f} 名")
