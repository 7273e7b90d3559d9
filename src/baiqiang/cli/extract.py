"""``baiqiang extract`` and ``baiqiang review``: facts from Chinese reports."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import typer

from baiqiang.cli.common import console, user_errors
from baiqiang.cli.main import app
from baiqiang.errors import BaiqiangError

# The extractor (cn2an, the lexicon) and Rich tables are imported inside the commands:
# `baiqiang --help` must not pay for them (tests/test_startup.py).

review_app = typer.Typer(help="审核候选事实 (review candidate facts).", no_args_is_help=True)
app.add_typer(review_app, name="review")
FORMATS = ("jsonl", "csv", "table")


@app.command()
def extract(
    file: str = typer.Argument(..., help="文本文件（UTF-8 或 GBK）；- 表示标准输入"),
    place: str = typer.Option("", "--place", help="文档所述地点，如 永康市（我市/全县 指代此地）"),
    fmt: str = typer.Option("jsonl", "--format", help="输出格式：jsonl、csv 或 table"),
    db: Path | None = typer.Option(None, "--db", help="把事实作为候选载入此 DuckDB 数据库"),
) -> None:
    """从新闻、政府工作报告、统计公报中抽取指标事实。"""
    from baiqiang.extract import extract_facts
    from baiqiang.extract.source import read_document

    with user_errors():
        if fmt not in FORMATS:
            raise BaiqiangError.single("--format", f"未知格式 {fmt!r}；可选：{'、'.join(FORMATS)}")
        doc = read_document(file)
        facts = extract_facts(doc.text)
        if db is not None:
            _load(db, doc, facts, place)
    _print(facts, fmt)


def _load(db: Path, doc, facts, place: str) -> None:  # type: ignore[no-untyped-def]
    from baiqiang.data.store import Store, check_store_path
    from baiqiang.extract.mapping import Place, PlaceResolver, build_aliases, fact_place, map_indicator
    from baiqiang.extract.review import Review

    check_store_path(db)
    resolver = PlaceResolver()
    doc_place = resolver.resolve(place) if place else Place("")
    if place and not doc_place.code:
        raise BaiqiangError.single(f"--place {place}", "找不到这个地点，或有多个同名地点（可用 baiqiang resolve 查看候选）",
                                   "unknown_place")
    with Store(db) as store:
        store.ensure_registry()
        aliases = build_aliases(catalog=store.indicators())
        places = [fact_place(f, doc_place, resolver) for f in facts]
        mappings = [map_indicator(f, aliases) for f in facts]
        result = Review(store).load(facts, document=doc.path, sha256=doc.sha256, places=places, mappings=mappings)
    moved = f"，更正地点 {result.relocated} 条" if result.relocated else ""
    print(f"已载入候选事实 {result.added} 条（已存在 {result.skipped} 条{moved}）：{db}", file=sys.stderr)


def _print(facts, fmt: str) -> None:  # type: ignore[no-untyped-def]
    from rich.table import Table

    from baiqiang.extract.model import FACT_FIELDS

    rows = [f.to_dict() for f in facts]
    if fmt == "jsonl":
        out = io.StringIO()
        for r in rows:
            out.write(json.dumps(r, ensure_ascii=False) + "\n")
        sys.stdout.write(out.getvalue())
    elif fmt == "csv":
        w = csv.DictWriter(sys.stdout, fieldnames=list(FACT_FIELDS), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    else:
        table = Table("指标", "数值", "标准值", "类型", "限定", "年份")
        table.columns[0].overflow = "fold"  # indicator names are the point of the table: never cut them
        for r in rows:
            table.add_row(r["indicator"], f"{r['value']}{r['unit']}", f"{_grouped(r['value_std'])} {r['unit_std']}".strip(),
                          r["kind"], r["qualifier"], r["period"])
        console.print(table)


def _grouped(value: object) -> str:
    """Digits grouped in thousands, no needless decimals: 94560000000.0 -> 94,560,000,000."""
    if not isinstance(value, int | float):
        return str(value)
    return f"{value:,.4f}".rstrip("0").rstrip(".")


def _review(db: Path):  # type: ignore[no-untyped-def]
    from baiqiang.data.store import Store
    from baiqiang.extract.review import Review

    from baiqiang.data.store import check_store_path

    if not db.exists():
        raise BaiqiangError.single(str(db), "数据库文件不存在（先运行 baiqiang extract FILE --db …）", "missing")
    store = Store(check_store_path(db))
    return store, Review(store)


DB_OPTION = typer.Option(Path("baiqiang.duckdb"), "--db", help="DuckDB 数据库文件")
REVIEWER = typer.Option(..., "--reviewer", help="审核人")


@review_app.command("list")
def review_list(
    db: Path = DB_OPTION,
    status: str | None = typer.Option(None, "--status", help="candidate、accepted、edited 或 rejected"),
) -> None:
    """列出候选事实。"""
    from rich.table import Table

    with user_errors():
        store, rv = _review(db)
        with store:
            df = rv.list(status=status)
    table = Table("id", "状态", "地点", "指标", "目录代码", "置信度", "标准值", "单位", "类型", "年份", "原文")
    for r in df.itertuples():
        table.add_row(str(r.id), r.status, r.place or "", r.indicator, r.indicator_code or "",
                      f"{r.confidence:.1f}", f"{r.value_std:g}", r.unit_std, r.kind, r.period or "", r.quote[:30])
    console.print(table)


@review_app.command("accept")
def review_accept(ids: list[int] = typer.Argument(..., help="候选事实 id"), db: Path = DB_OPTION,
                  reviewer: str = REVIEWER) -> None:
    """接受候选事实：写入观测值。"""
    with user_errors():
        store, rv = _review(db)
        with store:
            for cid in ids:
                batch = rv.accept(cid, reviewer=reviewer)
                console.print(f"已接受 {cid}（导入批次 {batch if batch is not None else '无变化'}）")


@review_app.command("reject")
def review_reject(ids: list[int] = typer.Argument(..., help="候选事实 id"), db: Path = DB_OPTION,
                  reviewer: str = REVIEWER, reason: str = typer.Option("", "--reason", help="理由")) -> None:
    """拒绝候选事实（保留记录，不删除）。"""
    with user_errors():
        store, rv = _review(db)
        with store:
            for cid in ids:
                rv.reject(cid, reviewer=reviewer, reason=reason)
                console.print(f"已拒绝 {cid}")


@review_app.command("edit")
def review_edit(
    cid: int = typer.Argument(..., help="候选事实 id"),
    db: Path = DB_OPTION,
    reviewer: str = REVIEWER,
    indicator: str | None = typer.Option(None, "--indicator"),
    indicator_code: str | None = typer.Option(None, "--indicator-code"),
    value: float | None = typer.Option(None, "--value", help="新数值，按该事实原文的单位（unit 列，如 亿元；可用 --unit 改）"),
    unit: str | None = typer.Option(None, "--unit", help="--value 的单位，如 元、万元、亿元"),
    value_std: float | None = typer.Option(None, "--value-std", help="新数值，按标准单位（unit_std 列，如 元）"),
    kind: str | None = typer.Option(None, "--kind"),
    period: str | None = typer.Option(None, "--period"),
    place_code: str | None = typer.Option(None, "--place-code"),
) -> None:
    """修改候选事实并接受（原值保留在历史中）。"""
    changes = {k: v for k, v in dict(indicator=indicator, indicator_code=indicator_code, value=value, unit=unit,
                                     value_std=value_std, kind=kind, period=period,
                                     place_code=place_code).items() if v is not None}
    with user_errors():
        if not changes:
            raise BaiqiangError.single("review edit", "没有给出要修改的字段")
        store, rv = _review(db)
        with store:
            batch = rv.edit(cid, reviewer=reviewer, **changes)
    console.print(f"已修改并接受 {cid}（导入批次 {batch if batch is not None else '无变化'}）")
