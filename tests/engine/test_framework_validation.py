"""Framework validation reports every problem at once, with where and what."""

from __future__ import annotations

import copy
import json

import pytest
import yaml

from baiqiang.errors import DataError, FrameworkError
from baiqiang.framework import load_framework, parse_framework
from baiqiang.framework.schema import json_schema
from baiqiang.pipeline.panel import panel_for

import pandas as pd

BASE = {
    "id": "tiny",
    "name": "小指数",
    "indicators": [
        {"code": "a", "name": "甲", "parent": "P1", "weight": 1},
        {"code": "b", "name": "乙", "parent": "P1", "weight": 1, "direction": "lower"},
        {"code": "c", "name": "丙", "parent": "P2"},
    ],
    "aggregates": [
        {"code": "P1", "name": "支柱一", "parent": "Index"},
        {"code": "P2", "name": "支柱二", "parent": "Index"},
        {"code": "Index", "name": "总指数"},
    ],
    "methodology": [
        {"step": "normalise", "method": "minmax", "params": {"lower": 0, "upper": 100}},
        {"step": "aggregate", "method": "arithmetic"},
    ],
}


def problems_of(raw) -> list[str]:
    with pytest.raises(FrameworkError) as info:
        parse_framework(raw, source="t.yaml")
    return [str(p) for p in info.value.problems]


def test_valid_framework_parses_with_words_for_directions():
    fw = parse_framework(copy.deepcopy(BASE))
    assert [i.direction for i in fw.indicators] == [1, -1, 1]
    assert fw.indicators[0].name.zh == "甲"


def test_every_hierarchy_problem_is_reported_at_once():
    raw = copy.deepcopy(BASE)
    raw["indicators"][0]["parent"] = "Nowhere"
    raw["indicators"][2]["code"] = "b"
    raw["aggregates"][1]["parent"] = "P2"  # P2 -> P2 is a cycle
    found = problems_of(raw)
    assert any("indicators[0].parent" in p and "unknown parent 'Nowhere'" in p for p in found)
    assert any("indicators[2].code" in p and "duplicate code 'b'" in p for p in found)
    assert any("cycle" in p and "'P2'" in p for p in found)


def test_zero_weights_and_empty_aggregate():
    raw = copy.deepcopy(BASE)
    raw["indicators"][2]["weight"] = 0
    raw["aggregates"].insert(0, {"code": "P3", "name": "空", "parent": "Index"})
    found = problems_of(raw)
    assert any("children of 'P2' sum to zero" in p for p in found)
    assert any("'P3' has no children" in p for p in found)


def test_unknown_method_bad_parameter_and_step_order():
    raw = copy.deepcopy(BASE)
    raw["methodology"] = [
        {"step": "aggregate", "method": "mystery"},
        {"step": "normalise", "method": "minmax", "params": {"lower": "zero", "upper": 100, "scale": 2}},
    ]
    found = problems_of(raw)
    assert any("methodology[0].method" in p and "unknown aggregate method 'mystery'" in p for p in found)
    assert any("the 'lower' parameter of normalise.minmax must be a number; got 'zero'" in p for p in found)
    assert any("unknown parameter 'scale'" in p for p in found)
    assert any("step 'normalise' must come before 'aggregate'" in p for p in found)


def test_shape_errors_name_the_key_path():
    raw = copy.deepcopy(BASE)
    raw["indicators"][1]["weight"] = -1
    raw["indicators"][1]["direction"] = 3
    found = problems_of(raw)
    assert any(p.startswith("t.yaml: indicators[1].weight") for p in found)
    assert any(p.startswith("t.yaml: indicators[1].direction") for p in found)


def test_yaml_file_errors(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: [unclosed", encoding="utf-8")
    with pytest.raises(FrameworkError, match="not valid YAML"):
        load_framework(bad)
    with pytest.raises(FrameworkError, match="file not found"):
        load_framework(tmp_path / "none.yaml")


def test_data_problems_name_row_and_column():
    fw = parse_framework(copy.deepcopy(BASE))
    frame = pd.DataFrame({"unit_code": ["A", "B", "B"], "a": ["1", "x", "3"], "b": ["1", "2", "—"]})
    with pytest.raises(DataError) as info:
        panel_for(frame, fw, source="d.csv")
    text = [str(p) for p in info.value.problems]
    assert "d.csv: the indicator column 'c' is missing from the data" in text
    assert "d.csv: row 3, column a: not a number: 'x'" in text


def test_duplicate_units_are_reported_with_rows():
    fw = parse_framework(copy.deepcopy(BASE))
    frame = pd.DataFrame({"unit_code": ["A", "B", "B"], "a": [1, 2, 3], "b": [1, 2, 3], "c": [1, 2, 3]})
    with pytest.raises(DataError, match="duplicate unit code 'B' in rows 3, 4"):
        panel_for(frame, fw, source="d.csv")


def test_schema_is_json_and_lists_methods():
    schema = json.loads(json.dumps(json_schema()))
    assert "indicators" in schema["properties"]
    assert "normalise.minmax" in schema["x-methods"]
    assert schema["x-methods"]["impute.group_mean"]["required"] == ["group"]


def test_asem_framework_roundtrips_through_yaml(asem_framework):
    dumped = yaml.safe_dump(asem_framework.model_dump(mode="json"), allow_unicode=True)
    assert parse_framework(yaml.safe_load(dumped)) == asem_framework
