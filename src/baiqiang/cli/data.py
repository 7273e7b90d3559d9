"""Data-layer commands: ``import``, ``resolve``, ``units`` and ``store``.

``baiqiang import FILE``     table (CSV UTF-8/GBK, XLSX, Parquet) → DuckDB store,
                             with a per-row resolution report
``baiqiang resolve NAMES``   messy county names/codes → registry codes
``baiqiang units``           list registry units
``baiqiang store ...``       info, history of a cell (versions with batches), pin/unpin
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from baiqiang.cli.common import DEFAULT_STORE, atomic_dir, check_year, console, user_errors
from baiqiang.cli.main import app
from baiqiang.errors import DataError, Problem

# pandas, Rich tables and the data layer are imported inside the commands:
# `baiqiang --help` must not pay for them (tests/test_startup.py).
if TYPE_CHECKING:
    import pandas as pd

    from baiqiang.data.importers.table import ImportReport
    from baiqiang.data.store import BatchResult

STATUS_ZH = {"imported": "已导入", "subtotal": "合计/小计", "matched": "已匹配",
             "ambiguous": "有歧义", "unmatched": "未匹配"}
FORMATS = ("table", "csv")

store_app = typer.Typer(help="数据库：概况、单元格版本历史、钉住版本、撤销批次、导出 (store info, history, pin, undo, export).",
                        no_args_is_help=True)
app.add_typer(store_app, name="store")


# -- helpers -------------------------------------------------------------------------
def _write_csv(df: pd.DataFrame, path: Path) -> None:
    """Write ``df`` to ``path`` atomically (UTF-8 with BOM so that Excel reads Chinese)."""
    from baiqiang.pipeline.export import write_csv

    path = Path(path)
    with atomic_dir(path.parent) as tmp:
        write_csv(df, tmp / path.name)


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise DataError.single("--format", f"未知格式 {fmt!r}，可选：{'、'.join(FORMATS)}", "bad_option")


def _emit(df: pd.DataFrame, fmt: str, out: Path | None, title: str, columns: dict[str, str]) -> None:
    """Show ``df`` as a table, print it as CSV, or write it to ``out``."""
    from rich.table import Table

    if out is not None:
        _write_csv(df, out)
        console.print(f"已写出 {out}（{len(df)} 行）")
    elif fmt == "csv":
        from baiqiang.pipeline.export import safe_frame

        typer.echo(safe_frame(df).to_csv(index=False), nl=False)
    else:
        view = Table(title=title)
        for col, label in columns.items():
            view.add_column(label, overflow="fold", no_wrap=col in ("code", "status", "row", "version", "year"))
        for r in df[list(columns)].itertuples(index=False):
            view.add_row(*("" if v is None or (isinstance(v, float) and v != v) else str(v) for v in r))
        console.print(view)


def _open_existing(db: Path, *, read_only: bool = False):
    from baiqiang.data.store import Store, check_store_path

    return Store(check_store_path(db, must_exist=True), read_only=read_only)


def _sheet(sheet: str | None) -> str | int | None:
    """``--sheet`` takes a sheet name, or ``#N`` for the N-th sheet (1-based)."""
    if sheet and sheet.startswith("#") and sheet[1:].isdigit():
        return int(sheet[1:]) - 1
    return sheet


def _remove_db(db: Path) -> None:
    for p in (db, db.with_name(db.name + ".wal")):
        p.unlink(missing_ok=True)


# -- import --------------------------------------------------------------------------
@app.command("import")
def import_cmd(
    file: Path = typer.Argument(..., help="数据文件：CSV（UTF-8/GBK）、XLSX 或 Parquet"),
    db: Path = typer.Option(DEFAULT_STORE, "--db", help="DuckDB 数据库文件（不存在则创建）"),
    year: int = typer.Option(None, "--year", help="年份（宽表无“年份”列时必填）"),
    sheet: str = typer.Option(None, "--sheet", help="XLSX 工作表名称，或 #N 表示第 N 个"),
    source: str = typer.Option(None, "--source", help="数据来源说明（默认为文件名）"),
    long: bool = typer.Option(False, "--long", help="长表：要求有 指标 与 数值 列"),
    report: Path = typer.Option(None, "--report", help="逐行解析报告 CSV（默认：数据文件旁 <名称>.resolution.csv）"),
    catalog: Path = typer.Option(None, "--catalog", help="先载入指标目录 CSV（code, name_zh, name_en, unit, definition, aliases）"),
    dry_run: bool = typer.Option(False, "--dry-run", help="试运行：完整检查并打印报告，但不写入数据库"),
    progress: bool = typer.Option(None, "--progress/--no-progress",
                                  help="在标准错误输出显示进度（默认：终端中导入 5 MB 以上的文件时显示）"),
) -> None:
    """导入一张表到数据库：逐行解析单位，列按指标目录映射，失败时数据库不变。"""
    from baiqiang.data.store import check_store_path

    report = report or file.with_name(f"{file.stem}.resolution.csv")
    with user_errors():
        check_year(year)
        if not file.exists():
            raise DataError.single(str(file), "文件不存在", "file_missing")
        if file.is_dir():
            raise DataError.single(str(file), "是目录，不是数据文件", "not_a_file")
        check_store_path(db)
        _check_report_path(report)
        with atomic_dir(report.parent) as tmp, _stages(file, progress) as step:  # report written before commit
            def write_report(r: ImportReport) -> None:
                step("写出报告")
                r.write_rows(tmp / report.name)
                step("提交")

            rep, n_ind = _import_into_store(
                file, db, catalog, write_report, dry_run=dry_run,
                year=year, sheet=_sheet(sheet), source=source, layout="long" if long else "auto", progress=step)
    _print_import_summary(file, db, rep, n_ind, dry_run=dry_run)
    console.print(f"逐行报告：{report}", highlight=False)


#: Files from this size up show a progress display on a terminal (unless --no-progress).
PROGRESS_MIN_BYTES = 5_000_000
#: The stages an import reports (the set-based path's, then the CLI's own).
IMPORT_STAGES = ("读取", "检查", "解析单位", "解析数值", "写入", "写出报告", "提交")


@contextlib.contextmanager
def _stages(file: Path, wanted: bool | None):
    """A stage callback for the import: a Rich progress bar on stderr, or nothing.

    Shown when asked (``--progress``), or by default for a file of at least
    :data:`PROGRESS_MIN_BYTES` when stderr is a terminal; never otherwise, so
    redirected or captured output is exactly as without it.  On a terminal it
    is transient (nothing of it stays on the screen); asked for without one,
    it is one line per stage.
    """
    from baiqiang.cli.common import err_console

    show = wanted if wanted is not None else (err_console.is_terminal and file.is_file()
                                              and file.stat().st_size >= PROGRESS_MIN_BYTES)
    if not show:
        yield lambda stage: None
        return
    if not err_console.is_terminal:  # asked for in a log: one plain line per stage
        yield lambda stage: err_console.print(f"导入：{stage}…", highlight=False)
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("导入 {task.description}"), BarColumn(), TimeElapsedColumn(), console=err_console,
                  transient=True) as bar:
        task = bar.add_task(IMPORT_STAGES[0], total=len(IMPORT_STAGES))

        def step(stage: str) -> None:
            done = IMPORT_STAGES.index(stage) if stage in IMPORT_STAGES else 0
            bar.update(task, description=stage, completed=done)

        yield step


def _check_report_path(report: Path) -> None:
    """The report path must be a writable file path (checked before anything is imported)."""
    import os

    if report.is_dir():
        raise DataError.single(f"--report {report}", "是目录；请给出文件路径，如 report.csv", "bad_option")
    parent = report.parent if str(report.parent) else Path(".")
    if not parent.exists():
        raise DataError.single(f"--report {report}", f"目录 {parent} 不存在", "bad_option")
    if not os.access(parent, os.W_OK) or (report.exists() and not os.access(report, os.W_OK)):
        raise DataError.single(f"--report {report}", "没有写入权限（只读目录或文件）", "bad_option")


def _import_into_store(file: Path, db: Path, catalog: Path | None, before_commit, *, dry_run: bool = False,
                       **options) -> tuple[ImportReport, int]:
    """Import ``file`` (after ``catalog``, if given) all or nothing; return the report and catalog size.

    The import runs on a copy of the store that replaces the original only
    after it committed and was checkpointed (``os.replace``, atomic): a killed
    or failed import leaves the original file byte for byte as it was, and a
    failed first import leaves no file.  ``before_commit(report)`` runs inside
    the transaction (writing the report), so nothing can fail after the commit.
    ``dry_run`` rolls everything back.
    """
    import os
    import shutil

    from baiqiang.data.catalog import read_catalog
    from baiqiang.data.importers.table import import_file
    from baiqiang.data.store import Store

    work = db.with_name(f".{db.name}.importing-{os.getpid()}")
    for stale in db.parent.glob(f".{db.name}.importing-*"):  # left by an import that was killed
        stale.unlink(missing_ok=True)
    if db.exists():
        with Store(db) as original:  # fold any write-ahead log into the file before copying it
            original.con.execute("CHECKPOINT")
        shutil.copy2(db, work)
    try:
        store = Store(work)
        try:
            with store.transaction():  # catalog, registry and observations: all or nothing
                if catalog is not None:
                    store.upsert_indicators(read_catalog(catalog))
                rep = import_file(store, file, **options)
                before_commit(rep)
                if dry_run:
                    raise _DryRun
        except _DryRun:
            pass
        n_ind = len(store.indicators())
        if not dry_run:
            store.con.execute("CHECKPOINT")
        store.close()
        if not dry_run:
            os.replace(work, db)
    finally:
        _remove_db(work)
    return rep, n_ind


class _DryRun(Exception):
    """Raised inside the import transaction to roll a dry run back."""


def _print_import_summary(file: Path, db: Path, rep: ImportReport, n_ind: int, *, dry_run: bool = False) -> None:
    """Print the outcome: batch, row statuses, observations, unmapped columns, footnotes, rows not imported."""
    counts = rep.counts()
    b = rep.batch
    if dry_run:
        console.print(f"[bold]试运行[/]（未写入数据库）：{file.name} → {db}", highlight=False)
    else:
        console.print(f"[bold]已导入[/] {file.name} → {db}" + (f"（批次 {b.batch_id}）" if b and b.batch_id else ""),
                      highlight=False)
    console.print("行：" + "，".join(f"{STATUS_ZH[k]} {counts.get(k, 0)}"
                                    for k in ("imported", "subtotal", "ambiguous", "unmatched")), highlight=False)
    _print_observations(b, rep.warnings)
    _print_unmapped(rep.unmapped_columns, n_ind)
    if rep.footnotes:
        console.print(f"脚注行：{len(rep.footnotes)}")
    _print_rows_not_imported(rep.problems())


def _print_observations(b: BatchResult | None, warnings: list[str]) -> None:
    """Print the observations added, changed and unchanged, and what a conflict or a repeat means."""
    from rich.table import Table

    if b is None:
        console.print("观测值：无（没有可导入的数值）")
        return
    console.print(f"观测值：新增 {b.n_new}，变化 {b.n_changed}，未变 {b.n_unchanged}", highlight=False)
    if b.n_blank_kept:
        console.print(f"[yellow]空值未覆盖已有值[/]：{b.n_blank_kept} 个单元格在本文件中为空或缺失，库中原值继续有效",
                      highlight=False)
    if b.n_changed:
        console.print(f"冲突：{b.n_changed} 个单元格的值与库中不同，新旧版本均保留（新版本生效，已钉住的除外）；"
                      "用 baiqiang store history 查看", highlight=False)
        view = Table(title=f"冲突（前 {min(20, len(b.conflicts))} 个）")
        for label in ("单位", "指标", "年份", "库中值", "库中来源", "新值", "新来源"):
            view.add_column(label, overflow="fold")
        for r in b.conflicts.head(20).itertuples(index=False):
            view.add_row(str(r.unit_code), str(r.indicator), str(r.year), _number(r.old_value), str(r.old_source),
                         _number(r.new_value) + ("（已钉住，未生效）" if r.pinned else ""), str(r.new_source))
        console.print(view)
    elif b.batch_id is None and not b.n_blank_kept:
        console.print("与库中数据完全相同，未新建批次（重复导入）")
    for w in warnings:
        console.print(f"[yellow]提示[/]：{w}", highlight=False)


def _number(v: object) -> str:
    import pandas as pd

    return "空" if v is None or v is pd.NA or (isinstance(v, float) and v != v) else f"{v:g}"


def _print_unmapped(unmapped: list[str], n_ind: int) -> None:
    """Print the columns that matched no indicator, with a hint when the catalog is empty."""
    if not unmapped:
        return
    cols = "、".join(c.replace("\n", " ") for c in unmapped)
    console.print(f"[yellow]未映射的列[/]（{len(unmapped)}）：{cols}", highlight=False)
    if n_ind == 0:
        console.print("没有列能对应到指标目录：可用 --catalog 载入含别名的指标目录")


def _print_rows_not_imported(bad: pd.DataFrame) -> None:
    """Print the first 30 rows that were not imported, with their candidates."""
    from rich.table import Table

    if not len(bad):
        return
    view = Table(title=f"未能导入的行（{len(bad)}）")
    for label in ("行", "名称", "结果", "候选", "说明"):
        view.add_column(label, no_wrap=label in ("行", "结果"))
    for r in bad.head(30).itertuples(index=False):
        view.add_row(str(r.row), str(r.name), STATUS_ZH.get(r.status, r.status), str(r.candidates), str(r.note))
    console.print(view)


# -- resolve -------------------------------------------------------------------------
def _names_from_file(path: Path, sheet: str | None) -> pd.DataFrame:
    """Queries (and optional province/prefecture hints) from a text, CSV, XLSX or Parquet file."""
    import pandas as pd

    from baiqiang.data.importers import table as tb
    from baiqiang.data.importers.read import detect_encoding, read_raw
    from baiqiang.data.importers.yearbook import clean_header

    if not path.exists():
        raise DataError.single(str(path), "文件不存在", "file_missing")
    if path.suffix.lower() == ".txt":
        data = path.read_bytes()
        lines = [ln.strip() for ln in data.decode(detect_encoding(data)).splitlines()]
        return pd.DataFrame({"query": [ln for ln in lines if ln], "province": None, "prefecture": None})
    grid = read_raw(path, sheet=_sheet(sheet))
    if len(grid) < 2:
        raise DataError.single(str(path), "文件中没有名称（首行为表头，其下每行一个名称）", "empty")
    cols = [clean_header(c)[0] or f"列{j + 1}" for j, c in enumerate(grid.iloc[0])]
    d = grid.iloc[1:].set_axis(cols, axis=1)
    d = d[d.notna().any(axis=1)]
    name_col = tb.find_column(cols, tb.NAME_COLUMNS) or tb.find_column(cols, tb.CODE_COLUMNS) or cols[0]
    prov, pref = tb.find_column(cols, tb.PROVINCE_COLUMNS), tb.find_column(cols, tb.PREFECTURE_COLUMNS)
    return pd.DataFrame({
        "query": [None if v is None else str(v) for v in d[name_col]],
        "province": d[prov].to_numpy() if prov else None,
        "prefecture": d[pref].to_numpy() if pref else None,
    })


@app.command()
def resolve(
    names: list[str] = typer.Argument(None, help="县级单位名称或代码（可多个）"),
    file: Path = typer.Option(None, "--file", "-f", help="从文件读取：TXT（每行一个）、CSV、XLSX 或 Parquet（首行为表头）"),
    sheet: str = typer.Option(None, "--sheet", help="XLSX 工作表名称，或 #N"),
    province: str = typer.Option(None, "--province", help="省份提示（适用于全部名称）"),
    prefecture: str = typer.Option(None, "--prefecture", help="地级市提示（适用于全部名称）"),
    keep_old: bool = typer.Option(False, "--keep-old", help="旧单位保留旧代码（默认经对照表对应到现行单位）"),
    fmt: str = typer.Option("table", "--format", help="输出格式：table 或 csv"),
    out: Path = typer.Option(None, "-o", "--out", help="写出 CSV 文件"),
) -> None:
    """解析县级单位名称/代码：已匹配、有歧义（列出候选）或未匹配，从不猜测。"""
    import pandas as pd

    from baiqiang.data.registry import Registry
    from baiqiang.data.resolve import Resolver

    with user_errors():
        _check_format(fmt)
        if bool(names) == (file is not None):
            raise DataError.single("baiqiang resolve", "请给出名称，或用 --file 给出文件（二者选一）", "missing_input")
        queries = (_names_from_file(file, sheet) if file is not None
                   else pd.DataFrame({"query": names, "province": None, "prefecture": None}))
        reg = Registry.load()
        resolver = Resolver(reg, prefer_current=not keep_old)
        u = reg.units
        rows = []
        for i, q in enumerate(queries.itertuples(index=False), start=1):
            r = resolver.resolve(q.query, province=province or q.province, prefecture=prefecture or q.prefecture)
            rows.append({"row": i, "query": r.query, "status": r.status, "code": r.code, "name": r.name,
                         "province": u.at[r.code, "province"] if r.code else "",
                         "prefecture": u.at[r.code, "prefecture"] if r.code else "",
                         "candidates": ";".join(r.candidates), "note": r.note})
    df = pd.DataFrame(rows, columns=["row", "query", "status", "code", "name", "province", "prefecture",
                                     "candidates", "note"])
    shown = df.assign(status=df["status"].map(STATUS_ZH), candidates=df["candidates"].str.replace(";", "\n"))
    _emit(df if fmt == "csv" or out else shown, fmt, out, "名称解析",
          {"query": "输入", "status": "结果", "code": "代码", "name": "名称", "province": "省份",
           "prefecture": "地级市", "candidates": "候选", "note": "说明"})
    if fmt == "table" or out:
        c = df["status"].value_counts()
        console.print(f"共 {len(df)} 个：已匹配 {c.get('matched', 0)}，有歧义 {c.get('ambiguous', 0)}，"
                      f"未匹配 {c.get('unmatched', 0)}", highlight=False)


# -- units ---------------------------------------------------------------------------
@app.command()
def units(
    province: str = typer.Option(None, "--province", help="省份（名称、简称或代码前两位）"),
    prefecture: str = typer.Option(None, "--prefecture", help="地级市（名称或简称）"),
    type_: str = typer.Option(None, "--type", help="类型：县、县级市、自治县、旗、自治旗、市辖区、特区、林区、不设区地级市、设区地级市（三沙）、非行政统计区"),
    status: str = typer.Option("current", "--status", help="current（现行，默认）、historical、non_admin 或 all"),
    fmt: str = typer.Option("table", "--format", help="输出格式：table 或 csv"),
    out: Path = typer.Option(None, "-o", "--out", help="写出 CSV 文件"),
) -> None:
    """列出注册表中的县级单位。"""
    from baiqiang.data import names as nm
    from baiqiang.data.registry import Registry

    with user_errors():
        _check_format(fmt)
        reg = Registry.load()
        u = reg.units[reg.units["level"] == "county"]
        problems = []
        statuses = ("current", "historical", "non_admin")
        if status != "all" and status not in statuses:
            problems.append(Problem("--status", f"未知状态 {status!r}，可选：{'、'.join(statuses)}、all", "bad_option"))
        elif status != "all":
            u = u[u["status"] == status]
        if type_:
            types = sorted(t for t in reg.units.loc[reg.units["level"] == "county", "type"].unique() if t)
            if type_ not in types:
                problems.append(Problem("--type", f"未知类型 {type_!r}，可选：{'、'.join(types)}", "bad_option"))
            u = u[u["type"] == type_]
        if province:
            p = nm.normalise(province)
            mask = (u["province"] == p) | (u["province"].map(nm.place_stem) == nm.place_stem(p))
            if p.isdigit():
                mask = u["code"].str.startswith(p[:2])
            if not mask.any() and not problems:
                problems.append(Problem("--province", f"没有找到省份 {province!r} 的单位", "bad_option"))
            u = u[mask]
        if prefecture:
            p = nm.normalise(prefecture)
            mask = (u["prefecture"] == p) | (u["prefecture"].map(nm.place_stem) == nm.place_stem(p))
            if not mask.any() and not problems:
                problems.append(Problem("--prefecture", f"没有找到地级市 {prefecture!r} 的单位", "bad_option"))
            u = u[mask]
        if problems:
            raise DataError(problems, summary=problems[0].__str__() if len(problems) == 1 else "选项有误")
    df = u[["code", "name", "type", "prefecture", "province", "region", "status", "longitude", "latitude"]]
    df = df.reset_index(drop=True)
    _emit(df, fmt, out, f"县级单位（{len(df)} 个）",
          {"code": "代码", "name": "名称", "type": "类型", "prefecture": "地级市", "province": "省份", "region": "区域"})


# -- store ---------------------------------------------------------------------------
def _unit_code(store, query: str) -> str:
    """A unit code of the store from a code, full, short or old name (the one resolver, candidates on ambiguity)."""
    from baiqiang.data.resolve import resolve_among

    units = dict(store.con.execute("SELECT code, name FROM units").fetchall())
    return resolve_among(query, list(units), units)


def _indicator_code(store, query: str) -> str:
    from baiqiang.data.catalog import index_by_label, label_key

    found = index_by_label(store.indicators()).get(label_key(query))
    if found is not None:
        return found.code
    raise DataError.single(query, "指标不在数据库的指标目录中（baiqiang store info 列出指标）", "unknown_indicator")


@store_app.command("info")
def store_info(db: Path = typer.Option(DEFAULT_STORE, "--db", help="DuckDB 数据库文件")) -> None:
    """数据库概况：单位、指标、观测值、年份与导入批次。"""
    from rich.table import Table

    with user_errors():
        with _open_existing(db) as s:
            q = s.con.execute
            n_units = q("SELECT count(*) FROM units").fetchone()[0]
            n_obs, n_active, n_pinned, n_cells = q(
                "SELECT count(*), count(*) FILTER (WHERE active), count(*) FILTER (WHERE pinned), "
                "count(DISTINCT (unit_code, indicator, year)) FROM observations").fetchone()
            n_multi = q("SELECT count(*) FROM (SELECT 1 FROM observations GROUP BY unit_code, indicator, year "
                        "HAVING count(*) > 1)").fetchone()[0]
            per_year = q("SELECT year, count(DISTINCT unit_code), count(DISTINCT indicator) FROM observations "
                         "WHERE active GROUP BY year ORDER BY year").fetchall()
            inds = s.indicators()
            batches = s.batches()
    console.print(f"数据库：{db}", highlight=False)
    console.print(f"单位 {n_units}，指标 {len(inds)}，观测值 {n_obs} 条（{n_cells} 个单元格，有效 {n_active}，"
                  f"多版本单元格 {n_multi}，钉住 {n_pinned}）", highlight=False)
    for y, nu, ni in per_year:
        console.print(f"  {y} 年：{nu} 个单位，{ni} 个指标", highlight=False)
    if inds:
        console.print("指标：" + "、".join(f"{i.code}（{i.name_zh}{'，' + i.unit if i.unit else ''}）" for i in inds),
                      highlight=False)
    view = Table(title=f"导入批次（{len(batches)}）")
    for label in ("批次", "时间", "来源", "文件", "新增", "变化", "未变"):
        view.add_column(label, no_wrap=label in ("批次", "新增", "变化", "未变"))
    for b in batches.itertuples(index=False):
        view.add_row(str(b.batch_id), str(b.created_at)[:19], str(b.source), Path(str(b.file)).name,
                     str(b.n_new), str(b.n_changed), str(b.n_unchanged))
    console.print(view)


@store_app.command("history")
def store_history(
    unit: str = typer.Argument(..., help="单位代码或名称"),
    indicator: str = typer.Argument(..., help="指标代码、中文名或别名"),
    year: int = typer.Option(None, "--year", help="只看这一年"),
    db: Path = typer.Option(DEFAULT_STORE, "--db", help="DuckDB 数据库文件"),
    fmt: str = typer.Option("table", "--format", help="输出格式：table 或 csv"),
) -> None:
    """单元格的全部版本及设置各版本的导入批次（* 为有效版本）。"""
    with user_errors():
        _check_format(fmt)
        with _open_existing(db) as s:
            code, ind = _unit_code(s, unit), _indicator_code(s, indicator)
            v = s.versions(code, ind, year)
        if v.empty:
            raise DataError.single(f"{code}/{ind}" + (f"/{year}" if year else ""), "数据库中没有这个单元格的观测值",
                                   "no_data")
    df = v[["year", "version", "value", "active", "pinned", "batch_id", "created_at", "batch_source", "file",
            "provenance"]].copy()
    if fmt == "csv":
        from baiqiang.pipeline.export import safe_frame

        typer.echo(safe_frame(df).to_csv(index=False), nl=False)
        return
    df["created_at"] = df["created_at"].astype(str).str[:19]
    df["active"] = df["active"].map({True: "*", False: ""})
    df["pinned"] = df["pinned"].map({True: "钉住", False: ""})
    _emit(df, "table", None, f"{code} {ind} 的版本",
          {"year": "年份", "version": "版本", "value": "数值", "active": "有效", "pinned": "钉住",
           "batch_id": "批次", "created_at": "导入时间", "batch_source": "来源", "provenance": "出处"})


@store_app.command("pin")
def store_pin(
    unit: str = typer.Argument(..., help="单位代码或名称"),
    indicator: str = typer.Argument(..., help="指标代码、中文名或别名"),
    year: int = typer.Option(..., "--year", help="年份"),
    version: int = typer.Option(..., "--version", help="要钉住的版本号（见 baiqiang store history）"),
    db: Path = typer.Option(DEFAULT_STORE, "--db", help="DuckDB 数据库文件"),
) -> None:
    """钉住一个版本：它成为有效值，之后的导入不会替换它。"""
    with user_errors():
        with _open_existing(db) as s:
            code, ind = _unit_code(s, unit), _indicator_code(s, indicator)
            s.pin(code, ind, year, version)
            value = s.versions(code, ind, year).set_index("version").at[version, "value"]
    console.print(f"已钉住 {code} {ind} {year} 年 第 {version} 版（数值 {value}）", highlight=False)


@store_app.command("unpin")
def store_unpin(
    unit: str = typer.Argument(..., help="单位代码或名称"),
    indicator: str = typer.Argument(..., help="指标代码、中文名或别名"),
    year: int = typer.Option(..., "--year", help="年份"),
    db: Path = typer.Option(DEFAULT_STORE, "--db", help="DuckDB 数据库文件"),
) -> None:
    """取消钉住：最新版本重新成为有效值。"""
    with user_errors():
        with _open_existing(db) as s:
            code, ind = _unit_code(s, unit), _indicator_code(s, indicator)
            if s.versions(code, ind, year).empty:
                raise DataError.single(f"{code}/{ind}/{year}", "数据库中没有这个单元格的观测值", "no_data")
            s.unpin(code, ind, year)
            v = s.versions(code, ind, year)
    latest = v[v["active"]]
    console.print(f"已取消钉住 {code} {ind} {year} 年；有效版本：第 {int(latest['version'].iat[0])} 版"
                  f"（数值 {latest['value'].iat[0]}）", highlight=False)


@store_app.command("undo")
def store_undo(
    batch: int = typer.Argument(..., help="导入批次号（见 baiqiang store info）"),
    db: Path = typer.Option(DEFAULT_STORE, "--db", help="DuckDB 数据库文件"),
) -> None:
    """撤销一个导入批次：删除它写入的观测值，各单元格恢复此前的有效版本。"""
    with user_errors():
        with _open_existing(db) as s:
            n = s.undo(batch)
    console.print(f"已撤销批次 {batch}：移除 {n} 条观测值，各单元格恢复此前的版本", highlight=False)


EXPORT_HEADERS = {"unit_code": "单位代码", "name": "单位名称", "province": "省份", "prefecture": "地级市",
                  "indicator": "指标代码", "indicator_name": "指标名称", "unit": "计量单位", "year": "年份",
                  "value": "数值", "version": "版本", "active": "有效", "pinned": "钉住", "batch_id": "批次",
                  "source": "来源", "provenance": "出处"}


@store_app.command("export")
def store_export(
    out: Path = typer.Option(..., "-o", "--out", help="输出文件：.csv 或 .xlsx"),
    db: Path = typer.Option(DEFAULT_STORE, "--db", help="DuckDB 数据库文件"),
    year: int = typer.Option(None, "--year", help="只导出这一年"),
    all_versions: bool = typer.Option(False, "--all-versions", help="导出全部版本（默认只导出有效值）"),
) -> None:
    """导出数据库中的观测值（中文表头，代码旁附名称）为 CSV 或 XLSX。"""
    from baiqiang.pipeline.export import write_sheets

    with user_errors():
        check_year(year)
        suffix = out.suffix.lower()
        if suffix not in (".csv", ".xlsx"):
            raise DataError.single(f"-o {out}", "输出文件须以 .csv 或 .xlsx 结尾", "bad_option")
        if out.is_dir():
            raise DataError.single(f"-o {out}", "是目录；请给出文件路径", "bad_option")
        with _open_existing(db, read_only=True) as s:
            sql = ("SELECT o.unit_code, u.name, u.province, u.prefecture, o.indicator, i.name_zh AS indicator_name, "
                   "i.unit, o.year, o.value, o.version, o.active, o.pinned, o.batch_id, o.source, o.provenance "
                   "FROM observations o LEFT JOIN units u ON u.code = o.unit_code "
                   "LEFT JOIN indicators i ON i.code = o.indicator WHERE (? OR o.active) AND (? IS NULL OR o.year = ?) "
                   "ORDER BY o.unit_code, o.indicator, o.year, o.version")
            df = s.con.execute(sql, [all_versions, year, year]).df()
        df = df.rename(columns=EXPORT_HEADERS)
        if suffix == ".csv":
            _write_csv(df, out)
        else:
            with atomic_dir(out.parent) as tmp:
                write_sheets(tmp / out.name, {"观测值": df})
    console.print(f"已导出 {len(df)} 条观测值 → {out}", highlight=False)
