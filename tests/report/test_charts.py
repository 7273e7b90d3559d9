"""The report's charts are the Vega-Lite specs Altair gives for the same charts (Altair only in the tests)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from baiqiang.report import charts
from baiqiang.report.render import chart_specs, profile_specs

pytest.importorskip("altair", reason="Altair (a test dependency) is the reference")


def _load_reference():
    spec = importlib.util.spec_from_file_location("altair_reference", Path(__file__).with_name("altair_reference.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


alt_ref = _load_reference()

REPORT_CHARTS = ["region", "province", "tiers", "pillar_leaders", "movers"]


def _altair(name: str, content) -> dict:
    builder = {"region": alt_ref.region_chart, "province": alt_ref.province_chart, "tiers": alt_ref.tier_chart,
               "pillar_leaders": alt_ref.pillar_leaders_chart, "movers": alt_ref.movers_chart}[name]
    return alt_ref.config(builder(content)).to_dict()


@pytest.mark.parametrize("name", REPORT_CHARTS)
def test_report_chart_equals_altairs_spec(published, name):
    specs = chart_specs(published.content)
    assert specs[name] == _altair(name, published.content)


def test_maps_equal_altairs_specs(published):
    content = published.content
    assert chart_specs(content)["map"] == alt_ref.choropleth(content, interactive=True)
    for measure in ("index", content.pillars[0][0]):
        assert charts.choropleth(content, measure) == alt_ref.choropleth(content, measure)
    assert profile_specs(content, published.profile)["location"] == alt_ref.location_map(content, published.profile["code"])


def test_profile_chart_equals_altairs_spec(published):
    ours = profile_specs(published.content, published.profile)["pillars"]
    assert ours == alt_ref.config(alt_ref.profile_pillar_chart(published.profile)).to_dict()


def test_chart_data_are_plain_json_values(published):
    """Every spec serialises as strict JSON (no NaN, no NumPy scalars): the HTML and the vl-convert child read it."""
    for spec in chart_specs(published.content).values():
        json.dumps(spec, allow_nan=False)


def test_records_map_missing_values_to_none_and_numpy_scalars_to_python():
    import numpy as np
    import pandas as pd

    frame = pd.DataFrame({"i": np.array([1, 2], dtype=np.int64), "f": [1.5, np.nan], "g": [np.inf, 0.25],
                          "o": ["a", None], "n": pd.array([3, None], dtype="Int64"), "b": [True, False]})
    rows = charts.records(frame)
    assert rows == [{"i": 1, "f": 1.5, "g": None, "o": "a", "n": 3, "b": True},
                    {"i": 2, "f": None, "g": 0.25, "o": None, "n": None, "b": False}]
    assert all(type(r["i"]) is int and type(r["b"]) is bool for r in rows)
    assert rows == alt_ref.alt.utils.sanitize_pandas_dataframe(frame).to_dict(orient="records")
