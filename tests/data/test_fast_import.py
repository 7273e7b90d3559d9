"""The set-based CSV path gives exactly the generic path's outcome (store rows, report, errors).

Every file is imported twice, into two copies of the same store: once by
``import_file`` (which takes the fast path for a plain CSV) and once with
``fast=False`` (the generic reader and sheet parser).  Store tables, the
report, its CSV bytes, warnings, conflicts and located errors must be equal.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from baiqiang.data.importers.fast import import_plain_csv
from baiqiang.data.importers.table import import_file
from baiqiang.data.store import Store
from baiqiang.errors import DataError
from baiqiang.pipeline.export import write_csv

# -- plain files: the fast path must be taken ---------------------------------------------
LONG = """区划代码,年份,指标,数值
330784,2020,地区生产总值,612.5
330784,2020,人口,98.6
330782,2020,地区生产总值,—
330782,2020,人口,…
441900,2020,地区生产总值,9650.19
330000,2020,地区生产总值,64613
999999,2020,地区生产总值,1
330784,2021,地区生产总值, 700 
330782,2021,地区生产总值,
330784,2019,出生率,12%
330782,2019,出生率,１２.５
330784,2018,地区生产总值,-5
,,,
330782,2018,地区生产总值,1e3
"""
NAMES = """地区,年份,指标,数值
永康,2020,地区生产总值,612.5
朝阳区,2020,地区生产总值,1
东莞市,2020,地区生产总值,9650.19
浙江省,2020,地区生产总值,64613
全国,2020,地区生产总值,1000000
=HYPERLINK(x),2020,地区生产总值,5
-不存在县,2020,地区生产总值,6
"""
MEASURE = """区划代码,年份,指标,数值,单位
330784,2020,地区生产总值,6125000,万元
330782,2020,地区生产总值,1500,亿元
330784,2020,人口,986000,人
330782,2020,人口,180,
"""
WIDE = """区划代码,地区,地区生产总值（万元）,人口（万人）,备注
330784,永康市,6125000,98.6,x
330782,义乌市,—,185.9,
441900,东莞市,96501900,1046.7,y
330000,浙江省,646130000,6456.8,
"""
WIDE_YEARS = "区划代码\t年份\t地区生产总值\t出生率（‰）\n330784\t2019\t1,234.5\t8.5\n330784\t2020\t1,300\t7\n"
PLAIN = {"long.csv": LONG, "names.csv": NAMES, "measure.csv": MEASURE, "wide.csv": WIDE, "wide_years.tsv": WIDE_YEARS}

# -- files the fast path hands to the generic path (errors or sheet features) ---------------
FALLBACK = {
    "non_numeric.csv": "区划代码,年份,指标,数值\n330784,2020,地区生产总值,abc\n",
    "unknown_indicator.csv": "区划代码,年份,指标,数值\n330784,2020,不存在的指标,1\n",
    "duplicate.csv": "区划代码,年份,指标,数值\n330784,2020,地区生产总值,1\n330784,2020,地区生产总值,2\n",
    "bad_year.csv": "区划代码,年份,指标,数值\n330784,2020.5,地区生产总值,1\n",
    "infinite.csv": "区划代码,年份,指标,数值\n330784,2020,地区生产总值,1e309\n",
    "ragged.csv": "区划代码,年份,指标,数值\n330784,2020,地区生产总值\n",
    "bad_unit.csv": "区划代码,年份,指标,数值,单位\n330784,2020,地区生产总值,1,万人\n",
    "footnote.csv": "区划代码,年份,指标,数值\n330784,2020,地区生产总值,1\n注：数据为初步核算数,,,\n",
    "title.csv": "2020年各县数据\n区划代码,年份,指标,数值\n330784,2020,地区生产总值,1\n",
    "two_headers.csv": "区划代码,地区,地区生产总值,地区生产总值\n,,总量（亿元）,增速（%）\n330784,永康市,612.5,6.1\n",
    "blank_line.csv": "区划代码,年份,指标,数值\n330784,2020,地区生产总值,1\n\n330782,2020,地区生产总值,2\n",
    "quoted.csv": '区划代码,年份,指标,数值\n330784,2020,地区生产总值,"1,234.5"\n',
    "header_only.csv": "区划代码,年份,指标,数值\n",
    "no_unit_column.csv": "甲,年份,指标,数值\n1,2020,地区生产总值,1\n",
}


def _state(store: Store) -> dict[str, list]:
    """Every row of the tables an import writes (batch times aside), in a fixed order."""
    obs = store.con.execute("SELECT * FROM observations ORDER BY unit_code, indicator, year, version").df()
    batches = store.con.execute("SELECT * EXCLUDE (created_at) FROM import_batches ORDER BY batch_id").df()
    return {"observations": obs.astype(object).where(obs.notna(), None).values.tolist(),
            "batches": batches.astype(object).where(batches.notna(), None).values.tolist()}


def _frame(df: pd.DataFrame) -> list:
    return df.astype(object).where(df.notna(), None).values.tolist()


def _pair(store: Store, tmp_path: Path, name: str, text: str, *, encoding: str = "utf-8", **options):
    """Import one file into two copies of ``store``: (fast outcome, generic outcome, fast store, generic store)."""
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    store.con.execute("CHECKPOINT")
    shutil.copy(store.path, tmp_path / "generic.duckdb")
    generic = Store(tmp_path / "generic.duckdb")
    outcomes = []
    for s, fast in ((store, True), (generic, False)):
        try:
            with s.transaction():
                outcomes.append(import_file(s, path, fast=fast, **options))
        except DataError as exc:
            outcomes.append(exc)
    return outcomes[0], outcomes[1], generic, path


def _assert_same(fast, slow, store: Store, generic: Store, tmp_path: Path) -> None:
    if isinstance(slow, DataError):
        assert isinstance(fast, DataError)
        assert [(p.where, p.message, p.code) for p in fast.problems] == [
            (p.where, p.message, p.code) for p in slow.problems]
        assert str(fast) == str(slow)
    else:
        assert _frame(fast.rows) == _frame(slow.rows)
        assert list(fast.rows.columns) == list(slow.rows.columns)
        assert fast.rows.dtypes.astype(str).tolist() == slow.rows.dtypes.astype(str).tolist()
        assert (fast.unmapped_columns, fast.footnotes, fast.warnings) == (
            slow.unmapped_columns, slow.footnotes, slow.warnings)
        if slow.batch is None:
            assert fast.batch is None
        else:
            for attr in ("batch_id", "n_new", "n_changed", "n_unchanged", "n_blank_kept"):
                assert getattr(fast.batch, attr) == getattr(slow.batch, attr), attr
            assert _frame(fast.batch.conflicts) == _frame(slow.batch.conflicts)
            assert _frame(fast.batch.blanks_kept) == _frame(slow.batch.blanks_kept)
        fast.write_rows(tmp_path / "fast.resolution.csv")
        write_csv(slow.rows, tmp_path / "slow.resolution.csv")
        assert (tmp_path / "fast.resolution.csv").read_bytes() == (tmp_path / "slow.resolution.csv").read_bytes()
        write_csv(fast.rows, tmp_path / "fast_frame.resolution.csv")  # the frame itself writes the same bytes
        assert (tmp_path / "fast_frame.resolution.csv").read_bytes() == (tmp_path / "slow.resolution.csv").read_bytes()
    assert _state(store) == _state(generic)


@pytest.mark.parametrize("name", sorted(PLAIN))
def test_plain_files_take_the_fast_path_with_the_generic_outcome(store, registry, tmp_path, name):
    text = PLAIN[name]
    year = 2020 if name.startswith(("wide.", "names")) and "年份" not in text.splitlines()[0] else None
    assert _takes_fast_path(store, registry, _write(tmp_path / f"probe_{name}", text), year=year)
    fast, slow, generic, _ = _pair(store, tmp_path, name, text, year=year, registry=registry)
    assert not isinstance(slow, DataError), slow
    assert slow.batch is not None and slow.batch.n_new > 0
    _assert_same(fast, slow, store, generic, tmp_path)


def test_hand_checked_long_outcome(store, registry, tmp_path):
    """The long file's values by hand: missing tokens, spaces, %, full-width digits, subtotals, unmatched codes."""
    fast, _, _, _ = _pair(store, tmp_path, "long.csv", LONG, registry=registry)
    got = {(u, i, y): v for u, i, y, v in store.con.execute(
        "SELECT unit_code, indicator, year, value FROM observations WHERE active").fetchall()}
    assert got[("330784", "gdp", 2020)] == 612.5
    assert got[("330782", "gdp", 2020)] is None  # — is missing
    assert got[("330784", "gdp", 2021)] == 700.0  # " 700 "
    assert got[("330784", "birth", 2019)] == 12.0  # 12% in a % indicator
    assert got[("330782", "birth", 2019)] == 12.5  # full-width digits
    assert got[("330782", "gdp", 2018)] == 1000.0
    assert got[("441900", "gdp", 2020)] == 9650.19  # 东莞: a unit although its code ends in 00
    status = dict(zip(fast.rows["row"], fast.rows["status"]))
    assert status[7] == "subtotal" and status[8] == "unmatched" and 14 not in status  # ",,," row dropped
    assert fast.warnings == ["long.csv 第 13 行 列「数值」：gdp 为负数 -5"]


def test_measure_column_converts(store, registry, tmp_path):
    _pair(store, tmp_path, "measure.csv", MEASURE, registry=registry)
    got = dict(((u, i), v) for u, i, v in store.con.execute(
        "SELECT unit_code, indicator, value FROM observations").fetchall())
    assert got == {("330784", "gdp"): 612.5, ("330782", "gdp"): 1500.0, ("330784", "pop"): 98.6,
                   ("330782", "pop"): 180.0}


def test_reimport_conflicts_blanks_and_jumps(store, registry, tmp_path):
    """Over existing values: a change is a conflict, a blank keeps the value, a >10× jump is a warning.

    The jump compares with the stored value before this import: 9000 / 612.5 = 14.69.
    """
    first = "区划代码,年份,指标,数值\n330784,2019,地区生产总值,600\n330784,2020,地区生产总值,612.5\n330782,2020,地区生产总值,1500\n"
    with store.transaction():
        import_file(store, _write(tmp_path / "first.csv", first), registry=registry, fast=False)
    second = "区划代码,年份,指标,数值\n330784,2020,地区生产总值,620\n330782,2020,地区生产总值,—\n330784,2021,地区生产总值,9000\n"
    fast, slow, generic, _ = _pair(store, tmp_path, "second.csv", second, registry=registry)
    _assert_same(fast, slow, store, generic, tmp_path)
    assert (fast.batch.n_new, fast.batch.n_changed, fast.batch.n_blank_kept) == (1, 1, 1)
    assert fast.batch.conflicts[["old_value", "new_value"]].values.tolist() == [[612.5, 620.0]]
    assert fast.warnings == ["second.csv 第 4 行 列「数值」：gdp = 9000，是上一年（2020 年 612.5）的 14.7 倍，请检查单位"]


@pytest.mark.parametrize("encoding,newline", [("utf-8-sig", "\r\n"), ("gbk", "\n"), ("gb18030", "\r\n")])
def test_bom_crlf_and_gbk_are_transcoded(store, registry, tmp_path, encoding, newline):
    text = LONG.replace("\n", newline).replace("１２.５", "12.5")  # GBK has no full-width digits issue, keep it simple
    fast, slow, generic, path = _pair(store, tmp_path, "enc.csv", text, encoding=encoding, registry=registry)
    _assert_same(fast, slow, store, generic, tmp_path)
    assert _takes_fast_path(store, registry, path)


@pytest.mark.parametrize("name", sorted(FALLBACK))
def test_not_plain_or_faulty_files_give_the_generic_errors(store, registry, tmp_path, name):
    text = FALLBACK[name]
    assert not _takes_fast_path(store, registry, _write(tmp_path / f"probe_{name}", text))
    fast, slow, generic, _ = _pair(store, tmp_path, name, text, registry=registry)
    _assert_same(fast, slow, store, generic, tmp_path)


def _takes_fast_path(store: Store, registry, path: Path, *, year: int | None = None) -> bool:
    """Whether the set-based path handles ``path`` (tried on a copy of the store)."""
    store.con.execute("CHECKPOINT")
    probe = path.with_name("probe.duckdb")
    shutil.copy(store.path, probe)
    with Store(probe) as s:
        return import_plain_csv(s, path, year=year, source=None, registry=registry, layout="auto") is not None


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_reimport_of_the_same_file_is_idempotent(store, registry, tmp_path):
    """The same plain file twice: no second batch, every cell unchanged, the store as after the first."""
    path = _write(tmp_path / "long.csv", LONG)
    with store.transaction():
        first = import_file(store, path, registry=registry)
    before = _state(store)
    with store.transaction():
        again = import_file(store, path, registry=registry)
    assert first.batch.batch_id == 1 and again.batch.batch_id is None
    assert (again.batch.n_new, again.batch.n_changed, again.batch.n_unchanged) == (0, 0, first.batch.n_new)
    assert _state(store) == before
