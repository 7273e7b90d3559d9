"""``import_firms``: every bad row located (file, row, column), keys and references checked, idempotent, batched."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from baiqiang.errors import DataError
from baiqiang.firms import importer
from baiqiang.firms.importer import import_firms, read_manifest

from .conftest import E1, E4, ENTERPRISES, YEARS, write_tiny


def _problems(exc: pytest.ExceptionInfo[DataError]) -> list[str]:
    return [str(p) for p in exc.value.problems]


def test_tiny_dataset_imports_with_enrichment(tiny_dataset: Path) -> None:
    manifest = read_manifest(tiny_dataset)
    assert manifest["rows"] == {"enterprises": 5, "enterprise_years": 6, "designations": 4, "patents": 2, "projects": 2}
    ent = duckdb.sql(f"SELECT uscc, industry, section FROM '{tiny_dataset}/enterprises/*.parquet' ORDER BY uscc").df()
    # C3612 is stored as the number; its 门类 is kept in ``section``.
    assert ent.set_index("uscc").loc[E1, "industry"] == "3612"
    assert ent.set_index("uscc").loc[E4, "section"] == "C"
    years = duckdb.sql(f"SELECT uscc, year, county, industry, above_scale FROM read_parquet("
                       f"'{tiny_dataset}/enterprise_years/**/*.parquet', hive_partitioning=true)").df()
    row = years[(years["uscc"] == E4) & (years["year"] == 2022)].iloc[0]
    assert (row["county"], row["industry"], bool(row["above_scale"])) == ("330282", "2710", True)


def test_bad_rows_are_located_and_nothing_is_written(tmp_path: Path) -> None:
    src = write_tiny(tmp_path / "in")
    bad = ENTERPRISES.copy()
    bad.loc[1, "uscc"] = bad.loc[1, "uscc"][:-1] + ("0" if bad.loc[1, "uscc"][-1] != "0" else "1")
    bad.loc[2, "county"] = "999999"
    bad.loc[3, "industry"] = "3588"
    bad.loc[4, "registered"] = "2005-02-30"
    bad.loc[0, "size"] = "巨型"
    bad.to_csv(src / "enterprises.csv", index=False)
    out = tmp_path / "out"
    with pytest.raises(DataError) as exc:
        import_firms(src, out)
    text = _problems(exc)
    # CSV rows as a spreadsheet shows them: header = row 1, first firm = row 2.
    assert any(t.startswith("in/enterprises.csv 第 3 行 列「uscc」: 校验码错误") for t in text)
    assert any(t.startswith("in/enterprises.csv 第 4 行 列「county」") for t in text)
    assert any("第 5 行 列「industry」: 3588 不是 GB/T 4754-2017 的小类" in t for t in text)
    assert any("第 6 行 列「registered」: 不是日期" in t for t in text)
    assert any("第 2 行 列「size」: 取值应为" in t for t in text)
    assert not out.exists()


def test_duplicates_and_unknown_enterprises(tmp_path: Path) -> None:
    src = write_tiny(tmp_path / "in")
    pd.concat([ENTERPRISES, ENTERPRISES.iloc[[0]]]).to_csv(src / "enterprises.csv", index=False)
    patents = pd.DataFrame({"uscc": [E1, "91320582000000099" + "X"], "year": [2023, 2023], "invention": [1, 1]})
    from baiqiang.firms.codes import uscc_check_character
    stranger = "91320582000000099" + uscc_check_character("91320582000000099")
    patents.loc[1, "uscc"] = stranger
    patents.to_csv(src / "patents.csv", index=False)
    with pytest.raises(DataError) as exc:
        import_firms(src, tmp_path / "out")
    text = _problems(exc)
    assert any(t.startswith("in/enterprises.csv 第 2 行") and "in/enterprises.csv 第 7 行" in t and "重复" in t for t in text)
    assert f"in/patents.csv 第 3 行 列「uscc」: 企业 {stranger} 不在 enterprises 表中" in text


def test_parquet_rows_and_hive_year(tmp_path: Path) -> None:
    src = write_tiny(tmp_path / "in")
    part = src / "enterprise_years" / "year=2023" / "part-0.parquet"
    frame = pd.read_parquet(part)
    frame.loc[frame.index[2], "revenue"] = -5
    frame.to_parquet(part)
    with pytest.raises(DataError) as exc:
        import_firms(src, tmp_path / "out")
    assert _problems(exc) == [
        "in/enterprise_years/year=2023/part-0.parquet 第 3 行 列「revenue」: 不能为负数（值：-5）"]


def test_import_is_idempotent(tmp_path: Path) -> None:
    src = write_tiny(tmp_path / "in")
    first = import_firms(src, tmp_path / "out")
    stamp = (tmp_path / "out" / "manifest.json").stat().st_mtime_ns
    second = import_firms(src, tmp_path / "out")
    assert not first.unchanged and second.unchanged
    assert second.data_checksum == first.data_checksum
    assert (tmp_path / "out" / "manifest.json").stat().st_mtime_ns == stamp
    # A changed input is imported again and replaces the dataset.
    YEARS.iloc[:-1].astype({"above_scale": str}).query("year == 2023").drop(columns="year").to_parquet(
        src / "enterprise_years" / "year=2023" / "part-0.parquet")
    third = import_firms(src, tmp_path / "out")
    assert not third.unchanged and third.rows["enterprise_years"] == 5


def test_small_batches_give_the_same_dataset(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = write_tiny(tmp_path / "in")
    import_firms(src, tmp_path / "one")
    monkeypatch.setattr(importer, "BATCH_ROWS", 2)
    import_firms(src, tmp_path / "many")
    q = "SELECT * FROM read_parquet('{}/enterprise_years/**/*.parquet', hive_partitioning=true) ORDER BY uscc, year"
    a = duckdb.sql(q.format(tmp_path / "one")).df()
    b = duckdb.sql(q.format(tmp_path / "many")).df()
    pd.testing.assert_frame_equal(a, b)
