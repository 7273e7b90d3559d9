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
    report: bool = typer.Option(True, help="同时写出 2020 年白皮书（2010 年对比）与永康市画像（report/ 目录）"),
    pdf: bool = typer.Option(True, help="白皮书与画像同时写出 PDF（最慢的一步）"),
) -> None:
    """示例：导入 2010、2020 年人口普查分县数据，构建县域产业基础指数并排名，与信通院工业百强榜对比。"""
    from baiqiang.report.demo import run_demo, write_demo, write_publication

    with user_errors():
        with atomic_dir(out) as tmp:
            result = run_demo(tmp / "census.duckdb")
            files = write_demo(result, tmp)
            seconds = write_publication(result, tmp / "report", pdf=pdf) if report else {}
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
        view = Table(title=f"2020 年县域产业基础指数：{label} 前 {len(df)} 名")
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
    console.print(f"非行政统计区（不参与排名，另列）：2020 年 {len(t['non_admin_2020'])} 个，2010 年 {len(t['non_admin_2010'])} 个")
    console.print(f"已写出 {out}/：{len(files)} 个文件（含 baiqiang_demo.xlsx、top100_county_2020.csv 等），用时 {result.seconds:.1f} 秒")
    if seconds:
        console.print(f"白皮书与画像：{out}/report/report.html、report.pdf、profile_330784.html 等，用时 {sum(seconds.values()):.1f} 秒"
                      f"（其中 PDF {seconds.get('report_pdf', 0) + seconds.get('profile_pdf', 0):.1f} 秒）")
