"""The rankings section is validated with key paths, in Chinese."""

from __future__ import annotations

import pytest

from baiqiang.errors import FrameworkError

from .conftest import framework


def problems(**sections) -> list[str]:
    with pytest.raises(FrameworkError) as exc:
        framework(**sections)
    return [str(p) for p in exc.value.problems]


def test_unknown_codes_are_named_with_their_key_path():
    found = problems(rankings={
        "gates": [{"id": "g", "when": {"column": "gdp", "op": ">=", "value": 1}}],
        "lists": [{"id": "l", "name": "榜", "score": "nope", "gates": ["g", "missing"], "grades": "zz"}],
        "coupling": {"subsystems": ["econ", "inov"]},
    })
    assert any("rankings.lists[0].score" in p and "'nope'" in p for p in found)
    assert any("rankings.lists[0].gates[1]" in p and "未定义的门槛 'missing'" in p for p in found)
    assert any("rankings.lists[0].grades" in p for p in found)
    assert any("rankings.coupling.subsystems[1]" in p for p in found)
    assert len(found) == 4


def test_shape_errors_name_the_path():
    found = problems(rankings={"lists": [{"id": "l", "name": "榜", "tiers": {"cuts": [10, 5]}}],
                               "gates": [{"id": "g", "when": {"column": "gdp", "op": ">="}}]})
    assert any(p.startswith("test.yaml: rankings.lists[0].tiers") and "严格递增" in p for p in found)
    assert any(p.startswith("test.yaml: rankings.gates[0].when") and "column、op 和 value" in p for p in found)


def test_grade_scale_must_descend_and_end_with_a_fallback():
    found = problems(rankings={"grades": [{"id": "z", "score": "index", "scale": [{"grade": "A", "min": 50}, {"grade": "B", "min": 60}, {"grade": "C"}]}]})
    assert any("严格递减" in p for p in found)


def test_unit_groups_must_declare_how_every_indicator_combines():
    found = problems(rankings={"unit_groups": {"groups": [{"code": "G", "name": "组团", "members": ["E", "F"]}],
                                               "combine": {"gdp": "sum"}}})
    assert found == ["test.yaml: rankings.unit_groups.combine: 这些列没有声明合并方法（sum / weighted_mean ...）：revenue, patents"]


def test_progress_lists_need_a_progress_section_and_tiers_fit_the_list():
    found = problems(rankings={"lists": [{"id": "p", "name": "进步县", "score": "progress.rank_rise", "top": 3, "tiers": {"cuts": [2, 5]}}]})
    assert any("rankings.lists[0].score" in p and "progress" in p for p in found)
    assert any("rankings.lists[0].tiers.cuts" in p and "top = 3" in p for p in found)


def test_class_weights_name_existing_nodes():
    found = problems(rankings={"classes": {"attribute": "class", "weights": {"平原": {"econ": 2, "ecn": 1}}}})
    assert found == ["test.yaml: rankings.classes.weights.平原.ecn: 'ecn' 不是指标或汇总节点代码"]


def test_sources_need_at_least_one_pattern():
    found = problems(sources={"precedence": []})
    assert any("sources.precedence" in p for p in found)


def test_unit_group_gate_columns_need_a_combine_rule():
    found = problems(rankings={
        "gates": [{"id": "g", "when": {"all": [{"column": "pop", "op": ">=", "value": 1}, {"column": "type", "op": "==", "value": "县"}]}}],
        "unit_groups": {"groups": [{"code": "G", "name": "组团", "members": ["E", "F"]}],
                        "combine": {"gdp": "sum", "revenue": "sum", "patents": "sum"}}})
    assert found == ["test.yaml: rankings.gates[0].when: 组团的门槛列须在 unit_groups.combine 中声明合并方法：pop"]


def test_json_schema_describes_the_rankings_section():
    from baiqiang.framework.schema import json_schema

    schema = json_schema()
    assert "rankings" in schema["properties"] and "sources" in schema["properties"]
    assert {"Condition", "RankingList", "Coupling"} <= set(schema["$defs"])
