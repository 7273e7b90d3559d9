"""Import firm records: validate every row, write a canonical Parquet dataset.

Input: a folder holding, per table of :data:`schema.TABLES`, a file
``<table>.csv`` / ``<table>.parquet`` or a folder ``<table>/`` of such files
(Hive-style ``year=2023/`` partitions allowed).  ``enterprises`` is required.

Output: a folder with ``<table>/`` Parquet files (partitioned by ``year``
where the table has one) and ``manifest.json`` (row counts, input and data
checksums).  The import streams record batches (pyarrow), validates each one
(:func:`schema.check_batch`), stages the valid rows, and lets DuckDB check keys
and references and write the result with a memory limit, spilling to disk.
Any problem aborts the import and leaves the output as it was; the error lists
the first problems with file, row and column.  Importing the same input again
changes nothing (the manifest's input checksum matches).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from baiqiang.data.store import file_sha256
from baiqiang.errors import DataError, Problem
from baiqiang.firms.schema import IMPORT_ORDER, TABLES, Table, arrow_schema, check_batch

SCHEMA_VERSION = 1
BATCH_ROWS = 262_144
MAX_PROBLEMS = 200
MANIFEST = "manifest.json"

#: ``progress(table, rows_done, rows_total)``; ``rows_total`` is 0 when unknown (CSV).
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class ImportResult:
    out: Path
    rows: dict[str, int]
    unchanged: bool
    data_checksum: str


def input_files(source: Path, table: str) -> list[Path]:
    """The files of ``table`` under ``source`` (sorted), or [] when it is absent."""
    found: list[Path] = []
    for suffix in (".parquet", ".csv"):
        if (source / f"{table}{suffix}").is_file():
            found.append(source / f"{table}{suffix}")
    folder = source / table
    if folder.is_dir():
        found += sorted(p for p in folder.rglob("*") if p.suffix in (".parquet", ".csv") and p.is_file())
    return found


def _hive_values(path: Path, root: Path) -> dict[str, str]:
    """``year=2023`` folder names between ``root`` and ``path``."""
    return dict(part.split("=", 1) for part in path.relative_to(root).parts[:-1] if "=" in part)


def _batches(path: Path, table: Table) -> Iterator[tuple[pd.DataFrame, int]]:
    """(batch as text/typed frame, row number of its first row) for one file."""
    if path.suffix == ".parquet":
        row = 1
        for batch in pq.ParquetFile(path).iter_batches(batch_size=BATCH_ROWS):
            yield batch.to_pandas(), row
            row += batch.num_rows
        return
    names = [c.name for c in table.columns] + list(table.enriched)
    try:
        reader = pacsv.open_csv(
            path, read_options=pacsv.ReadOptions(block_size=16 << 20),
            convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                                 strings_can_be_null=False))
    except pa.ArrowInvalid as exc:
        raise DataError.single(str(path), f"无法读取 CSV：{exc}", "bad_csv") from None
    row = 2  # line 1 is the header
    while True:
        try:
            batch = reader.read_next_batch()
        except StopIteration:
            return
        except pa.ArrowInvalid as exc:
            raise DataError.single(f"{path} 第 {row} 行附近", f"CSV 格式错误：{exc}", "bad_csv") from None
        yield batch.to_pandas(), row
        row += batch.num_rows


def _rows_total(files: list[Path]) -> int:
    return sum(pq.ParquetFile(p).metadata.num_rows for p in files if p.suffix == ".parquet")


def input_checksum(source: Path) -> str:
    """SHA-256 over the relative path and content hash of every input file."""
    h = hashlib.sha256()
    for table in IMPORT_ORDER:
        for p in input_files(source, table):
            h.update(f"{p.relative_to(source)}\0{file_sha256(p)}\n".encode())
    return h.hexdigest()


def read_manifest(dataset: Path) -> dict | None:
    path = Path(dataset) / MANIFEST
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def import_firms(source: Path, out: Path, *, counties: set[str] | None = None,
                 progress: Progress | None = None, memory_limit: str = "4GB") -> ImportResult:
    """Validate the firm tables under ``source`` and write the canonical dataset to ``out``."""
    source, out = Path(source), Path(out)
    if not source.is_dir():
        raise DataError.single(str(source), "输入目录不存在", "file_missing")
    if not input_files(source, "enterprises"):
        raise DataError.single(str(source), "缺少 enterprises 表（enterprises.csv、enterprises.parquet 或 enterprises/ 目录）", "missing_table")
    checksum = input_checksum(source)
    old = read_manifest(out)
    if old and old.get("input_sha256") == checksum and old.get("schema_version") == SCHEMA_VERSION:
        return ImportResult(out, old["rows"], True, old["data_checksum"])
    if counties is None:
        counties = registry_counties()
    out.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{out.name}.import.", dir=out.parent))
    try:
        rows = _stage_and_write(source, work, counties, progress, memory_limit)
        data_checksum = dataset_checksum(work / "data")
        manifest = {"schema_version": SCHEMA_VERSION, "input": str(source), "input_sha256": checksum,
                    "rows": rows, "data_checksum": data_checksum}
        (work / "data" / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
        _replace_dir(work / "data", out)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return ImportResult(out, rows, False, data_checksum)


def registry_counties() -> set[str]:
    """County-level codes a firm may be registered in: current, historical (crosswalk) and statistical areas."""
    from baiqiang.data.registry import Registry

    units = Registry.load().units
    return set(units.loc[units["level"] == "county", "code"])


def _stage_and_write(source: Path, work: Path, counties: set[str], progress: Progress | None,
                     memory_limit: str) -> dict[str, int]:
    stage, data = work / "stage", work / "data"
    con = duckdb.connect()
    con.execute(f"SET memory_limit = '{memory_limit}'")
    con.execute(f"SET temp_directory = '{work / 'spill'}'")
    con.execute("SET preserve_insertion_order = false")
    problems: list[Problem] = []
    n_bad = 0
    present: list[str] = []
    for name in IMPORT_ORDER:
        files = input_files(source, name)
        if not files:
            continue
        present.append(name)
        table = TABLES[name]
        (stage / name).mkdir(parents=True)
        total, done, part = _rows_total(files), 0, 0
        schema = arrow_schema(table)
        for path in files:
            shown = str(path.relative_to(source.parent)) if source.parent in path.parents else str(path)
            hive = _hive_values(path, source / name) if (source / name) in path.parents else {}
            for raw, first_row in _batches(path, table):
                for key, value in hive.items():
                    if key not in raw.columns:
                        raw[key] = value
                checked = check_batch(table, raw, where=shown, first_row=first_row, counties=counties,
                                      max_problems=max(0, MAX_PROBLEMS - len(problems)))
                problems += checked.problems
                n_bad += checked.n_bad_rows
                frame = checked.frame
                frame["_file"] = shown
                cols = [f.name for f in schema if f.name in frame.columns]
                staged = pa.Table.from_pandas(frame[cols + ["_row", "_file"]], preserve_index=False,
                                              schema=pa.schema([schema.field(c) for c in cols]
                                                               + [pa.field("_row", pa.int64()), pa.field("_file", pa.string())]))
                pq.write_table(staged, stage / name / f"part-{part:05d}.parquet")
                part += 1
                done += len(raw)
                if progress:
                    progress(name, done, total)
        con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{stage / name}/*.parquet')")
        problems += _key_problems(con, table, max(0, MAX_PROBLEMS - len(problems)))
        if name != "enterprises":
            problems += _reference_problems(con, name, max(0, MAX_PROBLEMS - len(problems)))
    if problems or n_bad:
        raise DataError(problems, summary=f"导入失败：{n_bad} 行数据有误（另有重复或引用问题见下），"
                                          f"列出前 {len(problems)} 处；未写出任何文件")
    rows: dict[str, int] = {}
    for name in present:
        table = TABLES[name]
        cols = ", ".join(f"t.{c.name}" for c in table.columns)
        target = data / name
        target.mkdir(parents=True)
        if name == "enterprises":
            sql = f"SELECT {cols}, t.section FROM enterprises t"
        else:
            extra = ", ".join(f"e.{c}" for c in table.enriched)
            sql = f"SELECT {cols}, {extra} FROM {name} t JOIN enterprises e USING (uscc)"
        if table.partition:
            con.execute(f"COPY ({sql}) TO '{target}' (FORMAT parquet, PARTITION_BY ({table.partition}), OVERWRITE_OR_IGNORE)")
        else:
            con.execute(f"COPY ({sql}) TO '{target / 'part-0.parquet'}' (FORMAT parquet)")
        rows[name] = int(con.execute(f"SELECT count(*) FROM {name}").fetchone()[0])
    con.close()
    return rows


def _key_problems(con: duckdb.DuckDBPyConnection, table: Table, limit: int) -> list[Problem]:
    key = ", ".join(table.key)
    dups = con.execute(
        f"SELECT {key}, list(_file || ' 第 ' || _row || ' 行' ORDER BY _file, _row) AS at FROM {table.name} "
        f"GROUP BY {key} HAVING count(*) > 1 ORDER BY min(_file), min(_row) LIMIT {limit}").fetchall()
    return [Problem(at[0], f"与 {'、'.join(at[1:])} 重复（键 {' / '.join(map(str, values))}）", "duplicate")
            for *values, at in dups]


def _reference_problems(con: duckdb.DuckDBPyConnection, name: str, limit: int) -> list[Problem]:
    orphans = con.execute(
        f"SELECT _file, _row, uscc FROM {name} t ANTI JOIN enterprises e USING (uscc) "
        f"ORDER BY _file, _row LIMIT {limit}").fetchall()
    return [Problem(f"{f} 第 {r} 行 列「uscc」", f"企业 {u} 不在 enterprises 表中", "unknown_enterprise")
            for f, r, u in orphans]


def dataset_checksum(dataset: Path) -> str:
    """SHA-256 over the relative path and content hash of every Parquet file of a dataset."""
    h = hashlib.sha256()
    for p in sorted(Path(dataset).rglob("*.parquet")):
        h.update(f"{p.relative_to(dataset)}\0{file_sha256(p)}\n".encode())
    return h.hexdigest()


def _replace_dir(new: Path, target: Path) -> None:
    """Move ``new`` to ``target``; an existing ``target`` is swapped out first and then removed."""
    backup = None
    if target.exists():
        backup = target.with_name(f".{target.name}.old-{os.getpid()}")
        os.replace(target, backup)
    os.replace(new, target)
    if backup is not None:
        shutil.rmtree(backup, ignore_errors=True)
