"""``panel_for`` on a frame of numbers: the same panel as from the same cells as text-or-number objects."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from baiqiang.errors import DataError
from baiqiang.framework import load_framework
from baiqiang.pipeline.panel import panel_for, to_numbers

ASEM = Path(__file__).resolve().parents[2] / "examples" / "asem"


def test_float_cells_come_back_unchanged_without_the_text_round_trip():
    cells = np.array([0.1, -0.0, np.nan, 1e-300, 2.0**60 + 2**8, np.inf, 123456789.123456789])
    values, problems = to_numbers(cells, "x", "<t>")
    assert problems == [] and values.dtype == float
    assert np.array_equal(values, cells, equal_nan=True) and np.signbit(values[1])
    # The text path reads the same numbers from the same cells as objects.
    as_objects, _ = to_numbers(np.array([None if np.isnan(c) else c for c in cells], dtype=object), "x", "<t>")
    assert np.array_equal(as_objects, values, equal_nan=True)
    ints, _ = to_numbers(np.array([3, -7, 2**53 + 1]), "x", "<t>")
    assert ints.tolist() == [3.0, -7.0, float(2**53)]  # rounded as float("9007199254740993") rounds


def test_panel_of_a_numeric_frame_equals_the_panel_of_its_object_cells():
    fw = load_framework(ASEM / "v1_default.yaml")
    frame = pd.read_csv(ASEM / "asem_data.csv")
    frame.iloc[3, frame.columns.get_loc(fw.indicators[0].code)] = np.nan
    numeric = panel_for(frame, fw)
    objects = panel_for(frame.astype(object), fw)
    codes = [i.code for i in fw.indicators]
    assert np.array_equal(numeric.matrix(codes), objects.matrix(codes), equal_nan=True)
    assert np.isnan(numeric.matrix(codes)[3, 0])
    assert list(numeric.codes) == list(objects.codes)


def test_a_text_cell_in_an_object_column_is_still_reported():
    fw = load_framework(ASEM / "v1_default.yaml")
    frame = pd.read_csv(ASEM / "asem_data.csv").astype({fw.indicators[0].code: object})
    frame.iloc[2, frame.columns.get_loc(fw.indicators[0].code)] = "12,3x"
    with pytest.raises(DataError, match="not a number"):
        panel_for(frame, fw)
