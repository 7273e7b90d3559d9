"""Ibis backends for recipes: embedded DuckDB (default) or PySpark (local, Spark Connect, or a cluster).

The dataset is read where it lies (a folder, or an ``s3a://``/``hdfs://`` URI on
Spark); tables absent from the dataset are simply not offered.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir

from baiqiang.errors import DataError
from baiqiang.firms.schema import IMPORT_ORDER

ENGINES = ("duckdb", "spark")


@dataclass
class Engine:
    """A connected backend and, for Spark, the session we started (stopped by :meth:`close`)."""

    name: str
    backend: Any
    session: Any = None

    def execute(self, expr: ir.Table) -> Any:
        return self.backend.execute(expr)

    def close(self) -> None:
        if self.session is not None:
            self.session.stop()
        else:
            self.backend.disconnect()


def connect(name: str = "duckdb", *, spark: str = "local[2]", memory_limit: str = "8GB",
            threads: int | None = None) -> Engine:
    """Connect an engine.

    ``spark`` is a master URL (``local[2]``, ``yarn``, ``spark://host:7077``) or a
    Spark Connect URL (``sc://host:15002``); it is ignored for DuckDB.
    """
    if name == "duckdb":
        config: dict[str, Any] = {"memory_limit": memory_limit}
        if threads:
            config["threads"] = threads
        return Engine("duckdb", ibis.duckdb.connect(**config))
    if name == "spark":
        try:
            from pyspark.sql import SparkSession
        except ImportError:
            raise DataError.single("--engine spark", "未安装 PySpark：pip install 'baiqiang[spark]'", "missing_extra") from None
        builder = SparkSession.builder.appName("baiqiang-firms")
        if spark.startswith("sc://"):
            builder = builder.remote(spark)
        else:
            builder = (builder.master(spark).config("spark.ui.enabled", "false")
                       .config("spark.sql.shuffle.partitions", "2" if spark.startswith("local") else "200").config("spark.sql.session.timeZone", "UTC"))
        session = builder.getOrCreate()
        return Engine("spark", ibis.pyspark.connect(session), session)
    raise DataError.single("--engine", f"未知引擎 {name}（可选：{', '.join(ENGINES)}）", "bad_engine")


def dataset_tables(engine: Engine, dataset: str | Path) -> dict[str, ir.Table]:
    """Ibis tables of a canonical firm dataset (folder written by ``firms import`` or ``firms generate``)."""
    root = str(dataset).rstrip("/")
    local = "://" not in root
    if local and not (Path(root) / "enterprises").is_dir():
        raise DataError.single(root, "不是企业数据集：缺少 enterprises/ 目录（先运行 baiqiang firms import）", "not_dataset")
    tables: dict[str, ir.Table] = {}
    for name in IMPORT_ORDER:
        folder = f"{root}/{name}"
        if local and not any(Path(folder).rglob("*.parquet")):
            continue
        if engine.name == "duckdb":
            tables[name] = engine.backend.read_parquet(f"{folder}/**/*.parquet", table_name=name, hive_partitioning=True)
        else:
            tables[name] = engine.backend.read_parquet(folder, table_name=name)
    return tables
