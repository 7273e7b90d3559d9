"""``baiqiang demo``: the census example ranking, end to end."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from baiqiang.cli.common import atomic_dir, console, user_errors
from baiqiang.cli.main import app

CATEGORY_ZH = {"unit": "现行单位", "crosswalk": "对照表（已变更代码）", "non_admin": "非行政统计区",
               "subtotal": "合计/小计行", "footnote": "脚注行"}


@app.command()
def demo(
    out: Path = typer.Option(Path("baiqiang-demo"), "-o", "--out", help="输出目录 (output directory)"),
    top: int = typer.Option(20, help="终端显示前几名"),
    force: bool = typer.Option(False, "--force", help="替换已有的 census.duckdb（先备份为 census.duckdb.bak-时间）"),
    report: bool = typer.Option(True, help="同时写出 2020 年白皮书（2010 年对比）与永康市画像（report/ 目录）"),
    pdf: bool = typer.Option(True, help="白皮书与画像同时写出 PDF（最慢的一步）"),
) -> None:
    """示例：导入 2010、2020 年人口普查分县数据，构建县域工业指数并排名，与信通院工业百强榜及单列基线对比，写出白皮书与县域画像。"""
    import shutil
    from datetime import datetime

    from baiqiang.report.demo import run_demo, write_demo

    if report and pdf:
        # The PDF child imports WeasyPrint (~2 s of CPU) while the core runs on the other core,
        # so the white paper's layout starts warm.
        from baiqiang.report.render import start_workers

        start_workers(pdf=pdf)
    store = out / "census.duckdb"
    kept = backup = None
    with user_errors():
        with atomic_dir(out) as tmp:
            result = run_demo(tmp / "census.duckdb")
            if report and result.results:
                files, seconds = _write_beside_publication(result, tmp, pdf)
            else:
                files, seconds = write_demo(result, tmp), {}
            if store.exists() and not force:
                # The README has users import their own data into this store: never replace it silently.
                (tmp / "census.duckdb").unlink()
                kept = store
            elif store.exists():
                backup = store.with_name(f"census.duckdb.bak-{datetime.now():%Y%m%d-%H%M%S}")
                shutil.copy2(store, backup)
    _report(result, out, files, top)
    if kept is not None:
        console.print(f"[yellow]已有数据库 {kept}，未替换（其中可能有你导入的数据）；要替换请加 --force（会先备份）[/]",
                      highlight=False)
    if backup is not None:
        console.print(f"已替换 {store}；原数据库备份为 {backup}", highlight=False)
    console.print(f"已写出 {out}/：{len(files)} 个文件（含 baiqiang_demo.xlsx、top100_county_2020.csv 等），用时 {result.seconds:.1f} 秒")
    if seconds:
        console.print(f"白皮书与画像：{out}/report/report.html、report.pdf、profile_330784.html 等，用时 {sum(seconds.values()):.1f} 秒"
                      f"（其中 PDF {seconds.get('report_pdf', 0) + seconds.get('profile_pdf', 0):.1f} 秒）")


def _write_beside_publication(result, tmp: Path, pdf: bool) -> tuple[list[str], dict[str, float]]:  # type: ignore[no-untyped-def]
    """The demo's tables (``write_demo``) written in a thread while the main thread publishes.

    Publishing spends much of its time waiting for its children (the map's PNG, the PDF
    layout); the tables (0.5 s of XlsxWriter) are written in those waits.  Both only read
    ``result``.  A failure of either is raised (the publication's first) after both end.
    """
    from concurrent.futures import ThreadPoolExecutor

    from baiqiang.report.demo import write_demo, write_publication

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="demo-tables") as pool:
        tables = pool.submit(write_demo, result, tmp)
        seconds = write_publication(result, tmp / "report", pdf=pdf)
        return tables.result(), seconds


def _report(result, out: Path, files: list[str], top: int) -> None:  # type: ignore[no-untyped-def]
    """Print the demo's tables: row classification, the top units, regions, movers, the CAICT comparison."""
    t = result.tables
    counts = t["row_classification_counts"].set_index("year")
    view = Table(title="普查表逐行分类")
    view.add_column("年份")
    cats = [c for c in CATEGORY_ZH if c in counts.columns]
    for c in cats:
        view.add_column(CATEGORY_ZH[c], justify="right")
    view.add_column("合计", justify="right")
    for y, row in counts.iterrows():
        view.add_row(str(y), *(str(int(row[c])) for c in cats), str(int(row[cats].sum())))
    console.print(view)
    for y, dropped in result.dropped_indicators.items():
        if dropped:
            console.print(f"{y} 年普查无以下指标，已从该年框架中去掉（支柱内权重重新分配）：{'、'.join(dropped)}")
    for kind, label in (("county", "县（县级市、旗）"), ("district", "市辖区")):
        df = t[f"top100_{kind}_2020"].head(top)
        view = Table(title=f"2020 年工业指数（普查版，第二版）：{label} 前 {len(df)} 名")
        for col in ("排名", "名称", "地级市", "省份", "得分", "梯队"):
            view.add_column(col, justify="right" if col in ("排名", "得分", "梯队") else "left")
        for r in df.itertuples(index=False):
            view.add_row(str(r.rank), r.name, r.prefecture, r.province, f"{r.score:.2f}", str(r.tier))
        console.print(view)
        reg = t[f"by_region_{kind}"]
        console.print(f"{label}百强（2020/2010）按区域：" + "，".join(
            f"{g} {a}/{b}" for g, a, b in zip(reg["region"], reg["2020"], reg["2010"])))
        mv = t[f"movers_{kind}"]
        up = mv[mv["direction"] == "上升"].head(5)
        console.print(f"{label} 2010→2020 上升最多：" + "，".join(
            f"{r.name}（{r.rank_2010}→{r.rank_2020}）" for r in up.itertuples(index=False)))
    comp = t["caict_comparison"]
    view = Table(title="与中国信通院工业百强榜对比（本指数 2020 年排名）")
    for col in ("榜单", "年份", "公布单位数", "已匹配", "进入本指数前100", "有名次的共同单位", "Spearman"):
        view.add_column(col, justify="right")
    for r in comp.itertuples(index=False):
        view.add_row(r.list, str(r.year), str(r.published_units), str(r.resolved), str(r.in_our_top100_2020),
                     str(r.shared_with_rank), "—" if r.spearman != r.spearman else f"{r.spearman:.2f}")
    console.print(view)
    _agreement(t["agreement_county_2020"])
    _robustness(t["robustness_county_2020"])
    console.print(f"非行政统计区（不参与排名，另列）：2020 年 {len(t['non_admin_2020'])} 个，2010 年 {len(t['non_admin_2010'])} 个")


SHORT_CANDIDATE = {"第二版框架（默认）": "第二版（默认）", "第一版框架": "第一版", "第一版 15 个指标等权": "第一版等权",
                   "制造业就业人数（单列）": "制造业就业（单列）"}


def _agreement(agr) -> None:  # type: ignore[no-untyped-def]
    """The default ranking beside its baselines: per list and scheme, each measure with its paired difference."""
    view = Table(title="与信通院名单的一致性（2020 年普查；估计值，括号内为与单列基线之差的 95% 区间）")
    for col in ("名单", "排名方案", "命中率", "Spearman", "分省席位误差"):
        view.add_column(col, justify="left" if col in ("名单", "排名方案") else "right")
    for (lst, cand), g in agr.groupby(["list", "candidate"], sort=False):
        cells = []
        first: dict[str, tuple] = {}  # each metric's first row (one dict, not a boolean selection per cell)
        for row in g.itertuples(index=False):
            first.setdefault(row.metric, row)
        for metric in ("命中率", "Spearman", "分省席位误差"):
            r = first[metric]
            fmt = (lambda v: f"{v:.0f}") if metric == "分省席位误差" else (lambda v: f"{v:.2f}")
            cell = fmt(r.estimate)
            if not cand.endswith("（单列）"):
                cell += f" [{fmt(r.diff_low)}, {fmt(r.diff_high)}]" + ("✓" if r.better_than_baseline else "")
            cells.append(cell)
        view.add_row(lst.removeprefix("信通院 ").split("（")[0], SHORT_CANDIDATE.get(cand, cand), *cells)
    console.print(view)
    console.print("命中率：名单中有名次的县落在本指数前 100 名的比例；分省席位误差：前 100 名中被分到别的省份的席位数（越小越好）；"
                  "✓ = 差的整个区间都优于单列基线（制造业就业人数）。说明见 docs/indicators.md 第 3 节。")


def _robustness(rb) -> None:  # type: ignore[no-untyped-def]
    """How firm the top places are: the share of the top 100 whose 90% rank interval stays inside the top 100."""
    firm = rb[rb["q_high"] <= 100]
    shaky = rb[rb["p_top_100"] < 0.9]
    console.print(f"名次稳健性（方法与权重的合理变动，1,000 次抽样）：前 100 名中 {len(firm)} 个县 90% 名次区间都在前 100 名以内；"
                  f"进入前 100 名概率低于 90% 的：" + ("、".join(f"{r.name}（{r.p_top_100:.0%}）" for r in shaky.itertuples()) or "无"))
