"""One census year's observations as one batch: provenance built in SQL, the store's checks kept."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from baiqiang.data.census import CENSUS_INDICATORS, SOURCE, _add_census_batch, _long_observations
from baiqiang.errors import DataError

LABELS = pd.DataFrame([("pop_total", " 列「合计」", "空白按 0 计"), ("urban_share", "；派生：pop_urban / pop_total × 100", "超出范围")],
                      columns=["indicator", "label", "note"])


@pytest.fixture()
def census_store(store):
    store.upsert_indicators(CENSUS_INDICATORS)
    return store


def test_cells_are_stored_indicator_by_indicator_with_their_file_row(census_store):
    codes = np.array(["330784", "330782"], dtype=object)
    obs = _long_observations(codes, np.array([12, 13]), ["pop_total", "urban_share"],
                             np.array([[964203.0, 55.5], [np.nan, 120.0]]), np.array([[False, False], [True, True]]))
    assert list(obs["unit_code"]) == ["330784", "330782", "330784", "330782"]
    assert list(obs["indicator"]) == ["pop_total", "pop_total", "urban_share", "urban_share"]
    res = _add_census_batch(census_store, obs, LABELS, year=2020, fname="t.xlsx", sha256="abc")
    assert (res.n_new, res.n_changed, res.n_unchanged) == (4, 0, 0)
    got = census_store.con.execute("SELECT unit_code, indicator, year, value, source, provenance, version, active "
                                   "FROM observations ORDER BY indicator, unit_code").fetchall()
    assert got == [
        ("330782", "pop_total", 2020, None, SOURCE, "t.xlsx 第 13 行 列「合计」；空白按 0 计", 1, True),  # NaN stored as NULL
        ("330784", "pop_total", 2020, 964203.0, SOURCE, "t.xlsx 第 12 行 列「合计」", 1, True),
        ("330782", "urban_share", 2020, 120.0, SOURCE, "t.xlsx 第 13 行；派生：pop_urban / pop_total × 100；超出范围", 1, True),
        ("330784", "urban_share", 2020, 55.5, SOURCE, "t.xlsx 第 12 行；派生：pop_urban / pop_total × 100", 1, True),
    ]
    again = _add_census_batch(census_store, obs, LABELS, year=2020, fname="t.xlsx", sha256="abc")
    assert again.batch_id is None and again.n_unchanged == 4 and again.n_blank_kept == 0  # idempotent (NULL meets NULL)


def test_a_duplicate_or_unknown_unit_is_reported_by_file_and_row_and_nothing_is_stored(census_store):
    codes = np.array(["330784", "330784", "999999"], dtype=object)  # a unit twice (rows 12, 13), an unknown code (14)
    obs = _long_observations(codes, np.array([12, 13, 14]), ["pop_total"], np.array([[1.0], [2.0], [3.0]]),
                             np.zeros((3, 1), dtype=bool))
    with pytest.raises(DataError) as err:
        _add_census_batch(census_store, obs, LABELS, year=2020, fname="t.xlsx", sha256="abc")
    found = {(p.code, p.where) for p in err.value.problems}
    assert ("duplicate", "t.xlsx 第 12 行 列「合计」") in found and ("duplicate", "t.xlsx 第 13 行 列「合计」") in found
    assert ("unknown_unit", "t.xlsx 第 14 行 列「合计」") in found
    assert census_store.con.execute("SELECT count(*) FROM observations").fetchone()[0] == 0
    assert census_store.con.execute("SELECT count(*) FROM import_batches").fetchone()[0] == 0


def test_an_infinite_value_is_refused(census_store):
    obs = _long_observations(np.array(["330784"], dtype=object), np.array([12]), ["pop_total"], np.array([[np.inf]]),
                             np.zeros((1, 1), dtype=bool))
    with pytest.raises(DataError) as err:
        _add_census_batch(census_store, obs, LABELS, year=2020, fname="t.xlsx", sha256="abc")
    assert [(p.code, p.where) for p in err.value.problems] == [("non_finite", "t.xlsx 第 12 行 列「合计」")]


def test_the_batch_runs_on_one_thread_and_the_thread_count_is_restored(census_store):
    from baiqiang.data.census import _one_thread

    con = census_store.con
    con.execute("SET threads = 3")
    setting = "SELECT current_setting('threads')"
    with _one_thread(con):
        assert con.execute(setting).fetchall() == [(1,)]
    assert con.execute(setting).fetchall() == [(3,)]
    with pytest.raises(ZeroDivisionError), _one_thread(con):
        1 / 0
    assert con.execute(setting).fetchall() == [(3,)]  # restored after an error too
    obs = _long_observations(np.array(["330784"], dtype=object), np.array([12]), ["pop_total"], np.array([[1.0]]),
                             np.array([[False]]))
    assert _add_census_batch(census_store, obs, LABELS, year=2020, fname="t.xlsx", sha256="abc").n_new == 1
    assert con.execute(setting).fetchall() == [(3,)]
