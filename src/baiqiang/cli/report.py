"""``baiqiang report`` and ``baiqiang profile``: the white paper and the county profile."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from baiqiang.cli.common import STORE_SUFFIXES, atomic_dir, console, user_errors
from baiqiang.cli.main import app

YEAR = typer.Option(None, "--year", help="DATA 为 DuckDB 数据库时的年份")
PREVIOUS = typer.Option(None, "--previous", help="对比年份的数据文件或 DuckDB 数据库（计算名次变化）")
PREVIOUS_YEAR = typer.Option(None, "--previous-year", help="--previous 为 DuckDB 数据库时的年份")


def _frame(data: Path, year: int | None):  # noqa: ANN202 - DataFrame
    from baiqiang.data.store import read_panel as read_store_panel
    from baiqiang.errors import DataError
    from baiqiang.pipeline.panel import read_table

    if data.suffix.lower() in STORE_SUFFIXES:
        if year is None:
            raise DataError.single(str(data), "从数据库读取时请给出年份（--year / --previous-year）", "missing_input")
        return read_store_panel(data, year), f"{data}（{year} 年）"
    return read_table(data), str(data)


def _build(framework, data: Path, year: int | None, *, previous: bool = False):  # noqa: ANN001,ANN202
    """Results and data checksum; for the previous year, indicators it lacks entirely are left out (weights renormalise)."""
    from baiqiang.data.store import file_sha256
    from baiqiang.pipeline import run
    from baiqiang.pipeline.panel import panel_for
    from baiqiang.report.demo import _for_year

    frame, source = _frame(data, year)
    fw = framework
    if previous:
        fw, dropped = _for_year(fw, frame)
        if dropped:
            console.print(f"对比数据无以下指标，已从对比年框架中去掉（权重重新分配）：{'、'.join(dropped)}")
    panel = panel_for(frame, fw, source=source)
    checksum = panel.checksum if data.suffix.lower() in STORE_SUFFIXES else file_sha256(data)
    results = run(fw, panel)
    return results, checksum, _first_list(results, fw, panel)


def _first_list(results, framework, panel):  # noqa: ANN001,ANN202 - DataFrame | None
    """The framework's first named list (``rankings.lists[0]``), whose gates, scores and tiers the report follows."""
    if framework.rankings is None or not framework.rankings.lists:
        return None
    from baiqiang import rankings

    outcome = rankings.apply(results, framework, panel)
    return outcome.lists[framework.rankings.lists[0].id]


def _content(framework: Path, data: Path, year, previous, previous_year, ua_spec=None, ua_n=200, seed=0):  # noqa: ANN001,ANN202
    from baiqiang.framework import load_framework
    from baiqiang.report.content import build_report

    fw = load_framework(framework)
    res, checksum, ranked_list = _build(fw, data, year)
    prev = previous_list = None
    method = res.method_record(checksum)
    if previous is not None:
        prev, prev_checksum, previous_list = _build(fw, previous, previous_year, previous=True)
        method["previous"] = {"source": prev.panel.source, "sha256": prev_checksum}
    ua = None
    if ua_spec is not None:
        from baiqiang.analysis.spec import load_spec
        from baiqiang.analysis.uncertainty import run_uncertainty

        ua = run_uncertainty(res.framework, res.panel, load_spec(ua_spec), n=ua_n, seed=seed)
    y = str(year) if year else None
    py = str(previous_year) if previous_year else None
    content = build_report(res, prev, uncertainty=ua, method=method, year=y, previous_year=py,
                           ranked_list=ranked_list, previous_list=previous_list)
    return content, res, prev


@app.command()
def report(
    framework: Path = typer.Argument(..., help="框架文件 (framework YAML)"),
    data: Path = typer.Argument(..., help="数据文件 (CSV/XLSX/Parquet) 或 DuckDB 数据库（配合 --year）"),
    out: Path = typer.Option(..., "-o", "--out", help="输出目录"),
    year: Optional[int] = YEAR,
    previous: Optional[Path] = PREVIOUS,
    previous_year: Optional[int] = PREVIOUS_YEAR,
    ua: Optional[Path] = typer.Option(None, "--ua", help="不确定性设定 UA.yaml（给出时报告排名区间与入选概率）"),
    ua_n: int = typer.Option(200, "--ua-n", help="不确定性分析样本数"),
    seed: int = typer.Option(0, help="不确定性分析随机种子（报告可复现）"),
    pdf: bool = typer.Option(True, help="同时写出 PDF"),
    pillar_maps: bool = typer.Option(False, help="另为每个维度写出地图 PNG"),
) -> None:
    """发布报告：写出 report.html（离线可交互）、report.pdf（A4）、report.xlsx 与 charts/ 图表。"""
    from baiqiang.report.render import write_report

    with user_errors():
        content, _, _ = _content(framework, data, year, previous, previous_year, ua, ua_n, seed)
        with atomic_dir(out) as tmp:
            seconds = write_report(content, tmp, pdf=pdf, pillar_maps=pillar_maps)
    missing = content.tables["no_polygon"]
    if len(missing) and content.has_map:
        console.print(f"[yellow]注意[/]：{len(missing)} 个参与排名的单位无边界数据，地图上未绘出：{'、'.join(missing['name'])}")
    elif not content.has_map:
        console.print("[yellow]注意[/]：榜单单位均无县级边界数据（代码不是 6 位行政区划代码？），报告不含地图")
    parts = "、".join(f"{k} {v:.1f} 秒" for k, v in seconds.items())
    console.print(f"已写出 {out}/report.html、{'report.pdf、' if pdf else ''}report.xlsx、charts/（{parts}）")


@app.command()
def profile(
    framework: Path = typer.Argument(..., help="框架文件 (framework YAML)"),
    data: Path = typer.Argument(..., help="数据文件或 DuckDB 数据库（配合 --year）"),
    unit: str = typer.Argument(..., help="单位代码或名称，如 330784 或 永康市"),
    out: Path = typer.Option(..., "-o", "--out", help="输出目录"),
    year: Optional[int] = YEAR,
    previous: Optional[Path] = PREVIOUS,
    previous_year: Optional[int] = PREVIOUS_YEAR,
    pdf: bool = typer.Option(True, help="同时写出 PDF"),
) -> None:
    """单位画像：排名与梯队、各维度、优势短板、障碍度、相近单位、变化、进位目标、位置图与新闻通稿。"""
    from baiqiang.report.profile import build_profile
    from baiqiang.report.render import write_profile

    with user_errors():
        content, res, prev = _content(framework, data, year, previous, previous_year)
        prof = build_profile(content, res, unit, prev)
        with atomic_dir(out) as tmp:
            write_profile(content, prof, tmp, pdf=pdf)
    console.print(f"已写出 {out}/profile_{prof['code']}.html" + ("、.pdf" if pdf else ""))
